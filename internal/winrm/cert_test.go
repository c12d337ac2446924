package winrm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

// certHost is an HTTPS winsim host with certificate authentication on (Service\Auth\Certificate), the
// given CA among its trusted roots and mappings. Basic and Negotiate stay as they are.
func certHost(t testing.TB, on bool, roots []byte, mappings ...wsman.CertMapping) *winsimtest.Server {
	t.Helper()
	return winsimtest.Start(t, winsim.Options{Profile: "ws2022", User: user, Password: password, StateDir: t.TempDir(), HTTPS: true,
		ComputerName: "WIN-CERT01", CertificateAuth: on, TrustedRoots: roots, CertMappings: mappings})
}

func certOptions(h *winsimtest.Server, cert, key []byte) Options {
	return Options{Host: h.Addr, Port: h.Port, CACert: h.CA, Auth: AuthCertificate, Cert: cert, Key: key, OperationTimeout: 2 * time.Second}
}

// TestCertificateAgainstWinsim: a client certificate from a CA the host trusts, with the Client
// Authentication EKU and the UPN administrator@localhost, mapped to the local Administrator (by its UPN
// and by "*"), runs the probe, the facts script and a command, with no password and no 401.
func TestCertificateAgainstWinsim(t *testing.T) {
	ca := winsimtest.NewClientCA(t, "wincontainers test client CA")
	cert, key := ca.Issue(t, "administrator@localhost", true)
	for _, subject := range []string{"administrator@localhost", "*", "*@localhost", "admin*"} {
		t.Run(subject, func(t *testing.T) {
			h := certHost(t, true, ca.PEM, ca.Mapping(subject, user))
			c, err := New(certOptions(h, cert, key))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Close() })
			r := krbRunner(t, certOptions(h, cert, key))
			ctx := context.Background()
			p, err := runner.Probe(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if p.ComputerName != "WIN-CERT01" {
				t.Errorf("probe %+v", p)
			}
			if _, err := r.Run(ctx, "facts", nil, nil); err != nil {
				t.Fatalf("facts: %v", err)
			}
			var out strings.Builder
			if code, err := c.Exec(ctx, "hostname", nil, &out, io.Discard); err != nil || code != 0 || strings.TrimSpace(out.String()) != "WIN-CERT01" {
				t.Fatalf("hostname: %d %v %q", code, err, out.String())
			}
			if n := h.Sim.Server.AuthChallenges(); n != 0 {
				t.Errorf("%d 401 answers", n)
			}
			t.Logf("probe + facts + hostname (%q): %d SOAP requests", strings.TrimSpace(out.String()), total(h.Sim.Server.Counts()))
		})
	}
}

// TestCertificateRefusalsNameTheCause: every way the host refuses a certificate gets 401 with nothing
// served, and the error says what Windows needs (Service\Auth\Certificate, the trusted CA, the EKU and
// UPN, the ClientCertificate mapping). None is retried.
func TestCertificateRefusalsNameTheCause(t *testing.T) {
	ca := winsimtest.NewClientCA(t, "mapped CA")
	other := winsimtest.NewClientCA(t, "unmapped CA")
	good, goodKey := ca.Issue(t, "administrator@localhost", true)
	roots := append(append([]byte{}, ca.PEM...), other.PEM...)
	mapped := ca.Mapping("administrator@localhost", user)
	otherCert, otherKey := other.Issue(t, "administrator@localhost", true)
	wrongUPN, wrongUPNKey := ca.Issue(t, "someone@localhost", true)
	noUPN, noUPNKey := ca.Issue(t, "", true)
	serverEKU, serverEKUKey := ca.Issue(t, "administrator@localhost", false)
	for _, tc := range []struct {
		name      string
		host      *winsimtest.Server
		cert, key []byte
	}{
		{"issuer trusted but not mapped", certHost(t, true, roots, mapped), otherCert, otherKey},
		{"no mapping for its UPN", certHost(t, true, roots, mapped), wrongUPN, wrongUPNKey},
		{"no UPN in the certificate", certHost(t, true, roots, ca.Mapping("*", user)), noUPN, noUPNKey},
		{"no Client Authentication EKU", certHost(t, true, roots, mapped), serverEKU, serverEKUKey},
		{"issuer not trusted by the host", certHost(t, true, other.PEM, mapped), good, goodKey},
		{"certificate auth off on the host", certHost(t, false, roots, mapped), good, goodKey},
		{"no client certificate sent", certHost(t, true, roots, mapped), nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := certOptions(tc.host, tc.cert, tc.key)
			var err error
			if tc.cert == nil {
				// Our client refuses to try without one; masterzen's Basic-less transport stands in for
				// a client that names the certificate profile without presenting a certificate.
				if _, err := New(o); err == nil || !strings.Contains(err.Error(), "a client certificate and its key") {
					t.Fatalf("New without a certificate: %v", err)
				}
				err = postWithoutCertificate(t, tc.host)
			} else {
				c, nerr := New(o)
				if nerr != nil {
					t.Fatal(nerr)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				_, err = c.Exec(ctx, "hostname", nil, io.Discard, io.Discard)
				cancel()
				var te *runner.TransportError
				if !errors.As(err, &te) || te.Retryable {
					t.Fatalf("want a non-retryable TransportError, got %v", err)
				}
				for _, s := range []string{"refused the client certificate", "HTTP 401", `WSMan:\localhost\Service\Auth\Certificate`,
					"LocalMachine\\Root", "Client Authentication EKU", `New-Item -Path WSMan:\localhost\ClientCertificate`} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("%q lacks %q", err, s)
					}
				}
			}
			if err == nil {
				t.Fatal("the host accepted the request")
			}
			if n := total(tc.host.Sim.Server.Counts()); n != 0 {
				t.Errorf("%d SOAP requests got past authentication", n)
			}
			if tc.host.Sim.Server.AuthChallenges() == 0 {
				t.Error("no 401 answer")
			}
		})
	}
}

// postWithoutCertificate sends a Create naming certificate authentication over a TLS connection that
// presents no certificate, and returns an error naming the status when it is not 200.
func postWithoutCertificate(t *testing.T, h *winsimtest.Server) error {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(h.CA)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, h.URL+"/wsman", strings.NewReader("<s:Envelope/>"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	req.Header.Set("Authorization", certAuthProfile)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
