package wsman

// The multipart/encrypted framing of MS-WSMV 2.2.9.1.1 (NegotiateEncryptedMessage), docs/knowledge/winrm.md#message-encryption:
//
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
//	\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plaintext length>\r\n
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/octet-stream\r\n
//	<uint32 LE signature length><signature><sealed SOAP>--Encrypted Boundary--\r\n
//
// The same framing both ways. The spec puts a TAB before each header; the Ruby gem omits it, so any
// leading white space is accepted. One encrypted part per message (multipart/x-multi-encrypted, the
// 16 KiB chunks, is CredSSP's).

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
)

const (
	encryptedProtocol = "application/HTTP-SPNEGO-session-encrypted"
	// kerberosProtocol is the protocol of messages sealed by a logon that used the Kerberos scheme
	// (Authorization: Kerberos) rather than Negotiate (MS-WSMV 2.2.9.1.2).
	kerberosProtocol  = "application/HTTP-Kerberos-session-encrypted"
	encryptedBoundary = "Encrypted Boundary"
	// contentTypeEncrypted is the Content-Type of a sealed request or response.
	contentTypeEncrypted = `multipart/encrypted;protocol="` + encryptedProtocol + `";boundary="` + encryptedBoundary + `"`
)

// encryptedMessage is a parsed NegotiateEncryptedMessage.
type encryptedMessage struct {
	// Protocol is the first part's Content-Type (encryptedProtocol or kerberosProtocol).
	Protocol string
	// OriginalType is the type of OriginalContent (application/soap+xml), Length its declared length.
	OriginalType string
	Length       int
	Signature    []byte
	Sealed       []byte
}

// isEncrypted tells whether a Content-Type announces a sealed message (multipart/encrypted with the
// SPNEGO or the Kerberos protocol), and returns its boundary.
func isEncrypted(contentType string) (boundary string, ok bool) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/encrypted" {
		return "", false
	}
	if p := params["protocol"]; (!strings.EqualFold(p, encryptedProtocol) && !strings.EqualFold(p, kerberosProtocol)) || params["boundary"] == "" {
		return "", false
	}
	return params["boundary"], true
}

// parseEncrypted reads a NegotiateEncryptedMessage with the given boundary. The sealed SOAP must be
// exactly OriginalContent's Length bytes (RC4 keeps the length).
func parseEncrypted(body []byte, boundary string) (*encryptedMessage, error) {
	delim := []byte("--" + boundary + "\r\n")
	rest, ok := bytes.CutPrefix(body, delim)
	if !ok {
		return nil, errors.New("encrypted message: it does not start with the boundary")
	}
	head, rest, ok := bytes.Cut(rest, delim)
	if !ok {
		return nil, errors.New("encrypted message: no second part")
	}
	m := &encryptedMessage{Length: -1}
	var protocol string
	for _, line := range strings.Split(string(head), "\r\n") {
		line = strings.TrimLeft(line, " \t")
		if line == "" {
			continue
		}
		name, value, found := strings.Cut(line, ":")
		if !found {
			return nil, fmt.Errorf("encrypted message: header line %q", line)
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-type":
			protocol = value
		case "originalcontent":
			for _, p := range strings.Split(value, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				switch strings.ToLower(k) {
				case "type":
					m.OriginalType = v
				case "length":
					n, err := strconv.Atoi(v)
					if err != nil || n < 0 {
						return nil, fmt.Errorf("encrypted message: OriginalContent Length %q", v)
					}
					m.Length = n
				}
			}
		}
	}
	switch {
	case strings.EqualFold(protocol, encryptedProtocol):
		m.Protocol = encryptedProtocol
	case strings.EqualFold(protocol, kerberosProtocol):
		m.Protocol = kerberosProtocol
	default:
		return nil, fmt.Errorf("encrypted message: first part Content-Type %q, want %s or %s", protocol, encryptedProtocol, kerberosProtocol)
	}
	if m.Length < 0 {
		return nil, errors.New("encrypted message: no OriginalContent Length")
	}
	// The second part: one header line, then the binary data up to the closing boundary.
	line, data, ok := bytes.Cut(rest, []byte("\r\n"))
	if !ok {
		return nil, errors.New("encrypted message: the second part has no header")
	}
	name, value, _ := strings.Cut(strings.TrimLeft(string(line), " \t"), ":")
	if !strings.EqualFold(strings.TrimSpace(name), "Content-Type") || !strings.EqualFold(strings.TrimSpace(value), "application/octet-stream") {
		return nil, fmt.Errorf("encrypted message: second part header %q", line)
	}
	end := []byte("--" + boundary + "--")
	data = bytes.TrimSuffix(data, []byte("\r\n"))
	data, ok = bytes.CutSuffix(data, end)
	if !ok {
		return nil, errors.New("encrypted message: no closing boundary")
	}
	if len(data) < 4 {
		return nil, errors.New("encrypted message: no signature length")
	}
	n := binary.LittleEndian.Uint32(data)
	if uint64(n) > uint64(len(data)-4) {
		return nil, fmt.Errorf("encrypted message: signature length %d past the data", n)
	}
	m.Signature, m.Sealed = data[4:4+n], data[4+n:]
	if len(m.Sealed) != m.Length {
		return nil, fmt.Errorf("encrypted message: %d sealed bytes, OriginalContent says %d", len(m.Sealed), m.Length)
	}
	return m, nil
}

// buildEncrypted frames an NTLM-sealed message (the response's OriginalContent is SOAP in UTF-8).
func buildEncrypted(sealed, signature []byte) []byte {
	return buildEncryptedAs(encryptedProtocol, sealed, signature)
}

// contentTypeFor is the Content-Type of a message sealed with protocol.
func contentTypeFor(protocol string) string {
	return `multipart/encrypted;protocol="` + protocol + `";boundary="` + encryptedBoundary + `"`
}

// buildEncryptedAs frames a message sealed with protocol.
func buildEncryptedAs(protocol string, sealed, signature []byte) []byte {
	var b bytes.Buffer
	b.WriteString("--" + encryptedBoundary + "\r\n")
	b.WriteString("\tContent-Type: " + protocol + "\r\n")
	b.WriteString("\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + strconv.Itoa(len(sealed)) + "\r\n")
	b.WriteString("--" + encryptedBoundary + "\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(signature)))
	b.Write(n[:])
	b.Write(signature)
	b.Write(sealed)
	b.WriteString("--" + encryptedBoundary + "--\r\n")
	return b.Bytes()
}
