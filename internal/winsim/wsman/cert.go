package wsman

import (
	"crypto/x509"
	"net/http"
	"strings"

	"github.com/wincontainers/wincontainers/internal/certupn"
)

// Certificate authentication (docs/knowledge/winrm.md#certificate-authentication): over HTTPS, a request
// whose Authorization header is the WS-Management mutual-authentication profile URI is authenticated by
// the TLS client certificate of its connection. The certificate must chain to a root the host trusts,
// carry the Client Authentication EKU and a UPN in its subjectAltName; a mapping
// (winrm/config/service/certmapping, WSMan:\localhost\ClientCertificate) whose Issuer is the thumbprint
// of the certificate that signed it and whose Subject matches that UPN names the local account the
// request runs as. Anything else is answered 401, as a refused credential.

// certAuthHeader is the Authorization header value of certificate authentication (DSP0226's HTTPS
// mutual-authentication security profile), sent as it is, without a scheme token.
const certAuthHeader = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

// CertMapping is one client certificate mapping (MS-WSMV 2.2.4.3 CertMappingType). winsim's mappings
// apply to every resource URI (URI = "*", what the documented setups create).
type CertMapping struct {
	// Issuer is the SHA-1 thumbprint (40 hex digits) of the certificate that signed the client
	// certificate (not necessarily the root).
	Issuer string
	// Subject is matched against the certificate's UPN: exact (case-insensitive), "*" (any), or with one
	// "*" as its first or last character (suffix or prefix).
	Subject string
	// UserName is the local account the certificate logs on as.
	UserName string
}

// subjectMatches applies a mapping's Subject pattern (MS-WSMV 2.2.4.3) to a UPN, case-insensitively.
func subjectMatches(pattern, upn string) bool {
	p, u := strings.ToLower(pattern), strings.ToLower(upn)
	switch {
	case p == "*":
		return true
	case strings.HasPrefix(p, "*"):
		return strings.HasSuffix(u, p[1:])
	case strings.HasSuffix(p, "*"):
		return strings.HasPrefix(u, p[:len(p)-1])
	default:
		return p == u
	}
}

// certificateUser authenticates a request by its connection's client certificate and returns the mapped
// user (lower case), or "" when the certificate is missing, untrusted, unfit or unmapped.
func (s *Server) certificateUser(r *http.Request) string {
	if !s.cfg.Certificate || r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || s.cfg.TrustedRoots == nil {
		return ""
	}
	leaf := r.TLS.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: s.cfg.TrustedRoots, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return ""
	}
	upns, err := certupn.FromCertificate(leaf)
	if err != nil || len(upns) == 0 {
		return ""
	}
	for _, chain := range chains {
		// The issuer is the certificate that signed the leaf; a self-signed leaf the host trusts as a root
		// is its own issuer (the setup Ansible documents maps it by its own thumbprint).
		issuer := certupn.Thumbprint(chain[min(1, len(chain)-1)])
		for _, m := range s.cfg.CertMappings {
			if !strings.EqualFold(m.Issuer, issuer) || !strings.EqualFold(m.UserName, s.cfg.User) {
				continue
			}
			for _, u := range upns {
				if subjectMatches(m.Subject, u) {
					return strings.ToLower(s.cfg.User)
				}
			}
		}
	}
	return ""
}
