package winsim

import (
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

// Mappings Windows would refuse to create are refused when the host is built, naming the field.
func TestCertMappingsValidated(t *testing.T) {
	const tp = "0123456789ABCDEF0123456789ABCDEF01234567"
	for _, c := range []struct {
		name  string
		https bool
		m     wsman.CertMapping
		want  string
	}{
		{"over HTTP", false, wsman.CertMapping{Issuer: tp, Subject: "*", UserName: "Administrator"}, "needs --https"},
		{"issuer not a thumbprint", true, wsman.CertMapping{Issuer: "CN=CA", Subject: "*", UserName: "Administrator"}, "not a certificate thumbprint"},
		{"star in the middle", true, wsman.CertMapping{Issuer: tp, Subject: "a*b", UserName: "Administrator"}, `one "*" first or last`},
		{"two stars", true, wsman.CertMapping{Issuer: tp, Subject: "*a*", UserName: "Administrator"}, `one "*" first or last`},
		{"empty subject", true, wsman.CertMapping{Issuer: tp, UserName: "Administrator"}, `one "*" first or last`},
		{"unknown user", true, wsman.CertMapping{Issuer: tp, Subject: "*", UserName: "bob"}, "not an account of this host"},
	} {
		_, err := New(Options{Profile: "ws2022", User: "Administrator", Password: "p", HTTPS: c.https, StateDir: t.TempDir(),
			CertificateAuth: true, CertMappings: []wsman.CertMapping{c.m}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := New(Options{Profile: "ws2022", User: "Administrator", Password: "p", HTTPS: true, StateDir: t.TempDir(), CertificateAuth: true,
		CertMappings: []wsman.CertMapping{{Issuer: strings.ToLower(tp), Subject: "*@localhost", UserName: "administrator"}}}); err != nil {
		t.Errorf("a valid mapping: %v", err)
	}
}
