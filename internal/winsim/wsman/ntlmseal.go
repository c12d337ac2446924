package wsman

// NTLM session security (MS-NLMP 3.4) as the server holds it, for WinRM message encryption: the SOAP of
// each request and response is sealed with the keys of the connection's NTLMv2 logon (docs/knowledge/winrm.md#message-encryption).
//
// Only NTLMv2 with extended session security is modelled (3.4.4.2, 3.4.5.2, 3.4.5.3), which is what
// every NTLMv2 client negotiates; a logon without NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY (the
// CRC32 signatures of 3.4.4.1) gets no session, and its sealed messages are refused.

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
)

// The magic constants of SIGNKEY and SEALKEY (3.4.5.2, 3.4.5.3), each with its terminating NUL.
const (
	clientSigningMagic = "session key to client-to-server signing key magic constant\x00"
	serverSigningMagic = "session key to server-to-client signing key magic constant\x00"
	clientSealingMagic = "session key to client-to-server sealing key magic constant\x00"
	serverSealingMagic = "session key to server-to-client sealing key magic constant\x00"
)

// ntlmSignatureSize is the size of an NTLMSSP_MESSAGE_SIGNATURE (2.2.2.9.1): Version, Checksum, SeqNum.
const ntlmSignatureSize = 16

var (
	errNTLMSignature = errors.New("ntlm: the message signature does not match")
	errNTLMSeqNum    = errors.New("ntlm: the message signature carries an unexpected sequence number")
	errNTLMNoESS     = errors.New("ntlm: session security without extended session security is not modelled")
)

// signKey is SIGNKEY (3.4.5.2) with extended session security.
func signKey(exported []byte, magic string) []byte {
	h := md5.New()
	h.Write(exported)
	h.Write([]byte(magic))
	return h.Sum(nil)
}

// sealKey is SEALKEY (3.4.5.3) with extended session security: the exported key cut to 16, 7 or 5 bytes
// by NEGOTIATE_128 / NEGOTIATE_56, then MD5 with the magic constant.
func sealKey(exported []byte, flags uint32, magic string) []byte {
	k := exported
	switch {
	case flags&flag128 != 0:
	case flags&flag56 != 0:
		k = exported[:7]
	default:
		k = exported[:5]
	}
	h := md5.New()
	h.Write(k)
	h.Write([]byte(magic))
	return h.Sum(nil)
}

// ntlmSealer is one direction of a connection-oriented NTLM session: its signing key, the RC4 handle that
// runs continuously over every message of that direction (3.4.3: the handle is not reset between
// messages), and the sequence number.
type ntlmSealer struct {
	signKey []byte
	handle  *rc4.Cipher
	seqNum  uint32
	keyExch bool
}

func newNTLMSealer(exported []byte, flags uint32, signMagic, sealMagic string) (*ntlmSealer, error) {
	c, err := rc4.NewCipher(sealKey(exported, flags, sealMagic))
	if err != nil {
		return nil, fmt.Errorf("ntlm: %w", err)
	}
	return &ntlmSealer{signKey: signKey(exported, signMagic), handle: c, keyExch: flags&flagKeyExch != 0}, nil
}

// checksum is the signature's Checksum (3.4.4.2): the first 8 bytes of HMAC_MD5(SigningKey, SeqNum ‖
// Message), RC4-encrypted with the direction's handle when KEY_EXCH was negotiated.
func (d *ntlmSealer) checksum(seq uint32, msg []byte) []byte {
	var sn [4]byte
	binary.LittleEndian.PutUint32(sn[:], seq)
	sum := hmacMD5(d.signKey, sn[:], msg)[:8]
	if d.keyExch {
		d.handle.XORKeyStream(sum, sum)
	}
	return sum
}

// seal is SEAL (3.4.3): the message RC4-encrypted, then its signature (computed over the plaintext, its
// checksum encrypted with the same handle after the message): version 1, checksum, sequence number.
func (d *ntlmSealer) seal(msg []byte) (sealed, signature []byte) {
	sealed = make([]byte, len(msg))
	d.handle.XORKeyStream(sealed, msg)
	signature = make([]byte, ntlmSignatureSize)
	binary.LittleEndian.PutUint32(signature, 1)
	copy(signature[4:12], d.checksum(d.seqNum, msg))
	binary.LittleEndian.PutUint32(signature[12:], d.seqNum)
	d.seqNum++
	return sealed, signature
}

// unseal decrypts a sealed message and verifies its signature: version 1, the expected sequence number,
// the checksum. The handle advances whatever the outcome (a receiver that failed to verify a message
// cannot go on: the connection's session is done).
func (d *ntlmSealer) unseal(sealed, signature []byte) ([]byte, error) {
	if len(signature) != ntlmSignatureSize || binary.LittleEndian.Uint32(signature) != 1 {
		return nil, errNTLMSignature
	}
	msg := make([]byte, len(sealed))
	d.handle.XORKeyStream(msg, sealed)
	want := d.checksum(d.seqNum, msg)
	seq := binary.LittleEndian.Uint32(signature[12:])
	if seq != d.seqNum {
		return nil, fmt.Errorf("%w: %d, want %d", errNTLMSeqNum, seq, d.seqNum)
	}
	if !hmac.Equal(want, signature[4:12]) {
		return nil, errNTLMSignature
	}
	d.seqNum++
	return msg, nil
}

// ntlmSession is the server's side of a connection's session security: it unseals what the client sent
// (client-to-server keys) and seals what it answers (server-to-client keys).
type ntlmSession struct {
	in, out *ntlmSealer
}

func (n *ntlmSession) unseal(sealed, signature []byte) ([]byte, error) {
	return n.in.unseal(sealed, signature)
}
func (n *ntlmSession) seal(msg []byte) (sealed, signature []byte) { return n.out.seal(msg) }
func (n *ntlmSession) protocol() string                           { return encryptedProtocol }

// newNTLMSession derives the session from a verified logon (ExportedSessionKey and the
// AUTHENTICATE_MESSAGE's flags). It needs extended session security.
func newNTLMSession(exported []byte, flags uint32) (*ntlmSession, error) {
	if flags&flagExtendedSessionSec == 0 {
		return nil, errNTLMNoESS
	}
	in, err := newNTLMSealer(exported, flags, clientSigningMagic, clientSealingMagic)
	if err != nil {
		return nil, err
	}
	out, err := newNTLMSealer(exported, flags, serverSigningMagic, serverSealingMagic)
	if err != nil {
		return nil, err
	}
	return &ntlmSession{in: in, out: out}, nil
}
