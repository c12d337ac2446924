package wsman

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// HTTP authentication as the WinRM service does it (docs/knowledge/winrm.md#http-authentication, #ntlm): Basic per
// request, Negotiate (NTLM) per TCP connection. An NTLM handshake leaves its connection authenticated, so
// an anonymous request on that connection is served as the user (HTTP.sys keep-alive); on a fresh
// connection it gets 401 with one WWW-Authenticate header per enabled scheme. A logon that negotiated
// sealing gives the connection session keys: sealed messages (multipart/encrypted, §3.4) on it are
// unsealed and answered sealed, and they pass AllowUnencrypted=false over HTTP.

// connAuth is one connection's Negotiate state: none, challenged (the exchange so far) or authenticated
// (user). Requests on one HTTP/1.1 connection are sequential; the mutex is for the race detector's
// sake and for ResetAuthentication.
type connAuth struct {
	mu   sync.Mutex
	ex   *ntlmExchange // challenged
	user string        // authenticated, when != ""
	gen  uint64        // the Server's authGen when it authenticated
	// sess is the logon's session security when it negotiated signing or sealing (and extended session
	// security): sealed messages on this connection are unsealed and answered with it.
	sess connSecurity
}

// connSecurity is a logon's session security: NTLM's (ntlmSession) or Kerberos' (krbSession).
type connSecurity interface {
	// unseal verifies and unseals a client's message; seal seals an answer.
	unseal(sealed, signature []byte) ([]byte, error)
	seal(msg []byte) (sealed, signature []byte)
	// protocol is the multipart/encrypted protocol its messages travel with.
	protocol() string
}

type connAuthKey struct{}

// ConnContext gives each connection its Negotiate state; install it as http.Server.ConnContext (winsim's
// Listen does). Without it Negotiate is refused with a 500 that says so.
func (s *Server) ConnContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connAuthKey{}, &connAuth{})
}

// AuthChallenges returns how many 401 answers the server gave (every leg of a handshake that did not
// end it: the anonymous first try, the NTLM challenge, refused credentials).
func (s *Server) AuthChallenges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authChallenges
}

// RejectCredentials makes every credential check fail while on (a changed password, the reject_auth
// fault), and forgets every authenticated connection when switched on.
func (s *Server) RejectCredentials(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on && !s.rejectCreds {
		s.authGen++
	}
	s.rejectCreds = on
}

// RejectingCredentials reports whether RejectCredentials is on (the host's other services, its OpenSSH
// server, refuse the same credentials then).
func (s *Server) RejectingCredentials() bool {
	on, _ := s.rejecting()
	return on
}

func (s *Server) rejecting() (bool, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejectCreds, s.authGen
}

// unauthorized answers 401 without a body, offering the enabled schemes (docs/knowledge/winrm.md#http-authentication). The request
// body is read first so that the connection stays usable for the next leg.
func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, token string) {
	s.unauthorizedScheme(w, r, "Negotiate", token)
}

// unauthorizedScheme is unauthorized with a token of the given scheme (Negotiate or Kerberos).
func (s *Server) unauthorizedScheme(w http.ResponseWriter, r *http.Request, scheme, token string) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, int64(s.cfg.MaxEnvelopeSizeKB)*1024+1))
	s.mu.Lock()
	s.authChallenges++
	s.mu.Unlock()
	if token != "" {
		w.Header().Add("WWW-Authenticate", scheme+" "+token)
	} else {
		s.offerSchemes(w.Header())
	}
	w.WriteHeader(http.StatusUnauthorized)
}

// badRequest answers 400 without a body, reading the request body first.
func (s *Server) badRequest(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, int64(s.cfg.MaxEnvelopeSizeKB)*1024+1))
	w.WriteHeader(http.StatusBadRequest)
}

// session returns the connection's session security, nil when it has none.
func session(r *http.Request) (*connAuth, connSecurity) {
	ca, _ := r.Context().Value(connAuthKey{}).(*connAuth)
	if ca == nil {
		return nil, nil
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()
	return ca, ca.sess
}

// dropSession forgets a connection's logon after a sealed message failed to verify: the RC4 streams are
// out of step, so nothing more on the connection can be unsealed until a new handshake.
func dropSession(ca *connAuth) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.user, ca.sess = "", nil
}

// offerSchemes adds one WWW-Authenticate header per enabled scheme.
func (s *Server) offerSchemes(h http.Header) {
	if !s.cfg.DisableNegotiate {
		h.Add("WWW-Authenticate", "Negotiate")
	}
	if s.cfg.Keytab != nil {
		h.Add("WWW-Authenticate", "Kerberos")
	}
	if !s.cfg.DisableBasic {
		h.Add("WWW-Authenticate", `Basic realm="WSMAN"`)
	}
}

// authenticate checks the request's credentials. It returns the user (lower case: quotas are per user)
// and whether the request was authenticated by Negotiate; when ok is false it has written the answer.
// sealed says the request's Content-Type announces a sealed message (multipart/encrypted).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, sealed bool) (user string, negotiate, ok bool) {
	ca, _ := r.Context().Value(connAuthKey{}).(*connAuth)
	rejecting, gen := s.rejecting()
	// AllowUnencrypted (3.1.4.1.29.1): over HTTP, a request whose SOAP travels in clear is refused. It
	// concerns unencrypted messages only: a sealed one passes, and so does an empty body (the handshake
	// of a client about to seal).
	plainHTTP := !s.cfg.HTTPS && !s.cfg.AllowUnencrypted
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case scheme == "":
		if ca != nil {
			ca.mu.Lock()
			u, g := ca.user, ca.gen
			ca.mu.Unlock()
			if u != "" && g == gen && !rejecting && (!plainHTTP || r.ContentLength == 0 || sealed) {
				return u, true, true
			}
		}
		if sealed {
			// A sealed message on a connection that holds no logon (another connection than the one that
			// authenticated, or one whose logon is gone) cannot be unsealed: Windows answers 400
			// (docs/knowledge/winrm.md#http-authentication, Ansible's observation), not a challenge.
			s.badRequest(w, r)
			return "", false, false
		}
	case scheme == certAuthHeader:
		// Certificate authentication (cert.go): HTTPS only; the header has no token.
		if s.cfg.HTTPS && !rejecting {
			if u := s.certificateUser(r); u != "" {
				return u, false, true
			}
		}
	case strings.EqualFold(scheme, "Basic"):
		if s.cfg.DisableBasic || plainHTTP || rejecting {
			break
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
		if err != nil {
			break
		}
		u, p, found := strings.Cut(string(raw), ":")
		if found && subtle.ConstantTimeCompare([]byte(u), []byte(s.cfg.User)) == 1 &&
			subtle.ConstantTimeCompare([]byte(p), []byte(s.cfg.Password)) == 1 {
			return strings.ToLower(u), false, true // Windows user names are case-insensitive
		}
	case (strings.EqualFold(scheme, "Negotiate") && !s.cfg.DisableNegotiate) || (strings.EqualFold(scheme, "Kerberos") && s.cfg.Keytab != nil):
		if ca == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, int64(s.cfg.MaxEnvelopeSizeKB)*1024+1))
			http.Error(w, "winsim: Negotiate authenticates the connection and needs wsman.Server.ConnContext installed as "+
				"http.Server.ConnContext", http.StatusInternalServerError)
			return "", false, false
		}
		token = strings.TrimSpace(token)
		if s.cfg.Keytab != nil && (strings.EqualFold(scheme, "Kerberos") || isKerberosToken(token)) {
			return s.kerberos(w, r, ca, scheme, token, rejecting, gen, plainHTTP)
		}
		if strings.EqualFold(scheme, "Kerberos") {
			break
		}
		return s.negotiate(w, r, ca, token, rejecting, gen, plainHTTP)
	}
	s.unauthorized(w, r, "")
	return "", false, false
}

// negotiate runs one leg of an NTLM handshake on the connection.
func (s *Server) negotiate(w http.ResponseWriter, r *http.Request, ca *connAuth, token string, rejecting bool, gen uint64,
	plainHTTP bool,
) (string, bool, bool) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	msg, err := base64.StdEncoding.DecodeString(token)
	// A new handshake, good or bad, replaces whatever the connection had.
	ex := ca.ex
	ca.ex, ca.user, ca.sess = nil, "", nil
	if err != nil || len(msg) < 12 {
		s.unauthorized(w, r, "")
		return "", false, false
	}
	switch {
	case checkHeader(msg, 1) == nil:
		n, err := parseNegotiate(msg)
		if err != nil || checkNegotiate(n) != nil {
			s.unauthorized(w, r, "")
			return "", false, false
		}
		var sc [8]byte
		_, _ = rand.Read(sc[:])
		ch := buildChallenge(challengeFlags(n.Flags), sc, s.target(), time.Now())
		ca.ex = &ntlmExchange{negotiate: msg, challenge: ch, serverChallenge: sc}
		s.unauthorized(w, r, base64.StdEncoding.EncodeToString(ch))
		return "", false, false
	case checkHeader(msg, 3) == nil && ex != nil:
		a, err := parseAuthenticate(msg)
		if err == nil && !rejecting {
			var keys *ntlmKeys
			if keys, err = verifyAuthenticate(ex, a, s.cfg.User, s.cfg.Password); err == nil {
				if plainHTTP && r.ContentLength != 0 {
					break // authenticated, but the SOAP would travel unsealed over HTTP
				}
				ca.user, ca.gen = strings.ToLower(s.cfg.User), gen
				if a.Flags&(flagSign|flagSeal) != 0 {
					// nil without ESS: sealed messages get 400
					if ns, err := newNTLMSession(keys.ExportedSessionKey, a.Flags); err == nil {
						ca.sess = ns
					}
				}
				return ca.user, true, true
			}
		}
	}
	s.unauthorized(w, r, "")
	return "", false, false
}

// target is what the CHALLENGE_MESSAGE says about this host (a workgroup computer).
func (s *Server) target() ntlmTarget {
	name := strings.ToUpper(s.cfg.ComputerName)
	nb := name
	if len(nb) > 15 { // NetBIOS names are at most 15 characters
		nb = nb[:15]
	}
	return ntlmTarget{NbComputerName: nb, DNSComputerName: name, Build: s.cfg.Build}
}
