package pshost

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// New-SelfSignedCertificate (MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps/pki/
// New-SelfSignedCertificate.md): a real X.509 certificate, signed by its own new key, put in
// Cert:\LocalMachine\My or Cert:\CurrentUser\My. Modelled: -CertStoreLocation, -Subject (CN= prefixed
// when the value has no "="), -DnsName (SAN DNS names; the first is the subject when -Subject is not
// given), -TextExtension (cert_text.go), -KeyAlgorithm RSA | ECDSA_nistP256 | ECDSA_nistP384, -KeyLength,
// -HashAlgorithm SHA1 | SHA256 | SHA384 | SHA512, -NotAfter (default: a year), -NotBefore, -KeyUsage
// (default DigitalSignature, KeyEncipherment), -FriendlyName. Other parameters are refused as not
// modelled. Errors are terminating, with CertEnroll's text (inferred: the id and category).

const (
	pkiModule = "PKI"
	newCertID = "System.Exception,Microsoft.CertificateServices.Commands.NewSelfSignedCertificateCommand"
)

func (h *host) certCmdlets() []*engine.Cmdlet {
	named := func(name, typ string) engine.Param { return engine.Param{Name: name, Type: typ, Position: -1} }
	return []*engine.Cmdlet{{Name: "New-SelfSignedCertificate", Module: pkiModule, Params: []engine.Param{
		named("CertStoreLocation", "string"), named("Subject", "string"), named("DnsName", "string[]"),
		named("TextExtension", "string[]"), named("KeyAlgorithm", "string"), named("KeyLength", "int"),
		named("HashAlgorithm", "string"), named("NotAfter", "datetime"), named("NotBefore", "datetime"),
		named("KeyUsage", "string[]"), named("FriendlyName", "string"), named("Type", "string"),
		named("KeyExportPolicy", "string[]"), named("Provider", "string"), named("KeySpec", "string"),
		named("Extension", "object[]"), named("CloneCert", "object"), named("Signer", "object"),
		named("SuppressOid", "string[]"), named("SerialNumber", "string"), named("KeyUsageProperty", "string[]"),
		named("Container", "string"), named("CurveExport", "string"), named("TestRoot", "switch"),
		named("WhatIf", "switch"), named("Confirm", "switch"),
	}, Process: h.newSelfSignedCertificate}}
}

func certFailure(err error) error {
	var rec *engine.ErrorRecord
	if errors.As(err, &rec) {
		return rec
	}
	return engine.NewError("System.Exception", err.Error(), newCertID, "NotSpecified", nil)
}

// certStoreOf reads -CertStoreLocation: Cert:\LocalMachine\My or Cert:\CurrentUser\My.
func certStoreOf(loc string) (string, error) {
	p := strings.TrimRight(strings.ReplaceAll(loc, "/", `\`), `\`)
	if i := strings.Index(p, "::"); i >= 0 {
		p = p[i+2:]
	} else if strings.HasPrefix(strings.ToLower(p), `cert:\`) {
		p = p[len(`cert:\`):]
	} else {
		return "", fmt.Errorf("winsim's PowerShell: -CertStoreLocation %s is not a Cert: path", loc)
	}
	for _, s := range machine.CertStores() {
		if strings.EqualFold(p, s) {
			return s, nil
		}
	}
	// The page: "This parameter does not support other certificate stores." (inferred: the message).
	return "", fmt.Errorf("The certificate store location %s is not supported. Use Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My.", loc) //nolint:staticcheck // Windows' sentence
}

func parseSubject(s string) (pkix.Name, error) {
	if !strings.Contains(s, "=") {
		s = "CN=" + s
	}
	var n pkix.Name
	for _, rdn := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(rdn), "=")
		if !ok {
			return n, &certEnrollError{"CX500DistinguishedName::Encode"}
		}
		switch strings.ToUpper(strings.TrimSpace(k)) {
		case "CN":
			n.CommonName = v
		case "O":
			n.Organization = append(n.Organization, v)
		case "OU":
			n.OrganizationalUnit = append(n.OrganizationalUnit, v)
		case "C":
			n.Country = append(n.Country, v)
		case "L":
			n.Locality = append(n.Locality, v)
		case "S", "ST":
			n.Province = append(n.Province, v)
		default:
			return n, notModelled("the subject attribute %s", k)
		}
	}
	return n, nil
}

func keyUsageOf(names []string) (x509.KeyUsage, error) {
	if len(names) == 0 {
		return x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, nil
	}
	all := map[string]x509.KeyUsage{"none": 0, "digitalsignature": x509.KeyUsageDigitalSignature, "nonrepudiation": x509.KeyUsageContentCommitment,
		"keyencipherment": x509.KeyUsageKeyEncipherment, "dataencipherment": x509.KeyUsageDataEncipherment, "keyagreement": x509.KeyUsageKeyAgreement,
		"certsign": x509.KeyUsageCertSign, "crlsign": x509.KeyUsageCRLSign, "encipheronly": x509.KeyUsageEncipherOnly, "decipheronly": x509.KeyUsageDecipherOnly}
	var ku x509.KeyUsage
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			u, ok := all[strings.ToLower(strings.TrimSpace(part))]
			if !ok {
				return 0, fmt.Errorf("Cannot convert value %q to type \"Microsoft.CertificateServices.Commands.KeyUsage\".", part) //nolint:staticcheck // PowerShell's sentence
			}
			ku |= u
		}
	}
	return ku, nil
}

func newKey(alg string, length int) (crypto.Signer, error) {
	switch strings.ToUpper(alg) {
	case "", "RSA":
		if length == 0 {
			length = 2048
		}
		if length < 512 || length > 16384 {
			return nil, &certEnrollError{"CX509PrivateKey::Create"}
		}
		k, err := rsa.GenerateKey(rand.Reader, length)
		if err != nil {
			return nil, fmt.Errorf("generating an RSA key: %w", err)
		}
		return k, nil
	case "ECDSA_NISTP256":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generating an ECDSA key: %w", err)
		}
		return k, nil
	case "ECDSA_NISTP384":
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generating an ECDSA key: %w", err)
		}
		return k, nil
	}
	return nil, notModelled("New-SelfSignedCertificate -KeyAlgorithm %s", alg)
}

func signatureAlgorithm(key crypto.Signer, hash string) (x509.SignatureAlgorithm, error) {
	_, isRSA := key.(*rsa.PrivateKey)
	switch h := strings.ToUpper(hash); {
	case isRSA && (h == "" || h == "SHA256"):
		return x509.SHA256WithRSA, nil
	case isRSA && h == "SHA1":
		return x509.SHA1WithRSA, nil
	case isRSA && h == "SHA384":
		return x509.SHA384WithRSA, nil
	case isRSA && h == "SHA512":
		return x509.SHA512WithRSA, nil
	case !isRSA && (h == "" || h == "SHA256"):
		return x509.ECDSAWithSHA256, nil
	case !isRSA && h == "SHA384":
		return x509.ECDSAWithSHA384, nil
	}
	return 0, notModelled("New-SelfSignedCertificate -HashAlgorithm %s", hash)
}

func (h *host) newSelfSignedCertificate(c *engine.Call) error {
	if err := refuseBound(c, "New-SelfSignedCertificate", "Type", "KeyExportPolicy", "Provider", "KeySpec", "Extension", "CloneCert", "Signer",
		"SuppressOid", "SerialNumber", "KeyUsageProperty", "Container", "CurveExport", "TestRoot", "WhatIf", "Confirm"); err != nil {
		return err
	}
	if !has(c, "CertStoreLocation") {
		return notModelled("New-SelfSignedCertificate without -CertStoreLocation (the current location's store)")
	}
	store, err := certStoreOf(str(c, "CertStoreLocation"))
	if err != nil {
		return certFailure(err)
	}
	tmpl, key, err := h.certTemplate(c)
	if err != nil {
		return certFailure(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return certFailure(fmt.Errorf("CertEnroll::CX509Enrollment::_CreateRequest: %w", err))
	}
	sc := machine.Certificate{Raw: der, HasPrivateKey: true}
	if _, err := h.w.AddCertificate(store, sc); err != nil {
		return certFailure(err)
	}
	obj, err := certObject(store, sc, h.w.OS().UTCOffset)
	if err != nil {
		return certFailure(err)
	}
	if has(c, "FriendlyName") {
		obj.set("FriendlyName", str(c, "FriendlyName"))
	}
	c.Out(obj)
	return nil
}

// certTemplate builds the certificate from the parameters.
func (h *host) certTemplate(c *engine.Call) (*x509.Certificate, crypto.Signer, error) {
	now := h.w.Now()
	// inferred: the cmdlet back-dates NotBefore by ten minutes, as CertEnroll's requests do.
	tmpl := &x509.Certificate{NotBefore: now.Add(-10 * time.Minute), NotAfter: now.AddDate(1, 0, 0), BasicConstraintsValid: false}
	serial := make([]byte, 16)
	if _, err := rand.Read(serial); err != nil {
		return nil, nil, fmt.Errorf("a serial number: %w", err)
	}
	tmpl.SerialNumber = new(big.Int).SetBytes(serial)
	dns := strs(c, "DnsName")
	subject := str(c, "Subject")
	if subject == "" && len(dns) > 0 {
		subject = dns[0]
	}
	if subject == "" {
		// inferred: CertEnroll needs a subject (or -DnsName, or -CloneCert).
		return nil, nil, &certEnrollError{"CX509CertificateRequestCertificate::Encode"}
	}
	name, err := parseSubject(subject)
	if err != nil {
		return nil, nil, err
	}
	tmpl.Subject = name
	tmpl.DNSNames = dns
	if has(c, "NotAfter") {
		if tmpl.NotAfter, err = dateTime(c.Bound["NotAfter"]); err != nil {
			return nil, nil, err
		}
	}
	if has(c, "NotBefore") {
		if tmpl.NotBefore, err = dateTime(c.Bound["NotBefore"]); err != nil {
			return nil, nil, err
		}
	}
	if tmpl.KeyUsage, err = keyUsageOf(strs(c, "KeyUsage")); err != nil {
		return nil, nil, err
	}
	for _, t := range strs(c, "TextExtension") {
		ext, err := parseTextExtension(t)
		if err != nil {
			return nil, nil, err
		}
		if ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 17}) && len(dns) > 0 {
			// inferred: -DnsName and a SAN text extension together (CertEnroll adds the extension twice).
			return nil, nil, notModelled("New-SelfSignedCertificate with both -DnsName and a 2.5.29.17 -TextExtension")
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, ext)
	}
	length := 0
	if has(c, "KeyLength") {
		n, err := value.ToInt32(c.Bound["KeyLength"])
		if err != nil {
			return nil, nil, err //nolint:wrapcheck // PowerShell's conversion error
		}
		length = int(n)
	}
	key, err := newKey(str(c, "KeyAlgorithm"), length)
	if err != nil {
		return nil, nil, err
	}
	if tmpl.SignatureAlgorithm, err = signatureAlgorithm(key, str(c, "HashAlgorithm")); err != nil {
		return nil, nil, err
	}
	return tmpl, key, nil
}
