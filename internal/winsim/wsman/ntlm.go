package wsman

// An NTLMv2 acceptor (MS-NLMP), the server side of the Negotiate scheme for local accounts: it parses
// NEGOTIATE_MESSAGE, builds CHALLENGE_MESSAGE (3.2.5.1.1), parses AUTHENTICATE_MESSAGE and verifies the
// NTLMv2 response and the MIC (3.2.5.1.2, 3.3.2). A logon that negotiated signing or sealing yields the
// ExportedSessionKey that session security (ntlmseal.go, multipart/encrypted in encrypted.go) derives its
// keys from.

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTOWF is MD4 of the password by definition (MS-NLMP 3.3.1)
)

// NEGOTIATE flags (MS-NLMP 2.2.2.5), by their spec names.
const (
	flagUnicode              uint32 = 1 << 0  // A
	flagOEM                  uint32 = 1 << 1  // B
	flagRequestTarget        uint32 = 1 << 2  // C
	flagSign                 uint32 = 1 << 4  // D
	flagSeal                 uint32 = 1 << 5  // E
	flagLMKey                uint32 = 1 << 7  // G
	flagNTLM                 uint32 = 1 << 9  // H
	flagAnonymous            uint32 = 1 << 11 // J
	flagAlwaysSign           uint32 = 1 << 15 // M
	flagTargetTypeServer     uint32 = 1 << 17 // O
	flagExtendedSessionSec   uint32 = 1 << 19 // P
	flagIdentify             uint32 = 1 << 20 // Q
	flagTargetInfo           uint32 = 1 << 23 // S
	flagVersion              uint32 = 1 << 25 // T
	flag128                  uint32 = 1 << 29 // U
	flagKeyExch              uint32 = 1 << 30 // V
	flag56                   uint32 = 1 << 31 // W
	flagOEMDomainSupplied    uint32 = 1 << 12 // K
	flagOEMWorkstationSupply uint32 = 1 << 13 // L
)

// requestedFlagsGranted are the flags a client may ask for that this acceptor returns when asked, as
// Windows does ("the supported flags requested", 3.2.5.1.1). UNICODE/OEM and ESS/LM_KEY are chosen
// separately. Not granted: DATAGRAM (connectionless NTLM, gone since Server 2012, <52>), ANONYMOUS and
// REQUEST_NON_NT_SESSION_KEY.
const requestedFlagsGranted = flagSign | flagSeal | flagIdentify | flagVersion | flag128 | flagKeyExch | flag56

// AV_PAIR ids (MS-NLMP 2.2.2.1).
const (
	avEOL             uint16 = 0
	avNbComputerName  uint16 = 1
	avNbDomainName    uint16 = 2
	avDNSComputerName uint16 = 3
	avDNSDomainName   uint16 = 4
	avFlags           uint16 = 6
	avTimestamp       uint16 = 7
)

// avFlagMIC is MsvAvFlags bit 0x2: the AUTHENTICATE_MESSAGE carries a MIC.
const avFlagMIC = 0x2

var ntlmSignature = []byte("NTLMSSP\x00")

// Errors an AUTHENTICATE_MESSAGE is refused with (all become a 401 on the wire).
var (
	errNTLMv1        = errors.New("ntlm: NTLMv1/LM responses are refused (NTLMv2 only)")
	errNTLMAnonymous = errors.New("ntlm: anonymous authentication is refused")
	errNTLMUser      = errors.New("ntlm: unknown user")
	errNTLMResponse  = errors.New("ntlm: the NTLMv2 response does not match the password")
	errNTLMMIC       = errors.New("ntlm: the MIC does not match")
)

// ntlmNegotiate is a parsed NEGOTIATE_MESSAGE (2.2.1.1).
type ntlmNegotiate struct {
	Flags               uint32
	Domain, Workstation string // OEM, as supplied (informational only)
	Version             [8]byte
}

// ntlmChallenge is a parsed CHALLENGE_MESSAGE (2.2.1.2); winsim builds these, the parser is for tests.
type ntlmChallenge struct {
	Flags           uint32
	TargetName      string
	ServerChallenge [8]byte
	TargetInfo      []avPair
	Version         [8]byte
}

// ntlmAuthenticate is a parsed AUTHENTICATE_MESSAGE (2.2.1.3).
type ntlmAuthenticate struct {
	Flags                     uint32
	LmResponse, NtResponse    []byte
	Domain, User, Workstation string
	EncryptedRandomSessionKey []byte
	MIC                       []byte // nil when the message has none
	raw                       []byte
}

type avPair struct {
	ID    uint16
	Value []byte
}

// field reads a (Len, MaxLen, Offset) descriptor at off and returns its bytes in msg.
func field(msg []byte, off int) ([]byte, error) {
	if off+8 > len(msg) {
		return nil, errors.New("ntlm: message too short for its fields")
	}
	n := uint64(binary.LittleEndian.Uint16(msg[off:]))
	start := uint64(binary.LittleEndian.Uint32(msg[off+4:]))
	if n == 0 {
		return nil, nil
	}
	if start+n > uint64(len(msg)) {
		return nil, errors.New("ntlm: a field points outside the message")
	}
	return msg[start : start+n], nil
}

// fieldOffset is the payload offset a non-empty descriptor at off names (len(msg) when empty).
func fieldOffset(msg []byte, off int) int {
	if off+8 > len(msg) || binary.LittleEndian.Uint16(msg[off:]) == 0 {
		return len(msg)
	}
	o := binary.LittleEndian.Uint32(msg[off+4:])
	if uint64(o) > uint64(len(msg)) {
		return len(msg)
	}
	return int(o)
}

func checkHeader(msg []byte, typ uint32) error {
	if len(msg) < 12 || !bytes.Equal(msg[:8], ntlmSignature) {
		return errors.New("ntlm: not an NTLMSSP message")
	}
	if t := binary.LittleEndian.Uint32(msg[8:]); t != typ {
		return fmt.Errorf("ntlm: message type %d, want %d", t, typ)
	}
	return nil
}

func parseNegotiate(msg []byte) (*ntlmNegotiate, error) {
	if err := checkHeader(msg, 1); err != nil {
		return nil, err
	}
	if len(msg) < 16 {
		return nil, errors.New("ntlm: NEGOTIATE_MESSAGE too short")
	}
	n := &ntlmNegotiate{Flags: binary.LittleEndian.Uint32(msg[12:])}
	if len(msg) >= 32 {
		if n.Flags&flagOEMDomainSupplied != 0 {
			d, err := field(msg, 16)
			if err != nil {
				return nil, err
			}
			n.Domain = string(d)
		}
		if n.Flags&flagOEMWorkstationSupply != 0 {
			w, err := field(msg, 24)
			if err != nil {
				return nil, err
			}
			n.Workstation = string(w)
		}
	}
	if n.Flags&flagVersion != 0 && len(msg) >= 40 {
		copy(n.Version[:], msg[32:40])
	}
	return n, nil
}

func parseChallenge(msg []byte) (*ntlmChallenge, error) {
	if err := checkHeader(msg, 2); err != nil {
		return nil, err
	}
	if len(msg) < 48 {
		return nil, errors.New("ntlm: CHALLENGE_MESSAGE too short")
	}
	c := &ntlmChallenge{Flags: binary.LittleEndian.Uint32(msg[20:])}
	copy(c.ServerChallenge[:], msg[24:32])
	name, err := field(msg, 12)
	if err != nil {
		return nil, err
	}
	if c.TargetName, err = decodeString(name, c.Flags&flagUnicode != 0); err != nil {
		return nil, err
	}
	info, err := field(msg, 40)
	if err != nil {
		return nil, err
	}
	if c.TargetInfo, err = parseAVPairs(info); err != nil {
		return nil, err
	}
	if len(msg) >= 56 && min(fieldOffset(msg, 12), fieldOffset(msg, 40)) >= 56 {
		copy(c.Version[:], msg[48:56])
	}
	return c, nil
}

func parseAuthenticate(msg []byte) (*ntlmAuthenticate, error) {
	if err := checkHeader(msg, 3); err != nil {
		return nil, err
	}
	if len(msg) < 64 {
		return nil, errors.New("ntlm: AUTHENTICATE_MESSAGE too short")
	}
	a := &ntlmAuthenticate{Flags: binary.LittleEndian.Uint32(msg[60:]), raw: msg}
	var err error
	if a.LmResponse, err = field(msg, 12); err != nil {
		return nil, err
	}
	if a.NtResponse, err = field(msg, 20); err != nil {
		return nil, err
	}
	unicode := a.Flags&flagUnicode != 0
	for _, f := range []struct {
		off int
		to  *string
	}{{28, &a.Domain}, {36, &a.User}, {44, &a.Workstation}} {
		b, err := field(msg, f.off)
		if err != nil {
			return nil, err
		}
		if *f.to, err = decodeString(b, unicode); err != nil {
			return nil, err
		}
	}
	if a.EncryptedRandomSessionKey, err = field(msg, 52); err != nil {
		return nil, err
	}
	// The MIC sits after the Version field, at 72, when the NTLMv2 response's MsvAvFlags says so (a
	// client without a MIC starts its payload at 64 or 72).
	if len(a.NtResponse) > 24 {
		if _, pairs, err := splitNTLMv2(a.NtResponse); err == nil {
			if f, ok := avValue(pairs, avFlags); ok && len(f) == 4 && binary.LittleEndian.Uint32(f)&avFlagMIC != 0 {
				payload := len(msg)
				for _, off := range []int{12, 20, 28, 36, 44, 52} {
					payload = min(payload, fieldOffset(msg, off))
				}
				if payload < 88 {
					return nil, errors.New("ntlm: MsvAvFlags announces a MIC the message has no room for")
				}
				a.MIC = msg[72:88]
			}
		}
	}
	return a, nil
}

func decodeString(b []byte, unicode bool) (string, error) {
	if !unicode {
		return string(b), nil
	}
	if len(b)%2 != 0 {
		return "", errors.New("ntlm: odd-length UTF-16 string")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// parseAVPairs reads AV_PAIRs up to MsvAvEOL (which it requires).
func parseAVPairs(b []byte) ([]avPair, error) {
	var pairs []avPair
	for {
		if len(b) < 4 {
			if len(b) == 0 && len(pairs) == 0 {
				return nil, nil
			}
			return nil, errors.New("ntlm: AV pairs without MsvAvEOL")
		}
		id, n := binary.LittleEndian.Uint16(b), int(binary.LittleEndian.Uint16(b[2:]))
		if id == avEOL {
			return pairs, nil
		}
		if 4+n > len(b) {
			return nil, errors.New("ntlm: an AV pair runs past its buffer")
		}
		pairs = append(pairs, avPair{ID: id, Value: b[4 : 4+n]})
		b = b[4+n:]
	}
}

func avValue(pairs []avPair, id uint16) ([]byte, bool) {
	for _, p := range pairs {
		if p.ID == id {
			return p.Value, true
		}
	}
	return nil, false
}

// splitNTLMv2 splits an NTLMv2_RESPONSE (2.2.2.8) into NTProofStr and the NTLMv2_CLIENT_CHALLENGE
// ("temp" of 3.3.2), checking the client challenge's fixed part, and returns its AV pairs.
func splitNTLMv2(nt []byte) (blob []byte, pairs []avPair, err error) {
	if len(nt) < 16+28 {
		return nil, nil, errors.New("ntlm: NTLMv2 response too short")
	}
	blob = nt[16:]
	if blob[0] != 1 || blob[1] != 1 {
		return nil, nil, errors.New("ntlm: unknown NTLMv2 client challenge version")
	}
	pairs, err = parseAVPairs(blob[28:])
	return blob, pairs, err
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

// ntowfv2 is NTOWFv2 (3.3.2): HMAC-MD5 keyed by MD4(UTF-16LE(password)) of UTF-16LE(Upper(user) + domain).
// The domain keeps the case the client sent.
func ntowfv2(password, user, domain string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	return hmacMD5(h.Sum(nil), utf16le(strings.ToUpper(user)+domain))
}

// ntlmTarget is what the server says about itself in CHALLENGE_MESSAGE.
type ntlmTarget struct {
	// NbComputerName is the NetBIOS name (upper case, at most 15 characters); on a workgroup host
	// NetBIOS and DNS domain names are the computer's own name (not domain joined: TargetName is
	// NbMachineName, TARGET_TYPE_SERVER, no DnsTreeName, 3.2.5.1.1).
	NbComputerName, DNSComputerName string
	// Build is the OS build in the VERSION structure (10.0.Build, NTLM revision 15).
	Build int
}

// challengeFlags chooses the CHALLENGE_MESSAGE flags for a client's NEGOTIATE flags (3.2.5.1.1): the
// supported flags it requested, UNICODE else OEM, ESS else LM_KEY, plus REQUEST_TARGET, NTLM,
// ALWAYS_SIGN, TARGET_INFO and TARGET_TYPE_SERVER (a host not joined to a domain).
func challengeFlags(client uint32) uint32 {
	f := client&requestedFlagsGranted | flagRequestTarget | flagNTLM | flagAlwaysSign | flagTargetInfo | flagTargetTypeServer
	switch {
	case client&flagUnicode != 0:
		f |= flagUnicode
	case client&flagOEM != 0:
		f |= flagOEM
	}
	switch {
	case client&flagExtendedSessionSec != 0:
		f |= flagExtendedSessionSec
	case client&flagLMKey != 0:
		f |= flagLMKey
	}
	return f
}

// checkNegotiate refuses what Windows refuses at the first leg: since Windows 7 / Server 2008 R2 the
// server requires 128-bit session keys (ServerRequire128bitEncryption, <60>), so a client asking for
// signing or sealing without NEGOTIATE_128 is refused.
func checkNegotiate(n *ntlmNegotiate) error {
	if n.Flags&(flagSign|flagSeal) != 0 && n.Flags&flag128 == 0 {
		return errors.New("ntlm: session security without 128-bit keys is refused (ServerRequire128bitEncryption)")
	}
	return nil
}

// buildChallenge makes the CHALLENGE_MESSAGE: header, TargetName, TargetInfo (NbDomainName,
// NbComputerName, DnsDomainName, DnsComputerName, Timestamp, EOL: the order Windows sends) and, when
// negotiated, the VERSION.
func buildChallenge(flags uint32, serverChallenge [8]byte, t ntlmTarget, now time.Time) []byte {
	nb := t.NbComputerName
	dns := t.DNSComputerName
	var info bytes.Buffer
	addAV := func(id uint16, v []byte) {
		var h [4]byte
		binary.LittleEndian.PutUint16(h[:], id)
		binary.LittleEndian.PutUint16(h[2:], uint16(len(v)))
		info.Write(h[:])
		info.Write(v)
	}
	addAV(avNbDomainName, utf16le(nb))
	addAV(avNbComputerName, utf16le(nb))
	addAV(avDNSDomainName, utf16le(dns))
	addAV(avDNSComputerName, utf16le(dns))
	var ts [8]byte
	binary.LittleEndian.PutUint64(ts[:], fileTime(now))
	addAV(avTimestamp, ts[:])
	addAV(avEOL, nil)

	name := []byte(nb)
	if flags&flagUnicode != 0 {
		name = utf16le(nb)
	}
	const header = 56
	msg := make([]byte, header, header+len(name)+info.Len())
	copy(msg, ntlmSignature)
	binary.LittleEndian.PutUint32(msg[8:], 2)
	putField(msg[12:], len(name), header)
	binary.LittleEndian.PutUint32(msg[20:], flags)
	copy(msg[24:32], serverChallenge[:])
	putField(msg[40:], info.Len(), header+len(name))
	if flags&flagVersion != 0 {
		msg[48], msg[49] = 10, 0
		binary.LittleEndian.PutUint16(msg[50:], uint16(t.Build))
		msg[55] = 15 // NTLMSSP_REVISION_W2K3
	}
	msg = append(msg, name...)
	return append(msg, info.Bytes()...)
}

func putField(b []byte, n, off int) {
	binary.LittleEndian.PutUint16(b, uint16(n))
	binary.LittleEndian.PutUint16(b[2:], uint16(n))
	binary.LittleEndian.PutUint32(b[4:], uint32(off))
}

// fileTime is a Windows FILETIME: 100 ns intervals since 1601-01-01 UTC.
func fileTime(t time.Time) uint64 {
	return uint64(t.UnixNano()/100) + 116444736000000000
}

// ntlmExchange is the state of one handshake: the first two messages as sent (the MIC covers them).
type ntlmExchange struct {
	negotiate, challenge []byte
	serverChallenge      [8]byte
}

// ntlmKeys are the keys a verified AUTHENTICATE_MESSAGE yields (3.2.5.1.2); session security derives
// its signing and sealing keys from ExportedSessionKey (newNTLMSession).
type ntlmKeys struct {
	SessionBaseKey, ExportedSessionKey []byte
}

// verifyAuthenticate checks an AUTHENTICATE_MESSAGE against the exchange for the one local account
// (user, password) and returns its keys on success (3.2.5.1.2):
//   - anonymous (no user, no NT response) and NTLMv1 (a 24-byte NT response) are refused;
//   - the user name is compared case-insensitively; any domain name is accepted, because a host that is
//     not joined to a domain has no trusted domain and so authenticates every name against its local
//     account database (MS-APDS 3.1.5.1): ".", "", the computer name or anything else;
//   - NTProofStr = HMAC-MD5(NTOWFv2(password, user, domain), serverChallenge ‖ temp), retried with an
//     empty domain as 3.2.5.1.2 says servers SHOULD;
//   - with MsvAvFlags 0x2 the MIC over the three messages must match (KEY_EXCH with SIGN or SEAL: the
//     exported key is RC4-decrypted from EncryptedRandomSessionKey);
//   - the timestamp is not checked (Windows stopped after Server 2008 R2, <69>) and channel bindings are
//     not verified.
func verifyAuthenticate(ex *ntlmExchange, a *ntlmAuthenticate, user, password string) (*ntlmKeys, error) {
	if a.User == "" && len(a.NtResponse) == 0 {
		return nil, errNTLMAnonymous
	}
	if len(a.NtResponse) <= 24 {
		return nil, errNTLMv1
	}
	if !strings.EqualFold(a.User, user) {
		return nil, errNTLMUser
	}
	blob, _, err := splitNTLMv2(a.NtResponse)
	if err != nil {
		return nil, err
	}
	proof := a.NtResponse[:16]
	var key []byte
	for _, dom := range []string{a.Domain, ""} {
		k := ntowfv2(password, a.User, dom)
		if hmac.Equal(hmacMD5(k, ex.serverChallenge[:], blob), proof) {
			key = k
			break
		}
		if a.Domain == "" {
			break
		}
	}
	if key == nil {
		return nil, errNTLMResponse
	}
	sessionBaseKey := hmacMD5(key, proof)
	exported := sessionBaseKey // KXKEY is the SessionBaseKey for NTLMv2 (3.4.5.1)
	if a.Flags&flagKeyExch != 0 && a.Flags&(flagSign|flagSeal) != 0 {
		if len(a.EncryptedRandomSessionKey) != 16 {
			return nil, errors.New("ntlm: KEY_EXCH without a 16-byte EncryptedRandomSessionKey")
		}
		c, err := rc4.NewCipher(sessionBaseKey)
		if err != nil {
			return nil, fmt.Errorf("ntlm: %w", err)
		}
		exported = make([]byte, 16)
		c.XORKeyStream(exported, a.EncryptedRandomSessionKey)
	}
	if a.MIC != nil {
		zeroed := bytes.Clone(a.raw)
		clear(zeroed[72:88])
		if !hmac.Equal(hmacMD5(exported, ex.negotiate, ex.challenge, zeroed), a.MIC) {
			return nil, errNTLMMIC
		}
	}
	return &ntlmKeys{SessionBaseKey: sessionBaseKey, ExportedSessionKey: exported}, nil
}
