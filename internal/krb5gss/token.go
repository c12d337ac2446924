package krb5gss

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/asnAppTag"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Token IDs of the Kerberos mechanism's context tokens (RFC 4121 4.1).
var (
	TokAPReq    = [2]byte{0x01, 0x00}
	TokAPRep    = [2]byte{0x02, 0x00}
	TokKRBError = [2]byte{0x03, 0x00}
)

// krb5OID is the Kerberos V5 mechanism, 1.2.840.113554.1.2.2, DER-encoded with its tag.
var krb5OID = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02}

// Frame wraps a Kerberos message as a GSS-API context token of the Kerberos mechanism (RFC 2743 3.1,
// RFC 4121 4.1): [APPLICATION 0] { mech OID, token ID, message }.
func Frame(tokID [2]byte, msg []byte) []byte {
	inner := append(append(append([]byte{}, krb5OID...), tokID[:]...), msg...)
	return append(append([]byte{0x60}, derLength(len(inner))...), inner...)
}

// Unframe reads a Kerberos mechanism context token and returns its token ID and message.
func Unframe(tok []byte) (tokID [2]byte, msg []byte, err error) {
	if len(tok) < 2 || tok[0] != 0x60 {
		return tokID, nil, errors.New("not a GSS-API context token (no [APPLICATION 0] tag)")
	}
	n, l, err := readDERLength(tok[1:])
	if err != nil {
		return tokID, nil, err
	}
	body := tok[1+l:]
	if n != len(body) {
		return tokID, nil, fmt.Errorf("GSS-API token: length %d, %d bytes follow", n, len(body))
	}
	rest, ok := bytes.CutPrefix(body, krb5OID)
	if !ok || len(rest) < 2 {
		return tokID, nil, errors.New("GSS-API token: not of the Kerberos V5 mechanism (1.2.840.113554.1.2.2)")
	}
	copy(tokID[:], rest[:2])
	return tokID, rest[2:], nil
}

func derLength(n int) []byte {
	switch {
	case n < 0x80:
		return []byte{byte(n)}
	case n < 0x100:
		return []byte{0x81, byte(n)}
	case n < 0x10000:
		return []byte{0x82, byte(n >> 8), byte(n)}
	default:
		return []byte{0x83, byte(n >> 16), byte(n >> 8), byte(n)}
	}
}

func readDERLength(b []byte) (n, used int, err error) {
	if len(b) == 0 {
		return 0, 0, errors.New("GSS-API token: truncated length")
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, nil
	}
	k := int(b[0] & 0x7f)
	if k == 0 || k > 3 || len(b) < 1+k {
		return 0, 0, errors.New("GSS-API token: bad length")
	}
	for _, c := range b[1 : 1+k] {
		n = n<<8 | int(c)
	}
	return n, 1 + k, nil
}

// encAPRepPart is EncAPRepPart for marshalling (gokrb5 only unmarshals it).
type encAPRepPart struct {
	CTime          time.Time           `asn1:"generalized,explicit,tag:0"`
	Cusec          int                 `asn1:"explicit,tag:1"`
	Subkey         types.EncryptionKey `asn1:"optional,explicit,tag:2"`
	SequenceNumber int64               `asn1:"optional,explicit,tag:3"`
}

// BuildAPRep is the acceptor's AP-REP (RFC 4120 5.5.2): the authenticator's time echoed, the
// acceptor's subkey and first sequence number, encrypted in the ticket's session key.
func BuildAPRep(sessionKey types.EncryptionKey, ctime time.Time, cusec int, subkey types.EncryptionKey, seq int64) ([]byte, error) {
	enc, err := asn1.Marshal(encAPRepPart{CTime: ctime.UTC().Truncate(time.Second), Cusec: cusec, Subkey: subkey, SequenceNumber: seq})
	if err != nil {
		return nil, fmt.Errorf("AP-REP: %w", err)
	}
	enc = asn1tools.AddASNAppTag(enc, asnAppTag.EncAPRepPart)
	ed, err := crypto.GetEncryptedData(enc, sessionKey, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		return nil, fmt.Errorf("AP-REP: %w", err)
	}
	b, err := asn1.Marshal(messages.APRep{PVNO: 5, MsgType: msgtype.KRB_AP_REP, EncPart: ed})
	if err != nil {
		return nil, fmt.Errorf("AP-REP: %w", err)
	}
	return asn1tools.AddASNAppTag(b, asnAppTag.APREP), nil
}

// OpenAPRep decrypts an AP-REP with the ticket's session key and checks that it answers the
// authenticator sent (its time, RFC 4120 3.2.5).
func OpenAPRep(b []byte, sessionKey types.EncryptionKey, ctime time.Time, cusec int) (*messages.EncAPRepPart, error) {
	var rep messages.APRep
	if err := rep.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("AP-REP: %w", err)
	}
	plain, err := crypto.DecryptEncPart(rep.EncPart, sessionKey, keyusage.AP_REP_ENCPART)
	if err != nil {
		return nil, fmt.Errorf("AP-REP: it does not decrypt with the ticket's session key (not from the service the ticket is for): %w", err)
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(plain); err != nil {
		return nil, fmt.Errorf("AP-REP: %w", err)
	}
	if !part.CTime.Equal(ctime.UTC().Truncate(time.Second)) || part.Cusec != cusec {
		return nil, fmt.Errorf("AP-REP: it echoes the time %s.%06d, the authenticator said %s.%06d (a replayed answer)",
			part.CTime.Format(time.RFC3339), part.Cusec, ctime.UTC().Format(time.RFC3339), cusec)
	}
	return &part, nil
}
