package winsim

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // the Windows certificate thumbprint is SHA-1 by definition
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/host"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// The scripts the Azure transport runs (internal/powershell/scripts/winrm-listener.ps1), implemented
// natively from their contract. winsim records the listener and its certificate; it does not open a
// second listener on the port (its own WS-Man listener is configured by Options).

type winrmListener struct {
	port  int
	names []string
	cert  *x509.Certificate
}

var (
	listenersMu sync.Mutex
	listeners   = map[*machine.Machine]*winrmListener{}
)

func (s *Sim) registerAzureSteps() {
	s.Host.Register("winrm-listener", func(_ context.Context, h *host.Host, raw map[string]any, _ io.Reader, stdout, _ io.Writer) uint32 {
		return winrmListenerStep(h, s.opts.ComputerName, params(raw), stdout)
	})
}

func winrmListenerStep(h *host.Host, name string, p params, out io.Writer) uint32 {
	port := 5986
	if v, ok := p["port"].(float64); ok && v > 0 {
		port = int(v)
	}
	days := 365
	if v, ok := p["valid_days"].(float64); ok && v > 0 {
		days = int(v)
	}
	dns := append([]string{name}, p.strs("dns_names")...)
	ips := p.strs("ip_addresses")
	want := append(slices.Clone(dns), ips...)
	mode, _ := p["mode"].(string)
	if mode == "" {
		mode = "ensure"
	}
	if mode != "ensure" && mode != "report" && mode != "remove" {
		return fail(out, "invalid_params", "Unknown mode "+mode+".", "Use ensure, report or remove.")
	}
	host.WriteProgress(out, "winrm-listener", "checking the HTTPS listener")
	m := h.Machine()
	listenersMu.Lock()
	defer listenersMu.Unlock()
	l := listeners[m]
	switch mode {
	case "remove":
		tp, _ := p["thumbprint"].(string)
		removed := false
		if l != nil && (tp == "" || strings.EqualFold(tp, thumbprint(l.cert))) {
			host.WriteProgress(out, "winrm-listener", "removing the HTTPS listener")
			delete(listeners, m)
			removed = true
		}
		host.WriteResult(out, map[string]any{"removed": removed, "present": l != nil && !removed})
		return 0
	case "report":
		if l == nil {
			host.WriteResult(out, map[string]any{"present": false})
			return 0
		}
		// The certificate's names as the script decodes them from its SAN extension: DNS names, then IPs.
		names := slices.Clone(l.cert.DNSNames)
		for _, ip := range l.cert.IPAddresses {
			names = append(names, ip.String())
		}
		host.WriteResult(out, listenerResult(l, names, false))
		return 0
	}
	changed := false
	if l == nil || !covers(l.cert, want) || l.cert.NotAfter.Before(time.Now().AddDate(0, 0, 30)) {
		host.WriteProgress(out, "winrm-listener", "creating a self-signed certificate")
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return fail(out, "certificate_failed", "New-SelfSignedCertificate failed: "+err.Error(), "")
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: dns[0]},
			NotBefore: time.Now().Add(-10 * time.Minute), NotAfter: time.Now().AddDate(0, 0, days),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			DNSNames: dns}
		for _, ip := range ips {
			if a := net.ParseIP(ip); a != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, a)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return fail(out, "certificate_failed", "New-SelfSignedCertificate failed: "+err.Error(), "")
		}
		c, _ := x509.ParseCertificate(der)
		l = &winrmListener{port: port, names: want, cert: c}
		listeners[m] = l
		changed = true
	} else if l.port != port {
		l.port = port
		changed = true
	}
	host.WriteResult(out, listenerResult(l, want, changed))
	return 0
}

// listenerResult is the script's result for a listener that exists: its port and certificate, the
// names the certificate answers to, and whether this run changed it.
func listenerResult(l *winrmListener, names []string, changed bool) map[string]any {
	fp := sha256.Sum256(l.cert.Raw)
	return map[string]any{
		"port": l.port, "thumbprint": thumbprint(l.cert), "fingerprint_sha256": hex.EncodeToString(fp[:]),
		"cert_pem": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: l.cert.Raw})), "names": names, "changed": changed,
		"present": true,
	}
}

// thumbprint is Windows' form of a certificate's thumbprint: SHA-1 of the DER, upper-case hex.
func thumbprint(c *x509.Certificate) string {
	tp := sha1.Sum(c.Raw) //nolint:gosec // the thumbprint, not a security decision
	return strings.ToUpper(hex.EncodeToString(tp[:]))
}

// HTTPSListener reports the HTTPS WinRM listener the winrm-listener script recorded on this machine:
// its port and certificate's SHA-256 fingerprint (lower-case hex); ok is false when there is none.
func (s *Sim) HTTPSListener() (port int, fingerprintSHA256 string, ok bool) {
	if s.windows != nil {
		// The PowerShell engine ran the script itself: its listener and certificate are the machine's.
		l, err := s.windows.Listener("*", "HTTPS")
		if err != nil {
			return 0, "", false
		}
		c, found, err := s.windows.Certificate(machine.LocalMachineMy, l.CertificateThumbprint)
		if err != nil || !found {
			return l.Port, "", true
		}
		fp := sha256.Sum256(c.Raw)
		return l.Port, hex.EncodeToString(fp[:]), true
	}
	listenersMu.Lock()
	defer listenersMu.Unlock()
	l := listeners[s.Machine]
	if l == nil {
		return 0, "", false
	}
	fp := sha256.Sum256(l.cert.Raw)
	return l.port, hex.EncodeToString(fp[:]), true
}

// RemoveHTTPSListener removes the recorded HTTPS listener, as an administrator would (drift in tests).
func (s *Sim) RemoveHTTPSListener() {
	if s.windows != nil {
		_ = s.windows.RemoveListener("*", "HTTPS")
		return
	}
	listenersMu.Lock()
	defer listenersMu.Unlock()
	delete(listeners, s.Machine)
}

// covers reports whether the certificate names every wanted DNS name and IP address: winrm-listener.ps1
// decodes both from the SAN extension (Get-WcCertNames), so a certificate for IP addresses is reused.
func covers(c *x509.Certificate, want []string) bool {
	var have []string
	have = append(have, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		have = append(have, ip.String())
	}
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, w) }) {
			return false
		}
	}
	return true
}
