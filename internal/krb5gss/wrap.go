// Package krb5gss is the part of the Kerberos GSS-API mechanism (RFC 4121) that WinRM needs and gokrb5
// lacks: the AP-REP of mutual authentication (RFC 4120 5.5.2) and wrap tokens with confidentiality (RFC
// 4121 4.2.6.2), split the way Windows' GSS_WrapEx / SSPI EncryptMessage splits them for WinRM message
// encryption (MS-WSMV 2.2.9.1.2, MS-KILE 3.4.5.4): a "signature" (the token header and the rotated
// encrypted trailer) and the sealed data, as long as the plaintext. See docs/knowledge/winrm.md#kerberos.
//
// Only the RFC 3961 simplified-profile enctypes (AES) are handled: RC4-HMAC's tokens are RFC 4757's,
// another format, and Windows no longer uses RC4 by default.
package krb5gss

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Wrap token flags (RFC 4121 4.2.2).
const (
	flagSentByAcceptor = 0x01
	flagSealed         = 0x02
	flagAcceptorSubkey = 0x04
)

// headerLen is the wrap token header: TOK_ID 05 04, Flags, Filler FF, EC (2), RRC (2), SND_SEQ (8).
const headerLen = 16

// Session is the per-message protection of one established context, one direction each way. It
// is safe for concurrent use, but messages must be unwrapped in the order the peer wrapped them.
type Session struct {
	mu  sync.Mutex
	key types.EncryptionKey
	// initiator: this end sent the AP-REQ. acceptorSubkey: the key is the acceptor's subkey.
	initiator, acceptorSubkey bool
	sendSeq, recvSeq          uint64
}

// NewSession is the session of a context whose key is key (the acceptor's subkey when acceptorSubkey,
// else the initiator's subkey or the ticket's session key), with the sequence numbers each side chose
// (the authenticator's for the initiator, the AP-REP's for the acceptor).
func NewSession(key types.EncryptionKey, initiator, acceptorSubkey bool, initiatorSeq, acceptorSeq uint64) (*Session, error) {
	if _, err := crypto.GetEtype(key.KeyType); err != nil {
		return nil, fmt.Errorf("kerberos session: enctype %d: %w", key.KeyType, err)
	}
	if key.KeyType == 23 || key.KeyType == 24 {
		return nil, fmt.Errorf("kerberos session: enctype %d (RC4-HMAC) is not supported; use AES (the KDC's and the account's enctypes)", key.KeyType)
	}
	s := &Session{key: key, initiator: initiator, acceptorSubkey: acceptorSubkey, sendSeq: initiatorSeq, recvSeq: acceptorSeq}
	if !initiator {
		s.sendSeq, s.recvSeq = acceptorSeq, initiatorSeq
	}
	return s, nil
}

func (s *Session) usage(sending bool) uint32 {
	if s.initiator == sending {
		return keyusage.GSSAPI_INITIATOR_SEAL
	}
	return keyusage.GSSAPI_ACCEPTOR_SEAL
}

func (s *Session) flags(sending bool) byte {
	f := byte(flagSealed)
	if s.initiator != sending {
		f |= flagSentByAcceptor
	}
	if s.acceptorSubkey {
		f |= flagAcceptorSubkey
	}
	return f
}

func header(flags byte, ec, rrc uint16, seq uint64) []byte {
	h := make([]byte, headerLen)
	h[0], h[1], h[2], h[3] = 0x05, 0x04, flags, 0xFF
	binary.BigEndian.PutUint16(h[4:], ec)
	binary.BigEndian.PutUint16(h[6:], rrc)
	binary.BigEndian.PutUint64(h[8:], seq)
	return h
}

// Wrap seals msg (confidentiality and integrity) into a wrap token and splits it: signature is the header
// followed by the rotated trailer, sealed the len(msg) bytes of ciphertext. EC is 0 (AES needs no
// padding) and the ciphertext is rotated right by RRC = 28, the header copy and checksum bytes, so that
// the plaintext's ciphertext comes last: the tokens MIT's gss_wrap_iov makes, which pyspnego and
// requests-kerberos exchange with Windows. (MS-KILE 3.4.5.4.1 says Windows' sender sets EC to 16 and
// rotates by RRC+EC; Unwrap reads that layout too.)
func (s *Session) Wrap(msg []byte) (sealed, signature []byte, err error) {
	return s.wrap(msg, 0, -1)
}

// wrap is Wrap with an extra count ec and the RRC field set to rrcField (-1: the rotation, RFC 4121's
// meaning; another value: rotated by rrcField+ec, MS-KILE's DCE-style meaning).
func (s *Session) wrap(msg []byte, ec, rrcField int) (sealed, signature []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	et, err := crypto.GetEtype(s.key.KeyType)
	if err != nil {
		return nil, nil, fmt.Errorf("kerberos wrap: %w", err)
	}
	flags, seq := s.flags(true), s.sendSeq
	// The encrypted copy of the header has RRC 0 (RFC 4121 4.2.4); the filler is zeros.
	plain := make([]byte, 0, len(msg)+ec+headerLen)
	plain = append(append(append(plain, msg...), make([]byte, ec)...), header(flags, uint16(ec), 0, seq)...) //nolint:gosec // 0 or 16
	_, ct, err := et.EncryptMessage(s.key.KeyValue, plain, s.usage(true))
	if err != nil {
		return nil, nil, fmt.Errorf("kerberos wrap: %w", err)
	}
	rot := len(ct) - len(msg) - et.GetConfounderByteSize() // filler, header copy and checksum
	rrc := rot
	if rrcField >= 0 {
		rrc = rrcField
	}
	if rrc < 0 || rrc > 0xFFFF || ec > 0xFFFF {
		return nil, nil, fmt.Errorf("kerberos wrap: ciphertext of %d bytes for %d", len(ct), len(msg))
	}
	rotated := rotateRight(ct, rot)
	n := len(rotated) - len(msg)
	signature = append(header(flags, uint16(ec), uint16(rrc), seq), rotated[:n]...) //nolint:gosec // bounded above
	s.sendSeq++
	return rotated[n:], signature, nil
}

// Unwrap verifies and unseals a wrap token the peer sent, split as Wrap splits it.
func (s *Session) Unwrap(sealed, signature []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(signature) < headerLen {
		return nil, fmt.Errorf("kerberos unwrap: a signature of %d bytes is shorter than the token header", len(signature))
	}
	h := signature[:headerLen]
	if h[0] != 0x05 || h[1] != 0x04 || h[3] != 0xFF {
		return nil, fmt.Errorf("kerberos unwrap: not a wrap token (header % x)", h[:4])
	}
	want := s.flags(false)
	if h[2]&flagSentByAcceptor != want&flagSentByAcceptor {
		return nil, errors.New("kerberos unwrap: the token was sent by this side of the context (reflected)")
	}
	if h[2]&flagSealed == 0 {
		return nil, errors.New("kerberos unwrap: the token is not sealed (integrity only), but message encryption needs confidentiality")
	}
	if h[2]&flagAcceptorSubkey != want&flagAcceptorSubkey {
		return nil, fmt.Errorf("kerberos unwrap: the token's AcceptorSubkey flag is %v, the context's %v", h[2]&flagAcceptorSubkey != 0, s.acceptorSubkey)
	}
	ec, rrc, seq := int(binary.BigEndian.Uint16(h[4:])), int(binary.BigEndian.Uint16(h[6:])), binary.BigEndian.Uint64(h[8:])
	ct := append(append(make([]byte, 0, len(signature)-headerLen+len(sealed)), signature[headerLen:]...), sealed...)
	et, err := crypto.GetEtype(s.key.KeyType)
	if err != nil {
		return nil, fmt.Errorf("kerberos unwrap: %w", err)
	}
	// gokrb5 slices without checking: anything shorter than confounder, header copy and checksum is
	// refused here.
	if least := et.GetConfounderByteSize() + headerLen + et.GetHMACBitLength()/8; len(ct) < least {
		return nil, fmt.Errorf("kerberos unwrap: %d bytes of ciphertext, a wrap token has at least %d", len(ct), least)
	}
	// RFC 4121 rotates by RRC (MIT's non-DCE tokens count EC in it); MS-KILE 3.4.5.4.1 has Windows
	// rotate by RRC+EC. The same when EC is 0; otherwise both are tried (the checksum tells which is right).
	plain, err := crypto.DecryptMessage(rotateRight(ct, len(ct)-(rrc+ec)%len(ct)), s.key, s.usage(false))
	if err != nil && ec != 0 {
		plain, err = crypto.DecryptMessage(rotateRight(ct, len(ct)-rrc%len(ct)), s.key, s.usage(false))
	}
	if err != nil {
		return nil, fmt.Errorf("kerberos unwrap: the message does not decrypt with the context's key (tampered, or another context's): %w", err)
	}
	if len(plain) < ec+headerLen {
		return nil, fmt.Errorf("kerberos unwrap: %d bytes of plaintext with EC %d", len(plain), ec)
	}
	inner := plain[len(plain)-headerLen:]
	// The encrypted header copy must be the header, RRC aside (RFC 4121 4.2.4).
	if !bytes.Equal(inner[:6], h[:6]) || !bytes.Equal(inner[8:], h[8:]) {
		return nil, errors.New("kerberos unwrap: the encrypted header does not match the token header")
	}
	if seq != s.recvSeq {
		return nil, fmt.Errorf("kerberos unwrap: sequence number %d, want %d (a message lost, replayed or reordered)", seq, s.recvSeq)
	}
	s.recvSeq++
	return plain[:len(plain)-ec-headerLen], nil
}

func rotateRight(b []byte, n int) []byte {
	if len(b) == 0 {
		return b
	}
	n %= len(b)
	out := make([]byte, 0, len(b))
	out = append(out, b[len(b)-n:]...)
	return append(out, b[:len(b)-n]...)
}
