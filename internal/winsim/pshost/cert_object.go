package pshost

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// System.Security.Cryptography.X509Certificates.X509Certificate2 as the Cert: drive returns it
// (New-SelfSignedCertificate.md, OUTPUTS; Get-Item on Cert:\LocalMachine\My\<thumbprint>): Thumbprint
// (SHA-1 of the DER, upper-case hex), Subject, Issuer, NotBefore/NotAfter (local DateTime), RawData (the
// DER as byte[]), Extensions (X509Extension objects with Oid.Value, Critical, RawData = the extension's
// DER value), HasPrivateKey, and the properties PowerShell's certificate provider adds: DnsNameList,
// EnhancedKeyUsageList and the PS* path properties.
//
// DnsNameList (inferred from PowerShell's certificate provider, DnsNameProperty): the subject's CN when
// the subject is a single CN=..., then the "DNS Name=" entries of the SAN extension's formatted text —
// DNS names only, never IP addresses (why winrm-listener.ps1 decodes the SAN itself).

func byteArray(b []byte) *value.TypedArray {
	vals := make(value.Array, len(b))
	for i, x := range b {
		vals[i] = x
	}
	return &value.TypedArray{Elem: "System.Byte", Values: vals}
}

// collection is an enumerable .NET collection (X509ExtensionCollection, List<DnsNameRepresentation>).
type collection struct {
	typeName string
	items    []any
}

func (c *collection) TypeName() string { return c.typeName }
func (c *collection) Property(name string) (any, bool) {
	if strings.EqualFold(name, "Count") {
		return int32(len(c.items)), true //nolint:gosec // small collections
	}
	return nil, false
}
func (c *collection) ToString() string { return c.typeName }
func (c *collection) Items() []any     { return c.items }

func oidObject(oid asn1.ObjectIdentifier) *object {
	friendly := map[string]string{"2.5.29.17": "Subject Alternative Name", "2.5.29.37": "Enhanced Key Usage", "2.5.29.15": "Key Usage",
		"2.5.29.14": "Subject Key Identifier", "2.5.29.19": "Basic Constraints", "2.5.29.35": "Authority Key Identifier"}[oid.String()]
	o := newObject("System.Security.Cryptography.Oid", "System.Object")
	o.set("Value", oid.String()).set("FriendlyName", friendly)
	o.str = func() string { return "System.Security.Cryptography.Oid" }
	return o
}

// certSubject is .NET's X500DistinguishedName form: RDNs most significant last, ", " between.
func certSubject(n string) string { return n }

func dnsNameList(c *x509.Certificate) *collection {
	seen := map[string]bool{}
	var items []any
	add := func(n string) {
		if n == "" || seen[strings.ToLower(n)] {
			return
		}
		seen[strings.ToLower(n)] = true
		o := newObject("Microsoft.PowerShell.Commands.DnsNameRepresentation", "System.ValueType", "System.Object")
		o.set("Punycode", n).set("Unicode", n)
		o.str = func() string { return n }
		items = append(items, o)
	}
	if subj := c.Subject.String(); strings.HasPrefix(subj, "CN=") && !strings.Contains(subj, ",") {
		add(strings.TrimPrefix(subj, "CN="))
	}
	for _, n := range c.DNSNames {
		add(n)
	}
	return &collection{typeName: "System.Collections.Generic.List`1[[Microsoft.PowerShell.Commands.DnsNameRepresentation]]", items: items}
}

// certObject is the X509Certificate2 of a stored certificate; store is e.g. LocalMachine\My.
func certObject(store string, sc machine.Certificate, offset time.Duration) (*object, error) {
	c, err := sc.Parse()
	if err != nil {
		return nil, err //nolint:wrapcheck // machine's own error
	}
	tp := sc.Thumbprint()
	exts := &collection{typeName: "System.Security.Cryptography.X509Certificates.X509ExtensionCollection"}
	for _, e := range c.Extensions {
		x := newObject("System.Security.Cryptography.X509Certificates.X509Extension", "System.Security.Cryptography.AsnEncodedData", "System.Object")
		x.set("Critical", e.Critical).set("Oid", oidObject(e.Id)).set("RawData", byteArray(e.Value))
		exts.items = append(exts.items, x)
	}
	var eku []any
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageServerAuth {
			eku = append(eku, "Server Authentication (1.3.6.1.5.5.7.3.1)")
		}
		if u == x509.ExtKeyUsageClientAuth {
			eku = append(eku, "Client Authentication (1.3.6.1.5.5.7.3.2)")
		}
	}
	o := newObject("System.Security.Cryptography.X509Certificates.X509Certificate2", "System.Security.Cryptography.X509Certificates.X509Certificate", "System.Object")
	o.set("PSPath", `Microsoft.PowerShell.Security\Certificate::`+store+`\`+tp).
		set("PSParentPath", `Microsoft.PowerShell.Security\Certificate::`+store).
		set("PSChildName", tp).
		set("PSIsContainer", false).
		set("EnhancedKeyUsageList", value.Array(eku)).
		set("DnsNameList", dnsNameList(c)).
		set("SendAsTrustedIssuer", false).
		set("Archived", false).
		set("Extensions", exts).
		set("FriendlyName", "").
		set("HasPrivateKey", sc.HasPrivateKey).
		set("Issuer", certSubject(c.Issuer.String())).
		set("NotAfter", localTime(c.NotAfter, offset)).
		set("NotBefore", localTime(c.NotBefore, offset)).
		set("RawData", byteArray(c.Raw)).
		set("SerialNumber", strings.ToUpper(fmt.Sprintf("%x", c.SerialNumber))).
		set("SignatureAlgorithm", oidObject(signatureOID(c.SignatureAlgorithm))).
		set("Subject", certSubject(c.Subject.String())).
		set("Thumbprint", tp).
		set("Version", int32(c.Version))
	o.str = func() string {
		// .NET's X509Certificate.ToString(): the subject and issuer blocks (inferred: the short form).
		return fmt.Sprintf("[Subject]\r\n  %s\r\n\r\n[Issuer]\r\n  %s\r\n\r\n[Serial Number]\r\n  %X\r\n\r\n[Not Before]\r\n  %s\r\n\r\n[Not After]\r\n  %s\r\n\r\n[Thumbprint]\r\n  %s\r\n",
			c.Subject.String(), c.Issuer.String(), c.SerialNumber, localTime(c.NotBefore, offset).ToString(), localTime(c.NotAfter, offset).ToString(), tp)
	}
	return o, nil
}

func signatureOID(a x509.SignatureAlgorithm) asn1.ObjectIdentifier {
	switch a {
	case x509.SHA1WithRSA:
		return asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	case x509.SHA384WithRSA:
		return asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	case x509.SHA512WithRSA:
		return asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	case x509.ECDSAWithSHA256:
		return asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	case x509.ECDSAWithSHA384:
		return asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	default:
		return asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11} // sha256RSA
	}
}
