package provider

import (
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winrm"
)

func TestSplitAddress(t *testing.T) {
	cases := []struct {
		id, host string
		port     int64
		err      string
	}{
		{"10.0.0.5", "10.0.0.5", 0, ""},
		{"10.0.0.5:5986", "10.0.0.5", 5986, ""},
		{" win01.corp.example ", "win01.corp.example", 0, ""},
		{"win01:5985", "win01", 5985, ""},
		{"[fd00::5]:5986", "fd00::5", 5986, ""},
		{"[fd00::5]", "fd00::5", 0, ""},
		{"fd00::5", "fd00::5", 0, ""},
		{"", "", 0, "empty import ID"},
		{"10.0.0.5:0", "", 0, "not a port"},
		{"10.0.0.5:99999", "", 0, "not a port"},
		{"10.0.0.5:http", "", 0, "not a port"},
		{"https://10.0.0.5/wsman", "", 0, "not a port"},
		{"[fd00::5", "", 0, "unclosed"},
		{"[fd00::5]x", "", 0, "expected :port"},
		{"host name", "", 0, "not a URL"},
		{":1", "", 0, "no host before :1"},
		{"[]:5986", "", 0, "no address between [ and ]"},
	}
	for _, c := range cases {
		host, port, err := splitAddress(c.id)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.id, err, c.err)
			}
			continue
		}
		if err != nil || host != c.host || port != c.port {
			t.Errorf("%q: %q %d %v, want %q %d", c.id, host, port, err, c.host, c.port)
		}
	}
}

func FuzzSplitAddress(f *testing.F) {
	for _, s := range []string{"10.0.0.5", "h:5986", "[::1]:1", "[", "a:b:c", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		host, port, err := splitAddress(id)
		if err != nil {
			return
		}
		if host == "" || port < 0 || port > 65535 {
			t.Fatalf("%q: accepted host %q port %d", id, host, port)
		}
	})
}

// A resource's winrm arguments override the provider's one by one; what neither gives takes the
// transport's secure defaults; a missing credential is named.
func TestConnSettings(t *testing.T) {
	s := func(v string) *string { return &v }
	b := func(v bool) *bool { return &v }
	provider := connSettings{username: s("Administrator"), password: s("prov-pw"), caCert: s("PROVIDER CA"), auth: s("basic")}
	res := connSettings{password: s("res-pw"), https: b(false), allowUnencrypted: b(true)}
	o, err := provider.over(res).options("h", provider.over(res).defaultPort())
	if err != nil {
		t.Fatal(err)
	}
	if o.User != "Administrator" || o.Password != "res-pw" || string(o.CACert) != "PROVIDER CA" || !o.HTTP || !o.AllowUnencrypted || o.Port != 5985 {
		t.Errorf("merged %+v", o)
	}
	o, err = provider.options("h", provider.defaultPort())
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
	} {
		if _, err := c.s.options("h", 5986); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
	if _, err := (connSettings{auth: s(winrm.AuthCertificate), clientCert: s("c"), clientKey: s("k")}).options("h", 5986); err != nil {
		t.Errorf("certificate auth needs neither user nor password: %v", err)
	}
	t.Setenv(envWinRMUsername, "EnvUser")
	t.Setenv(envWinRMPassword, "env-pw")
	d := providerDefaults(nil)
	if deref(d.username) != "EnvUser" || deref(d.password) != "env-pw" {
		t.Errorf("environment defaults: %q %q", deref(d.username), deref(d.password))
	}
}
