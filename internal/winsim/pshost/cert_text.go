package pshost

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// New-SelfSignedCertificate -TextExtension (docset/winserver2022-ps/pki/New-SelfSignedCertificate.md,
// -TextExtension): each string is `{oid}={text}{String}`, `{oid}={hex}{hexadecimalString}` or
// `{oid}={base64String}`, with `{critical}` right after `{oid}=` for a critical extension. The text form
// is modelled for the Subject Alternative Name (2.5.29.17, `token=value&token=value`, tokens DNS,
// IPAddress, Email, UPN, URL) and Enhanced Key Usage (2.5.29.37, `{oid},{oid}`) extensions; the other
// tokens and text extensions the page lists are refused as not modelled.
//
// A malformed value fails the way CertEnroll fails (inferred: the CertEnroll message form
// "CertEnroll::<Class>::<Method>: The parameter is incorrect. 0x80070057 (WIN32: 87
// ERROR_INVALID_PARAMETER)"): an IPAddress that is not an address, an OID that is not dotted decimal, a
// token without "=". A DNS value is not checked (CertEnroll encodes any IA5String): the joined string
// the library once passed by mistake, "2.5.29.17={text}DNS=a&IPAddress=10.0.0.4 2.5.29.37={text}...",
// fails on its last IPAddress; with no IP address it would have made a certificate whose last DNS name
// is "a 2.5.29.37={text}1.3.6.1.5.5.7.3.1" and that has no EKU extension.

const invalidParameter = "The parameter is incorrect. 0x80070057 (WIN32: 87 ERROR_INVALID_PARAMETER)"

// certEnrollError is CertEnroll's failure as New-SelfSignedCertificate reports it.
type certEnrollError struct{ where string }

func (e *certEnrollError) Error() string { return "CertEnroll::" + e.where + ": " + invalidParameter }

// oidUPN is the Microsoft UPN otherName (szOID_NT_PRINCIPAL_NAME).
func oidUPN() asn1.ObjectIdentifier { return asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3} }

func parseOID(s string) (asn1.ObjectIdentifier, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 {
		return nil, false
	}
	oid := make(asn1.ObjectIdentifier, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, false
		}
		oid = append(oid, n)
	}
	return oid, true
}

// parseTextExtension turns one -TextExtension string into an extension.
func parseTextExtension(s string) (pkix.Extension, error) {
	oidText, rest, ok := strings.Cut(s, "=")
	oid, okOID := parseOID(oidText)
	if !ok || !okOID {
		return pkix.Extension{}, &certEnrollError{"CX509Extension::Initialize"}
	}
	ext := pkix.Extension{Id: oid}
	if r, ok := strings.CutPrefix(rest, "{critical}"); ok {
		ext.Critical, rest = true, r
	}
	var err error
	switch {
	case strings.HasPrefix(rest, "{text}"):
		ext.Value, err = textExtensionValue(oid, strings.TrimPrefix(rest, "{text}"))
	case strings.HasPrefix(rest, "{hex}"):
		ext.Value, err = hex.DecodeString(strings.Join(strings.Fields(strings.TrimPrefix(rest, "{hex}")), ""))
		if err != nil {
			err = &certEnrollError{"CX509Extension::Initialize"}
		}
	default:
		ext.Value, err = base64.StdEncoding.DecodeString(rest)
		if err != nil {
			err = &certEnrollError{"CX509Extension::Initialize"}
		}
	}
	if err != nil {
		return pkix.Extension{}, err
	}
	if !strings.HasPrefix(rest, "{text}") {
		var raw asn1.RawValue
		if tail, err := asn1.Unmarshal(ext.Value, &raw); err != nil || len(tail) != 0 {
			// "After decoding ..., the value must be valid ASN.1."
			return pkix.Extension{}, &certEnrollError{"CX509Extension::Initialize"}
		}
	}
	return ext, nil
}

func textExtensionValue(oid asn1.ObjectIdentifier, text string) ([]byte, error) {
	switch oid.String() {
	case "2.5.29.17":
		return sanValue(text)
	case "2.5.29.37":
		return ekuValue(text)
	}
	return nil, notModelled("New-SelfSignedCertificate -TextExtension %s={text} (only 2.5.29.17 and 2.5.29.37 are modelled)", oid)
}

// sanValue encodes `token=value&...` as GeneralNames (RFC 5280 4.2.1.6).
func sanValue(text string) ([]byte, error) {
	var names []asn1.RawValue
	for _, part := range strings.Split(text, "&") {
		token, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, &certEnrollError{"CX509ExtensionAlternativeNames::InitializeEncode"}
		}
		switch strings.ToLower(token) {
		case "dns":
			names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte(val)})
		case "email":
			names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: []byte(val)})
		case "url":
			names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte(val)})
		case "ipaddress":
			ip := net.ParseIP(val)
			if ip == nil {
				return nil, &certEnrollError{"CAlternativeName::InitializeFromString"}
			}
			if v4 := ip.To4(); v4 != nil {
				ip = v4
			}
			names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 7, Bytes: ip})
		case "upn":
			utf8, err := asn1.MarshalWithParams(val, "utf8")
			if err != nil {
				return nil, fmt.Errorf("encoding a UPN: %w", err)
			}
			inner, err := asn1.Marshal(struct {
				ID    asn1.ObjectIdentifier
				Value asn1.RawValue `asn1:"explicit,tag:0"`
			}{oidUPN(), asn1.RawValue{FullBytes: utf8}})
			if err != nil {
				return nil, fmt.Errorf("encoding a UPN: %w", err)
			}
			// otherName [0] IMPLICIT: the SEQUENCE's contents under tag [0], constructed.
			var seq asn1.RawValue
			if _, err := asn1.Unmarshal(inner, &seq); err != nil {
				return nil, fmt.Errorf("encoding a UPN: %w", err)
			}
			names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: seq.Bytes})
		case "directoryname", "guid", "registeredid":
			return nil, notModelled("the subject alternative name token %s", token)
		default:
			return nil, &certEnrollError{"CX509ExtensionAlternativeNames::InitializeEncode"}
		}
	}
	der, err := asn1.Marshal(names)
	if err != nil {
		return nil, fmt.Errorf("encoding the subject alternative names: %w", err)
	}
	return der, nil
}

// ekuValue encodes `{oid},{oid}...` as ExtKeyUsageSyntax.
func ekuValue(text string) ([]byte, error) {
	var oids []asn1.ObjectIdentifier
	for _, s := range strings.Split(text, ",") {
		oid, ok := parseOID(s)
		if !ok {
			return nil, &certEnrollError{"CX509ExtensionEnhancedKeyUsage::InitializeEncode"}
		}
		oids = append(oids, oid)
	}
	der, err := asn1.Marshal(oids)
	if err != nil {
		return nil, fmt.Errorf("encoding the enhanced key usages: %w", err)
	}
	return der, nil
}
