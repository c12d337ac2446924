// Package sealing is WinRM message encryption's framing (MS-WSMV 2.2.9.1): over plain HTTP, a client
// authenticated with SPNEGO (NTLM or Kerberos) seals each SOAP message with its session's keys and sends
// it as multipart/encrypted; the host answers the same way. The session security itself (how a message
// is sealed and signed) is a Security: NTLM's is internal/winrm/ntlm's Session; a Kerberos one (GSS
// wrap tokens) can be plugged in with its own protocol name.
//
// A message, as MS-WSMV 2.2.9.1.1 lays it out (CRLF line ends; Windows and pywinrm start the header
// lines with a TAB, which the parser accepts but does not require):
//
//	--Encrypted Boundary
//		Content-Type: application/HTTP-SPNEGO-session-encrypted
//		OriginalContent: type=application/soap+xml;charset=UTF-8;Length=<length of the SOAP>
//	--Encrypted Boundary
//		Content-Type: application/octet-stream
//	<signature length, uint32 little-endian><signature><sealed SOAP>--Encrypted Boundary--
//
// The HTTP Content-Type is multipart/encrypted;protocol="<protocol>";boundary="Encrypted Boundary".
package sealing

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
)

// Protocols (MS-WSMV 2.2.9.1): the protocol parameter of the Content-Type and of the first part.
const (
	ProtocolSPNEGO   = "application/HTTP-SPNEGO-session-encrypted"
	ProtocolKerberos = "application/HTTP-Kerberos-session-encrypted"
)

// boundary is the boundary every implementation uses.
const boundary = "Encrypted Boundary"

// soapType is OriginalContent's type for the SOAP this client sends.
const soapType = "application/soap+xml;charset=UTF-8"

// maxSignature bounds the signature length a message may declare (NTLM's is 16; a Kerberos wrap
// token's header is under 100 bytes).
const maxSignature = 1024

// Security seals and unseals the messages of one authenticated connection, in order.
type Security interface {
	// Wrap seals a message and returns it with its signature.
	Wrap(msg []byte) (sealed, signature []byte, err error)
	// Unwrap verifies and unseals a message the host sealed.
	Unwrap(sealed, signature []byte) ([]byte, error)
}

// ContentType is the HTTP Content-Type of a sealed message.
func ContentType(protocol string) string {
	return `multipart/encrypted;protocol="` + protocol + `";boundary="` + boundary + `"`
}

// Overhead is how many bytes the framing adds to n bytes of SOAP with a signature of sigLen bytes.
func Overhead(protocol string, n, sigLen int) int {
	return len(frame(protocol, make([]byte, sigLen), nil, n))
}

func frame(protocol string, sig, sealed []byte, length int) []byte {
	var b bytes.Buffer
	b.Grow(len(sealed) + len(sig) + 256)
	b.WriteString("--" + boundary + "\r\n")
	b.WriteString("\tContent-Type: " + protocol + "\r\n")
	b.WriteString("\tOriginalContent: type=" + soapType + ";Length=" + strconv.Itoa(length) + "\r\n")
	b.WriteString("--" + boundary + "\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(sig))) //nolint:gosec // a signature is short
	b.Write(sig)
	b.Write(sealed)
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes()
}

// Seal seals a SOAP message and frames it. It returns the body and its Content-Type.
func Seal(sec Security, protocol string, soap []byte) (body []byte, contentType string, err error) {
	sealed, sig, err := sec.Wrap(soap)
	if err != nil {
		return nil, "", fmt.Errorf("sealing the message: %w", err)
	}
	return frame(protocol, sig, sealed, len(soap)), ContentType(protocol), nil
}

// message is a parsed sealed message.
type message struct {
	Protocol string
	// OriginalType is OriginalContent's type (with its parameters), Length its declared length.
	OriginalType string
	Length       int
	Signature    []byte
	Sealed       []byte
}

// IsSealed tells whether a Content-Type announces a sealed message, and with which protocol.
func IsSealed(contentType string) (protocol string, ok bool) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/encrypted" || params["protocol"] == "" {
		return "", false
	}
	return params["protocol"], true
}

// parse reads a sealed message whose HTTP Content-Type is contentType. The sealed data must be exactly
// OriginalContent's Length (the session securities keep the length).
func parse(contentType string, body []byte) (*message, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/encrypted" {
		return nil, fmt.Errorf("sealed message: Content-Type %q is not multipart/encrypted", contentType)
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, fmt.Errorf("sealed message: Content-Type %q names no boundary", contentType)
	}
	open := []byte("--" + boundary + "\r\n")
	rest, ok := bytes.CutPrefix(body, open)
	if !ok {
		return nil, errors.New("sealed message: the body does not start with the boundary")
	}
	head, rest, ok := bytes.Cut(rest, open)
	if !ok {
		return nil, errors.New("sealed message: the body has one part, want two")
	}
	m := &message{Length: -1}
	for _, line := range strings.Split(string(head), "\r\n") {
		name, value, found := strings.Cut(strings.TrimLeft(line, " \t"), ":")
		if !found {
			if strings.TrimSpace(line) == "" {
				continue
			}
			return nil, fmt.Errorf("sealed message: a header line of the first part reads %q", line)
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-type":
			m.Protocol = value
		case "originalcontent":
			if err := m.originalContent(value); err != nil {
				return nil, err
			}
		}
	}
	if p := params["protocol"]; p != "" && !strings.EqualFold(p, m.Protocol) {
		return nil, fmt.Errorf("sealed message: the first part's protocol %q is not the Content-Type's %q", m.Protocol, p)
	}
	if m.Protocol == "" || m.Length < 0 {
		return nil, errors.New("sealed message: the first part lacks its Content-Type or OriginalContent's Length")
	}
	line, data, ok := bytes.Cut(rest, []byte("\r\n"))
	if !ok {
		return nil, errors.New("sealed message: the second part has no header line")
	}
	name, value, _ := strings.Cut(strings.TrimLeft(string(line), " \t"), ":")
	if !strings.EqualFold(strings.TrimSpace(name), "content-type") || !strings.EqualFold(strings.TrimSpace(value), "application/octet-stream") {
		return nil, fmt.Errorf("sealed message: the second part's header reads %q, want Content-Type: application/octet-stream", line)
	}
	data, ok = bytes.CutSuffix(bytes.TrimSuffix(data, []byte("\r\n")), []byte("--"+boundary+"--"))
	if !ok {
		return nil, errors.New("sealed message: no closing boundary")
	}
	if len(data) < 4 {
		return nil, errors.New("sealed message: the second part is shorter than its signature length")
	}
	n := binary.LittleEndian.Uint32(data)
	if n > maxSignature || int(n) > len(data)-4 {
		return nil, fmt.Errorf("sealed message: a signature of %d bytes in %d bytes of data", n, len(data)-4)
	}
	m.Signature, m.Sealed = data[4:4+n], data[4+n:]
	if len(m.Sealed) != m.Length {
		return nil, fmt.Errorf("sealed message: %d sealed bytes where OriginalContent says %d", len(m.Sealed), m.Length)
	}
	return m, nil
}

// originalContent reads "type=<media type>[;charset=...];Length=<n>".
func (m *message) originalContent(v string) error {
	var types []string
	for _, p := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(k) {
		case "type":
			types = append(types, val)
		case "length":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return fmt.Errorf("sealed message: OriginalContent's Length %q is not a length", val)
			}
			m.Length = n
		default:
			types = append(types, strings.TrimSpace(p))
		}
	}
	m.OriginalType = strings.Join(types, ";")
	return nil
}

// Open parses a sealed answer, checks it is the protocol expected and SOAP, and unseals it.
func Open(sec Security, protocol, contentType string, body []byte) ([]byte, error) {
	m, err := parse(contentType, body)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(m.Protocol, protocol) {
		return nil, fmt.Errorf("sealed message: protocol %q, want %q", m.Protocol, protocol)
	}
	if !strings.HasPrefix(strings.ToLower(m.OriginalType), "application/soap+xml") {
		return nil, fmt.Errorf("sealed message: it carries %q, not SOAP", m.OriginalType)
	}
	msg, err := sec.Unwrap(m.Sealed, m.Signature)
	if err != nil {
		return nil, fmt.Errorf("unsealing the host's answer: %w", err)
	}
	return msg, nil
}
