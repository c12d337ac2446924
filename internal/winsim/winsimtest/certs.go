package winsimtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/certupn"
	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

// ClientCA is a certificate authority that issues WinRM client certificates, as an enterprise CA's User
// template does: the Client Authentication EKU and the user's UPN in the subjectAltName
// (docs/knowledge/winrm.md#certificate-authentication).
type ClientCA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// PEM is the CA certificate, what the host imports into LocalMachine\Root (winsim.Options.TrustedRoots).
	PEM []byte
	// Thumbprint is the CA's thumbprint, what a mapping's Issuer names.
	Thumbprint string
	serial     atomic.Int64
}

// NewClientCA makes a CA named name.
func NewClientCA(tb testing.TB, name string) *ClientCA {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	ca := &ClientCA{Cert: c, key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Thumbprint: certupn.Thumbprint(c)}
	ca.serial.Store(1)
	return ca
}

// Mapping is the mapping of this CA's certificates with the given UPN (or pattern) to user.
func (ca *ClientCA) Mapping(subject, user string) wsman.CertMapping {
	return wsman.CertMapping{Issuer: ca.Thumbprint, Subject: subject, UserName: user}
}

// Issue makes a client certificate for upn ("" for none) and returns it and its key in PEM. With
// clientAuth false it carries the Server Authentication EKU only.
func (ca *ClientCA) Issue(tb testing.TB, upn string, clientAuth bool) (certPEM, keyPEM []byte) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now()
	eku := x509.ExtKeyUsageServerAuth
	if clientAuth {
		eku = x509.ExtKeyUsageClientAuth
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(ca.serial.Add(1)), Subject: pkix.Name{CommonName: upn}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{eku}}
	if upn != "" {
		ext, err := certupn.SANExtension(upn)
		if err != nil {
			tb.Fatal(err)
		}
		tmpl.ExtraExtensions = []pkix.Extension{ext}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		tb.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}
