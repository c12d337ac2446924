package wsman

import (
	"bytes"
	"crypto/rc4"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The messages of MS-NLMP 4.2.4.3 (NTLMv2 with key exchange, signing and sealing), read from the
// specification's hex dumps: User "User", UserDom "Domain", Passwd "Password", workstation "COMPUTER",
// ServerChallenge 0123456789abcdef, ClientChallenge aa…aa, Time 0, RandomSessionKey 55…55.
const (
	specChallenge = "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef0000000000000000" +
		"2400240044000000060070170000000f53006500720076006500720002000c0044006f006d00610069006e00" +
		"01000c0053006500720076006500720000000000"
	specAuthenticate = "4e544c4d5353500003000000180018006c00000054005400840000000c000c00480000000800080054000000" +
		"100010005c00000010001000d8000000358288e20501280a0000000f44006f006d00610069006e005500730065007200" +
		"43004f004d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa68cd0ab851e51c96" +
		"aabc927bebef6a1c01010000000000000000000000000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d006100" +
		"69006e0001000c005300650072007600650072000000000000000000c5dad2544fc9799094ce1ce90bc9d03e"
)

// TestNTLMv2SpecVector checks the acceptor against MS-NLMP 4.2.4: NTOWFv2 (4.2.4.1.1), the session base
// key (4.2.4.1.2), NTProofStr (4.2.4.2.2) and the key exchange (4.2.4.2.3) through the full
// AUTHENTICATE_MESSAGE of 4.2.4.3, and the refusals around it.
func TestNTLMv2SpecVector(t *testing.T) {
	if got := hex.EncodeToString(ntowfv2("Password", "User", "Domain")); got != "0c868a403bfd7a93a3001ef22ef02e3f" {
		t.Errorf("NTOWFv2 = %s", got)
	}
	chal, err := parseChallenge(unhex(t, specChallenge))
	if err != nil {
		t.Fatal(err)
	}
	if chal.Flags != 0xe28a8233 || chal.TargetName != "Server" || hex.EncodeToString(chal.ServerChallenge[:]) != "0123456789abcdef" ||
		len(chal.TargetInfo) != 2 || hex.EncodeToString(chal.Version[:]) != "060070170000000f" {
		t.Errorf("CHALLENGE_MESSAGE parsed as %+v", chal)
	}
	auth, err := parseAuthenticate(unhex(t, specAuthenticate))
	if err != nil {
		t.Fatal(err)
	}
	if auth.User != "User" || auth.Domain != "Domain" || auth.Workstation != "COMPUTER" || auth.MIC != nil ||
		hex.EncodeToString(auth.NtResponse[:16]) != "68cd0ab851e51c96aabc927bebef6a1c" ||
		hex.EncodeToString(auth.LmResponse) != "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa" {
		t.Errorf("AUTHENTICATE_MESSAGE parsed as %+v", auth)
	}
	ex := &ntlmExchange{challenge: unhex(t, specChallenge), serverChallenge: chal.ServerChallenge}
	cases := []struct {
		name           string
		user, password string
		mutate         func(a *ntlmAuthenticate, ex *ntlmExchange)
		want           error
		sessionBaseKey string
	}{
		{name: "spec", user: "User", password: "Password", sessionBaseKey: "8de40ccadbc14a82f15cb0ad0de95ca3"},
		{name: "user name case-insensitive", user: "USER", password: "Password", sessionBaseKey: "8de40ccadbc14a82f15cb0ad0de95ca3"},
		{name: "wrong password", user: "User", password: "password", want: errNTLMResponse},
		{name: "other user", user: "Administrator", password: "Password", want: errNTLMUser},
		{name: "another server challenge", user: "User", password: "Password", want: errNTLMResponse,
			mutate: func(_ *ntlmAuthenticate, ex *ntlmExchange) { ex.serverChallenge[0] ^= 1 }},
		{name: "domain changed in transit", user: "User", password: "Password", want: errNTLMResponse,
			mutate: func(a *ntlmAuthenticate, _ *ntlmExchange) { a.Domain = "DOMAIN" }},
		{name: "NTLMv1 response", user: "User", password: "Password", want: errNTLMv1,
			mutate: func(a *ntlmAuthenticate, _ *ntlmExchange) { a.NtResponse = a.NtResponse[:24] }},
		{name: "anonymous", user: "User", password: "Password", want: errNTLMAnonymous,
			mutate: func(a *ntlmAuthenticate, _ *ntlmExchange) { a.User, a.NtResponse, a.LmResponse = "", nil, []byte{0} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, _ := parseAuthenticate(unhex(t, specAuthenticate))
			e := *ex
			if c.mutate != nil {
				c.mutate(a, &e)
			}
			keys, err := verifyAuthenticate(&e, a, c.user, c.password)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if c.want != nil {
				return
			}
			if got := hex.EncodeToString(keys.SessionBaseKey); got != c.sessionBaseKey {
				t.Errorf("SessionBaseKey = %s", got)
			}
			// KEY_EXCH with SIGN/SEAL: EncryptedRandomSessionKey decrypts to RandomSessionKey (4.2.4.2.3).
			if !bytes.Equal(keys.ExportedSessionKey, bytes.Repeat([]byte{0x55}, 16)) {
				t.Errorf("ExportedSessionKey = %x", keys.ExportedSessionKey)
			}
		})
	}
}

// testClient builds NTLM messages the way a full client does (MsvAvFlags, MIC, key exchange), to test
// what go-ntlmssp never sends.
type testClient struct {
	flags                  uint32
	user, domain, password string
	mic, keyExch           bool
}

func (c testClient) negotiate() []byte {
	msg := make([]byte, 40)
	copy(msg, ntlmSignature)
	binary.LittleEndian.PutUint32(msg[8:], 1)
	binary.LittleEndian.PutUint32(msg[12:], c.flags)
	return msg
}

func (c testClient) authenticate(t testing.TB, neg, chalMsg []byte) []byte {
	t.Helper()
	chal, err := parseChallenge(chalMsg)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := field(chalMsg, 40)
	pairs := info[:len(info)-4] // without MsvAvEOL
	if c.mic {
		pairs = append(bytes.Clone(pairs), 6, 0, 4, 0, avFlagMIC, 0, 0, 0)
	}
	blob := append([]byte{1, 1, 0, 0, 0, 0, 0, 0}, make([]byte, 8)...)
	blob = append(blob, bytes.Repeat([]byte{0xaa}, 8)...)
	blob = append(blob, 0, 0, 0, 0)
	blob = append(blob, pairs...)
	blob = append(blob, 0, 0, 0, 0, 0, 0, 0, 0) // MsvAvEOL, then Z(4)
	key := ntowfv2(c.password, c.user, c.domain)
	proof := hmacMD5(key, chal.ServerChallenge[:], blob)
	nt := slices.Concat(proof, blob)
	base := hmacMD5(key, proof)
	flags := chal.Flags
	exported, ersk := base, []byte(nil)
	if c.keyExch {
		exported = bytes.Repeat([]byte{0x55}, 16)
		r, _ := rc4.NewCipher(base)
		ersk = make([]byte, 16)
		r.XORKeyStream(ersk, exported)
	}
	payload := [][]byte{make([]byte, 24), nt, utf16le(c.domain), utf16le(c.user), utf16le("WS"), ersk}
	msg := make([]byte, 88, 88+len(nt)+64)
	copy(msg, ntlmSignature)
	binary.LittleEndian.PutUint32(msg[8:], 3)
	off := 88
	for i, p := range payload {
		putField(msg[12+8*i:], len(p), off)
		off += len(p)
	}
	binary.LittleEndian.PutUint32(msg[60:], flags)
	msg = slices.Concat(append([][]byte{msg}, payload...)...)
	if c.mic {
		copy(msg[72:88], hmacMD5(exported, neg, chalMsg, msg))
	}
	return msg
}

func TestNTLMMIC(t *testing.T) {
	const all = flagUnicode | flagRequestTarget | flagSign | flagSeal | flagNTLM | flagAlwaysSign | flagExtendedSessionSec |
		flagVersion | flag128 | flagKeyExch | flag56
	for _, c := range []struct {
		name          string
		client        testClient
		tamper        bool
		wantRefused   bool
		refusalReason error
	}{
		{name: "MIC, key exchange", client: testClient{flags: all, mic: true, keyExch: true}},
		{name: "MIC, no key exchange", client: testClient{flags: all &^ flagKeyExch, mic: true}},
		{name: "no MIC", client: testClient{flags: all, keyExch: true}},
		{name: "MIC tampered", client: testClient{flags: all, mic: true, keyExch: true}, tamper: true, wantRefused: true, refusalReason: errNTLMMIC},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := c.client
			cl.user, cl.domain, cl.password = "administrator", "WINSIM", "P@ss"
			neg := cl.negotiate()
			var sc [8]byte
			copy(sc[:], "\x01\x02\x03\x04\x05\x06\x07\x08")
			chal := buildChallenge(challengeFlags(cl.flags), sc, ntlmTarget{NbComputerName: "WINSIM", DNSComputerName: "WINSIM", Build: 20348}, time.Now())
			msg := cl.authenticate(t, neg, chal)
			if c.tamper {
				msg[len(msg)-20] ^= 1 // the workstation name, covered by the MIC only
			}
			a, err := parseAuthenticate(msg)
			if err != nil {
				t.Fatal(err)
			}
			if (a.MIC != nil) != cl.mic {
				t.Errorf("MIC found: %v", a.MIC != nil)
			}
			_, err = verifyAuthenticate(&ntlmExchange{negotiate: neg, challenge: chal, serverChallenge: sc}, a, "Administrator", "P@ss")
			if c.wantRefused != (err != nil) || (c.refusalReason != nil && !errors.Is(err, c.refusalReason)) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// TestChallengeFlags: the CHALLENGE_MESSAGE grants the supported flags the client asked for (3.2.5.1.1).
// go-ntlmssp v0.1.1 refuses a challenge with NEGOTIATE_KEY_EXCH or NEGOTIATE_LM_KEY; it asks for neither,
// so it gets neither.
func TestChallengeFlags(t *testing.T) {
	goNTLM, err := ntlmssp.NewNegotiateMessage("", "")
	if err != nil {
		t.Fatal(err)
	}
	n, err := parseNegotiate(goNTLM)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		client      uint32
		want        uint32
		wantRefused bool
	}{
		{name: "go-ntlmssp", client: n.Flags,
			want: flagUnicode | flagRequestTarget | flagNTLM | flagAlwaysSign | flagTargetTypeServer | flagExtendedSessionSec | flagTargetInfo | flag128 | flag56},
		// A Windows-style client asking to sign and seal (0xe20882b7): ESS wins over LM_KEY, UNICODE over OEM.
		{name: "sealing client", client: 0xe20882b7,
			want: flagUnicode | flagRequestTarget | flagSign | flagSeal | flagNTLM | flagAlwaysSign | flagTargetTypeServer |
				flagExtendedSessionSec | flagTargetInfo | flagVersion | flag128 | flagKeyExch | flag56},
		{name: "OEM, LM_KEY, no ESS", client: flagOEM | flagLMKey | flagNTLM,
			want: flagOEM | flagLMKey | flagRequestTarget | flagNTLM | flagAlwaysSign | flagTargetTypeServer | flagTargetInfo},
		{name: "datagram and anonymous not granted", client: flagUnicode | flagNTLM | 1<<6 | flagAnonymous,
			want: flagUnicode | flagRequestTarget | flagNTLM | flagAlwaysSign | flagTargetTypeServer | flagTargetInfo},
		{name: "signing without 128-bit keys", client: flagUnicode | flagNTLM | flagSign | flag56, wantRefused: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := checkNegotiate(&ntlmNegotiate{Flags: c.client}); (err != nil) != c.wantRefused {
				t.Fatalf("checkNegotiate: %v", err)
			}
			if c.wantRefused {
				return
			}
			if got := challengeFlags(c.client); got != c.want {
				t.Errorf("flags %#08x, want %#08x", got, c.want)
			}
		})
	}
}

// TestChallengeMessage: what the CHALLENGE_MESSAGE carries, and go-ntlmssp (the client masterzen uses)
// answers it with an AUTHENTICATE_MESSAGE the acceptor verifies, in each user form.
func TestChallengeMessage(t *testing.T) {
	neg, _ := ntlmssp.NewNegotiateMessage("", "")
	n, _ := parseNegotiate(neg)
	var sc [8]byte
	copy(sc[:], "winsim!!")
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	chal := buildChallenge(challengeFlags(n.Flags|flagVersion), sc, ntlmTarget{NbComputerName: "WINSIM-WS2022", DNSComputerName: "WINSIM-WS2022", Build: 20348}, now)
	c, err := parseChallenge(chal)
	if err != nil {
		t.Fatal(err)
	}
	if c.TargetName != "WINSIM-WS2022" || c.ServerChallenge != sc || hex.EncodeToString(c.Version[:]) != "0a007c4f0000000f" {
		t.Errorf("challenge %+v", c)
	}
	var ids []uint16
	for _, p := range c.TargetInfo {
		ids = append(ids, p.ID)
	}
	if want := []uint16{avNbDomainName, avNbComputerName, avDNSDomainName, avDNSComputerName, avTimestamp}; !equalIDs(ids, want) {
		t.Errorf("AV pairs %v, want %v", ids, want)
	}
	if ts, _ := avValue(c.TargetInfo, avTimestamp); binary.LittleEndian.Uint64(ts) != fileTime(now) || fileTime(now) != 134398116000000000 {
		t.Errorf("timestamp %x", ts)
	}
	ex := &ntlmExchange{negotiate: neg, challenge: chal, serverChallenge: sc}
	for _, u := range []struct {
		name     string
		ok       bool
		password string
	}{
		{`Administrator`, true, "P@ss"},
		{`administrator`, true, "P@ss"},
		{`.\Administrator`, true, "P@ss"},
		{`WINSIM-WS2022\Administrator`, true, "P@ss"},
		{`winsim-ws2022\ADMINISTRATOR`, true, "P@ss"},
		{`OTHERDOMAIN\Administrator`, true, "P@ss"}, // a workgroup host: any domain is the local database
		{`Administrator@winsim`, false, "P@ss"},     // a UPN names a domain account
		{`Guest`, false, "P@ss"},
		{`Administrator`, false, "p@ss"},
	} {
		msg, err := ntlmssp.NewAuthenticateMessage(chal, u.name, u.password, nil)
		if err != nil {
			t.Fatalf("%s: go-ntlmssp refused the challenge: %v", u.name, err)
		}
		a, err := parseAuthenticate(msg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := verifyAuthenticate(ex, a, "Administrator", "P@ss"); (err == nil) != u.ok {
			t.Errorf("%s / %s: %v", u.name, u.password, err)
		}
	}
}

func equalIDs(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNTLMParsersRefuseMalformed(t *testing.T) {
	good, _ := ntlmssp.NewNegotiateMessage("DOM", "WS")
	n, err := parseNegotiate(good)
	if err != nil || n.Domain != "DOM" || n.Workstation != "WS" {
		t.Fatalf("%+v %v", n, err)
	}
	bad := map[string][]byte{
		"empty":          nil,
		"signature":      append([]byte("NTLMSSQ\x00"), good[8:]...),
		"type":           append(append([]byte{}, good[:8]...), append([]byte{3, 0, 0, 0}, good[12:]...)...),
		"field past end": append(append([]byte{}, good[:16]...), 0x10, 0, 0x10, 0, 0xf0, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0),
	}
	for name, msg := range bad {
		if _, err := parseNegotiate(msg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	a := unhex(t, specAuthenticate)
	a[0x84+16] = 2 // NTLMv2 client challenge version
	if p, err := parseAuthenticate(a); err == nil {
		if _, err := verifyAuthenticate(&ntlmExchange{}, p, "User", "Password"); err == nil {
			t.Error("unknown client challenge version accepted")
		}
	}
	if _, err := parseAuthenticate(unhex(t, specAuthenticate)[:63]); err == nil {
		t.Error("short AUTHENTICATE_MESSAGE accepted")
	}
}

func FuzzParseNegotiate(f *testing.F) {
	m, _ := ntlmssp.NewNegotiateMessage("DOMAIN", "WORKSTATION")
	f.Add(m)
	f.Add(testClient{flags: 0xe2088297}.negotiate())
	f.Fuzz(func(_ *testing.T, b []byte) {
		if n, err := parseNegotiate(b); err == nil {
			_ = checkNegotiate(n)
			_ = buildChallenge(challengeFlags(n.Flags), [8]byte{}, ntlmTarget{NbComputerName: "X"}, time.Unix(0, 0))
		}
	})
}

func FuzzParseChallenge(f *testing.F) {
	f.Add(unhex(f, specChallenge))
	f.Add(buildChallenge(0xe28a8235, [8]byte{1}, ntlmTarget{NbComputerName: "WINSIM", DNSComputerName: "winsim", Build: 17763}, time.Now()))
	f.Fuzz(func(_ *testing.T, b []byte) { _, _ = parseChallenge(b) })
}

func FuzzParseAuthenticate(f *testing.F) {
	f.Add(unhex(f, specAuthenticate))
	neg := testClient{flags: 0xe2088297}.negotiate()
	chal := buildChallenge(challengeFlags(0xe2088297), [8]byte{1}, ntlmTarget{NbComputerName: "WINSIM"}, time.Now())
	f.Add(testClient{flags: 0xe2088297, user: "u", password: "p", mic: true, keyExch: true}.authenticate(f, neg, chal))
	ex := &ntlmExchange{negotiate: neg, challenge: chal, serverChallenge: [8]byte{1}}
	f.Fuzz(func(_ *testing.T, b []byte) {
		if a, err := parseAuthenticate(b); err == nil {
			_, _ = verifyAuthenticate(ex, a, "u", "p")
		}
	})
}
