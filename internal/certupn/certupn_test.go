package certupn

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"slices"
	"testing"
	"time"
)

func TestSANRoundTripThroughACertificate(t *testing.T) {
	for _, upns := range [][]string{{"administrator@localhost"}, {"a@b", "ünï@côde"}, nil} {
		ext, err := SANExtension(upns...)
		if err != nil {
			t.Fatal(err)
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "u"}, NotBefore: time.Now(),
			NotAfter: time.Now().Add(time.Hour), ExtraExtensions: []pkix.Extension{ext}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		got, err := FromCertificate(c)
		if err != nil || !slices.Equal(got, upns) {
			t.Errorf("UPNs %q: read back %q, %v", upns, got, err)
		}
		if tp := Thumbprint(c); len(tp) != 40 {
			t.Errorf("thumbprint %q", tp)
		}
	}
}

// Other names (DNS, e-mail) and other otherName types are not UPNs; malformed UPN values are errors.
func TestParseSANOnlyUPNs(t *testing.T) {
	dns := []byte{0x30, 0x0b, 0x82, 0x09, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'}
	if got, err := parseSAN(dns); err != nil || len(got) != 0 {
		t.Errorf("a dNSName: %q, %v", got, err)
	}
	// otherName with the UPN OID whose value is an INTEGER, not a UTF8String.
	bad := []byte{0x30, 0x13, 0xa0, 0x11, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03, 0xa0, 0x03, 0x02, 0x01, 0x05}
	if _, err := parseSAN(bad); err == nil {
		t.Error("a UPN that is an INTEGER was accepted")
	}
	if _, err := parseSAN([]byte{0x30, 0x05}); err == nil {
		t.Error("a truncated SAN was accepted")
	}
}

func FuzzParseSAN(f *testing.F) {
	ext, err := SANExtension("administrator@localhost")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ext.Value)
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		upns, err := parseSAN(der)
		if err != nil {
			return
		}
		// What parses re-encodes to the same UPNs.
		re, err := SANExtension(upns...)
		if err != nil {
			return // a UPN asn1 cannot write as UTF8String
		}
		again, err := parseSAN(re.Value)
		if err != nil || !slices.Equal(again, upns) {
			t.Fatalf("%q re-encoded reads %q, %v", upns, again, err)
		}
	})
}
