package wsman

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// specSessionKey and specFlags are MS-NLMP 4.2.4's: RandomSessionKey 0x55 × 16 (the ExportedSessionKey,
// KEY_EXCH being negotiated) and the challenge flags 0xe28a8233 (KEY_EXCH, 56, 128, VERSION, TARGET_INFO,
// EXTENDED_SESSIONSECURITY, TARGET_TYPE_SERVER, ALWAYS_SIGN, NTLM, SEAL, SIGN, OEM, UNICODE).
var specSessionKey = bytes.Repeat([]byte{0x55}, 16)

const specFlags uint32 = 0xe28a8233

// specPlaintext is 4.2.4.4's plaintext: "Plaintext" in UTF-16LE.
var specPlaintext = utf16le("Plaintext")

// TestNTLMSealSpecVector checks SEALKEY, SIGNKEY and SEAL against MS-NLMP 4.2.4.4 (NTLMv2 GSS_WrapEx,
// client-to-server, SeqNum 0), numbers read from the specification:
//
//	sealkey  59 f6 00 97 3c c4 96 0a 25 48 0a 7c 19 6e 4c 58
//	signkey  47 88 dc 86 1b 47 82 f3 5d 43 fd 98 fe 1a 2d 39
//	data     54 e5 01 65 bf 19 36 dc 99 60 20 c1 81 1b 0f 06 fb 5f
//	checksum 70 35 28 51 f2 56 43 09 (HMAC_MD5(SigningKey, SeqNum ‖ Message)[0..7]), RC4: 7f b3 8e c5 c5 5d 49 76
//	signature 01 00 00 00 7f b3 8e c5 c5 5d 49 76 00 00 00 00
func TestNTLMSealSpecVector(t *testing.T) {
	if got := hex.EncodeToString(sealKey(specSessionKey, specFlags, clientSealingMagic)); got != "59f600973cc4960a25480a7c196e4c58" {
		t.Errorf("SEALKEY: %s", got)
	}
	if got := hex.EncodeToString(signKey(specSessionKey, clientSigningMagic)); got != "4788dc861b4782f35d43fd98fe1a2d39" {
		t.Errorf("SIGNKEY: %s", got)
	}
	var seq [4]byte
	if got := hex.EncodeToString(hmacMD5(signKey(specSessionKey, clientSigningMagic), seq[:], specPlaintext)[:8]); got != "70352851f2564309" {
		t.Errorf("HMAC checksum: %s", got)
	}
	client, err := newNTLMSealer(specSessionKey, specFlags, clientSigningMagic, clientSealingMagic)
	if err != nil {
		t.Fatal(err)
	}
	sealed, sig := client.seal(specPlaintext)
	if got := hex.EncodeToString(sealed); got != "54e50165bf1936dc996020c1811b0f06fb5f" {
		t.Errorf("sealed data: %s", got)
	}
	if got := hex.EncodeToString(sig); got != "010000007fb38ec5c55d497600000000" {
		t.Errorf("signature: %s", got)
	}
	// The server's side of the same message: unsealed with the client-to-server keys.
	sess, err := newNTLMSession(specSessionKey, specFlags)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := sess.in.unseal(unhex(t, "54e50165bf1936dc996020c1811b0f06fb5f"), unhex(t, "010000007fb38ec5c55d497600000000"))
	if err != nil || !bytes.Equal(msg, specPlaintext) {
		t.Fatalf("unseal the spec's message: %q %v", msg, err)
	}
	// The server-to-client direction uses the other magic constants: not the client's keys.
	if bytes.Equal(sealKey(specSessionKey, specFlags, serverSealingMagic), sealKey(specSessionKey, specFlags, clientSealingMagic)) ||
		bytes.Equal(signKey(specSessionKey, serverSigningMagic), signKey(specSessionKey, clientSigningMagic)) {
		t.Error("the server-to-client keys equal the client-to-server keys")
	}
}

// TestNTLMSealKeyLengths: SEALKEY cuts the exported key to 7 bytes with NEGOTIATE_56 and 5 without
// either 56 or 128 (3.4.5.3).
func TestNTLMSealKeyLengths(t *testing.T) {
	k := []byte("0123456789abcdef")
	for _, tc := range []struct {
		flags uint32
		n     int
	}{{flag128 | flag56, 16}, {flag128, 16}, {flag56, 7}, {0, 5}} {
		if got, want := sealKey(k, tc.flags, clientSealingMagic), signKey(k[:tc.n], clientSealingMagic); !bytes.Equal(got, want) {
			t.Errorf("flags %#x: want the key cut to %d bytes", tc.flags, tc.n)
		}
	}
}

// TestNTLMSealSequence: both sides of a session in step over several messages each way (continuous RC4,
// sequence numbers per direction), and every way a message can be wrong is refused.
func TestNTLMSealSequence(t *testing.T) {
	newPair := func() (client *ntlmSession, server *ntlmSession) {
		server, err := newNTLMSession(specSessionKey, specFlags)
		if err != nil {
			t.Fatal(err)
		}
		// The client's view: it seals with client-to-server keys and unseals with server-to-client ones.
		client, err = newNTLMSession(specSessionKey, specFlags)
		if err != nil {
			t.Fatal(err)
		}
		client.in, client.out = mustSealer(t, serverSigningMagic, serverSealingMagic), mustSealer(t, clientSigningMagic, clientSealingMagic)
		return client, server
	}
	client, server := newPair()
	for i := range 5 {
		req := []byte(strings.Repeat("request ", i+1))
		sealed, sig := client.out.seal(req)
		if binary.LittleEndian.Uint32(sig[12:]) != uint32(i) {
			t.Fatalf("message %d: SeqNum %d", i, binary.LittleEndian.Uint32(sig[12:]))
		}
		got, err := server.in.unseal(sealed, sig)
		if err != nil || !bytes.Equal(got, req) {
			t.Fatalf("request %d: %q %v", i, got, err)
		}
		resp := []byte(strings.Repeat("response ", i+2))
		sealed, sig = server.out.seal(resp)
		if got, err := client.in.unseal(sealed, sig); err != nil || !bytes.Equal(got, resp) {
			t.Fatalf("response %d: %q %v", i, got, err)
		}
	}

	for _, tc := range []struct {
		name   string
		mangle func(sealed, sig []byte) ([]byte, []byte)
		want   error
	}{
		{"flipped data bit", func(s, g []byte) ([]byte, []byte) { s[3] ^= 1; return s, g }, errNTLMSignature},
		{"flipped checksum bit", func(s, g []byte) ([]byte, []byte) { g[5] ^= 1; return s, g }, errNTLMSignature},
		{"version 2", func(s, g []byte) ([]byte, []byte) { g[0] = 2; return s, g }, errNTLMSignature},
		{"short signature", func(s, g []byte) ([]byte, []byte) { return s, g[:12] }, errNTLMSignature},
		{"sequence number 1", func(s, g []byte) ([]byte, []byte) { g[12] = 1; return s, g }, errNTLMSeqNum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, server := newPair()
			sealed, sig := client.out.seal([]byte("<s:Envelope/>"))
			if _, err := server.in.unseal(tc.mangle(sealed, sig)); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	// A replayed message: its sequence number is behind and the RC4 stream has moved on.
	client, server = newPair()
	sealed, sig := client.out.seal([]byte("first"))
	if _, err := server.in.unseal(bytes.Clone(sealed), bytes.Clone(sig)); err != nil {
		t.Fatal(err)
	}
	if _, err := server.in.unseal(sealed, sig); err == nil {
		t.Error("a replayed message was accepted")
	}
	// Without extended session security there is no session.
	if _, err := newNTLMSession(specSessionKey, specFlags&^flagExtendedSessionSec); !errors.Is(err, errNTLMNoESS) {
		t.Errorf("no ESS: %v", err)
	}
}

func mustSealer(t *testing.T, signMagic, sealMagic string) *ntlmSealer {
	t.Helper()
	d, err := newNTLMSealer(specSessionKey, specFlags, signMagic, sealMagic)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pywinrmFrame is a request framed as pywinrm 0.3.0 and masterzen frame it (encryption.py
// _encrypt_message): TABs before the headers, the closing boundary right after the sealed bytes.
func pywinrmFrame(sig, sealed []byte, length int) []byte {
	var b bytes.Buffer
	b.WriteString("--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n" +
		"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + strconv.Itoa(length) + "\r\n" +
		"--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n")
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(sig)))
	b.Write(n[:])
	b.Write(sig)
	b.Write(sealed)
	b.WriteString("--Encrypted Boundary--\r\n")
	return b.Bytes()
}
