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
	host.WriteProgress(out, "winrm-listener", "checking the HTTPS listener")
	m := h.Machine()
	listenersMu.Lock()
	defer listenersMu.Unlock()
	l := listeners[m]
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
	fp := sha256.Sum256(l.cert.Raw)
	tp := sha1.Sum(l.cert.Raw) //nolint:gosec // the thumbprint, not a security decision
	host.WriteResult(out, map[string]any{
		"port": l.port, "thumbprint": strings.ToUpper(hex.EncodeToString(tp[:])), "fingerprint_sha256": hex.EncodeToString(fp[:]),
		"cert_pem": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: l.cert.Raw})), "names": want, "changed": changed,
	})
	return 0
}

// covers reports whether the certificate names every wanted DNS name and IP address.
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
