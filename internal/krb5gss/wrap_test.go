package krb5gss

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/types"
)

func key(t *testing.T, et int32, n int) types.EncryptionKey {
	t.Helper()
	k := make([]byte, n)
	_, _ = rand.Read(k)
	return types.EncryptionKey{KeyType: et, KeyValue: k}
}

// TestWrapRoundTrip seals both ways between an initiator and an acceptor session and checks the split
// Windows uses for AES: a 60-byte signature (header, RRC 28) and ciphertext as long as the message.
func TestWrapRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		et     int32
		n      int
		subkey bool
	}{
		{"aes256 acceptor subkey", etypeID.AES256_CTS_HMAC_SHA1_96, 32, true},
		{"aes128 session key", etypeID.AES128_CTS_HMAC_SHA1_96, 16, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := key(t, tc.et, tc.n)
			ini, err := NewSession(k, true, tc.subkey, 100, 7)
			if err != nil {
				t.Fatal(err)
			}
			acc, _ := NewSession(k, false, tc.subkey, 100, 7)
			for i, msg := range [][]byte{[]byte("<s:Envelope/>"), bytes.Repeat([]byte("x"), 70000), {}} {
				sealed, sig, err := ini.Wrap(msg)
				if err != nil {
					t.Fatal(err)
				}
				// EC 0 and RRC 28: a 60-byte signature for AES.
				if len(sealed) != len(msg) || len(sig) != 60 || sig[7] != 28 || sig[5] != 0 {
					t.Fatalf("message %d: sealed %d for %d, signature %d bytes, EC %d, RRC %d", i, len(sealed), len(msg), len(sig), sig[5], sig[7])
				}
				if len(msg) > 16 && bytes.Contains(sealed, msg[:16]) {
					t.Fatal("the sealed data contains the plaintext")
				}
				got, err := acc.Unwrap(sealed, sig)
				if err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("message %d: acceptor unwrap: %v", i, err)
				}
				sealed, sig, _ = acc.Wrap(msg)
				if got, err := ini.Unwrap(sealed, sig); err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("message %d: initiator unwrap: %v", i, err)
				}
			}
		})
	}
}

// TestUnwrapPaddedTokens: Unwrap reads tokens with an extra count of 16 both ways it is laid out: the
// RRC field counting EC and the rotation by RRC (RFC 4121; MIT's non-DCE tokens), and RRC 28 with the
// rotation by RRC+EC (MS-KILE 3.4.5.4.1).
func TestUnwrapPaddedTokens(t *testing.T) {
	k := key(t, etypeID.AES256_CTS_HMAC_SHA1_96, 32)
	for _, rrc := range []int{-1, 28} {
		ini, _ := NewSession(k, true, true, 5, 9)
		acc, _ := NewSession(k, false, true, 5, 9)
		msg := []byte("<s:Envelope>padded</s:Envelope>")
		sealed, sig, err := ini.wrap(msg, 16, rrc)
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != 76 || len(sealed) != len(msg) {
			t.Fatalf("RRC %d: signature %d bytes, sealed %d", rrc, len(sig), len(sealed))
		}
		if got, err := acc.Unwrap(sealed, sig); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("RRC field %d: %v %q", rrc, err, got)
		}
	}
}

// TestUnwrapRefuses: a flipped bit, a replay, a reflected token and another key are refused.
func TestUnwrapRefuses(t *testing.T) {
	k := key(t, etypeID.AES256_CTS_HMAC_SHA1_96, 32)
	mk := func() (*Session, *Session) {
		a, _ := NewSession(k, true, true, 1, 2)
		b, _ := NewSession(k, false, true, 1, 2)
		return a, b
	}
	msg := []byte("<s:Envelope>secret</s:Envelope>")
	for _, tc := range []struct {
		name string
		do   func(ini, acc *Session, sealed, sig []byte) error
		want string
	}{
		{"tampered data", func(_, acc *Session, sealed, sig []byte) error {
			sealed[3] ^= 1
			_, err := acc.Unwrap(sealed, sig)
			return err
		}, "does not decrypt"},
		{"tampered header", func(_, acc *Session, sealed, sig []byte) error {
			sig[15] ^= 1
			_, err := acc.Unwrap(sealed, sig)
			return err
		}, "encrypted header does not match"},
		{"replay", func(_, acc *Session, sealed, sig []byte) error {
			if _, err := acc.Unwrap(sealed, sig); err != nil {
				return nil //nolint:nilerr // the first must pass
			}
			_, err := acc.Unwrap(sealed, sig)
			return err
		}, "sequence number"},
		{"reflected", func(ini, _ *Session, sealed, sig []byte) error {
			_, err := ini.Unwrap(sealed, sig)
			return err
		}, "reflected"},
		{"other key", func(_, _ *Session, sealed, sig []byte) error {
			other, _ := NewSession(key(t, etypeID.AES256_CTS_HMAC_SHA1_96, 32), false, true, 1, 2)
			_, err := other.Unwrap(sealed, sig)
			return err
		}, "does not decrypt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ini, acc := mk()
			sealed, sig, err := ini.Wrap(msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.do(ini, acc, sealed, sig); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestAPRep builds an AP-REP and opens it with the session key; another key or another time is refused.
func TestAPRep(t *testing.T) {
	sk := key(t, etypeID.AES256_CTS_HMAC_SHA1_96, 32)
	sub := key(t, etypeID.AES256_CTS_HMAC_SHA1_96, 32)
	now := time.Now()
	rep, err := BuildAPRep(sk, now, 123, sub, 42)
	if err != nil {
		t.Fatal(err)
	}
	tok := Frame(TokAPRep, rep)
	id, inner, err := Unframe(tok)
	if err != nil || id != TokAPRep {
		t.Fatalf("unframe: %v %x", err, id)
	}
	part, err := OpenAPRep(inner, sk, now, 123)
	if err != nil {
		t.Fatal(err)
	}
	if part.SequenceNumber != 42 || !bytes.Equal(part.Subkey.KeyValue, sub.KeyValue) {
		t.Fatalf("AP-REP part %+v", part)
	}
	if _, err := OpenAPRep(inner, key(t, etypeID.AES256_CTS_HMAC_SHA1_96, 32), now, 123); err == nil {
		t.Fatal("opened with another key")
	}
	if _, err := OpenAPRep(inner, sk, now.Add(time.Second), 123); err == nil {
		t.Fatal("accepted another time")
	}
}

func FuzzUnframe(f *testing.F) {
	f.Add(Frame(TokAPReq, []byte{1, 2, 3}))
	f.Add(Frame(TokAPRep, bytes.Repeat([]byte{9}, 300)))
	f.Fuzz(func(t *testing.T, b []byte) {
		id, msg, err := Unframe(b)
		if err == nil && !bytes.Equal(Frame(id, msg), b) && len(b) < 0x80 {
			t.Fatalf("%x does not frame back", b)
		}
	})
}

func FuzzUnwrap(f *testing.F) {
	k := types.EncryptionKey{KeyType: etypeID.AES256_CTS_HMAC_SHA1_96, KeyValue: make([]byte, 32)}
	ini, _ := NewSession(k, true, false, 0, 0)
	sealed, sig, _ := ini.Wrap([]byte("hello"))
	f.Add(sealed, sig)
	f.Fuzz(func(t *testing.T, sealed, sig []byte) {
		acc, _ := NewSession(k, false, false, 0, 0)
		_, _ = acc.Unwrap(sealed, sig)
	})
}
