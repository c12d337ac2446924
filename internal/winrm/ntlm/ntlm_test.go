package ntlm

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // MS-NLMP
	"crypto/rc4" //nolint:gosec // MS-NLMP
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

// The example of MS-NLMP 4.2.4 (NTLMv2 Authentication), numbers read from the specification
// (learn.microsoft.com/openspecs/windows_protocols/ms-nlmp, 4.2.4.1 to 4.2.4.4): User "User",
// UserDom "Domain", Passwd "Password", ServerChallenge 01 23 45 67 89 ab cd ef, ClientChallenge aa × 8,
// Time 0, RandomSessionKey 55 × 16, challenge flags 0xe28a8233 (33 82 8a e2), TargetInfo
// MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server".
const (
	// specChallenge is 4.2.4.3's CHALLENGE_MESSAGE (TargetName "Server").
	specChallenge = "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef0000000000000000" +
		"2400240044000000060070170000000f53006500720076006500720002000c0044006f006d00610069006e00" +
		"01000c0053006500720076006500720000000000"
	specNTOWFv2         = "0c868a403bfd7a93a3001ef22ef02e3f"                 // 4.2.4.1.1
	specSessionBaseKey  = "8de40ccadbc14a82f15cb0ad0de95ca3"                 // 4.2.4.1.2
	specLMv2Response    = "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa" // 4.2.4.2.1
	specNTProofStr      = "68cd0ab851e51c96aabc927bebef6a1c"                 // 4.2.4.2.2
	specEncryptedKey    = "c5dad2544fc9799094ce1ce90bc9d03e"                 // 4.2.4.2.3
	specSealKey         = "59f600973cc4960a25480a7c196e4c58"                 // 4.2.4.4
	specSignKey         = "4788dc861b4782f35d43fd98fe1a2d39"                 // 4.2.4.4
	specSealedPlaintext = "54e50165bf1936dc996020c1811b0f06fb5f"             // 4.2.4.4: "Plaintext" in UTF-16LE, sealed
	specSignature       = "010000007fb38ec5c55d497600000000"                 // 4.2.4.4
	// specTemp is 4.2.4.2.2's temp (the NTLMv2_CLIENT_CHALLENGE after NTProofStr).
	specTemp = "01010000000000000000000000000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e00" +
		"01000c005300650072007600650072000000000000000000"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// specClient is a Client whose clock and randomness are the example's.
func specClient() *Client {
	c := NewClient(`Domain\User`, "Password")
	c.now = func() time.Time { return time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC) } // FILETIME 0
	calls := 0
	c.random = func(b []byte) error {
		v := byte(0xaa) // the client challenge first, then the session key
		if calls > 0 {
			v = 0x55
		}
		calls++
		for i := range b {
			b[i] = v
		}
		return nil
	}
	return c
}

// field returns an AUTHENTICATE_MESSAGE field by its index (0 LM, 1 NT, 2 domain, 3 user, 4
// workstation, 5 EncryptedRandomSessionKey).
func field(t *testing.T, msg []byte, i int) []byte {
	t.Helper()
	f, err := payload(msg, 12+8*i)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSpecVectorAuthentication: the client's handshake reproduces MS-NLMP 4.2.4's NTOWFv2, LMv2 and
// NTLMv2 responses, session base key and encrypted session key from the spec's CHALLENGE_MESSAGE, and
// its session the 4.2.4.4 sealing and signing keys and sealed message.
func TestSpecVectorAuthentication(t *testing.T) {
	if got := hex.EncodeToString(ntowfv2("User", "Domain", "Password")); got != specNTOWFv2 {
		t.Errorf("NTOWFv2: %s, want %s", got, specNTOWFv2)
	}
	c := specClient()
	neg := c.Negotiate()
	if binary.LittleEndian.Uint32(neg[12:])&required != required {
		t.Errorf("NEGOTIATE flags %#x lack some of %#x", binary.LittleEndian.Uint32(neg[12:]), required)
	}
	msg, sess, err := c.Authenticate(unhex(t, specChallenge))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(field(t, msg, 0)); got != specLMv2Response {
		t.Errorf("LmChallengeResponse %s, want %s", got, specLMv2Response)
	}
	nt := field(t, msg, 1)
	if got := hex.EncodeToString(nt[:16]); got != specNTProofStr {
		t.Errorf("NTProofStr %s, want %s", got, specNTProofStr)
	}
	if got := hex.EncodeToString(nt[16:]); got != specTemp {
		t.Errorf("NTLMv2 temp %s, want %s", got, specTemp)
	}
	if got := hex.EncodeToString(hmacMD5(ntowfv2("User", "Domain", "Password"), nt[:16])); got != specSessionBaseKey {
		t.Errorf("SessionBaseKey %s, want %s", got, specSessionBaseKey)
	}
	if got := hex.EncodeToString(field(t, msg, 5)); got != specEncryptedKey {
		t.Errorf("EncryptedRandomSessionKey %s, want %s", got, specEncryptedKey)
	}
	if !bytes.Equal(field(t, msg, 2), utf16le("Domain")) || !bytes.Equal(field(t, msg, 3), utf16le("User")) {
		t.Errorf("domain %q user %q", field(t, msg, 2), field(t, msg, 3))
	}
	if f := binary.LittleEndian.Uint32(msg[60:]); f != 0xe28a8233&clientFlags {
		t.Errorf("AUTHENTICATE flags %#x, want the challenge's %#x within the client's", f, 0xe28a8233&clientFlags)
	}
	if !bytes.Equal(msg[72:88], make([]byte, 16)) {
		t.Error("a MIC without MsvAvTimestamp in the challenge")
	}

	if got := hex.EncodeToString(sess.out.signKey); got != specSignKey {
		t.Errorf("client SIGNKEY %s, want %s", got, specSignKey)
	}
	seal := md5.Sum(append(bytes.Repeat([]byte{0x55}, 16), c2sSeal...)) //nolint:gosec // SEALKEY
	if got := hex.EncodeToString(seal[:]); got != specSealKey {
		t.Errorf("client SEALKEY %s, want %s", got, specSealKey)
	}
	sealed, sig, err := sess.Wrap(utf16le("Plaintext"))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(sealed); got != specSealedPlaintext {
		t.Errorf("sealed %s, want %s", got, specSealedPlaintext)
	}
	if got := hex.EncodeToString(sig); got != specSignature {
		t.Errorf("signature %s, want %s", got, specSignature)
	}
}

// server is the host's end of a session, built from the same key with the directions swapped, so that
// the tests can answer the client: what the host seals with the server-to-client keys.
func server(t *testing.T, exported []byte, flags uint32) (in, out *direction) {
	t.Helper()
	in, err := newDirection(exported, flags, c2sSign, c2sSeal)
	if err != nil {
		t.Fatal(err)
	}
	out, err = newDirection(exported, flags, s2cSign, s2cSeal)
	if err != nil {
		t.Fatal(err)
	}
	return in, out
}

func hostSeal(out *direction, msg []byte) (sealed, sig []byte) {
	sealed = make([]byte, len(msg))
	out.rc4.XORKeyStream(sealed, msg)
	sig = out.mac(msg)
	out.seq++
	return sealed, sig
}

// TestSessionBothWays: messages each way keep the RC4 streams and sequence numbers in step; a tampered
// message, a replayed one, one out of order or a bad signature version is refused, and the session is
// unusable after it.
func TestSessionBothWays(t *testing.T) {
	key := bytes.Repeat([]byte{0x55}, 16)
	const flags = 0xe28a8233
	fresh := func() (*Session, *direction) {
		s, err := NewSession(key, flags)
		if err != nil {
			t.Fatal(err)
		}
		_, out := server(t, key, flags)
		return s, out
	}
	s, out := fresh()
	for i := range 5 {
		msg := bytes.Repeat([]byte{byte('a' + i)}, 100*i)
		sealed, sig := hostSeal(out, msg)
		got, err := s.Unwrap(sealed, sig)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("message %d: %v", i, err)
		}
		if _, _, err := s.Wrap(msg); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		mangle func(sealed, sig []byte) ([]byte, []byte)
	}{
		{"tampered data", func(s, g []byte) ([]byte, []byte) { s[3] ^= 1; return s, g }},
		{"tampered checksum", func(s, g []byte) ([]byte, []byte) { g[5] ^= 1; return s, g }},
		{"wrong sequence number", func(s, g []byte) ([]byte, []byte) { g[12]++; return s, g }},
		{"signature version 2", func(s, g []byte) ([]byte, []byte) { g[0] = 2; return s, g }},
		{"short signature", func(s, g []byte) ([]byte, []byte) { return s, g[:12] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, out := fresh()
			sealed, sig := hostSeal(out, []byte("<s:Envelope>answer</s:Envelope>"))
			sealed, sig = tc.mangle(sealed, sig)
			if _, err := s.Unwrap(sealed, sig); !errors.Is(err, ErrVerify) {
				t.Fatalf("want ErrVerify, got %v", err)
			}
			// The session is spent: a good next message is refused too, and nothing more is sealed.
			sealed, sig = hostSeal(out, []byte("next"))
			if _, err := s.Unwrap(sealed, sig); !errors.Is(err, ErrVerify) {
				t.Errorf("after a failure: %v", err)
			}
			if _, _, err := s.Wrap([]byte("x")); !errors.Is(err, ErrVerify) {
				t.Errorf("Wrap after a failure: %v", err)
			}
		})
	}
	t.Run("replay", func(t *testing.T) {
		s, out := fresh()
		sealed, sig := hostSeal(out, []byte("first"))
		if _, err := s.Unwrap(bytes.Clone(sealed), bytes.Clone(sig)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Unwrap(sealed, sig); !errors.Is(err, ErrVerify) {
			t.Fatalf("a replayed message: %v", err)
		}
	})
	if _, err := NewSession(key, flags&^FlagExtendedSecure); err == nil {
		t.Error("a session without extended session security")
	}
}

// TestAuthenticateMIC: with MsvAvTimestamp in the challenge, the client takes the host's time, adds
// MsvAvFlags 0x2, sends Z(24) as LmChallengeResponse and a MIC = HMAC_MD5(ExportedSessionKey,
// NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE with the MIC zeroed) (MS-NLMP 3.1.5.1.2); a challenge that
// withholds sealing or key exchange is refused.
func TestAuthenticateMIC(t *testing.T) {
	ch := unhex(t, specChallenge)
	// Replace TargetInfo with one that carries a timestamp: Domain, Server, Timestamp, EOL.
	ts := make([]byte, 8)
	binary.LittleEndian.PutUint64(ts, 0x01d9_0000_1234_5678)
	var ti []byte
	ti = append(ti, unhex(t, "02000c0044006f006d00610069006e0001000c00530065007200760065007200")...)
	ti = append(ti, 7, 0, 8, 0)
	ti = append(ti, ts...)
	ti = append(ti, 0, 0, 0, 0)
	ch = append(ch[:0x44:0x44], ti...)
	binary.LittleEndian.PutUint16(ch[40:], uint16(len(ti)))
	binary.LittleEndian.PutUint16(ch[42:], uint16(len(ti)))

	c := specClient()
	neg := c.Negotiate()
	msg, _, err := c.Authenticate(ch)
	if err != nil {
		t.Fatal(err)
	}
	if lm := field(t, msg, 0); !bytes.Equal(lm, make([]byte, 24)) {
		t.Errorf("LmChallengeResponse %x, want Z(24)", lm)
	}
	nt := field(t, msg, 1)
	if got := binary.LittleEndian.Uint64(nt[24:]); got != 0x01d9_0000_1234_5678 {
		t.Errorf("the response's time %#x is not the host's", got)
	}
	pairs, _, err := avPairs(nt[44:])
	if err != nil {
		t.Fatal(err)
	}
	if f := pairs[avFlags]; len(f) != 4 || binary.LittleEndian.Uint32(f)&avFlagMIC == 0 {
		t.Errorf("MsvAvFlags %x", f)
	}
	// Recompute the MIC the way the host does: the exported key decrypted from the message.
	ntKey := ntowfv2("User", "Domain", "Password")
	base := hmacMD5(ntKey, nt[:16])
	exported := make([]byte, 16)
	kx, _ := rc4.NewCipher(base) //nolint:gosec // MS-NLMP
	kx.XORKeyStream(exported, field(t, msg, 5))
	zeroed := bytes.Clone(msg)
	copy(zeroed[72:88], make([]byte, 16))
	if !hmac.Equal(msg[72:88], hmacMD5(exported, neg, ch, zeroed)) {
		t.Error("the MIC does not match")
	}

	for _, drop := range []uint32{FlagSeal, FlagKeyExch, FlagExtendedSecure, Flag128} {
		bad := bytes.Clone(ch)
		binary.LittleEndian.PutUint32(bad[20:], binary.LittleEndian.Uint32(bad[20:])&^drop)
		c := specClient()
		c.Negotiate()
		if _, _, err := c.Authenticate(bad); err == nil {
			t.Errorf("a challenge without flag %#x was accepted", drop)
		}
	}
}

// TestParseChallengeRefusals: malformed challenges are errors, never panics.
func TestParseChallengeRefusals(t *testing.T) {
	good := unhex(t, specChallenge)
	for name, m := range map[string][]byte{
		"empty":              nil,
		"not NTLMSSP":        append([]byte("NTLMSSX\x00"), good[8:]...),
		"type 3":             append(append(bytes.Clone(good[:8]), 3, 0, 0, 0), good[12:]...),
		"truncated":          good[:50],
		"target info past":   append(bytes.Clone(good[:40]), append([]byte{0xff, 0x00, 0xff, 0x00}, good[44:]...)...),
		"target info no EOL": good[:len(good)-4],
	} {
		c := specClient()
		c.Negotiate()
		if _, _, err := c.Authenticate(m); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzAuthenticate: whatever the host sends as its challenge, the client answers or errs, never panics.
func FuzzAuthenticate(f *testing.F) {
	b, _ := hex.DecodeString(specChallenge)
	f.Add(b)
	f.Fuzz(func(t *testing.T, ch []byte) {
		c := specClient()
		c.Negotiate()
		_, _, _ = c.Authenticate(ch)
	})
}
