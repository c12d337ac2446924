package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winrm"
)

func TestParseImportID(t *testing.T) {
	cases := []struct {
		id, host string
		port     int64
		err      string
		ssh      bool
	}{
		{"10.0.0.5", "10.0.0.5", 0, "", false},
		{"10.0.0.5:5986", "10.0.0.5", 5986, "", false},
		{" win01.corp.example ", "win01.corp.example", 0, "", false},
		{"win01:5985", "win01", 5985, "", false},
		{"[fd00::5]:5986", "fd00::5", 5986, "", false},
		{"[fd00::5]", "fd00::5", 0, "", false},
		{"fd00::5", "fd00::5", 0, "", false},
		{"", "", 0, "empty import ID", false},
		{"10.0.0.5:0", "", 0, "not a port", false},
		{"10.0.0.5:99999", "", 0, "not a port", false},
		{"10.0.0.5:http", "", 0, "not a port", false},
		{"https://10.0.0.5/wsman", "", 0, "not a port", false},
		{"[fd00::5", "", 0, "unclosed", false},
		{"[fd00::5]x", "", 0, "expected :port", false},
		{"host name", "", 0, "not a URL", false},
		{":1", "", 0, "no host before :1", false},
		{"[]:5986", "", 0, "no address between [ and ]", false},
		{"ssh://10.0.0.5", "10.0.0.5", 0, "", true},
		{"ssh://win01:2222", "win01", 2222, "", true},
		{" ssh://[fd00::5]:22 ", "fd00::5", 22, "", true},
		{"ssh://Administrator@10.0.0.5", "", 0, "without a user", false},
		{"ssh://", "", 0, "empty import ID", false},
		{"ssh://10.0.0.5:0", "", 0, "not a port", false},
		{"ssh://10.0.0.5/", "", 0, "not a URL", false},
		{"SSH://10.0.0.5", "10.0.0.5", 0, "", true},
		{"winrm://10.0.0.5", "", 0, "not a port", false},
	}
	for _, c := range cases {
		host, port, overSSH, err := parseImportID(c.id)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.id, err, c.err)
			}
			continue
		}
		if err != nil || host != c.host || port != c.port || overSSH != c.ssh {
			t.Errorf("%q: %q %d ssh %v %v, want %q %d ssh %v", c.id, host, port, overSSH, err, c.host, c.port, c.ssh)
		}
	}
}

func FuzzSplitAddress(f *testing.F) {
	for _, s := range []string{"10.0.0.5", "h:5986", "[::1]:1", "[", "a:b:c", ":", "ssh://h:22", "ssh://[::1]", "ssh://u@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		host, port, overSSH, err := parseImportID(id)
		if err != nil {
			if overSSH {
				t.Fatalf("%q: refused, yet marked as SSH", id)
			}
			return
		}
		if host == "" || port < 0 || port > 65535 || strings.Contains(host, "@") && overSSH {
			t.Fatalf("%q: accepted host %q port %d", id, host, port)
		}
		if overSSH != strings.HasPrefix(strings.ToLower(strings.TrimSpace(id)), sshImportScheme) {
			t.Fatalf("%q: over SSH %v", id, overSSH)
		}
	})
}

// A resource's winrm arguments override the provider's one by one; what neither gives takes the
// transport's secure defaults; a missing credential is named.
func TestConnSettings(t *testing.T) {
	s, b := valued[string], valued[bool]
	provider := connSettings{username: s("Administrator"), password: s("prov-pw"), caCert: s("PROVIDER CA"), auth: s("basic")}
	res := connSettings{password: s("res-pw"), https: b(false), allowUnencrypted: b(true)}
	port, _ := provider.over(res).defaultPort()
	o, err := provider.over(res).options("h", port)
	if err != nil {
		t.Fatal(err)
	}
	if o.User != "Administrator" || o.Password != "res-pw" || string(o.CACert) != "PROVIDER CA" || !o.HTTP || !o.AllowUnencrypted || o.Port != 5985 {
		t.Errorf("merged %+v", o)
	}
	port, _ = provider.defaultPort()
	o, err = provider.options("h", port)
	if err != nil || o.HTTP || o.Insecure || o.Port != 5986 {
		t.Errorf("defaults: %+v %v", o, err)
	}
	for _, c := range []struct {
		s    connSettings
		want string
	}{
		{connSettings{password: s("x")}, "no WinRM user name"},
		{connSettings{username: s("u")}, "no WinRM password"},
		{connSettings{username: s("u"), auth: s(winrm.AuthNTLM)}, "no WinRM password"},
		{connSettings{username: s("u"), password: s("p"), https: b(false)}, "message encryption"},
		{connSettings{auth: s(winrm.AuthCertificate), clientCert: s("c")}, `needs client_cert and client_key`},
		{connSettings{auth: s(winrm.AuthCertificate), clientKey: s("k")}, `New-Item -Path WSMan:\localhost\ClientCertificate`},
		{connSettings{auth: s(winrm.AuthCertificate), clientCert: s("c"), clientKey: s("k"), https: b(false), allowUnencrypted: b(true)}, "needs HTTPS"},
	} {
		if _, err := c.s.options("h", 5986); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
	if _, err := (connSettings{auth: s(winrm.AuthCertificate), clientCert: s("c"), clientKey: s("k")}).options("h", 5986); err != nil {
		t.Errorf("certificate auth needs neither user nor password: %v", err)
	}
	// Kerberos is checked at plan time against this machine's krb5.conf and ticket cache.
	dir := t.TempDir()
	conf := filepath.Join(dir, "krb5.conf")
	if err := os.WriteFile(conf, []byte("[libdefaults]\n default_realm = EXAMPLE.TEST\n[realms]\n EXAMPLE.TEST = {\n  kdc = 127.0.0.1:88\n }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	krb := connSettings{auth: s(winrm.AuthKerberos), username: s("alice"), password: s("p"), krbConfig: s(conf), https: b(false)}
	if o, err := krb.options("h.example.test", 5985); err != nil || !o.HTTP || o.KrbConfig != conf {
		t.Errorf("Kerberos over HTTP (sealed) with a realm krb5.conf knows: %+v %v", o, err)
	}
	for _, c := range []struct {
		s    connSettings
		want string
	}{
		{connSettings{auth: s(winrm.AuthKerberos), username: s("alice@OTHER.TEST"), password: s("p"), krbConfig: s(conf)}, "realm OTHER.TEST has no KDC"},
		{connSettings{auth: s(winrm.AuthKerberos), krbConfig: s(conf), krbCCache: s(filepath.Join(dir, "none"))}, "run kinit"},
		{connSettings{auth: s(winrm.AuthKerberos), username: s("alice"), password: s("p"), krbConfig: s(filepath.Join(dir, "nope"))}, "krb_config"},
	} {
		if err := c.s.check("h"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
	t.Setenv(envWinRMUsername, "EnvUser")
	t.Setenv(envWinRMPassword, "env-pw")
	d := providerDefaults(connSettings{})
	if d.username.value() != "EnvUser" || d.password.value() != "env-pw" {
		t.Errorf("environment defaults: %q %q", d.username.value(), d.password.value())
	}
}

// Values not known at plan time (they come from another resource) pass the plan-time check and are
// checked by the apply; options, which the apply uses, names them if they are still unknown.
func TestConnSettingsUnknown(t *testing.T) {
	s, u, ub := valued[string], setting[string]{unknown: true}, setting[bool]{unknown: true}
	cases := []struct {
		name     string
		s        connSettings
		checkErr string // "" = the plan-time check passes
		port     int64  // 0 = not known at plan time
	}{
		{"unknown password", connSettings{username: s("u"), password: u}, "", 5986},
		{"unknown user", connSettings{username: u, password: s("p")}, "", 5986},
		{"unknown auth", connSettings{auth: u}, "", 5986},
		{"unknown https", connSettings{username: s("u"), password: s("p"), https: ub}, "", 0},
		{"unknown allow_unencrypted", connSettings{username: s("u"), password: s("p"), https: valued(false), allowUnencrypted: ub}, "", 5985},
		{"unknown block", unknownSettings(), "", 0},
		{"known and missing beside an unknown", connSettings{password: s("p"), caCert: u}, "no WinRM user name", 5986},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.s.check("h")
			if (c.checkErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.checkErr)) {
				t.Errorf("check: %v, want %q", err, c.checkErr)
			}
			if port, ok := c.s.defaultPort(); (c.port != 0) != ok || port != c.port {
				t.Errorf("default port %d %v, want %d", port, ok, c.port)
			}
			if c.checkErr == "" {
				if _, err := c.s.options("h", 5986); err == nil || !strings.Contains(err.Error(), "not known yet") {
					t.Errorf("options with an unknown value: %v", err)
				}
			}
		})
	}
	// A value given on the resource replaces an unknown one of the provider, and the other way round.
	p := connSettings{username: s("u"), password: u}
	if got := p.over(connSettings{password: s("p")}); got.password.unknown || got.password.value() != "p" {
		t.Errorf("a known resource password over an unknown provider one: %+v", got.password)
	}
	if got := (connSettings{password: s("p")}).over(p); !got.password.unknown {
		t.Errorf("an unknown resource password over a known provider one: %+v", got.password)
	}
	// The environment does not stand in for a provider password that is only unknown.
	t.Setenv(envWinRMPassword, "env-pw")
	if got := providerDefaults(p); !got.password.unknown {
		t.Errorf("environment replaced an unknown password: %+v", got.password)
	}
}
