// Package ntlm is the client side of NTLMv2 (MS-NLMP) as WinRM message encryption needs it: the three
// handshake messages with key exchange and a MIC, and the session security (signing and sealing) that
// the handshake leaves behind. It is written from the specification:
//
//   - NEGOTIATE_MESSAGE (2.2.1.1), CHALLENGE_MESSAGE (2.2.1.2), AUTHENTICATE_MESSAGE (2.2.1.3);
//   - the NTLMv2 response and session base key (3.3.2), KXKEY for NTLMv2 (3.4.5.1), the encrypted random
//     session key of key exchange (3.1.5.1.2), the MIC (3.1.5.1.2);
//   - SIGNKEY, SEALKEY (3.4.5.2, 3.4.5.3) and SEAL/MAC with extended session security (3.4.3, 3.4.4.2).
//
// Only NTLMv2 with extended session security and 128-bit keys is offered: what Windows negotiates with
// every current client. A CHALLENGE that takes any of them away is refused, so a downgraded handshake
// never yields a session.
package ntlm

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // MD5 and RC4 are what NTLM is made of (MS-NLMP 3.4)
	"crypto/rand"
	"crypto/rc4" //nolint:gosec // as above
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTOWFv2 is defined over MD4 (MS-NLMP 3.3.2)
)

// Negotiate flags (MS-NLMP 2.2.2.5).
const (
	FlagUnicode        uint32 = 1 << 0
	FlagRequestTarget  uint32 = 1 << 2
	FlagSign           uint32 = 1 << 4
	FlagSeal           uint32 = 1 << 5
	FlagNTLM           uint32 = 1 << 9
	FlagAlwaysSign     uint32 = 1 << 15
	FlagExtendedSecure uint32 = 1 << 19 // NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY
	FlagTargetInfo     uint32 = 1 << 23
	FlagVersion        uint32 = 1 << 25
	Flag128            uint32 = 1 << 29
	FlagKeyExch        uint32 = 1 << 30
	Flag56             uint32 = 1 << 31
)

// clientFlags are what this client asks for: Unicode, NTLMv2 with extended session security, signing
// and sealing with 128-bit keys and key exchange.
const clientFlags = FlagUnicode | FlagRequestTarget | FlagSign | FlagSeal | FlagNTLM | FlagAlwaysSign |
	FlagExtendedSecure | FlagVersion | Flag128 | FlagKeyExch | Flag56

// required are the flags a CHALLENGE must keep for a session worth having.
const required = FlagUnicode | FlagSign | FlagSeal | FlagExtendedSecure | Flag128 | FlagKeyExch

// AV_PAIR ids (MS-NLMP 2.2.2.1).
const (
	avEOL       = 0
	avFlags     = 6
	avTimestamp = 7
)

// avFlagMIC is MsvAvFlags 0x2: the AUTHENTICATE_MESSAGE carries a MIC.
const avFlagMIC = 0x2

var signature = []byte("NTLMSSP\x00")

// version is the VERSION structure (2.2.2.10) the client sends: Windows 10.0, NTLMSSP revision 15.
var version = []byte{10, 0, 0x61, 0x4a, 0, 0, 0, 15}

// Client holds one handshake. Its zero value is not usable: use NewClient.
type Client struct {
	user, domain, password string
	// now and random are the clock and the randomness (the client challenge, the session key); tests set
	// them to reproduce the specification's examples.
	now    func() time.Time
	random func([]byte) error

	negotiate []byte
}

// NewClient prepares a handshake for a user. The user may be "DOMAIN\user" (".\user" and "HOST\user"
// for a local account) or a bare name or UPN, which is sent with an empty domain (MS-NLMP 3.1.5.1.2
// allows a UPN in the user name).
func NewClient(user, password string) *Client {
	domain := ""
	if d, u, ok := strings.Cut(user, `\`); ok {
		domain, user = d, u
	}
	return &Client{user: user, domain: domain, password: password, now: time.Now,
		random: func(b []byte) error {
			if _, err := rand.Read(b); err != nil {
				return fmt.Errorf("reading random bytes: %w", err)
			}
			return nil
		}}
}

// Negotiate returns the NEGOTIATE_MESSAGE: the flags, empty domain and workstation fields, the version.
func (c *Client) Negotiate() []byte {
	m := make([]byte, 40)
	copy(m, signature)
	binary.LittleEndian.PutUint32(m[8:], 1)
	binary.LittleEndian.PutUint32(m[12:], clientFlags)
	// DomainNameFields and WorkstationFields: empty, their offsets at the end of the fixed part.
	binary.LittleEndian.PutUint32(m[20:], 40)
	binary.LittleEndian.PutUint32(m[28:], 40)
	copy(m[32:], version)
	c.negotiate = m
	return bytes.Clone(m)
}

// challenge is the part of a CHALLENGE_MESSAGE the client uses.
type challenge struct {
	flags      uint32
	server     [8]byte
	targetInfo []byte
}

// payload reads a field (Len, MaxLen, Offset) at off of msg.
func payload(msg []byte, off int) ([]byte, error) {
	if len(msg) < off+8 {
		return nil, errors.New("ntlm: message too short for its fields")
	}
	n := int(binary.LittleEndian.Uint16(msg[off:]))
	at := int(binary.LittleEndian.Uint32(msg[off+4:]))
	if n == 0 {
		return nil, nil
	}
	if at < 0 || at > len(msg) || n > len(msg)-at {
		return nil, fmt.Errorf("ntlm: a field of %d bytes at %d runs past the message's %d", n, at, len(msg))
	}
	return msg[at : at+n], nil
}

func parseChallenge(msg []byte) (*challenge, error) {
	if len(msg) < 48 || !bytes.Equal(msg[:8], signature) || binary.LittleEndian.Uint32(msg[8:]) != 2 {
		return nil, errors.New("ntlm: the host's answer is not a CHALLENGE_MESSAGE")
	}
	c := &challenge{flags: binary.LittleEndian.Uint32(msg[20:])}
	copy(c.server[:], msg[24:32])
	ti, err := payload(msg, 40)
	if err != nil {
		return nil, err
	}
	if c.flags&FlagTargetInfo == 0 || len(ti) == 0 {
		return nil, errors.New("ntlm: the CHALLENGE_MESSAGE has no TargetInfo, which NTLMv2 needs")
	}
	c.targetInfo = ti
	return c, nil
}

// avPairs splits a TargetInfo into its pairs, up to MsvAvEOL.
func avPairs(ti []byte) (map[uint16][]byte, [][]byte, error) {
	vals := map[uint16][]byte{}
	var raw [][]byte
	for len(ti) >= 4 {
		id, n := binary.LittleEndian.Uint16(ti), int(binary.LittleEndian.Uint16(ti[2:]))
		if id == avEOL {
			return vals, raw, nil
		}
		if len(ti) < 4+n {
			return nil, nil, errors.New("ntlm: the TargetInfo's AV_PAIR runs past its end")
		}
		vals[id] = ti[4 : 4+n]
		raw = append(raw, ti[:4+n])
		ti = ti[4+n:]
	}
	return nil, nil, errors.New("ntlm: the TargetInfo has no MsvAvEOL")
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		binary.LittleEndian.PutUint16(b[2*i:], r)
	}
	return b
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	h := hmac.New(md5.New, key)
	for _, d := range data {
		h.Write(d)
	}
	return h.Sum(nil)
}

// ntowfv2 is NTOWFv2 (3.3.2): HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(Uppercase(User) ‖ UserDom)).
func ntowfv2(user, domain, password string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	return hmacMD5(h.Sum(nil), utf16le(strings.ToUpper(user)+domain))
}

// fileTime is a time as FILETIME: 100 ns ticks since 1601-01-01 UTC.
func fileTime(t time.Time) uint64 {
	return uint64(t.Unix()+11644473600)*10_000_000 + uint64(t.Nanosecond()/100) //nolint:gosec // positive for any time after 1601
}

// Authenticate answers the host's CHALLENGE_MESSAGE: it returns the AUTHENTICATE_MESSAGE and the
// session that the host will hold once it accepts it.
func (c *Client) Authenticate(challengeMsg []byte) ([]byte, *Session, error) {
	if c.negotiate == nil {
		return nil, nil, errors.New("ntlm: Authenticate before Negotiate")
	}
	ch, err := parseChallenge(challengeMsg)
	if err != nil {
		return nil, nil, err
	}
	if ch.flags&required != required {
		return nil, nil, fmt.Errorf("ntlm: the host's CHALLENGE_MESSAGE (flags %#08x) does not grant NTLMv2 session security with "+
			"extended session security, 128-bit keys and key exchange, which message encryption needs", ch.flags)
	}
	vals, pairs, err := avPairs(ch.targetInfo)
	if err != nil {
		return nil, nil, err
	}
	// 3.1.5.1.2: with MsvAvTimestamp the client uses the server's time, sends a MIC (MsvAvFlags 0x2), and
	// an LmChallengeResponse of Z(24).
	ts, mic := vals[avTimestamp], false
	var when uint64
	if len(ts) == 8 {
		when, mic = binary.LittleEndian.Uint64(ts), true
	} else {
		when = fileTime(c.now())
	}
	var ti bytes.Buffer
	flagsSeen := false
	for _, p := range pairs {
		if binary.LittleEndian.Uint16(p) == avFlags && len(p) == 8 {
			f := binary.LittleEndian.Uint32(p[4:])
			if mic {
				f |= avFlagMIC
			}
			ti.Write(p[:4])
			_ = binary.Write(&ti, binary.LittleEndian, f)
			flagsSeen = true
			continue
		}
		ti.Write(p)
	}
	if mic && !flagsSeen {
		ti.Write([]byte{avFlags, 0, 4, 0, avFlagMIC, 0, 0, 0})
	}
	ti.Write([]byte{avEOL, 0, 0, 0})

	var clientChallenge [8]byte
	exported := make([]byte, 16)
	if err := c.random(clientChallenge[:]); err != nil {
		return nil, nil, fmt.Errorf("ntlm: %w", err)
	}
	if err := c.random(exported); err != nil {
		return nil, nil, fmt.Errorf("ntlm: %w", err)
	}
	nt, lm, sessionBaseKey := responses(ntowfv2(c.user, c.domain, c.password), ch.server, clientChallenge, when, ti.Bytes())
	if mic {
		lm = make([]byte, 24)
	}
	// KXKEY is the session base key with NTLMv2 (3.4.5.1); with KEY_EXCH the exported session key is
	// random and travels RC4-encrypted under it (3.1.5.1.2).
	encryptedKey := make([]byte, 16)
	kx, err := rc4.NewCipher(sessionBaseKey) //nolint:gosec // MS-NLMP 3.1.5.1.2
	if err != nil {
		return nil, nil, fmt.Errorf("ntlm: %w", err)
	}
	kx.XORKeyStream(encryptedKey, exported)

	flags := ch.flags & clientFlags
	msg := c.authenticateMessage(flags, lm, nt, encryptedKey)
	if mic {
		copy(msg[72:88], hmacMD5(exported, c.negotiate, challengeMsg, msg))
	}
	sess, err := NewSession(exported, flags)
	if err != nil {
		return nil, nil, err
	}
	return msg, sess, nil
}

// responses computes the NTLMv2 responses and the session base key (3.3.2).
func responses(responseKey []byte, server, client [8]byte, when uint64, targetInfo []byte) (nt, lm, sessionBaseKey []byte) {
	temp := make([]byte, 0, 28+len(targetInfo)+4)
	temp = append(temp, 1, 1, 0, 0, 0, 0, 0, 0)
	temp = binary.LittleEndian.AppendUint64(temp, when)
	temp = append(temp, client[:]...)
	temp = append(temp, 0, 0, 0, 0)
	temp = append(temp, targetInfo...)
	temp = append(temp, 0, 0, 0, 0)
	proof := hmacMD5(responseKey, server[:], temp)
	nt = append(append(make([]byte, 0, len(proof)+len(temp)), proof...), temp...)
	lm = append(hmacMD5(responseKey, server[:], client[:]), client[:]...)
	return nt, lm, hmacMD5(responseKey, proof)
}

// authenticateMessage lays out the AUTHENTICATE_MESSAGE: the fixed part with room for the MIC (88
// bytes), then the payload. The workstation is left empty.
func (c *Client) authenticateMessage(flags uint32, lm, nt, encryptedKey []byte) []byte {
	const fixed = 88
	fields := [][]byte{lm, nt, utf16le(c.domain), utf16le(c.user), nil, encryptedKey}
	size := fixed
	for _, f := range fields {
		size += len(f)
	}
	msg := make([]byte, fixed, size)
	copy(msg, signature)
	binary.LittleEndian.PutUint32(msg[8:], 3)
	at := fixed
	for i, f := range fields {
		off := 12 + 8*i
		binary.LittleEndian.PutUint16(msg[off:], uint16(len(f)))   //nolint:gosec // fields are far below 64 KiB
		binary.LittleEndian.PutUint16(msg[off+2:], uint16(len(f))) //nolint:gosec // as above
		binary.LittleEndian.PutUint32(msg[off+4:], uint32(at))     //nolint:gosec // as above
		at += len(f)
	}
	binary.LittleEndian.PutUint32(msg[60:], flags)
	copy(msg[64:72], version)
	for _, f := range fields {
		msg = append(msg, f...) //nolint:makezero // the fixed part is filled above, the payload follows it
	}
	return msg
}
