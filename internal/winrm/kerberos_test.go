package winrm

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/testkdc"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// krbHost is a winsim host with Kerberos on (Windows' defaults: Negotiate and Kerberos, Basic off) for
// the test realm's user, keyed with the realm's HTTP/<host> keytab; HTTP hosts keep AllowUnencrypted=false.
func krbHost(t testing.TB, k *testkdc.KDC, https bool) *winsimtest.Server {
	t.Helper()
	return winsimtest.Start(t, winsim.Options{Profile: "ws2022", User: k.User, Password: "not-used-by-kerberos", StateDir: t.TempDir(),
		HTTPS: https, Auth: "kerberos", Keytab: k.Keytab, RequireEncryption: !https, ComputerName: "WIN-KRB01"})
}

// krbOptions connects to the host as winsim.example.test (the name its SPN is registered for), which the
// client's dialer (w) maps to the host's loopback address, as DNS would.
func krbOptions(h *winsimtest.Server, k *testkdc.KDC, https bool, w *wire) Options {
	if w == nil {
		w = &wire{}
	}
	w.to = h.Addr
	return Options{Host: "winsim.example.test", Port: h.Port, HTTP: !https, CACert: h.CA, TLSServerName: "127.0.0.1", Auth: AuthKerberos,
		User: k.Principal(), Password: k.Password, KrbConfig: k.Krb5Conf, OperationTimeout: 2 * time.Second, dial: w.dial}
}

func krbRunner(t testing.TB, o Options) *runner.ScriptRunner {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
}

// TestKerberosAgainstWinsim: against a real MIT KDC, the client logs on with a password and with a
// ticket cache MIT's kinit filled, over HTTP (every SOAP message sealed with RFC 4121 wrap tokens, on a
// host that refuses unencrypted messages) and over HTTPS, and runs the probe and facts scripts.
func TestKerberosAgainstWinsim(t *testing.T) {
	k := testkdc.Start(t, testkdc.Options{})
	cc := k.Kinit(t)
	for _, tc := range []struct {
		name   string
		https  bool
		ccache bool
	}{
		{"http sealed, password", false, false},
		{"http sealed, kinit ccache", false, true},
		{"https, password", true, false},
		{"https, kinit ccache", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			h := krbHost(t, k, tc.https)
			o := krbOptions(h, k, tc.https, nil)
			if tc.ccache {
				o.User, o.Password, o.KrbCCache = "", "", cc
			}
			r := krbRunner(t, o)
			p, err := runner.Probe(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if p.ComputerName != "WIN-KRB01" {
				t.Errorf("probe %+v", p)
			}
			if _, err := r.Run(ctx, "facts", nil, nil); err != nil {
				t.Fatalf("facts: %v", err)
			}
			soap, sealed := total(h.Sim.Server.Counts()), h.Sim.Server.SealedRequests()
			if tc.https && sealed != 0 || !tc.https && (sealed == 0 || sealed != soap) {
				t.Errorf("%d of %d SOAP requests came sealed", sealed, soap)
			}
			// One logon per connection: no 401 at all (the AP-REQ goes first, the AP-REP answers it).
			if n := h.Sim.Server.AuthChallenges(); n != 0 {
				t.Errorf("%d 401 answers", n)
			}
			t.Logf("probe + facts: %d SOAP requests, %d sealed", soap, sealed)
		})
	}
}

// TestKerberosErrorsNameTheCause: each way a Kerberos logon fails is reported with its cause and what
// to do, whether the KDC refuses (unknown user, unknown SPN, wrong password, unknown realm) or the
// host does (clock skew, a ticket for a principal whose key it lacks), and none is retried.
func TestKerberosErrorsNameTheCause(t *testing.T) {
	k := testkdc.Start(t, testkdc.Options{})
	// A service principal the KDC knows but the host's keytab lacks: the ticket is for another account.
	k.AddPrincipal(t, "HTTP/other.example.test", "Other-Pass-1")
	h := krbHost(t, k, false)
	for _, tc := range []struct {
		name   string
		mutate func(*Options)
		want   []string
	}{
		{"unknown user", func(o *Options) { o.User = "mallory@" + testkdc.Realm }, []string{"KDC_ERR_C_PRINCIPAL_UNKNOWN", "does not know this user"}},
		{"no such SPN", func(o *Options) { o.KrbSPN = "HTTP/nowhere.example.test" }, []string{"KDC_ERR_S_PRINCIPAL_UNKNOWN", "HTTP/nowhere.example.test", "setspn"}},
		{"wrong password", func(o *Options) { o.Password = "wrong" }, []string{"password is wrong"}},
		{"unknown realm", func(o *Options) { o.User = k.User + "@OTHER.TEST" }, []string{"OTHER.TEST", "realms are upper case"}},
		{"clock skew", func(o *Options) { o.now = func() time.Time { return time.Now().Add(time.Hour) } }, []string{"KRB_AP_ERR_SKEW", "clocks"}},
		{"SPN of another account", func(o *Options) { o.KrbSPN = "HTTP/other.example.test" }, []string{"KRB_AP_ERR_MODIFIED", "cannot decrypt"}},
		{"no ticket cache", func(o *Options) { o.User, o.Password, o.KrbCCache = "", "", filepath.Join(t.TempDir(), "none") }, []string{"run kinit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := krbOptions(h, k, false, nil)
			tc.mutate(&o)
			r := krbRunner(t, o)
			_, err := runner.Probe(context.Background(), r)
			if err == nil {
				t.Fatal("connected")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if runner.IsRetryable(err) {
				t.Errorf("retryable: %v", err)
			}
			t.Log(err)
		})
	}
}

// TestKerberosSealedAnswerTampered: a flipped bit in a Kerberos-sealed answer is refused, the
// connection's context dropped, and the next script logs on again and runs.
func TestKerberosSealedAnswerTampered(t *testing.T) {
	ctx := context.Background()
	k := testkdc.Start(t, testkdc.Options{})
	h := krbHost(t, k, false)
	w := &wire{}
	o := krbOptions(h, k, false, w)
	r := krbRunner(t, o)
	if _, err := runner.Probe(ctx, r); err != nil {
		t.Fatal(err)
	}
	w.tamper.Store(true)
	_, err := runner.Probe(ctx, r)
	if err == nil || !strings.Contains(err.Error(), "sealed answer was refused") || !strings.Contains(err.Error(), "does not decrypt") {
		t.Fatalf("a tampered answer: %v", err)
	}
	if _, err := runner.Probe(ctx, r); err != nil {
		t.Errorf("after the refused answer: %v", err)
	}
}

// TestCheckKerberos: the plan-time check finds a missing krb5.conf, an unknown realm, a malformed SPN,
// a missing ticket cache and a password without a user, and passes a working password or kinit setup.
func TestCheckKerberos(t *testing.T) {
	k := testkdc.Start(t, testkdc.Options{})
	cc := k.Kinit(t)
	base := Options{Host: "winsim.example.test", Auth: AuthKerberos, User: k.Principal(), Password: k.Password, KrbConfig: k.Krb5Conf}
	for _, tc := range []struct {
		name   string
		mutate func(*Options)
		want   string // "" when the check passes
	}{
		{"password", func(*Options) {}, ""},
		{"realm from krb5.conf", func(o *Options) { o.User = k.User }, ""},
		{"kinit cache", func(o *Options) { o.User, o.Password, o.KrbCCache = "", "", cc }, ""},
		{"kinit cache as FILE:", func(o *Options) { o.User, o.Password, o.KrbCCache = "", "", "FILE:"+cc }, ""},
		{"no krb5.conf", func(o *Options) { o.KrbConfig = filepath.Join(t.TempDir(), "krb5.conf") }, "set krb_config"},
		{"unknown realm", func(o *Options) { o.User = k.User + "@example.test" }, "realm example.test has no KDC"},
		{"SPN with a realm", func(o *Options) { o.KrbSPN = "HTTP/host@" + testkdc.Realm }, "not a service principal name"},
		{"SPN without a host", func(o *Options) { o.KrbSPN = "HTTP" }, "not a service principal name"},
		{"no ticket cache", func(o *Options) { o.User, o.Password, o.KrbCCache = "", "", filepath.Join(t.TempDir(), "cc") }, "run kinit"},
		{"KEYRING cache", func(o *Options) { o.User, o.Password, o.KrbCCache = "", "", "KEYRING:persistent:0" }, "only FILE caches"},
		{"password without user", func(o *Options) { o.User = "" }, "no user name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.mutate(&o)
			err := CheckKerberos(o)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
