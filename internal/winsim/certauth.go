package winsim

import (
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// certAuthSetup checks the certificate-authentication options and returns the trusted roots (nil when
// none are given). A mapping is refused as Windows refuses to create it: an issuer that is not a
// thumbprint, a subject pattern with a "*" elsewhere than first or last, a user the host does not have
// (docs/knowledge/winrm.md#certificate-authentication).
func certAuthSetup(o Options) (*x509.CertPool, error) {
	if (o.CertificateAuth || len(o.CertMappings) > 0) && !o.HTTPS {
		return nil, errors.New("certificate authentication needs --https: client certificates travel in the TLS handshake")
	}
	for i, m := range o.CertMappings {
		if b, err := hex.DecodeString(m.Issuer); err != nil || len(b) != 20 {
			return nil, fmt.Errorf("certificate mapping %d: issuer %q is not a certificate thumbprint (40 hex digits)", i, m.Issuer)
		}
		star := strings.Count(m.Subject, "*")
		if m.Subject == "" || star > 1 || (star == 1 && !strings.HasPrefix(m.Subject, "*") && !strings.HasSuffix(m.Subject, "*")) {
			return nil, fmt.Errorf("certificate mapping %d: subject %q: give a UPN, or a pattern with one \"*\" first or last", i, m.Subject)
		}
		if !strings.EqualFold(m.UserName, o.User) {
			return nil, fmt.Errorf("certificate mapping %d: user %q is not an account of this host (its account is %q)", i, m.UserName, o.User)
		}
	}
	if len(o.TrustedRoots) == 0 {
		return nil, nil //nolint:nilnil // no trusted roots: no certificate can authenticate
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(o.TrustedRoots) {
		return nil, errors.New("trusted roots: no PEM certificate found")
	}
	return pool, nil
}
