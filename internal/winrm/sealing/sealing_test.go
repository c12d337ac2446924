package sealing

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winrm/ntlm"
)

// recorder is a Security double: a fixed signature and a XOR "seal", so framing is tested alone.
type recorder struct {
	wrapped, unwrapped [][]byte
	fail               error
}

func (r *recorder) Wrap(msg []byte) ([]byte, []byte, error) {
	r.wrapped = append(r.wrapped, msg)
	out := bytes.Clone(msg)
	for i := range out {
		out[i] ^= 0x5a
	}
	return out, bytes.Repeat([]byte{0x11}, 16), nil
}

func (r *recorder) Unwrap(sealed, sig []byte) ([]byte, error) {
	if r.fail != nil {
		return nil, r.fail
	}
	if !bytes.Equal(sig, bytes.Repeat([]byte{0x11}, 16)) {
		return nil, errors.New("bad signature")
	}
	out := bytes.Clone(sealed)
	for i := range out {
		out[i] ^= 0x5a
	}
	r.unwrapped = append(r.unwrapped, out)
	return out, nil
}

const soap = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>`

// TestSealLayout: the body is MS-WSMV 2.2.9.1.1's layout byte for byte, and Overhead is exact.
func TestSealLayout(t *testing.T) {
	body, ct, err := Seal(&recorder{}, ProtocolSPNEGO, []byte(soap))
	if err != nil {
		t.Fatal(err)
	}
	if ct != `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"` {
		t.Errorf("Content-Type %s", ct)
	}
	head := "--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n" +
		"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + itoa(len(soap)) + "\r\n" +
		"--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n\x10\x00\x00\x00"
	if !strings.HasPrefix(string(body), head) || !strings.HasSuffix(string(body), "--Encrypted Boundary--\r\n") {
		t.Errorf("body %q", body)
	}
	if got := len(body) - len(soap); got != Overhead(ProtocolSPNEGO, len(soap), 16) {
		t.Errorf("overhead %d, Overhead says %d", got, Overhead(ProtocolSPNEGO, len(soap), 16))
	}
	got, err := Open(&recorder{}, ProtocolSPNEGO, ct, body)
	if err != nil || string(got) != soap {
		t.Fatalf("Open: %q %v", got, err)
	}
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

// TestOpenRefusals: each malformed or mismatched message is an error, before or at Unwrap.
func TestOpenRefusals(t *testing.T) {
	body, ct, _ := Seal(&recorder{}, ProtocolSPNEGO, []byte(soap))
	s := string(body)
	for _, tc := range []struct {
		name, ct, body string
		fail           error
	}{
		{name: "not multipart", ct: "application/soap+xml;charset=UTF-8", body: s},
		{name: "no boundary parameter", ct: `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"`, body: s},
		{name: "other protocol", ct: ContentType(ProtocolKerberos), body: s},
		{name: "Kerberos part under SPNEGO", ct: ContentType(ProtocolKerberos), body: strings.Replace(s, "SPNEGO", "Kerberos", 1)},
		{name: "length too long", ct: ct, body: strings.Replace(s, "Length="+itoa(len(soap)), "Length="+itoa(len(soap)+1), 1)},
		{name: "length not a number", ct: ct, body: strings.Replace(s, "Length="+itoa(len(soap)), "Length=x", 1)},
		{name: "not SOAP", ct: ct, body: strings.Replace(s, "type=application/soap+xml", "type=text/plain", 1)},
		{name: "no closing boundary", ct: ct, body: strings.TrimSuffix(s, "--Encrypted Boundary--\r\n")},
		{name: "second part not octet-stream", ct: ct, body: strings.Replace(s, "application/octet-stream", "text/plain", 1)},
		{name: "signature length past the data", ct: ct, body: strings.Replace(s, "\x10\x00\x00\x00", "\xff\x00\x00\x00", 1)},
		{name: "one part", ct: ct, body: s[:strings.LastIndex(s, "--Encrypted Boundary\r\n")]},
		{name: "unwrap fails", ct: ct, body: s, fail: errors.New("tampered")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Open(&recorder{fail: tc.fail}, ProtocolSPNEGO, tc.ct, []byte(tc.body)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// TestOpenNTLMTampered: with real NTLM sessions on both ends, a sealed message goes through Seal and
// Open intact, and one whose sealed byte or signature checksum was altered on the way is refused.
func TestOpenNTLMTampered(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 16)
	const flags = 0xe28a8233
	sealedByte := func(b []byte) int { return len(b) - len("--Encrypted Boundary--\r\n") - 1 }
	checksum := func(b []byte) int {
		return bytes.Index(b, []byte("octet-stream\r\n")) + len("octet-stream\r\n") + 4 + 6
	}
	for _, tc := range []struct {
		name string
		at   func([]byte) int
	}{{"intact", nil}, {"sealed byte", sealedByte}, {"checksum", checksum}} {
		t.Run(tc.name, func(t *testing.T) {
			client, _ := ntlm.NewSession(key, flags)
			host, _ := ntlm.NewAcceptorSession(key, flags)
			// Client to host and back, twice: the streams stay in step across messages.
			for range 2 {
				body, ct, err := Seal(client, ProtocolSPNEGO, []byte(soap))
				if err != nil {
					t.Fatal(err)
				}
				got, err := Open(host, ProtocolSPNEGO, ct, body)
				if err != nil || string(got) != soap {
					t.Fatalf("the host opens the client's message: %q %v", got, err)
				}
				answer, ct, _ := Seal(host, ProtocolSPNEGO, []byte(soap+"answer"))
				if tc.at != nil {
					answer[tc.at(answer)] ^= 0x01
				}
				got, err = Open(client, ProtocolSPNEGO, ct, answer)
				if tc.at == nil {
					if err != nil || string(got) != soap+"answer" {
						t.Fatalf("the client opens the host's answer: %q %v", got, err)
					}
					continue
				}
				if !errors.Is(err, ntlm.ErrVerify) {
					t.Fatalf("a flipped bit in the %s: %v", tc.name, err)
				}
				return
			}
		})
	}
}

// FuzzParse: the parser of the host's answers never panics, and whatever it accepts has the sealed
// length OriginalContent declared and a bounded signature.
func FuzzParse(f *testing.F) {
	body, ct, _ := Seal(&recorder{}, ProtocolSPNEGO, []byte(soap))
	f.Add(ct, body)
	f.Add(ct, []byte("--Encrypted Boundary\r\n"))
	f.Add(`multipart/encrypted;boundary="x"`, []byte("--x\r\nContent-Type: a\r\nOriginalContent: Length=0\r\n--x\r\nContent-Type: application/octet-stream\r\n\x00\x00\x00\x00--x--"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		m, err := parse(ct, body)
		if err != nil {
			return
		}
		if len(m.Sealed) != m.Length || len(m.Signature) > maxSignature || m.Protocol == "" {
			t.Fatalf("accepted %+v", m)
		}
	})
}
