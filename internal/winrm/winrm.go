// Package winrm is the WinRM transport: an Exec (see internal/runner) over github.com/masterzen/winrm,
// HTTPS with certificate verification by default, Basic, NTLM, client-certificate or Kerberos
// authentication, NTLM message encryption over plain HTTP (sealed.go), SOAP faults turned into errors,
// and failures explained in terms a user can act on.
package winrm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mz "github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"

	"github.com/wincontainers/wincontainers/internal/certupn"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winrm/ntlm"
	"github.com/wincontainers/wincontainers/internal/winrm/sealing"
)

// Auth methods.
const (
	AuthBasic       = "basic"
	AuthNTLM        = "ntlm"
	AuthCertificate = "certificate"
	AuthKerberos    = "kerberos"
)

// Options configure a connection. Secrets (Password, Key) are never logged.
type Options struct {
	Host string
	// Port defaults to 5986 with HTTPS and 5985 without.
	Port int
	// HTTP selects plain HTTP. Over HTTP, Auth = ntlm or kerberos seals every message with the session
	// keys of its connection's logon (message encryption, MS-WSMV 2.2.9.1), which Windows accepts out of
	// the box (AllowUnencrypted=false). Basic would send its messages in clear: it needs AllowUnencrypted
	// too, and the host's AllowUnencrypted setting on.
	HTTP             bool
	AllowUnencrypted bool
	// Insecure skips certificate verification (never the default).
	Insecure      bool
	CACert        []byte
	TLSServerName string
	User          string
	Password      string
	// Auth is basic (default), ntlm, certificate or kerberos.
	Auth string
	// Cert and Key are the client certificate for certificate authentication (PEM).
	Cert, Key []byte
	// Kerberos settings (kerberos.go): the realm (default: the user's @REALM, else krb5.conf's
	// default_realm), the krb5.conf path (default KRB5_CONFIG, else /etc/krb5.conf), the host's SPN
	// (default HTTP/<Host>) and, without a Password, the ticket cache (default KRB5CCNAME).
	KrbRealm, KrbConfig, KrbSPN, KrbCCache string
	// OperationTimeout is the WS-Man OperationTimeout of each Receive long-poll. Default 60s (Windows
	// clamps larger values to MaxTimeoutms).
	OperationTimeout time.Duration
	// EnvelopeSize is the MaxEnvelopeSize sent to the host. Default 153600 (what every client sends).
	EnvelopeSize int
	// MaxOperationsPerShell is how many commands run in one shell before it is replaced. Default 15, the
	// lowest limit seen on Windows (Packer and winrmcp use the same).
	MaxOperationsPerShell int

	// dial replaces the TCP dialer of the Basic and NTLM transports (tests count the bytes on the wire);
	// requests, when set, counts their HTTP requests, handshake legs included.
	dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	requests *atomic.Int64
	// now is the clock of Kerberos authenticators (tests skew it).
	now func() time.Time
}

// instrument applies the test hooks to a transport.
func (o Options) instrument(t *transport) {
	if o.dial != nil {
		t.dial = o.dial
	}
	t.requests = o.requests
}

// Sealed tells whether a connection with these settings seals its messages (message encryption):
// NTLM or Kerberos over plain HTTP (over HTTPS, TLS protects the messages).
func Sealed(http bool, auth string) bool {
	return http && (auth == AuthNTLM || auth == AuthKerberos)
}

// Client is an Exec over one host. It keeps one remote shell and runs commands in it one at a time,
// replacing it after MaxOperationsPerShell commands: Windows counts every command against the shell's
// user until the shell is deleted (MaxConcurrentOperationsPerUser; Signal does not give it back), and
// older hosts allow as few as 15 (docs/knowledge/winrm.md#commands-and-the-operations-quota).
type Client struct {
	opts   Options
	client *mz.Client
	// call carries each call's context to the transport's HTTP requests (every auth method uses ours).
	call *callContext

	mu    sync.Mutex
	shell *mz.Shell
	ops   int
}

var _ runner.Exec = (*Client)(nil)

// New validates the options and builds a client. It does not connect.
func New(o Options) (*Client, error) {
	if strings.TrimSpace(o.Host) == "" {
		return nil, errors.New("winrm: host is required")
	}
	if o.Auth == "" {
		o.Auth = AuthBasic
	}
	if o.HTTP && !o.AllowUnencrypted && !Sealed(o.HTTP, o.Auth) {
		return nil, fmt.Errorf("winrm: plain HTTP with %s authentication was requested without allow_unencrypted: its messages would cross "+
			"the network in clear text, and Windows refuses them unless its AllowUnencrypted setting is on. Use auth = ntlm, which "+
			"encrypts every message over HTTP (message encryption, Windows' out-of-box setup), or HTTPS (port 5986) with the host's CA", o.Auth)
	}
	if o.Port == 0 {
		o.Port = 5986
		if o.HTTP {
			o.Port = 5985
		}
	}
	if o.OperationTimeout == 0 {
		o.OperationTimeout = 60 * time.Second
	}
	if o.EnvelopeSize == 0 {
		o.EnvelopeSize = 153600
	}
	if o.MaxOperationsPerShell <= 0 {
		o.MaxOperationsPerShell = 15
	}
	// The HTTP timeout must outlast the OperationTimeout long-poll, or every quiet Receive fails.
	ep := mz.NewEndpoint(o.Host, o.Port, !o.HTTP, o.Insecure, o.CACert, o.Cert, o.Key, o.OperationTimeout+30*time.Second)
	ep.TLSServerName = o.TLSServerName
	// Our own Parameters: masterzen's DefaultParameters is a shared pointer and is never touched.
	params := mz.NewParameters(iso8601(o.OperationTimeout), "en-US", o.EnvelopeSize)
	var inner func() mz.Transporter
	call := &callContext{}
	switch o.Auth {
	case AuthBasic:
		// Our transport, not masterzen's: it sends each request with the caller's context.
		inner = func() mz.Transporter {
			t := newTransport(o.User, o.Password, false, call)
			o.instrument(t)
			return t
		}
	case AuthNTLM:
		// Not masterzen's ClientNTLM: its handshake legs can stray onto another request's connection.
		// Over HTTP, every message is sealed (sealed.go).
		inner = func() mz.Transporter {
			t := newTransport(o.User, o.Password, true, call)
			t.sealed, t.logon = o.HTTP, ntlmLogon
			o.instrument(t)
			return t
		}
	case AuthCertificate:
		if len(o.Cert) == 0 || len(o.Key) == 0 || o.HTTP {
			return nil, errors.New("winrm: certificate authentication needs HTTPS, a client certificate and its key")
		}
		cert, err := tls.X509KeyPair(o.Cert, o.Key)
		if err != nil {
			return nil, fmt.Errorf("winrm: the client certificate and key do not form a pair (PEM certificate, then its PEM private key): %w", err)
		}
		// Our transport, not masterzen's ClientAuthRequest (the same header and TLS client certificate):
		// it sends each request with the caller's context and honours tls_server_name.
		inner = func() mz.Transporter {
			t := newTransport(o.User, "", false, call)
			t.cert = &cert
			o.instrument(t)
			return t
		}
	case AuthKerberos:
		// Not masterzen's ClientKerberos (SPNEGO per request, no mutual authentication, no sealing):
		// Kerberos authenticates a connection, as NTLM does; over HTTP every message is sealed.
		krb := newKrbLogon(o)
		inner = func() mz.Transporter {
			t := newTransport(o.User, o.Password, true, call)
			t.sealed, t.plain = true, !o.HTTP
			t.logon = logon{protocol: sealing.ProtocolKerberos, run: func(t *transport, ctx context.Context, c *sealedConn) (sealing.Security, error) {
				return krb.run(t, ctx, c)
			}}
			o.instrument(t)
			return t
		}
	default:
		return nil, fmt.Errorf("winrm: auth %q: use basic, ntlm, certificate or kerberos", o.Auth)
	}
	params.TransportDecorator = func() mz.Transporter { return &faultTransport{inner: inner()} }
	c, err := mz.NewClientWithParameters(ep, o.User, o.Password, params)
	if err != nil {
		return nil, fmt.Errorf("winrm: %w", err)
	}
	return &Client{opts: o, client: c, call: call}, nil
}

// Exec implements runner.Exec. Commands run one at a time in the client's shell.
func (c *Client) Exec(ctx context.Context, commandLine string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// masterzen ignores a failed stdin Send and would wait for a command that never gets its input:
	// a failed Send cancels the command instead, and is reported.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Every HTTP request of this call carries its context (the transport reads it).
	c.call.set(ctx)
	defer c.call.set(context.Background())
	cmd, err := c.start(ctx, commandLine)
	if err != nil {
		return 1, c.explain(err)
	}
	var wg sync.WaitGroup
	var outErr, errErr error
	wg.Add(2)
	go func() { defer wg.Done(); _, outErr = io.Copy(stdout, cmd.Stdout) }()
	go func() { defer wg.Done(); _, errErr = io.Copy(stderr, cmd.Stderr) }()
	if stdin != nil {
		sendStdin(cmd.Stdin, stdin, sendChunk(c.opts.EnvelopeSize, c.sealOverhead()), c.opts.OperationTimeout+5*time.Second, cancel)
	}
	cmd.Wait()
	wg.Wait()
	_ = cmd.Close()
	code := cmd.ExitCode()
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		c.dropShell()
		return code, c.explain(cause)
	}
	for _, e := range []error{cmd.Error(), outErr, errErr} {
		if e != nil {
			c.dropShell() // the shell may be gone with the connection; start afresh next time
			return code, c.explain(e)
		}
	}
	if code == 16001 { // masterzen's code for a connection that ended (EOF) mid-command
		c.dropShell()
		return code, &runner.TransportError{Op: "winrm " + c.where(), Retryable: true,
			Err: errors.New("the connection ended while the command ran (the host may be restarting)")}
	}
	return code, nil
}

// start runs the command in the current shell, creating or recycling the shell as needed. A shell the
// host no longer knows (deleted, idle-timed-out, or lost in a reboot: InvalidSelectors 2150858843) is
// replaced once.
func (c *Client) start(ctx context.Context, commandLine string) (*mz.Command, error) {
	for attempt := 0; ; attempt++ {
		if c.shell == nil || c.ops >= c.opts.MaxOperationsPerShell {
			c.dropShell()
			sh, err := c.client.CreateShell()
			if err != nil {
				return nil, fmt.Errorf("creating a shell: %w", err)
			}
			c.shell, c.ops = sh, 0
		}
		c.ops++
		cmd, err := c.shell.ExecuteWithContext(ctx, commandLine)
		if err == nil {
			return cmd, nil
		}
		c.dropShell()
		var f *FaultError
		if attempt == 0 && errors.As(err, &f) && f.Code == "2150858843" {
			continue
		}
		return nil, fmt.Errorf("starting the command: %w", err)
	}
}

// dropShell deletes the current shell (best effort: it may already be gone), within 10 s whatever became
// of the call's context: a cancelled call still frees its shell when the host answers.
func (c *Client) dropShell() {
	if c.shell != nil {
		prev := c.call.get()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(prev), 10*time.Second)
		c.call.set(ctx)
		_ = c.shell.Close()
		cancel()
		c.call.set(prev)
		c.shell, c.ops = nil, 0
	}
}

// Close deletes the client's shell on the host.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropShell()
	return nil
}

func (c *Client) where() string {
	scheme := "https"
	if c.opts.HTTP {
		scheme = "http"
	}
	return scheme + "://" + net.JoinHostPort(c.opts.Host, strconv.Itoa(c.opts.Port)) + "/wsman"
}

// httpStatus finds the status in masterzen's "http response error: 401 - invalid content type".
var httpStatus = regexp.MustCompile(`(?:http response error: |status code )(\d{3})\b`)

// explain turns masterzen's errors into advice. Connection failures are retryable; authentication and
// TLS problems are not.
func (c *Client) explain(err error) error {
	msg := err.Error()
	op := "winrm " + c.where()
	var f *FaultError
	var te *runner.TransportError
	status := ""
	if m := httpStatus.FindStringSubmatch(msg); m != nil {
		status = m[1]
	}
	switch {
	case errors.As(err, &te):
		return err
	case errors.As(err, &f):
		if advice := quotaAdvice[f.Code]; advice != "" {
			return &runner.TransportError{Op: op, Retryable: false, Err: fmt.Errorf("%w: %s", err, advice)}
		}
		return &runner.TransportError{Op: op, Retryable: false, Err: err}
	case strings.Contains(msg, "x509") || strings.Contains(msg, "tls: "):
		return &runner.TransportError{Op: op, Retryable: false, Err: fmt.Errorf("%w: the host's certificate is not trusted; pass its CA in ca_cert "+
			"(and tls_server_name if the certificate names another host); insecure = true skips verification and is not recommended", err)}
	case strings.Contains(msg, "kerberos: ") || strings.Contains(msg, "refused the Kerberos"):
		// kerberos.go's errors name their cause (the KDC's or the host's) and what to do.
		return &runner.TransportError{Op: op, Retryable: false, Err: err}
	case status == "401" && c.opts.Auth == AuthCertificate:
		return &runner.TransportError{Op: op, Retryable: false, Err: fmt.Errorf("the host refused the client certificate %s (HTTP 401): "+
			"Windows accepts it only when certificate authentication is on (Set-Item WSMan:\\localhost\\Service\\Auth\\Certificate $true), "+
			"the certificate chains to a CA in the host's LocalMachine\\Root store, carries the Client Authentication EKU and a UPN in its "+
			"subjectAltName, and a mapping names its issuer and UPN: New-Item -Path WSMan:\\localhost\\ClientCertificate -URI * "+
			"-Subject <UPN> -Issuer <thumbprint of the CA that signed it> -Credential (Get-Credential <local user>)", certSummary(c.opts.Cert))}
	case status == "401":
		return &runner.TransportError{Op: op, Retryable: false, Err: fmt.Errorf("the host rejected the credentials for %q with %s authentication (HTTP 401): "+
			"check the user name and password; a local account needs the form .\\user or HOST\\user; Basic needs Basic enabled in the WinRM service "+
			"(winrm set winrm/config/service/auth @{Basic=\"true\"}), and over plain HTTP also AllowUnencrypted; domain accounts usually need ntlm or kerberos",
			c.opts.User, c.opts.Auth)}
	case status == "413":
		return &runner.TransportError{Op: op, Retryable: false, Err: fmt.Errorf("%w: the request exceeded the host's MaxEnvelopeSizekb; lower the envelope size", err)}
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "connection reset"), strings.Contains(msg, "EOF"),
		strings.Contains(msg, "i/o timeout"), strings.Contains(msg, "no route to host"), strings.Contains(msg, "broken pipe"),
		// A pooled connection the host closed (a reset, a reboot) under a request being written.
		strings.Contains(msg, "use of closed network connection"):
		return &runner.TransportError{Op: op, Retryable: true, Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &runner.TransportError{Op: op, Retryable: false, Err: err}
	default:
		return &runner.TransportError{Op: op, Retryable: false, Err: err}
	}
}

// quotaAdvice explains the WinRM quota faults (docs/knowledge/winrm.md#fault-catalogue) by WSManFault code. This client holds one
// shell per host and recycles it every MaxOperationsPerShell commands, so a quota fault means other
// sessions of the same user (or a host configured below the defaults) use up the quota.
var quotaAdvice = map[string]string{
	"2150859173": "the host's MaxShellsPerUser quota is used up by this user's open shells (other sessions, or shells leaked by " +
		"another tool; they close after the shell IdleTimeout); close them, or raise it on the host: " +
		`winrm set winrm/config/winrs @{MaxShellsPerUser="100"}`,
	"2150859174": "the host's MaxConcurrentOperationsPerUser quota is used up: Windows counts every command against the user until " +
		"its shell is deleted; close other sessions of this user, or raise it on the host: " +
		`winrm set winrm/config/service @{MaxConcurrentOperationsPerUser="1500"}`,
	"2150859179": "the host's MaxConcurrentUsers quota is used up by other users' shells; retry later, or raise it on the host: " +
		`winrm set winrm/config/winrs @{MaxConcurrentUsers="100"}`,
}

// sendChunk is the most stdin one Send can carry so that its envelope, base64 and all, fits the
// MaxEnvelopeSize: masterzen cuts at EnvelopeSize-1000 raw bytes, which base64 inflates past the limit.
// overhead is what message encryption adds around the envelope (0 when messages are not sealed): the
// sealed body, framing and all, fits the MaxEnvelopeSize too.
func sendChunk(envelope, overhead int) int {
	n := (envelope - sendEnvelopeSlack - overhead) * 3 / 4
	return max(n-n%3, 3)
}

// sendEnvelopeSlack is the room left in a Send's envelope for its SOAP around the base64 data.
const sendEnvelopeSlack = 2048

// sealOverhead is how many bytes sealing adds to a message of the envelope size, 0 when unsealed.
func (c *Client) sealOverhead() int {
	if !Sealed(c.opts.HTTP, c.opts.Auth) {
		return 0
	}
	return sealing.Overhead(sealing.ProtocolSPNEGO, c.opts.EnvelopeSize, ntlm.SignatureSize)
}

// stdinSink is masterzen's stdin writer: Write sends, Close sends an empty Send with End="true".
// (Its WriteClose, which would carry the last data and End together, is unusable: it marks the pipe
// closed before writing and so always fails with io.ErrClosedPipe — masterzen/winrm 5570be7f80cf.)
type stdinSink interface {
	Write([]byte) (int, error)
	Close() error
}

// sendStdin sends stdin in envelope-sized pieces (io.Copy would hand masterzen 32 KB at a time, one Send
// each), then ends stdin.
//
// A failed data Send is ambiguous: the command may have finished and stopped reading (harmless), or the
// Send failed in transport while the command still waits for input, which masterzen would wait for
// forever. So the command gets grace to finish on its own; if it has not, it is cancelled with the Send
// error. A failed final End is ignored: the data was delivered, and Windows answers End after the
// command exited with "The pipe is being closed." or an unknown-command fault.
func sendStdin(w stdinSink, r io.Reader, chunk int, grace time.Duration, cancel func(error)) {
	buf := make([]byte, chunk)
	var sent int64
	for {
		n, err := io.ReadFull(r, buf)
		last := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !last {
			cancel(fmt.Errorf("reading stdin for the host: %w", err))
			return
		}
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				// masterzen reports only io.ErrShortWrite, hiding the transport error behind it.
				terr := &runner.TransportError{Op: "winrm send", Retryable: true,
					Err: fmt.Errorf("sending stdin to the host failed after %d bytes (%w); the command was cancelled", sent, werr)}
				time.AfterFunc(grace, func() { cancel(terr) })
				return
			}
			sent += int64(n)
		}
		if last {
			_ = w.Close()
			return
		}
	}
}

// FaultError is a WS-Management SOAP fault the host returned.
type FaultError struct {
	Subcode string
	Code    string
	Message string
}

func (e *FaultError) Error() string {
	return fmt.Sprintf("WS-Management fault %s (code %s): %s", e.Subcode, e.Code, strings.TrimSpace(e.Message))
}

// faultTransport surfaces SOAP faults as errors: masterzen returns a fault body as a successful
// response, so a Receive fault would spin and a Create fault would yield an empty shell id
// (docs/knowledge/winrm.md#how-clients-handle-faults). The TimedOut fault's text contains "OperationTimeout", which masterzen treats as
// "no output yet" and answers with the next Receive, as every client does.
type faultTransport struct{ inner mz.Transporter }

func (t *faultTransport) Transport(e *mz.Endpoint) error {
	if err := t.inner.Transport(e); err != nil {
		return fmt.Errorf("winrm transport: %w", err)
	}
	return nil
}

func (t *faultTransport) Post(c *mz.Client, m *soap.SoapMessage) (string, error) {
	body, err := t.inner.Post(c, m)
	if err != nil {
		// Wrapped with %w: masterzen still sees url.Error timeouts and the texts it matches on.
		return body, fmt.Errorf("winrm post: %w", err)
	}
	if f := parseFault(body); f != nil {
		return "", f
	}
	return body, nil
}

func parseFault(body string) *FaultError {
	if !strings.Contains(body, "Fault") {
		return nil
	}
	var env struct {
		Body struct {
			Fault *struct {
				Subcode string `xml:"Code>Subcode>Value"`
				Reason  string `xml:"Reason>Text"`
				Detail  struct {
					WSMan struct {
						Code    string `xml:"Code,attr"`
						Message string `xml:"Message"`
					} `xml:"WSManFault"`
				} `xml:"Detail"`
			} `xml:"Fault"`
		} `xml:"Body"`
	}
	// A body that does not parse, or parses without a Fault, is not a fault: masterzen judges the rest.
	_ = xml.Unmarshal([]byte(body), &env)
	if env.Body.Fault == nil {
		return nil
	}
	f := env.Body.Fault
	msg := f.Detail.WSMan.Message
	if msg == "" {
		msg = f.Reason
	}
	return &FaultError{Subcode: f.Subcode, Code: f.Detail.WSMan.Code, Message: msg}
}

func iso8601(d time.Duration) string {
	return "PT" + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S"
}

// certSummary names a PEM client certificate for an error: its subject, UPNs and issuer's name.
func certSummary(certPEM []byte) string {
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return "(not PEM)"
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	upns, _ := certupn.FromCertificate(cert)
	return fmt.Sprintf("%q (UPN %s, issued by %q)", cert.Subject.String(), strings.Join(upns, ", "), cert.Issuer.String())
}
