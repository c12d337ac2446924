// Package certupn reads what Windows reads in a client certificate for WinRM certificate
// authentication: the User Principal Names in its subjectAltName and certificate thumbprints
// (docs/knowledge/winrm.md#certificate-authentication).
package certupn

import (
	"crypto/sha1" //nolint:gosec // a certificate thumbprint is SHA-1 by definition (MS-WSMV 2.2.4.3), not a security hash here
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// upnOID is the subjectAltName otherName type of a User Principal Name (szOID_NT_PRINCIPAL_NAME).
var upnOID = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}

var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// Thumbprint is a certificate's thumbprint as Windows shows it: SHA-1 of its DER, upper-case hex.
func Thumbprint(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw) //nolint:gosec // see the import
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// FromCertificate returns the UPNs in a certificate's subjectAltName (otherName 1.3.6.1.4.1.311.20.2.3 with a
// UTF8String value).
func FromCertificate(c *x509.Certificate) ([]string, error) {
	for _, e := range c.Extensions {
		if e.Id.Equal(oidSubjectAltName) {
			return parseSAN(e.Value)
		}
	}
	return nil, nil
}

// parseSAN reads the UPNs out of a DER subjectAltName extension value (GeneralNames, RFC 5280
// 4.2.1.6): otherName is [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }.
func parseSAN(der []byte) ([]string, error) {
	var names []asn1.RawValue
	rest, err := asn1.Unmarshal(der, &names)
	if err != nil {
		return nil, fmt.Errorf("subjectAltName: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("subjectAltName: trailing data")
	}
	var upns []string
	for _, n := range names {
		if n.Class != asn1.ClassContextSpecific || n.Tag != 0 || !n.IsCompound {
			continue
		}
		var oid asn1.ObjectIdentifier
		rest, err := asn1.Unmarshal(n.Bytes, &oid)
		if err != nil {
			return nil, fmt.Errorf("subjectAltName otherName: %w", err)
		}
		if !oid.Equal(upnOID) {
			continue
		}
		var explicit asn1.RawValue
		if _, err := asn1.Unmarshal(rest, &explicit); err != nil {
			return nil, fmt.Errorf("subjectAltName UPN: %w", err)
		}
		if explicit.Class != asn1.ClassContextSpecific || explicit.Tag != 0 {
			return nil, errors.New("subjectAltName UPN: the value is not [0] EXPLICIT")
		}
		var v asn1.RawValue
		if _, err := asn1.Unmarshal(explicit.Bytes, &v); err != nil {
			return nil, fmt.Errorf("subjectAltName UPN: %w", err)
		}
		if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagUTF8String || !utf8.Valid(v.Bytes) {
			return nil, errors.New("subjectAltName UPN: the value is not a UTF8String")
		}
		upns = append(upns, string(v.Bytes))
	}
	return upns, nil
}

// SANExtension is a subjectAltName extension holding the given UPNs as otherNames, as a Windows CA
// writes them into a User certificate (for certificates made outside Windows, such as tests').
func SANExtension(upns ...string) (pkix.Extension, error) {
	var names []asn1.RawValue
	for _, u := range upns {
		v, err := asn1.MarshalWithParams(u, "utf8")
		if err != nil {
			return pkix.Extension{}, fmt.Errorf("UPN %q: %w", u, err)
		}
		explicit, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: v})
		if err != nil {
			return pkix.Extension{}, fmt.Errorf("UPN %q: %w", u, err)
		}
		oid, err := asn1.Marshal(upnOID)
		if err != nil {
			return pkix.Extension{}, fmt.Errorf("UPN OID: %w", err)
		}
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(oid, explicit...)})
	}
	der, err := asn1.Marshal(names)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("subjectAltName: %w", err)
	}
	return pkix.Extension{Id: oidSubjectAltName, Value: der}, nil
}
