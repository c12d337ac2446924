package machine

import (
	"crypto/sha1" //nolint:gosec // a certificate's thumbprint is SHA-1 by definition
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// The certificate stores the Cert: drive shows. winsim models the two personal stores, where
// New-SelfSignedCertificate may put certificates (New-SelfSignedCertificate.md, -CertStoreLocation: "This
// parameter does not support other certificate stores"); the other stores (Root, CA, ...) are not
// modelled.
const (
	LocalMachineMy = `LocalMachine\My`
	CurrentUserMy  = `CurrentUser\My`
)

// CertStores names the stores winsim models.
func CertStores() []string { return []string{LocalMachineMy, CurrentUserMy} }

func lowerStore(s string) string { return strings.ToLower(strings.Trim(s, `\`)) }

// Certificate is a certificate in a store: its DER and whether its private key is there.
type Certificate struct {
	Raw           []byte
	HasPrivateKey bool
}

// Thumbprint is Windows' form of the certificate's thumbprint: the SHA-1 of the DER, upper-case hex.
func (c Certificate) Thumbprint() string { return Thumbprint(c.Raw) }

// Parse decodes the certificate.
func (c Certificate) Parse() (*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(c.Raw)
	if err != nil {
		return nil, fmt.Errorf("parsing a stored certificate: %w", err)
	}
	return cert, nil
}

// Thumbprint is the SHA-1 of DER bytes, upper-case hex (X509Certificate2.Thumbprint).
func Thumbprint(der []byte) string {
	sum := sha1.Sum(der) //nolint:gosec // the thumbprint, not a security decision
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// CertStoreError is a store that is not modelled.
type CertStoreError struct{ Store string }

func (e *CertStoreError) Error() string {
	return fmt.Sprintf("winsim's certificate stores are %s; %s is not modelled", strings.Join(CertStores(), " and "), e.Store)
}

// AddCertificate puts a certificate into a store (replacing one of the same thumbprint) and returns
// its thumbprint.
func (w *Windows) AddCertificate(store string, c Certificate) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.stores[lowerStore(store)]
	if !ok {
		return "", &CertStoreError{store}
	}
	tp := c.Thumbprint()
	c.Raw = slices.Clone(c.Raw)
	s[tp] = c
	return tp, nil
}

// Certificate finds a certificate by thumbprint (case-insensitively).
func (w *Windows) Certificate(store, thumbprint string) (Certificate, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.stores[lowerStore(store)]
	if !ok {
		return Certificate{}, false, &CertStoreError{store}
	}
	c, ok := s[strings.ToUpper(thumbprint)]
	return c, ok, nil
}

// Certificates lists a store, by thumbprint.
func (w *Windows) Certificates(store string) ([]Certificate, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.stores[lowerStore(store)]
	if !ok {
		return nil, &CertStoreError{store}
	}
	out := make([]Certificate, 0, len(s))
	for _, tp := range sortedKeys(s) {
		out = append(out, s[tp])
	}
	return out, nil
}

// RemoveCertificate deletes a certificate; it reports whether it was there.
func (w *Windows) RemoveCertificate(store, thumbprint string) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.stores[lowerStore(store)]
	if !ok {
		return false, &CertStoreError{store}
	}
	tp := strings.ToUpper(thumbprint)
	_, had := s[tp]
	delete(s, tp)
	return had, nil
}
