package winrm

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/wincontainers/wincontainers/internal/krb5gss"
	"github.com/wincontainers/wincontainers/internal/winrm/sealing"
)

// Kerberos (docs/knowledge/winrm.md#kerberos): the client gets a service ticket for the host's SPN
// (HTTP/<host> unless set) from the KDC, with a password (AS exchange) or a ticket cache (kinit), and
// authenticates a connection in one empty POST: "Authorization: Kerberos <AP-REQ>", mutual
// authentication required. The host answers 200 with its AP-REP, which this client checks (it proves the
// host holds the SPN's key) and which gives the context its key: the host's subkey. Over HTTPS, SOAP then
// travels on that connection as it is; over HTTP it is sealed with RFC 4121 wrap tokens
// (MS-WSMV 2.2.9.1.2: protocol application/HTTP-Kerberos-session-encrypted).
//
// The Kerberos scheme, not Negotiate: with a raw Kerberos token in Negotiate the sealed messages would be
// SPNEGO-session-encrypted, which Windows also serves, but the Kerberos scheme says what the context is.

// krbGSSFlags are the GSS flags of the authenticator checksum (RFC 4121 4.1.1.1): mutual, replay and
// sequence detection, confidentiality and integrity.
const krbGSSFlags = gssapi.ContextFlagMutual | gssapi.ContextFlagReplay | gssapi.ContextFlagSequence | gssapi.ContextFlagConf | gssapi.ContextFlagInteg

// krbLogon holds what a Kerberos logon needs, and the gokrb5 client (its TGT and service tickets are
// reused by every connection).
type krbLogon struct {
	user, realm, password string
	config, ccache, spn   string
	// now is the clock of the authenticator (tests skew it).
	now func() time.Time

	mu sync.Mutex
	cl *client.Client
}

func newKrbLogon(o Options) *krbLogon {
	spn := o.KrbSPN
	if spn == "" {
		spn = "HTTP/" + o.Host
	}
	user, realm := o.User, o.KrbRealm
	if u, r, ok := strings.Cut(user, "@"); ok {
		user = u
		if realm == "" {
			realm = r
		}
	}
	now := o.now
	if now == nil {
		now = time.Now
	}
	return &krbLogon{user: user, realm: realm, password: o.Password, config: o.KrbConfig, ccache: o.KrbCCache, spn: spn, now: now}
}

// krbConfigPath is the krb5.conf a Kerberos connection reads: the one given, else KRB5_CONFIG, else
// /etc/krb5.conf (as MIT's libraries look for it).
func krbConfigPath(given string) string {
	if given != "" {
		return given
	}
	if p := os.Getenv("KRB5_CONFIG"); p != "" {
		return strings.Split(p, ":")[0]
	}
	return "/etc/krb5.conf"
}

// krbCCachePath is the ticket cache a Kerberos connection without a password reads: the one given, else
// KRB5CCNAME, else /tmp/krb5cc_<uid> (MIT's default). Only FILE caches can be read.
func krbCCachePath(given string) (string, error) {
	p := given
	if p == "" {
		p = os.Getenv("KRB5CCNAME")
	}
	if p == "" {
		return fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid()), nil
	}
	if kind, rest, ok := strings.Cut(p, ":"); ok && len(kind) > 1 {
		if !strings.EqualFold(kind, "FILE") {
			return "", fmt.Errorf("kerberos: the ticket cache %q is of type %s; only FILE caches can be read: run kinit -c FILE:/path and set krb_ccache (or KRB5CCNAME) to it", p, kind)
		}
		p = rest
	}
	return p, nil
}

// client returns the gokrb5 client, logging on the first time.
func (k *krbLogon) client() (*client.Client, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cl != nil {
		return k.cl, nil
	}
	path := krbConfigPath(k.config)
	cfg, err := config.Load(path)
	if err != nil {
		return nil, fmt.Errorf("kerberos: reading the Kerberos configuration %s: %w; set krb_config to a krb5.conf that names the realm's KDC", path, err)
	}
	var cl *client.Client
	if k.password != "" {
		realm := k.realm
		if realm == "" {
			realm = cfg.LibDefaults.DefaultRealm
		}
		if realm == "" {
			return nil, fmt.Errorf("kerberos: no realm for user %q: give it as user@REALM, set krb_realm, or set default_realm in %s", k.user, path)
		}
		cl = client.NewWithPassword(k.user, realm, k.password, cfg, client.DisablePAFXFAST(true))
		if err := cl.Login(); err != nil {
			return nil, krbAdvice(fmt.Errorf("kerberos: logging on as %s@%s: %w", k.user, realm, err), k.spn, realm, path)
		}
	} else {
		cc, err := krbCCachePath(k.ccache)
		if err != nil {
			return nil, err
		}
		c, err := credentials.LoadCCache(cc)
		if err != nil {
			return nil, fmt.Errorf("kerberos: no password and no ticket cache at %s (%w): run kinit, or set password or krb_ccache", cc, err)
		}
		if cl, err = client.NewFromCCache(c, cfg, client.DisablePAFXFAST(true)); err != nil {
			return nil, fmt.Errorf("kerberos: the ticket cache %s holds no usable ticket-granting ticket (%w): run kinit", cc, err)
		}
	}
	k.cl = cl
	return cl, nil
}

// run authenticates the connection and returns its session security.
func (k *krbLogon) run(t *transport, ctx context.Context, c *sealedConn) (sealing.Security, error) {
	cl, err := k.client()
	if err != nil {
		return nil, err
	}
	tkt, key, err := cl.GetServiceTicket(k.spn)
	if err != nil {
		return nil, krbAdvice(fmt.Errorf("kerberos: getting a ticket for %s: %w", k.spn, err), k.spn, cl.Credentials.Domain(), krbConfigPath(k.config))
	}
	et, err := crypto.GetEtype(key.KeyType)
	if err != nil {
		return nil, fmt.Errorf("kerberos: the ticket for %s: %w", k.spn, err)
	}
	auth, err := types.NewAuthenticator(cl.Credentials.Domain(), cl.Credentials.CName())
	if err != nil {
		return nil, fmt.Errorf("kerberos: %w", err)
	}
	now := k.now().UTC()
	auth.CTime, auth.Cusec = now.Truncate(time.Second), now.Nanosecond()/1000
	auth.Cksum = types.Checksum{CksumType: chksumtype.GSSAPI, Checksum: gssChecksum(krbGSSFlags)}
	if err := auth.GenerateSeqNumberAndSubKey(key.KeyType, et.GetKeyByteSize()); err != nil {
		return nil, fmt.Errorf("kerberos: %w", err)
	}
	apreq, err := messages.NewAPReq(tkt, key, auth)
	if err != nil {
		return nil, fmt.Errorf("kerberos: %w", err)
	}
	types.SetFlag(&apreq.APOptions, flags.APOptionMutualRequired)
	b, err := apreq.Marshal()
	if err != nil {
		return nil, fmt.Errorf("kerberos: %w", err)
	}
	resp, err := c.do(ctx, t.url, "Kerberos "+base64.StdEncoding.EncodeToString(krb5gss.Frame(krb5gss.TokAPReq, b)), "", nil)
	if err != nil {
		return nil, fmt.Errorf("unknown error %w", err)
	}
	tok := responseToken(resp.Header.Values("WWW-Authenticate"))
	if resp.StatusCode != http.StatusOK {
		if ke, ok := krbErrorToken(tok); ok {
			return nil, krbAdvice(fmt.Errorf("http response error: %d - the host refused the Kerberos ticket for %s: %w", resp.StatusCode, k.spn, ke),
				k.spn, cl.Credentials.Domain(), krbConfigPath(k.config))
		}
		return nil, fmt.Errorf("http response error: %d - the host refused the Kerberos logon of %s@%s with a ticket for %s (is the user allowed to use "+
			"WinRM, and is Kerberos enabled in the WinRM service?)", resp.StatusCode, cl.Credentials.CName().PrincipalNameString(), cl.Credentials.Domain(), k.spn)
	}
	if tok == nil {
		return nil, fmt.Errorf("http response error: %d - the host accepted the Kerberos logon without proving itself (no AP-REP for mutual "+
			"authentication): refusing to trust it", resp.StatusCode)
	}
	id, msg, err := krb5gss.Unframe(tok)
	if err != nil {
		return nil, fmt.Errorf("kerberos: the host's answer is not a Kerberos token: %w", err)
	}
	if id != krb5gss.TokAPRep {
		return nil, fmt.Errorf("kerberos: the host answered with a token of type %x, not an AP-REP", id)
	}
	part, err := krb5gss.OpenAPRep(msg, key, auth.CTime, auth.Cusec)
	if err != nil {
		return nil, fmt.Errorf("kerberos: mutual authentication with %s failed: %w", k.spn, err)
	}
	sk, acceptorSubkey := auth.SubKey, false
	if len(part.Subkey.KeyValue) > 0 {
		sk, acceptorSubkey = part.Subkey, true
	}
	sess, err := krb5gss.NewSession(sk, true, acceptorSubkey, uint64(auth.SeqNumber), uint64(part.SequenceNumber)) //nolint:gosec // non-negative
	if err != nil {
		return nil, fmt.Errorf("kerberos: %w", err)
	}
	return sess, nil
}

// gssChecksum is the authenticator checksum of the Kerberos GSS mechanism (RFC 4121 4.1.1): a 16-byte
// channel binding hash (zero: none) and the flags.
func gssChecksum(f int) []byte {
	b := make([]byte, 24)
	b[0] = 16
	b[20], b[21] = byte(f), byte(f>>8)
	return b
}

// responseToken is the token of a Negotiate or Kerberos WWW-Authenticate header, unwrapped from a
// SPNEGO NegTokenResp when it is one.
func responseToken(headers []string) []byte {
	for _, h := range headers {
		scheme, v, ok := strings.Cut(h, " ")
		if !ok || (!strings.EqualFold(scheme, "Kerberos") && !strings.EqualFold(scheme, "Negotiate")) {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil || len(b) == 0 {
			continue
		}
		if b[0] == 0xa1 {
			var st spnego.SPNEGOToken
			if st.Unmarshal(b) == nil && st.Resp {
				return st.NegTokenResp.ResponseToken
			}
			continue
		}
		return b
	}
	return nil
}

// krbErrorToken reads a KRB-ERROR token.
func krbErrorToken(tok []byte) (messages.KRBError, bool) {
	var ke messages.KRBError
	id, msg, err := krb5gss.Unframe(tok)
	if err != nil || id != krb5gss.TokKRBError || ke.Unmarshal(msg) != nil {
		return ke, false
	}
	return ke, true
}

// krbAdvice adds what to do to a Kerberos failure, by its cause (the KDC's or the host's error code,
// or gokrb5's configuration errors).
func krbAdvice(err error, spn, realm, confPath string) error {
	s := err.Error()
	var advice string
	switch {
	case strings.Contains(s, "KRB_AP_ERR_SKEW"):
		advice = "the clocks of this machine and the host (or the KDC) differ by more than the allowed skew (5 minutes by default): " +
			"synchronise them (NTP; Windows domain members follow their domain controller)"
	case strings.Contains(s, "KDC_ERR_C_PRINCIPAL_UNKNOWN"):
		advice = "the KDC does not know this user in realm " + realm + ": check the user name, and the realm (user@REALM or krb_realm, in upper case)"
	case strings.Contains(s, "KDC_ERR_S_PRINCIPAL_UNKNOWN"):
		advice = "no account holds the service principal " + spn + ": connect with the host name its SPN is registered for (setspn -L <computer> " +
			"lists them; an IP address has none), or set krb_spn"
	case strings.Contains(s, "KDC_ERR_PREAUTH_FAILED"), strings.Contains(s, "KRB_AP_ERR_BAD_INTEGRITY"),
		strings.Contains(s, "client password/keytab incorrect"):
		advice = "the password is wrong for this user"
	case strings.Contains(s, "KDC_ERR_CLIENT_REVOKED"):
		advice = "the account is disabled, locked out or expired"
	case strings.Contains(s, "KRB_AP_ERR_MODIFIED"), strings.Contains(s, "KRB_AP_ERR_NOKEY"):
		advice = "the host cannot decrypt a ticket for " + spn + ": the SPN belongs to another account than the host's, or the host's keys changed " +
			"(a duplicate SPN, a rejoined computer); check krb_spn and setspn -Q " + spn
	case strings.Contains(s, "KDC_ERR_WRONG_REALM"), strings.Contains(s, "no KDCs defined in configuration for realm"),
		strings.Contains(s, "no KDC SRV records found for realm"):
		advice = "the realm " + realm + " is not one " + confPath + " knows: realms are upper case (the AD domain name), krb_realm or user@REALM must name " +
			"one of its [realms], and [domain_realm] must map the host's domain to it"
	case strings.Contains(s, "KDC_ERR_ETYPE_NOSUPP"):
		advice = "the KDC and the account share no encryption type: enable AES for the account (msDS-SupportedEncryptionTypes)"
	case strings.Contains(s, "error sending to") || strings.Contains(s, "communicate with KDC"):
		advice = "no KDC of realm " + realm + " answered: check the kdc entries of " + confPath + " and that port 88 is reachable"
	default:
		return err
	}
	return fmt.Errorf("%w; %s", err, advice)
}

// CheckKerberos checks, without contacting the KDC or the host, what a Kerberos connection needs on
// this machine: a krb5.conf that parses, a realm it knows (or finds by DNS), an SPN of the form
// service/host, and, without a password, a ticket cache holding a ticket-granting ticket that has not
// expired. The provider runs it at plan time.
func CheckKerberos(o Options) error {
	k := newKrbLogon(o)
	if svc, host, ok := strings.Cut(k.spn, "/"); !ok || svc == "" || host == "" || strings.Contains(host, "@") {
		return fmt.Errorf("kerberos: krb_spn %q is not a service principal name of the form HTTP/<host name> (the realm comes from krb_realm or the user)", k.spn)
	}
	path := krbConfigPath(k.config)
	cfg, err := config.Load(path)
	if err != nil {
		return fmt.Errorf("kerberos: reading the Kerberos configuration %s: %w; set krb_config to a krb5.conf that names the realm's KDC", path, err)
	}
	realm := k.realm
	if k.password == "" {
		cc, err := krbCCachePath(k.ccache)
		if err != nil {
			return err
		}
		c, err := credentials.LoadCCache(cc)
		if err != nil {
			return fmt.Errorf("kerberos: no password is set and the ticket cache %s cannot be read (%w): run kinit, or set password or krb_ccache", cc, err)
		}
		tgt, ok := c.GetEntry(types.PrincipalName{NameType: 2, NameString: []string{"krbtgt", c.DefaultPrincipal.Realm}})
		if !ok {
			return fmt.Errorf("kerberos: the ticket cache %s holds no ticket-granting ticket for %s: run kinit", cc, c.DefaultPrincipal.Realm)
		}
		if time.Now().After(tgt.EndTime) {
			return fmt.Errorf("kerberos: the ticket-granting ticket in %s expired at %s: run kinit", cc, tgt.EndTime.Format(time.RFC3339))
		}
		realm = c.DefaultPrincipal.Realm
	} else if k.user == "" {
		return errors.New("kerberos: a password is set but no user name: set username (user or user@REALM)")
	}
	if realm == "" {
		realm = cfg.LibDefaults.DefaultRealm
	}
	if realm == "" {
		return fmt.Errorf("kerberos: no realm for user %q: give it as user@REALM, set krb_realm, or set default_realm in %s", k.user, path)
	}
	for _, r := range cfg.Realms {
		if r.Realm == realm && len(r.KDC) > 0 {
			return nil
		}
	}
	if cfg.LibDefaults.DNSLookupKDC {
		return nil // the KDCs are found by DNS SRV records when connecting
	}
	return fmt.Errorf("kerberos: the realm %s has no KDC in %s and dns_lookup_kdc is off: realms are upper case (the AD domain name); "+
		"add the realm to [realms] with its kdc, turn dns_lookup_kdc on, or fix krb_realm / the user's @REALM", realm, path)
}
