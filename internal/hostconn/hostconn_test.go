package hostconn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winrm"
)

// failing fails every run with the next of msgs (the last one repeats), as a transport error worth retrying.
type failing struct {
	msgs []string
	n    int
}

func (f *failing) Run(context.Context, string, any, func(powershell.Progress)) (powershell.Outcome, error) {
	m := f.msgs[min(f.n, len(f.msgs)-1)]
	f.n++
	return powershell.Outcome{}, &runner.TransportError{Op: "winrm", Retryable: true, Err: errors.New(m)}
}

func TestCollapseRetries(t *testing.T) {
	const refused = "dial tcp 10.0.0.5:5986: connect: connection refused"
	cases := []struct {
		name  string
		msgs  []string
		count int // occurrences of the first message in the error
		want  string
	}{
		{"the same failure every time", []string{refused}, 1, "(the same on each of 4 attempts)"},
		{"different failures", []string{"connection reset by peer", refused}, 1, "after 4 attempts; earlier:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &failing{msgs: c.msgs}
			r := collapsing{&runner.Retrying{Runner: f, Idempotent: func(string) bool { return true },
				Sleep: func(context.Context, time.Duration) error { return nil }}}
			_, err := r.Run(context.Background(), "facts", nil, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Count(err.Error(), c.msgs[0]) != c.count {
				t.Fatalf("error %q: want %q and the first failure %d time(s)", err, c.want, c.count)
			}
			var te *runner.TransportError
			if !errors.As(err, &te) || !runner.IsRetryable(err) {
				t.Errorf("the collapsed error lost its transport error: %#v", err)
			}
			if f.n != 4 {
				t.Errorf("%d attempts, want 4", f.n)
			}
		})
	}
	if err := collapseRetries(nil); err != nil {
		t.Errorf("nil became %v", err)
	}
	plain := fmt.Errorf("facts: %w", errors.New("script failed"))
	if err := collapseRetries(plain); err != plain { //nolint:errorlint // the same value is expected back
		t.Errorf("an error that is not a retry report changed: %v", err)
	}
}

// Plain HTTP without allow_unencrypted is refused before any connection for Basic, with the secure
// setups as the remedy; NTLM and Kerberos over HTTP seal their messages and are accepted.
func TestOpenRefusesPlainHTTP(t *testing.T) {
	for _, auth := range []string{"", winrm.AuthBasic} {
		_, err := Open(Config{WinRM: winrm.Options{Host: "10.0.0.5", HTTP: true, User: "u", Password: "p", Auth: auth}})
		var pe *PlainHTTPError
		if !errors.As(err, &pe) {
			t.Fatalf("plain HTTP with auth %q without allow_unencrypted: %v", auth, err)
		}
		for _, want := range []string{"10.0.0.5", "clear text", "auth = \"ntlm\" or \"kerberos\" over HTTP", "message encryption", "https = true", "ca_cert"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q lacks %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "does not implement message encryption") {
			t.Errorf("%q repeats the old claim", err)
		}
	}
	if _, err := Open(Config{WinRM: winrm.Options{Host: "10.0.0.5", HTTP: true, User: "u", Password: "p", Auth: winrm.AuthKerberos}}); err != nil {
		t.Errorf("Kerberos over HTTP (sealed): %v", err)
	}
	c, err := Open(Config{WinRM: winrm.Options{Host: "10.0.0.5", HTTP: true, User: "u", Password: "p", Auth: winrm.AuthNTLM}})
	if err != nil {
		t.Fatalf("NTLM over HTTP (sealed) was refused: %v", err)
	}
	_ = c.Close()
}

// CheckWinRM finds, before any request, what each combination lacks, naming the argument to set.
func TestCheckWinRM(t *testing.T) {
	krb5 := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(krb5, []byte("[libdefaults]\n default_realm = EXAMPLE.TEST\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		o    winrm.Options
		want string // "" accepts
	}{
		{"https basic", winrm.Options{Host: "h", User: "u", Password: "p"}, ""},
		{"http ntlm sealed", winrm.Options{Host: "h", HTTP: true, User: "u", Password: "p", Auth: winrm.AuthNTLM}, ""},
		{"http basic allowed", winrm.Options{Host: "h", HTTP: true, AllowUnencrypted: true, User: "u", Password: "p"}, ""},
		{"no host", winrm.Options{User: "u", Password: "p"}, "no host"},
		{"unknown auth", winrm.Options{Host: "h", User: "u", Password: "p", Auth: "digest"}, `auth = "digest"`},
		{"http basic", winrm.Options{Host: "h", HTTP: true, User: "u", Password: "p"}, "without allow_unencrypted"},
		{"no user", winrm.Options{Host: "h", Password: "p", Auth: winrm.AuthNTLM}, "logs on with a user name"},
		{"no password", winrm.Options{Host: "h", User: "u"}, "no WinRM password for h"},
		{"certificate over http", winrm.Options{Host: "h", HTTP: true, AllowUnencrypted: true, Auth: winrm.AuthCertificate, Cert: []byte("c"), Key: []byte("k")}, "needs HTTPS"},
		{"certificate without key", winrm.Options{Host: "h", Auth: winrm.AuthCertificate, Cert: []byte("c")}, "client_cert and client_key"},
		{"kerberos without a ticket cache", winrm.Options{Host: "h", User: "u", Auth: winrm.AuthKerberos, KrbConfig: krb5,
			KrbCCache: filepath.Join(t.TempDir(), "none")}, "Kerberos settings for h"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckWinRM(c.o, nil)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
	var pe *PlainHTTPError
	if !errors.As(CheckWinRM(winrm.Options{Host: "h", HTTP: true, User: "u", Password: "p"}, nil), &pe) {
		t.Error("plain HTTP Basic is not a *PlainHTTPError")
	}
}
