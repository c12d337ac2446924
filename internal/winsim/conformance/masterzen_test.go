package conformance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	wcwinrm "github.com/wincontainers/wincontainers/internal/winrm"
)

// masterzenClient is github.com/masterzen/winrm, the client under Packer, Terraform and internal/winrm:
// a new shell per Run, a Receive loop that treats any SOAP answer without Done as "not finished yet".
// Basic is its default transport; NTLM is ClientNTLM (Azure/go-ntlmssp); certificates ClientAuthRequest.
var masterzenClient = client{
	name:        "masterzen",
	missing:     func() string { return "" },
	certificate: true,
	run:         runMasterzen,
}

func masterzenFor(tg Target, password string, operationTimeout time.Duration, affine bool) (*winrm.Client, error) {
	params := winrm.NewParameters(fmt.Sprintf("PT%dS", int(operationTimeout/time.Second)), "en-US", 153600)
	switch {
	case tg.Auth == "ntlm" && affine:
		// wincontainers' NTLM transport (internal/winrm): go-ntlmssp's Negotiator with each handshake kept
		// on one connection, for the case where masterzen has two requests in flight.
		params.TransportDecorator = func() winrm.Transporter { return wcwinrm.NewNTLMTransport(tg.User, password) }
	case tg.Auth == "ntlm":
		// ClientNTLM (Packer's winrm_use_ntlm, Terraform's use_ntlm): go-ntlmssp's Negotiator, no sealing.
		params.TransportDecorator = func() winrm.Transporter { return &winrm.ClientNTLM{} }
	}
	var cert, key []byte
	if tg.Auth == "certificate" {
		// ClientAuthRequest: the TLS client certificate and the mutual-authentication profile header. The
		// auth-rejected case presents the certificate no mapping names (password is the wrong one then).
		params.TransportDecorator = func() winrm.Transporter { return &winrm.ClientAuthRequest{} }
		certFile, keyFile := tg.CertFile, tg.KeyFile
		if password == tg.WrongPassword {
			certFile, keyFile = tg.WrongCertFile, tg.WrongKeyFile
		}
		var err error
		if cert, err = os.ReadFile(certFile); err != nil {
			return nil, err
		}
		if key, err = os.ReadFile(keyFile); err != nil {
			return nil, err
		}
	}
	ep := winrm.NewEndpoint(tg.Host, tg.Port, tg.HTTPS, false, tg.ca, cert, key, operationTimeout+30*time.Second)
	return winrm.NewClientWithParameters(ep, tg.User, password, params)
}

func runMasterzen(ctx context.Context, _ *testing.T, tg Target, c Case) (outcome, error) {
	timeout := 20 * time.Second
	if c.OperationTimeout > 0 {
		timeout = time.Duration(c.OperationTimeout) * time.Second
	}
	pw := tg.Password
	if c.Name == "auth-rejected" {
		pw = tg.WrongPassword
	}
	// ClientNTLM's Negotiator shares one connection pool between masterzen's stdin Sends and its Receive
	// loop, so a handshake's AUTHENTICATE can leave on another connection than its NEGOTIATE and be refused
	// (401), on Windows as on winsim (NTLM authenticates a connection): the stdin case is the one where
	// masterzen has two requests in flight, and it runs with wincontainers' connection-affine transport.
	wc, err := masterzenFor(tg, pw, timeout, c.Name == "stdin")
	if err != nil {
		return outcome{}, err
	}
	switch c.Name {
	case "stdout-stderr", "stdin", "operation-timeout":
		start := time.Now()
		out, errOut, code, err := wc.RunWithContextWithString(ctx, c.Command, c.Stdin)
		took := time.Since(start)
		if err != nil || out != c.Stdout || errOut != c.Stderr || uint32(code) != c.Codes[0] {
			return outcome{}, fmt.Errorf("%q: stdout %q stderr %q exit %d, %s", c.Command, trim(out), trim(errOut), code, errText(err))
		}
		if took.Seconds() < c.MinSeconds {
			return outcome{}, fmt.Errorf("%q finished after %s, want at least %.1f s", c.Command, took, c.MinSeconds)
		}
		return outcome{"ok", fmt.Sprintf("%d bytes of stdout, %d of stderr, exit %d after %.1f s", len(out), len(errOut), code, took.Seconds())}, nil
	case "exit-codes":
		var got []string
		for i, cmd := range c.Commands {
			_, _, code, err := wc.RunWithContextWithString(ctx, cmd, "")
			if err != nil || uint64(code) != uint64(c.Codes[i]) {
				return outcome{}, fmt.Errorf("%q: exit %d (want %d), %s", cmd, code, c.Codes[i], errText(err))
			}
			got = append(got, fmt.Sprint(code))
		}
		return outcome{"ok", "exit codes " + strings.Join(got, ", ")}, nil
	case "long-output":
		out, _, code, err := wc.RunWithContextWithString(ctx, c.Command, "")
		if err != nil || uint32(code) != c.Codes[0] {
			return outcome{}, fmt.Errorf("%q: exit %d, %s", c.Command, code, errText(err))
		}
		if err := checkLines(out, c.Lines); err != nil {
			return outcome{}, err
		}
		return outcome{"ok", fmt.Sprintf("%d lines, %d bytes", c.Lines, len(out))}, nil
	case "fault":
		shell, err := wc.CreateShell()
		if err != nil {
			return outcome{}, err
		}
		if err := shell.Close(); err != nil {
			return outcome{}, err
		}
		_, err = shell.ExecuteWithContext(ctx, c.Command)
		var ece *winrm.ExecuteCommandError
		if !errors.As(err, &ece) || !strings.Contains(ece.Body, `Code="`+c.FaultCode+`"`) || !strings.Contains(ece.Body, "w:InvalidSelectors") {
			return outcome{}, fmt.Errorf("a command on a deleted shell: %s", errText(err))
		}
		return outcome{"ok", fmt.Sprintf("%v: w:InvalidSelectors, WSManFault %s", err, c.FaultCode)}, nil
	case "auth-rejected":
		_, err := wc.CreateShell()
		if err == nil || !strings.Contains(err.Error(), "401") {
			return outcome{}, fmt.Errorf("wrong password: %s", errText(err))
		}
		return outcome{"ok", err.Error()}, nil
	case "untrusted-ca":
		_, err := wc.CreateShell()
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			return outcome{}, fmt.Errorf("without the host's CA: %s", errText(err))
		}
		return outcome{"ok", err.Error()}, nil
	case "reboot":
		// The restart goes through a second client, as the scripts' cases do: one masterzen client used from
		// two goroutines shares one connection pool, and ClientNTLM's go-ntlmssp Negotiator does not pin its
		// handshake to a connection, so a concurrent AUTHENTICATE can leave on another pooled connection than
		// its NEGOTIATE and be refused (401), on Windows as on winsim.
		other, err := masterzenFor(tg, pw, timeout, false)
		if err != nil {
			return outcome{}, err
		}
		return masterzenReboot(ctx, wc, other, c, tg.Auth == "ntlm")
	}
	return outcome{}, fmt.Errorf("masterzen has no implementation of case %q", c.Name)
}

// masterzenReboot runs a slow command, restarts the host from a second shell while its Receive is parked,
// and checks the Receive fails with a connection error; then a new shell must work once the host is back.
func masterzenReboot(ctx context.Context, wc, other *winrm.Client, c Case, ntlm bool) (outcome, error) {
	type result struct {
		code int
		err  error
	}
	slow := make(chan result, 1)
	go func() {
		_, _, code, err := wc.RunWithContextWithString(ctx, c.Command, "")
		slow <- result{code, err}
	}()
	time.Sleep(time.Second) // the Command is answered and its Receive parked
	_, errOut, code, err := other.RunWithContextWithString(ctx, c.Restart, "")
	// The host may go down before the restart command's own Signal and Delete are answered.
	if err != nil && connectionError.MatchString(err.Error()) {
		err, code = nil, 0
	}
	if err != nil || code != 0 {
		return outcome{}, fmt.Errorf("%q: exit %d, %q, %s", c.Restart, code, errOut, errText(err))
	}
	var r result
	select {
	case r = <-slow:
	case <-time.After(15 * time.Second):
		return outcome{}, errors.New("the in-flight Receive still hangs 15 s after the restart")
	}
	// With NTLM the Receive can also end in a 401: the restart forgets every connection's logon, and when
	// masterzen's next request reaches the host back up, ClientNTLM's new handshake (its legs not kept on
	// one connection) can be refused. Either way the command fails; it must not succeed or hang.
	failed := r.err != nil && (connectionError.MatchString(r.err.Error()) || ntlm && strings.Contains(r.err.Error(), "401"))
	if !failed {
		return outcome{}, fmt.Errorf("the in-flight command ended with exit %d and %s, want a connection error", r.code, errText(r.err))
	}
	back, err := untilBack(ctx, func() (string, error) {
		out, _, _, err := wc.RunWithContextWithString(ctx, c.After, "")
		return out, err
	})
	if err != nil || back != c.Stdout {
		return outcome{}, fmt.Errorf("after the restart: %q, %s", back, errText(err))
	}
	return outcome{"ok", fmt.Sprintf("in-flight Receive: exit %d, %v; then %q", r.code, r.err, trim(back))}, nil
}

var connectionError = regexp.MustCompile(`EOF|connection reset|broken pipe|connection refused`)

// untilBack retries fn until it succeeds or 30 s pass, as a client waiting for a restart does.
func untilBack(ctx context.Context, fn func() (string, error)) (string, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := fn()
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return out, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkLines checks out is "line 1" to "line n", CRLF-terminated.
func checkLines(out string, n int) error {
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	if len(lines) != n {
		return fmt.Errorf("%d lines (%d bytes), want %d", len(lines), len(out), n)
	}
	for i, l := range lines {
		if l != fmt.Sprintf("line %d", i+1) {
			return fmt.Errorf("line %d is %q", i+1, l)
		}
	}
	return nil
}

func trim(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// errText is an error's text, "no error" for nil: the failures above are about errors that should have
// been there, or not.
func errText(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}
