package ntlm

import (
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // MS-NLMP 3.4
	"crypto/rc4" //nolint:gosec // MS-NLMP 3.4
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// The magic constants of SIGNKEY and SEALKEY (MS-NLMP 3.4.5.2, 3.4.5.3), NUL included.
const (
	c2sSign = "session key to client-to-server signing key magic constant\x00"
	s2cSign = "session key to server-to-client signing key magic constant\x00"
	c2sSeal = "session key to client-to-server sealing key magic constant\x00"
	s2cSeal = "session key to server-to-client sealing key magic constant\x00"
)

// SignatureSize is the size of an NTLMSSP_MESSAGE_SIGNATURE with extended session security (2.2.2.9.2):
// Version (1), an 8-byte Checksum, SeqNum.
const SignatureSize = 16

// ErrVerify is returned when a message's signature does not verify: a message altered on the way, out
// of order, or sealed with other keys. The session cannot be used after it.
var ErrVerify = errors.New("ntlm: the message's signature does not verify")

// direction is one direction of a connection-oriented session (3.4): its signing key, its RC4 handle,
// kept running over every message of the direction (never reset between messages), and its sequence
// number.
type direction struct {
	signKey []byte
	rc4     *rc4.Cipher
	seq     uint32
}

func newDirection(exported []byte, flags uint32, signMagic, sealMagic string) (*direction, error) {
	sign := md5.Sum(append(append([]byte{}, exported...), signMagic...)) //nolint:gosec // SIGNKEY
	// SEALKEY: the exported key, cut to 7 bytes with NEGOTIATE_56 and 5 without 56 or 128, then MD5 with
	// the magic.
	k := exported
	switch {
	case flags&Flag128 != 0:
	case flags&Flag56 != 0:
		k = exported[:7]
	default:
		k = exported[:5]
	}
	seal := md5.Sum(append(append([]byte{}, k...), sealMagic...)) //nolint:gosec // SEALKEY
	c, err := rc4.NewCipher(seal[:])                              //nolint:gosec // SEAL
	if err != nil {
		return nil, fmt.Errorf("ntlm: %w", err)
	}
	return &direction{signKey: sign[:], rc4: c}, nil
}

// mac is MAC with extended session security and key exchange (3.4.4.2): version 1, the first 8 bytes
// of HMAC_MD5(SigningKey, SeqNum ‖ Message) encrypted with the direction's RC4 handle, SeqNum.
func (d *direction) mac(msg []byte) []byte {
	sig := make([]byte, SignatureSize)
	binary.LittleEndian.PutUint32(sig, 1)
	binary.LittleEndian.PutUint32(sig[12:], d.seq)
	sum := hmacMD5(d.signKey, sig[12:], msg)[:8]
	d.rc4.XORKeyStream(sig[4:12], sum)
	return sig
}

// Session is the client's session security after a handshake: it seals what the client sends with the
// client-to-server keys and unseals what the host answers with the server-to-client keys. The RC4
// streams run over every message of the connection in order, so one Session belongs to one connection
// and its messages must be sealed in the order they are sent.
type Session struct {
	mu      sync.Mutex
	out, in *direction
	failed  bool
}

// NewSession derives the session from the ExportedSessionKey and the negotiated flags. It needs
// extended session security (the only mode this client negotiates).
func NewSession(exported []byte, flags uint32) (*Session, error) {
	if flags&FlagExtendedSecure == 0 || flags&FlagKeyExch == 0 {
		return nil, errors.New("ntlm: session security without extended session security and key exchange is not supported")
	}
	if len(exported) != 16 {
		return nil, fmt.Errorf("ntlm: a session key of %d bytes, want 16", len(exported))
	}
	out, err := newDirection(exported, flags, c2sSign, c2sSeal)
	if err != nil {
		return nil, err
	}
	in, err := newDirection(exported, flags, s2cSign, s2cSeal)
	if err != nil {
		return nil, err
	}
	return &Session{out: out, in: in}, nil
}

// NewAcceptorSession is the host's end of the same session: it unseals with the client-to-server keys
// and seals with the server-to-client keys. The client never needs it; tests use it to play the host.
func NewAcceptorSession(exported []byte, flags uint32) (*Session, error) {
	s, err := NewSession(exported, flags)
	if err != nil {
		return nil, err
	}
	s.in, s.out = s.out, s.in
	return s, nil
}

// Wrap is SEAL (3.4.3): the message encrypted with the client-to-server handle, then its signature,
// computed over the plaintext, whose checksum is encrypted with the same handle after the message.
func (s *Session) Wrap(msg []byte) (sealed, sig []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed {
		return nil, nil, ErrVerify
	}
	sealed = make([]byte, len(msg))
	s.out.rc4.XORKeyStream(sealed, msg)
	sig = s.out.mac(msg)
	s.out.seq++
	return sealed, sig, nil
}

// Unwrap decrypts a message the host sealed and verifies its signature: version 1, the expected
// sequence number and checksum. A message that fails leaves the session unusable (the RC4 stream has
// moved on): a new handshake is needed.
func (s *Session) Unwrap(sealed, sig []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed {
		return nil, ErrVerify
	}
	s.failed = true
	if len(sig) != SignatureSize || binary.LittleEndian.Uint32(sig) != 1 {
		return nil, fmt.Errorf("%w: a signature of %d bytes or of an unknown version", ErrVerify, len(sig))
	}
	msg := make([]byte, len(sealed))
	s.in.rc4.XORKeyStream(msg, sealed)
	want := s.in.mac(msg)
	if got := binary.LittleEndian.Uint32(sig[12:]); got != s.in.seq {
		return nil, fmt.Errorf("%w: sequence number %d, want %d", ErrVerify, got, s.in.seq)
	}
	if !hmac.Equal(want, sig) {
		return nil, ErrVerify
	}
	s.in.seq++
	s.failed = false
	return msg, nil
}
