package wsman

import (
	"bytes"
	"testing"
)

func TestParseEncrypted(t *testing.T) {
	sig := bytes.Repeat([]byte{0xAB}, 16)
	sealed := []byte("sealed bytes, \r\n--Encrypted Boundary-- inside them included")
	good := pywinrmFrame(sig, sealed, len(sealed))
	m, err := parseEncrypted(good, encryptedBoundary)
	if err != nil || !bytes.Equal(m.Signature, sig) || !bytes.Equal(m.Sealed, sealed) || m.Length != len(sealed) ||
		m.OriginalType != "application/soap+xml" {
		t.Fatalf("pywinrm's framing: %+v %v", m, err)
	}
	// What winsim answers parses back the same way.
	if m2, err := parseEncrypted(buildEncrypted(sealed, sig), encryptedBoundary); err != nil || !bytes.Equal(m2.Sealed, sealed) || !bytes.Equal(m2.Signature, sig) {
		t.Fatalf("winsim's framing: %+v %v", m2, err)
	}
	// The Kerberos protocol parses too (the session decides whether it may be unsealed).
	kerb := bytes.Replace(good, []byte("HTTP-SPNEGO-session-encrypted"), []byte("HTTP-Kerberos-session-encrypted"), 1)
	if m, err := parseEncrypted(kerb, encryptedBoundary); err != nil || m.Protocol != kerberosProtocol {
		t.Errorf("kerberos protocol: %+v %v", m, err)
	}
	if m, err := parseEncrypted(buildEncryptedAs(kerberosProtocol, sealed, sig), encryptedBoundary); err != nil || m.Protocol != kerberosProtocol {
		t.Errorf("winsim's Kerberos framing: %+v %v", m, err)
	}
	// The Ruby gem omits the TABs.
	if _, err := parseEncrypted(bytes.ReplaceAll(good, []byte("\r\n\t"), []byte("\r\n")), encryptedBoundary); err != nil {
		t.Errorf("without TABs: %v", err)
	}
	for name, body := range map[string][]byte{
		"length one more":      pywinrmFrame(sig, sealed, len(sealed)+1),
		"length one less":      pywinrmFrame(sig, sealed, len(sealed)-1),
		"no closing boundary":  bytes.TrimSuffix(good, []byte("--Encrypted Boundary--\r\n")),
		"other boundary":       bytes.ReplaceAll(good, []byte("Encrypted Boundary"), []byte("Other Boundary")),
		"credssp protocol":     bytes.Replace(good, []byte("HTTP-SPNEGO-session-encrypted"), []byte("HTTP-CredSSP-session-encrypted"), 1),
		"no OriginalContent":   bytes.Replace(good, []byte("OriginalContent"), []byte("X-Original"), 1),
		"text part":            bytes.Replace(good, []byte("application/octet-stream"), []byte("text/plain"), 1),
		"empty":                nil,
		"negative length":      bytes.Replace(good, []byte("Length="), []byte("Length=-"), 1),
		"only the first part":  firstPart(good),
		"no signature length":  bytes.Replace(pywinrmFrame(nil, nil, 0), []byte{0, 0, 0, 0}, nil, 1),
		"signature overstated": overstateSignature(good),
	} {
		if m, err := parseEncrypted(body, encryptedBoundary); err == nil {
			t.Errorf("%s: accepted %+v", name, m)
		}
	}
	if b, ok := isEncrypted(contentTypeEncrypted); !ok || b != encryptedBoundary {
		t.Errorf("isEncrypted(%s): %q %v", contentTypeEncrypted, b, ok)
	}
	if b, ok := isEncrypted(contentTypeFor(kerberosProtocol)); !ok || b != encryptedBoundary {
		t.Errorf("isEncrypted(%s): %q %v", contentTypeFor(kerberosProtocol), b, ok)
	}
	for _, ct := range []string{"application/soap+xml;charset=UTF-8", `multipart/encrypted;protocol="application/HTTP-CredSSP-session-encrypted";boundary="x"`,
		`multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"`, `multipart/x-multi-encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="x"`} {
		if _, ok := isEncrypted(ct); ok {
			t.Errorf("isEncrypted(%s) = true", ct)
		}
	}
}

// firstPart cuts a frame before its second part's header.
func firstPart(b []byte) []byte {
	head, _, _ := bytes.Cut(b, []byte("\tContent-Type: application/octet-stream"))
	return head
}

// overstateSignature sets the signature length prefix past the end of the data.
func overstateSignature(b []byte) []byte {
	b = bytes.Clone(b)
	i := bytes.Index(b, []byte("octet-stream\r\n")) + len("octet-stream\r\n")
	b[i], b[i+1] = 0xff, 0xff
	return b
}

// FuzzParseEncrypted: the parser never panics; whatever it accepts has exactly Length sealed bytes and
// survives being framed again by buildEncrypted.
func FuzzParseEncrypted(f *testing.F) {
	sig := bytes.Repeat([]byte{7}, 16)
	f.Add(pywinrmFrame(sig, []byte("<s:Envelope/>"), 13))
	f.Add(buildEncrypted([]byte("x"), sig))
	f.Add(pywinrmFrame(nil, nil, 0))
	f.Add([]byte("--Encrypted Boundary\r\n--Encrypted Boundary\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := parseEncrypted(body, encryptedBoundary)
		if err != nil {
			return
		}
		if len(m.Sealed) != m.Length {
			t.Fatalf("accepted %d sealed bytes for Length %d", len(m.Sealed), m.Length)
		}
		m2, err := parseEncrypted(buildEncrypted(m.Sealed, m.Signature), encryptedBoundary)
		if err != nil || !bytes.Equal(m2.Sealed, m.Sealed) || !bytes.Equal(m2.Signature, m.Signature) {
			t.Fatalf("reframed: %v", err)
		}
	})
}
