package wsman

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"strings"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/wincontainers/wincontainers/internal/krb5gss"
)

// Kerberos as HTTP.sys serves it for WinRM (docs/knowledge/winrm.md#kerberos): the client sends an AP-REQ
// for the host's service principal (HTTP/<host>) in "Authorization: Negotiate <token>" (raw Kerberos
// GSS token, or SPNEGO's NegTokenInit carrying one, RFC 4559 and RFC 4178) or "Authorization: Kerberos
// <token>". The server decrypts the ticket with its keytab, checks the authenticator (clock skew,
// replay) and answers in one leg with its AP-REP (mutual authentication) in WWW-Authenticate. The logon
// holds for the TCP connection, like NTLM's, and gives the connection the context's session security:
// RFC 4121 wrap tokens keyed with the acceptor's subkey, which seal messages over plain HTTP
// (MS-WSMV 2.2.9.1.2). A refused AP-REQ gets 401 with a KRB-ERROR token naming the cause (skew, a
// ticket for another service), as the Kerberos SSP returns one to the client.

// krbSession is a Kerberos logon's session security.
type krbSession struct {
	s     *krb5gss.Session
	proto string
}

func (k *krbSession) unseal(sealed, signature []byte) ([]byte, error) {
	b, err := k.s.Unwrap(sealed, signature)
	if err != nil {
		return nil, err //nolint:wrapcheck // krb5gss errors say what failed
	}
	return b, nil
}

func (k *krbSession) seal(msg []byte) (sealed, signature []byte) {
	sealed, signature, err := k.s.Wrap(msg)
	if err != nil {
		// Wrap fails only on an unsupported enctype, which NewSession refused already.
		panic("winsim: kerberos wrap: " + err.Error())
	}
	return sealed, signature
}

func (k *krbSession) protocol() string { return k.proto }

// kerberosToken reads the GSS token of an Authorization header: a raw Kerberos one, or the mechanism
// token of a SPNEGO NegTokenInit whose first mechanism is Kerberos. spnegoMech is then the OID to
// answer with (the standard one or Microsoft's legacy one, whichever the client listed first).
func kerberosToken(tok []byte) (apreq []byte, spnegoMech asn1.ObjectIdentifier, err error) {
	if id, msg, err := krb5gss.Unframe(tok); err == nil {
		if id != krb5gss.TokAPReq {
			return nil, nil, errors.New("kerberos: the token is not an AP-REQ")
		}
		return msg, nil, nil
	}
	var st spnego.SPNEGOToken
	if err := st.Unmarshal(tok); err != nil || !st.Init || len(st.NegTokenInit.MechTypes) == 0 {
		return nil, nil, errors.New("kerberos: neither a Kerberos nor a SPNEGO NegTokenInit token")
	}
	mech := st.NegTokenInit.MechTypes[0]
	if !mech.Equal(gssapi.OIDKRB5.OID()) && !mech.Equal(gssapi.OIDMSLegacyKRB5.OID()) {
		return nil, nil, errors.New("kerberos: SPNEGO's preferred mechanism is not Kerberos")
	}
	id, msg, err := krb5gss.Unframe(st.NegTokenInit.MechTokenBytes)
	if err != nil || id != krb5gss.TokAPReq {
		return nil, nil, errors.New("kerberos: SPNEGO's mechanism token is not a Kerberos AP-REQ")
	}
	return msg, mech, nil
}

// isKerberosToken tells a Kerberos (or SPNEGO) token from an NTLM one: GSS tokens start with
// [APPLICATION 0], NTLM messages with "NTLMSSP".
func isKerberosToken(b64 string) bool {
	b, err := base64.StdEncoding.DecodeString(b64)
	return err == nil && len(b) > 0 && b[0] == 0x60
}

// kerberos runs the one leg of a Kerberos logon on the connection. scheme is the Authorization scheme
// (Negotiate or Kerberos).
func (s *Server) kerberos(w http.ResponseWriter, r *http.Request, ca *connAuth, scheme, token string, rejecting bool, gen uint64,
	plainHTTP bool,
) (string, bool, bool) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.ex, ca.user, ca.sess = nil, "", nil
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		s.unauthorized(w, r, "")
		return "", false, false
	}
	reqBytes, mech, err := kerberosToken(raw)
	if err != nil {
		s.unauthorized(w, r, "")
		return "", false, false
	}
	var apreq messages.APReq
	if err := apreq.Unmarshal(reqBytes); err != nil {
		s.unauthorized(w, r, "")
		return "", false, false
	}
	settings := service.NewSettings(s.cfg.Keytab, service.DecodePAC(false))
	ok, creds, err := service.VerifyAPREQ(&apreq, settings)
	if err != nil || !ok {
		s.krbError(w, r, scheme, &apreq, err)
		return "", false, false
	}
	// The principal must be the host's user (winsim's one account; on Windows, a user the WinRM
	// service's SDDL admits). Another one is authenticated, then refused: 401 without a token.
	if rejecting || !strings.EqualFold(creds.UserName(), s.cfg.User) {
		s.unauthorized(w, r, "")
		return "", false, false
	}
	if plainHTTP && r.ContentLength != 0 {
		s.unauthorized(w, r, "") // authenticated, but the SOAP would travel unsealed over HTTP
		return "", false, false
	}
	sessKey := apreq.Ticket.DecryptedEncPart.Key
	et, err := crypto.GetEtype(sessKey.KeyType)
	if err != nil {
		s.krbError(w, r, scheme, &apreq, messages.NewKRBError(apreq.Ticket.SName, apreq.Ticket.Realm, errorcode.KDC_ERR_ETYPE_NOSUPP, err.Error()))
		return "", false, false
	}
	// The acceptor's subkey and first sequence number, as the Windows Kerberos SSP chooses them.
	sub := make([]byte, et.GetKeyByteSize())
	_, _ = rand.Read(sub)
	subkey := types.EncryptionKey{KeyType: sessKey.KeyType, KeyValue: sub}
	seqN, _ := rand.Int(rand.Reader, big.NewInt(1<<31))
	seq := seqN.Int64()
	rep, err := krb5gss.BuildAPRep(sessKey, apreq.Authenticator.CTime, apreq.Authenticator.Cusec, subkey, seq)
	if err != nil {
		s.unauthorized(w, r, "")
		return "", false, false
	}
	sess, err := krb5gss.NewSession(subkey, false, true, uint64(apreq.Authenticator.SeqNumber), uint64(seq)) //nolint:gosec // sequence numbers are non-negative
	if err != nil {
		s.krbError(w, r, scheme, &apreq, messages.NewKRBError(apreq.Ticket.SName, apreq.Ticket.Realm, errorcode.KDC_ERR_ETYPE_NOSUPP, err.Error()))
		return "", false, false
	}
	answer := krb5gss.Frame(krb5gss.TokAPRep, rep)
	if mech != nil {
		if answer, err = (&spnego.NegTokenResp{NegState: asn1.Enumerated(spnego.NegStateAcceptCompleted), SupportedMech: mech, ResponseToken: answer}).Marshal(); err != nil {
			s.unauthorized(w, r, "")
			return "", false, false
		}
	}
	proto := encryptedProtocol
	if strings.EqualFold(scheme, "Kerberos") {
		proto = kerberosProtocol
	}
	ca.user, ca.gen, ca.sess = strings.ToLower(s.cfg.User), gen, &krbSession{s: sess, proto: proto}
	w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(answer))
	return ca.user, true, true
}

// krbError answers a refused AP-REQ: 401 with a KRB-ERROR token (the cause's error code) in the
// scheme's WWW-Authenticate.
func (s *Server) krbError(w http.ResponseWriter, r *http.Request, scheme string, apreq *messages.APReq, err error) {
	var ke messages.KRBError
	if !errors.As(err, &ke) {
		// A ticket the keytab has no key for (issued for another service principal) or that does not
		// decrypt: KRB_AP_ERR_MODIFIED, as Windows reports it.
		ke = messages.NewKRBError(apreq.Ticket.SName, apreq.Ticket.Realm, errorcode.KRB_AP_ERR_MODIFIED, "the ticket does not decrypt with the service's key")
	}
	b, merr := ke.Marshal()
	if merr != nil {
		s.unauthorized(w, r, "")
		return
	}
	s.unauthorizedScheme(w, r, scheme, base64.StdEncoding.EncodeToString(krb5gss.Frame(krb5gss.TokKRBError, b)))
}
