package wsman

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"
)

// Handler runs one command line the way the simulated host would (cmd.exe /c semantics, PowerShell,
// the library scripts), reading stdin and streaming stdout and stderr. It returns the exit code.
type Handler func(ctx context.Context, commandLine string, stdin io.Reader, stdout, stderr io.Writer) uint32

// Config configures a server.
type Config struct {
	User, Password string
	// AllowUnencrypted permits Basic, and Negotiate without sealing, over plain HTTP, as the Windows
	// setting of that name.
	AllowUnencrypted bool
	// HTTPS tells the server it is behind TLS (Basic and Negotiate are then always allowed).
	HTTPS bool
	// DisableBasic and DisableNegotiate switch the schemes off, as winrm/config/service/auth's Basic and
	// Negotiate do. Windows ships with Negotiate on and Basic off; winsim's zero value enables both.
	// Negotiate is NTLM (an NTLMv2 acceptor for the one local account) and needs ConnContext installed.
	DisableBasic, DisableNegotiate bool
	// Keytab, when set, enables Kerberos (docs/knowledge/winrm.md#kerberos): AP-REQs for a service
	// principal it holds a key for, in Negotiate or the Kerberos scheme, authenticate the connection as User
	// when the client principal's name is User (any realm the keytab's principals trust).
	Keytab *keytab.Keytab
	// Certificate is winrm/config/service/auth's Certificate (off on Windows by default): over HTTPS,
	// requests carrying CertAuthHeader are authenticated by their connection's client certificate,
	// which must chain to TrustedRoots (the host's LocalMachine\Root) and match one of CertMappings
	// (docs/knowledge/winrm.md#certificate-authentication). The TLS listener must ask for client
	// certificates (tls.RequestClientCert: the server verifies them, not the handshake).
	Certificate  bool
	CertMappings []CertMapping
	TrustedRoots *x509.CertPool
	// ComputerName is the host's name in NTLM's CHALLENGE_MESSAGE (default WINSIM); Build the OS build in
	// its VERSION (default 20348).
	ComputerName string
	Build        int
	// MaxEnvelopeSizeKB is the server's limit (MaxEnvelopeSizekb, default 500).
	MaxEnvelopeSizeKB int
	// MaxTimeout clamps OperationTimeout (MaxTimeoutms, default 60s).
	MaxTimeout time.Duration
	Machine    string
	Handler    Handler
	// Up, when set, is consulted on every request: while it returns false the host is restarting and
	// connections are reset without an answer.
	Up func() bool
	// DropWhileDown makes a request that arrives while the host is down get no answer at all, as from a
	// machine that is off (its packets are dropped; docs/knowledge/winrm.md#restart-model "drops SYNs"), until the client gives
	// up or the host is back, when the stale connection is reset. Without it the request is reset at once,
	// as by a host whose network stack still answers. Requests in flight when the host goes down are
	// reset either way.
	DropWhileDown bool
	// Quotas are the per-user limits and the shell idle timeout (zero fields: ModernQuotas).
	Quotas Quotas
}

// Server is the WS-Man endpoint at /wsman.
type Server struct {
	cfg      Config
	mu       sync.Mutex
	shells   map[string]*shell
	counts   map[string]int
	bytesIn  int64
	bytesOut int64
	// injected faults, by action verb, served once each
	injected map[string][]*Fault
	// quotaFaults counts the quota faults returned, by quota name; idleDeleted the shells IdleTimeout removed.
	quotaFaults map[string]int
	idleDeleted int
	// authChallenges counts the 401 answers; rejectCreds fails every credential check, and authGen,
	// bumped when it is switched on, invalidates every authenticated connection.
	authChallenges int
	rejectCreds    bool
	authGen        uint64
	// sealedRequests counts the SOAP requests that came sealed (multipart/encrypted).
	sealedRequests int
}

// SealedRequests returns how many SOAP requests came sealed (NTLM or Kerberos session security).
func (s *Server) SealedRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sealedRequests
}

// QuotaFaults returns how many quota faults were returned, by quota name (QuotaShells, QuotaUsers,
// QuotaOperations).
func (s *Server) QuotaFaults() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.quotaFaults)
}

// IdleTimedOut returns how many shells were deleted for being idle past IdleTimeout.
func (s *Server) IdleTimedOut() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(time.Now())
	return s.idleDeleted
}

// Quotas returns the limits in force.
func (s *Server) Quotas() Quotas { return s.cfg.Quotas }

// expireLocked deletes the shells idle past IdleTimeout (MS-WSMV 3.1.5.3): no request in flight and none
// for IdleTimeout. Windows runs a timer; winsim checks whenever it is asked, which no client can tell
// apart. s.mu is held.
func (s *Server) expireLocked(now time.Time) {
	for id, sh := range s.shells {
		if sh.busy == 0 && now.Sub(sh.lastUsed) > s.cfg.Quotas.IdleTimeout {
			delete(s.shells, id)
			s.idleDeleted++
			sh.kill()
		}
	}
}

// quotaFaultLocked counts and returns a quota fault; s.mu is held.
func (s *Server) quotaFaultLocked(name string, f *Fault) *Fault {
	if s.quotaFaults == nil {
		s.quotaFaults = map[string]int{}
	}
	s.quotaFaults[name]++
	return f
}

// InjectFault makes the next request with the given verb (Create, Command, Send, Receive, Signal,
// Delete) fail with f.
func (s *Server) InjectFault(verb string, f *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.injected == nil {
		s.injected = map[string][]*Fault{}
	}
	s.injected[verb] = append(s.injected[verb], f)
}

func (s *Server) takeInjected(verb string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.injected[verb]
	if len(q) == 0 {
		return nil
	}
	s.injected[verb] = q[1:]
	return q[0]
}

// Bytes returns the SOAP bytes received and sent so far.
func (s *Server) Bytes() (in, out int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytesIn, s.bytesOut
}

// ResetCounts zeroes the request and byte counters.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.bytesIn, s.bytesOut = 0, 0
	s.authChallenges, s.sealedRequests = 0, 0
}

// NewServer returns a server; it does not listen (mount it on an http.Server or httptest).
func NewServer(cfg Config) *Server {
	if cfg.MaxEnvelopeSizeKB == 0 {
		cfg.MaxEnvelopeSizeKB = 500
	}
	if cfg.MaxTimeout == 0 {
		cfg.MaxTimeout = 60 * time.Second
	}
	if cfg.Machine == "" {
		cfg.Machine = "127.0.0.1"
	}
	if cfg.ComputerName == "" {
		cfg.ComputerName = "WINSIM"
	}
	if cfg.Build == 0 {
		cfg.Build = 20348
	}
	cfg.Quotas = cfg.Quotas.withDefaults()
	return &Server{cfg: cfg, shells: map[string]*shell{}, counts: map[string]int{}}
}

// Counts returns the number of requests per action verb (Create, Command, Send, Receive, Signal, Delete).
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// OpenShells returns how many shells are open (created and not deleted).
func (s *Server) OpenShells() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(time.Now())
	return len(s.shells)
}

// CloseAll drops every shell and kills their commands (a reboot does this).
func (s *Server) CloseAll() {
	s.mu.Lock()
	shells := s.shells
	s.shells = map[string]*shell{}
	s.mu.Unlock()
	for _, sh := range shells {
		sh.kill()
	}
}

type shell struct {
	id       string
	mu       sync.Mutex
	commands map[string]*command
	// Guarded by Server.mu: the user who created it, the Commands it has run (each counts against
	// MaxConcurrentOperationsPerUser until the shell goes), requests in flight and the last request's end.
	owner    string
	ops      int
	busy     int
	lastUsed time.Time
}

func (sh *shell) kill() {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, c := range sh.commands {
		c.abandon()
	}
}

func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/wsman" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if s.cfg.Up != nil && !s.cfg.Up() {
		if s.cfg.DropWhileDown {
			s.waitUp(r.Context())
		}
		resetConnection(w)
		return
	}
	boundary, sealed := isEncrypted(r.Header.Get("Content-Type"))
	user, negotiated, ok := s.authenticate(w, r, sealed)
	if !ok {
		return
	}
	if negotiated && r.ContentLength == 0 {
		// The empty POST that carries the handshake of a client about to seal its messages gets 200
		// (docs/knowledge/winrm.md#message-encryption).
		w.WriteHeader(http.StatusOK)
		return
	}
	limit := int64(s.cfg.MaxEnvelopeSizeKB) * 1024
	out := replier{w: w}
	var body []byte
	if sealed {
		var status int
		if body, out.sess, status = s.unsealRequest(r, boundary, limit); status != 0 {
			w.WriteHeader(status)
			return
		}
	} else {
		if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/soap+xml") {
			w.WriteHeader(http.StatusUnsupportedMediaType)
			return
		}
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if int64(len(body)) > limit {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
	}
	req, err := parseRequest(body)
	if err != nil {
		s.fault(out, "uuid:00000000-0000-0000-0000-000000000000", faultInvalid(err.Error()))
		return
	}
	verb := req.Header.Action[strings.LastIndexAny(req.Header.Action, "/")+1:]
	s.mu.Lock()
	s.counts[verb]++
	s.bytesIn += int64(len(body))
	if sealed {
		s.sealedRequests++
	}
	s.mu.Unlock()

	if f := s.takeInjected(verb); f != nil {
		s.fault(out, req.Header.MessageID, f)
		return
	}
	resp, action, ferr := s.dispatch(r.Context(), user, req)
	if s.cfg.Up != nil && !s.cfg.Up() {
		// The host went down while this request was in flight: the connection is reset, never answered.
		resetConnection(w)
		return
	}
	if ferr != nil {
		s.fault(out, req.Header.MessageID, ferr)
		return
	}
	env := envelope(action, "uuid:"+newGUID(), req.Header.MessageID, resp)
	s.mu.Lock()
	s.bytesOut += int64(len(env))
	s.mu.Unlock()
	out.send(http.StatusOK, env)
}

// unsealRequest reads a sealed request (MS-WSMV 2.2.9.1.1) and unseals it with the connection's session.
// It returns the SOAP and the session to seal the answer with, or the HTTP status to refuse it with: 400
// when the connection has no session or the message is malformed, its length wrong or its signature
// bad (the session is then gone); 413 when the SOAP is over MaxEnvelopeSize; 415 when it is not SOAP.
func (s *Server) unsealRequest(r *http.Request, boundary string, limit int64) ([]byte, connSecurity, int) {
	ca, sess := session(r)
	// The framing adds a few hundred bytes to the SOAP it carries.
	raw, err := io.ReadAll(io.LimitReader(r.Body, limit+4096+1))
	if err != nil {
		return nil, nil, http.StatusBadRequest
	}
	if sess == nil {
		return nil, nil, http.StatusBadRequest
	}
	if int64(len(raw)) > limit+4096 {
		return nil, nil, http.StatusRequestEntityTooLarge
	}
	m, err := parseEncrypted(raw, boundary)
	if err != nil {
		return nil, nil, http.StatusBadRequest
	}
	if int64(m.Length) > limit {
		return nil, nil, http.StatusRequestEntityTooLarge
	}
	if !strings.HasPrefix(strings.ToLower(m.OriginalType), "application/soap+xml") {
		return nil, nil, http.StatusUnsupportedMediaType
	}
	if m.Protocol != sess.protocol() {
		// Sealed with another protocol than the connection's logon (Kerberos-session-encrypted after a
		// Negotiate logon, or the reverse): it cannot be unsealed.
		return nil, nil, http.StatusBadRequest
	}
	body, err := sess.unseal(m.Sealed, m.Signature)
	if err != nil {
		dropSession(ca)
		return nil, nil, http.StatusBadRequest
	}
	return body, sess, 0
}

// replier writes an answer, sealed with the connection's session when the request was sealed.
type replier struct {
	w    http.ResponseWriter
	sess connSecurity
}

func (o replier) send(status int, body []byte) {
	if o.sess != nil {
		sealed, sig := o.sess.seal(body)
		o.w.Header().Set("Content-Type", contentTypeFor(o.sess.protocol()))
		o.w.WriteHeader(status)
		_, _ = o.w.Write(buildEncryptedAs(o.sess.protocol(), sealed, sig))
		return
	}
	o.w.Header().Set("Content-Type", contentTypeXML)
	o.w.WriteHeader(status)
	_, _ = o.w.Write(body)
}

// waitUp holds a request that reached a host that is down until the client gives up or the host is back.
func (s *Server) waitUp(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for !s.cfg.Up() {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// resetConnection drops the TCP connection without a response, as a host going down does.
func resetConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
				_ = tc.SetLinger(0) // RST rather than FIN
			}
			_ = conn.Close()
			return
		}
	}
	w.WriteHeader(http.StatusServiceUnavailable)
}

func (s *Server) fault(out replier, relatesTo string, f *Fault) {
	out.send(http.StatusInternalServerError, envelope(actionFault, "uuid:"+newGUID(), relatesTo, f.body(s.cfg.Machine)))
}

func (s *Server) dispatch(ctx context.Context, user string, req *request) (body, action string, f *Fault) {
	if req.Header.ResourceURI != shellURI {
		return "", "", faultInvalid("unsupported resource URI " + req.Header.ResourceURI)
	}
	s.mu.Lock()
	s.expireLocked(time.Now())
	s.mu.Unlock()
	if req.Header.Action == actionCreate {
		return s.create(user)
	}
	id := req.selector("ShellId")
	s.mu.Lock()
	sh := s.shells[id]
	if sh != nil {
		sh.busy++
	}
	s.mu.Unlock()
	if sh == nil {
		return "", "", faultNoShell(id)
	}
	defer func() {
		s.mu.Lock()
		sh.busy--
		sh.lastUsed = time.Now()
		s.mu.Unlock()
	}()
	switch req.Header.Action {
	case actionDelete:
		s.mu.Lock()
		delete(s.shells, id)
		s.mu.Unlock()
		sh.kill()
		return "", nsXfer + "/DeleteResponse", nil
	case actionCommand:
		return s.command(sh, req)
	case actionSend:
		return s.send(sh, req)
	case actionReceive:
		return s.receive(ctx, sh, req)
	case actionSignal:
		return s.signal(sh, req)
	default:
		return "", "", faultInvalid("unsupported action " + req.Header.Action)
	}
}

func (s *Server) create(user string) (string, string, *Fault) {
	id := newGUID()
	q := s.cfg.Quotas
	s.mu.Lock()
	mine, users := 0, map[string]bool{}
	for _, sh := range s.shells {
		users[sh.owner] = true
		if sh.owner == user {
			mine++
		}
	}
	switch {
	case !users[user] && len(users) >= q.MaxConcurrentUsers:
		f := s.quotaFaultLocked(quotaUsers, faultMaxUsers())
		s.mu.Unlock()
		return "", "", f
	case mine >= q.MaxShellsPerUser:
		f := s.quotaFaultLocked(quotaShells, faultMaxShells(q.MaxShellsPerUser))
		s.mu.Unlock()
		return "", "", f
	}
	s.shells[id] = &shell{id: id, commands: map[string]*command{}, owner: user, lastUsed: time.Now()}
	s.mu.Unlock()
	// The ShellId in both places: masterzen ≤2024 reads the Selector, 2025 reads rsp:ShellId (docs/knowledge/winrm.md#what-clients-rely-on).
	body := `<x:ResourceCreated><a:Address>http://` + s.cfg.Machine + `/wsman</a:Address><a:ReferenceParameters>` +
		`<w:ResourceURI>` + shellURI + `</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">` + id + `</w:Selector></w:SelectorSet>` +
		`</a:ReferenceParameters></x:ResourceCreated>` +
		`<rsp:Shell><rsp:ShellId>` + id + `</rsp:ShellId><rsp:ResourceUri>` + shellURI + `</rsp:ResourceUri>` +
		`<rsp:Owner>` + esc(s.cfg.User) + `</rsp:Owner><rsp:ClientIP>127.0.0.1</rsp:ClientIP><rsp:IdleTimeOut>` + idleTimeOut(q.IdleTimeout) + `</rsp:IdleTimeOut>` +
		`<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams>` +
		`<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime><rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>`
	return body, nsXfer + "/CreateResponse", nil
}

// maxCommandLine is cmd.exe's limit: WinRS runs the line through cmd.exe /c (docs/knowledge/winrm.md#the-command-line-limit).
const maxCommandLine = 8191

func (s *Server) command(sh *shell, req *request) (string, string, *Fault) {
	cl := req.Body.CommandLine
	if cl == nil {
		return "", "", faultInvalid("the Command request has no rsp:CommandLine")
	}
	line := strings.TrimSpace(cl.Command)
	for _, a := range cl.Arguments {
		line += " " + a
	}
	// Every Command counts against the user until its shell is deleted (docs/knowledge/winrm.md#commands-and-the-operations-quota, <118>).
	s.mu.Lock()
	ops := 0
	for _, o := range s.shells {
		if o.owner == sh.owner {
			ops += o.ops
		}
	}
	if limit := s.cfg.Quotas.MaxConcurrentOperationsPerUser; ops >= limit {
		f := s.quotaFaultLocked(quotaOperations, faultMaxOperations(limit))
		s.mu.Unlock()
		return "", "", f
	}
	sh.ops++
	s.mu.Unlock()
	id := cl.CommandID
	if id == "" {
		id = newGUID()
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := newCommand(id, cancel)
	sh.mu.Lock()
	sh.commands[id] = c
	sh.mu.Unlock()
	go func() {
		defer cancel()
		if len("cmd.exe /c "+line) > maxCommandLine {
			_, _ = c.stderrW().Write([]byte("The command line is too long.\r\n"))
			c.finish(1)
			return
		}
		code := s.cfg.Handler(ctx, line, c.stdinR, c.stdoutW(), c.stderrW())
		c.finish(code)
	}()
	return `<rsp:CommandResponse><rsp:CommandId>` + id + `</rsp:CommandId></rsp:CommandResponse>`, nsShell + "/CommandResponse", nil
}

func (s *Server) lookup(sh *shell, id string) *command {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.commands[id]
}

func (s *Server) send(sh *shell, req *request) (string, string, *Fault) {
	if req.Body.Send == nil {
		return "", "", faultInvalid("the Send request has no rsp:Send")
	}
	for _, st := range req.Body.Send.Streams {
		c := s.lookup(sh, st.CommandID)
		if c == nil {
			return "", "", faultNoCommand()
		}
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(st.Data))
		if err != nil {
			return "", "", faultInvalid("stdin is not base64")
		}
		if err := c.writeStdin(data, strings.EqualFold(st.End, "true")); err != nil {
			return "", "", faultPipeEnded()
		}
	}
	return `<rsp:SendResponse/>`, nsShell + "/SendResponse", nil
}

func (s *Server) receive(ctx context.Context, sh *shell, req *request) (string, string, *Fault) {
	if req.Body.Receive == nil {
		return "", "", faultInvalid("the Receive request has no rsp:Receive")
	}
	id := req.Body.Receive.Desired.CommandID
	c := s.lookup(sh, id)
	if c == nil {
		return "", "", faultNoCommand()
	}
	timeout := parseDuration(req.Header.OperationTimeout, s.cfg.MaxTimeout)
	if timeout > s.cfg.MaxTimeout {
		timeout = s.cfg.MaxTimeout
	}
	// Output per response must fit the client's MaxEnvelopeSize (docs/knowledge/winrm.md#receive-and-output-size): leave room for the
	// envelope and base64's 4/3.
	maxEnv, _ := strconv.Atoi(strings.TrimSpace(req.Header.MaxEnvelopeSize))
	if maxEnv <= 0 || maxEnv > s.cfg.MaxEnvelopeSizeKB*1024 {
		maxEnv = s.cfg.MaxEnvelopeSizeKB * 1024
	}
	budget := (maxEnv - 4096) * 3 / 4
	if budget < 1024 {
		budget = 1024
	}
	out, errOut, done, code, ok := c.take(ctx, timeout, budget)
	if !ok && c.abandoned() {
		// The shell went while this Receive waited. After a restart the connection is reset before this
		// answer (ServeHTTP); after a Delete the Receive gets what the next one would: the shell is unknown.
		return "", "", faultNoShell(sh.id)
	}
	if !ok {
		return "", "", faultTimedOut()
	}
	var b strings.Builder
	b.WriteString(`<rsp:ReceiveResponse>`)
	for _, chunk := range out {
		b.WriteString(`<rsp:Stream Name="stdout" CommandId="` + id + `">` + base64.StdEncoding.EncodeToString(chunk) + `</rsp:Stream>`)
	}
	for _, chunk := range errOut {
		b.WriteString(`<rsp:Stream Name="stderr" CommandId="` + id + `">` + base64.StdEncoding.EncodeToString(chunk) + `</rsp:Stream>`)
	}
	if done {
		b.WriteString(`<rsp:Stream Name="stdout" CommandId="` + id + `" End="true"></rsp:Stream>`)
		b.WriteString(`<rsp:Stream Name="stderr" CommandId="` + id + `" End="true"></rsp:Stream>`)
		b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + stateDone + `"><rsp:ExitCode>` + strconv.FormatUint(uint64(code), 10) + `</rsp:ExitCode></rsp:CommandState>`)
		sh.mu.Lock()
		delete(sh.commands, id) // a later Receive gets InvalidSelectors, as on Windows
		sh.mu.Unlock()
	} else {
		b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + stateRunning + `"></rsp:CommandState>`)
	}
	b.WriteString(`</rsp:ReceiveResponse>`)
	return b.String(), nsShell + "/ReceiveResponse", nil
}

func (s *Server) signal(sh *shell, req *request) (string, string, *Fault) {
	if req.Body.Signal == nil {
		return "", "", faultInvalid("the Signal request has no rsp:Signal")
	}
	id := req.Body.Signal.CommandID
	sh.mu.Lock()
	c := sh.commands[id]
	if strings.EqualFold(req.Body.Signal.Code, signalTerm) {
		delete(sh.commands, id)
	}
	sh.mu.Unlock()
	if c != nil {
		c.cancel()
	}
	return `<rsp:SignalResponse/>`, nsShell + "/SignalResponse", nil
}
