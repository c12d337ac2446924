package wsman

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
	mz "github.com/masterzen/winrm"
)

const (
	ntlmUser     = "Administrator"
	ntlmPassword = "Ntlm-P@ss'w0rd"
)

// ntlmHandler is a tiny cmd.exe for these tests: echo, exit codes, stdout and stderr.
func ntlmHandler(_ context.Context, line string, _ io.Reader, stdout, stderr io.Writer) uint32 {
	switch {
	case strings.HasPrefix(line, "echo "):
		fmt.Fprint(stdout, strings.TrimPrefix(line, "echo ")+"\r\n")
		return 0
	case strings.HasPrefix(line, "exit "):
		n, _ := strconv.ParseUint(strings.TrimPrefix(line, "exit "), 10, 32)
		return uint32(n)
	case line == "both":
		fmt.Fprint(stdout, "to stdout\r\n")
		fmt.Fprint(stderr, "to stderr\r\n")
		return 3
	default:
		fmt.Fprintf(stderr, "'%s' is not recognized as an internal or external command\r\n", line)
		return 1
	}
}

// ntlmLab serves a Server the way winsim's Listen does (ConnContext installed) and counts HTTP requests,
// connections and bytes on the wire.
type ntlmLab struct {
	srv           *Server
	host          string
	port          int
	https         bool
	ca            []byte
	httpRequests  atomic.Int64
	conns         atomic.Int64
	bytesUp, down atomic.Int64
}

type countingListener struct {
	net.Listener
	lab *ntlmLab
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.lab.conns.Add(1)
	return &countingConn{Conn: c, lab: l.lab}, nil
}

type countingConn struct {
	net.Conn
	lab *ntlmLab
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.lab.bytesUp.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.lab.down.Add(int64(n))
	return n, err
}

func newNTLMLab(tb testing.TB, cfg Config, https, connContext bool) *ntlmLab {
	tb.Helper()
	cfg.User, cfg.Password, cfg.HTTPS = ntlmUser, ntlmPassword, https
	if cfg.Handler == nil {
		cfg.Handler = ntlmHandler
	}
	l := &ntlmLab{srv: NewServer(cfg), https: https}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.httpRequests.Add(1)
		l.srv.ServeHTTP(w, r)
	}))
	ts.Listener = countingListener{Listener: ts.Listener, lab: l}
	if connContext {
		ts.Config.ConnContext = l.srv.ConnContext
	}
	if https {
		ts.StartTLS()
		l.ca = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	} else {
		ts.Start()
	}
	tb.Cleanup(ts.Close)
	host, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	l.host = host
	l.port, _ = strconv.Atoi(port)
	return l
}

// client is masterzen's client with ClientNTLM (ntlm) or its default Basic transport.
func (l *ntlmLab) client(tb testing.TB, user, password string, ntlm bool) *mz.Client {
	tb.Helper()
	ep := mz.NewEndpoint(l.host, l.port, l.https, false, l.ca, nil, nil, 10*time.Second)
	params := mz.NewParameters("PT5S", "en-US", 153600) // our own: DefaultParameters is shared
	if ntlm {
		params.TransportDecorator = func() mz.Transporter { return &mz.ClientNTLM{} }
	}
	c, err := mz.NewClientWithParameters(ep, user, password, params)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// resetCounts zeroes the wire and server counters before a benchmark's timed loop.
func (l *ntlmLab) resetCounts() {
	l.httpRequests.Store(0)
	l.bytesUp.Store(0)
	l.down.Store(0)
	l.srv.ResetCounts()
}

// reportPerCommand gives the auth benchmarks' figures per command: HTTP and SOAP requests, 401s, and
// wire bytes each way.
func (l *ntlmLab) reportPerCommand(b *testing.B) {
	n := float64(b.N)
	b.ReportMetric(float64(l.httpRequests.Load())/n, "http-requests/cmd")
	b.ReportMetric(float64(l.soapRequests())/n, "soap-requests/cmd")
	b.ReportMetric(float64(l.srv.AuthChallenges())/n, "401s/cmd")
	b.ReportMetric(float64(l.bytesUp.Load())/n, "wire-bytes-up/cmd")
	b.ReportMetric(float64(l.down.Load())/n, "wire-bytes-down/cmd")
}

func (l *ntlmLab) soapRequests() int64 {
	n := 0
	for _, v := range l.srv.Counts() {
		n += v
	}
	return int64(n)
}

func TestNTLMMasterzenOverHTTPS(t *testing.T) {
	l := newNTLMLab(t, Config{ComputerName: "WINSIM-X"}, true, true)
	c := l.client(t, ntlmUser, ntlmPassword, true)
	ctx := context.Background()

	// The first SOAP message costs three HTTP round trips: anonymous (401), NEGOTIATE (401 + CHALLENGE),
	// AUTHENTICATE with the body again (200).
	sh, err := c.CreateShell()
	if err != nil {
		t.Fatal(err)
	}
	if h, s, a := l.httpRequests.Load(), l.soapRequests(), l.srv.AuthChallenges(); h != 3 || s != 1 || a != 2 {
		t.Fatalf("first SOAP message: %d HTTP requests, %d SOAP, %d 401s; want 3, 1, 2", h, s, a)
	}
	// The connection is now authenticated: each later SOAP message is one HTTP request.
	cmd, err := sh.ExecuteWithContext(ctx, "echo over the same connection")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(cmd.Stdout)
	cmd.Wait()
	_ = cmd.Close()
	_ = sh.Close()
	if string(out) != "over the same connection\r\n" || cmd.ExitCode() != 0 {
		t.Errorf("echo: %q %d", out, cmd.ExitCode())
	}
	if h, s, n := l.httpRequests.Load(), l.soapRequests(), l.conns.Load(); n != 1 || h != s+2 {
		t.Errorf("one keep-alive connection: %d connections, %d HTTP requests for %d SOAP messages", n, h, s)
	}

	// Several commands through RunWithContext: stdout, stderr, exit codes.
	for _, tc := range []struct {
		cmd, out, err string
		code          int
	}{
		{"echo hello", "hello\r\n", "", 0},
		{"both", "to stdout\r\n", "to stderr\r\n", 3},
		{"exit 7", "", "", 7},
		{"echo 4th", "4th\r\n", "", 0},
	} {
		var o, e bytes.Buffer
		code, err := c.RunWithContext(ctx, tc.cmd, &o, &e)
		if err != nil || code != tc.code || o.String() != tc.out || e.String() != tc.err {
			t.Errorf("%s: code %d out %q err %q (%v)", tc.cmd, code, o.String(), e.String(), err)
		}
	}
	// One handshake per connection, whatever the number of SOAP messages.
	h, s, n, a := l.httpRequests.Load(), l.soapRequests(), l.conns.Load(), int64(l.srv.AuthChallenges())
	t.Logf("%d SOAP messages, %d HTTP requests, %d connections, %d 401s", s, h, n, a)
	if h != s+2*n || a != 2*n || n > 2 {
		t.Errorf("handshakes: %d SOAP messages took %d HTTP requests on %d connections (%d 401s)", s, h, n, a)
	}
}

func TestNTLMUserForms(t *testing.T) {
	l := newNTLMLab(t, Config{ComputerName: "WINSIM-X"}, true, true)
	for _, u := range []struct {
		user, password string
		ok             bool
	}{
		{`WINSIM-X\Administrator`, ntlmPassword, true},
		{`.\Administrator`, ntlmPassword, true},
		{`administrator`, ntlmPassword, true},
		{`Administrator`, "wrong", false},
		{`.\Guest`, ntlmPassword, false},
	} {
		before := l.srv.AuthChallenges()
		_, _, code, err := l.client(t, u.user, u.password, true).RunWithContextWithString(context.Background(), "echo hi", "")
		if u.ok && (err != nil || code != 0) {
			t.Errorf("%s: %d %v", u.user, code, err)
		}
		if !u.ok {
			// masterzen reports the 401 the handshake ended with; the SOAP request never ran.
			if err == nil || !strings.Contains(err.Error(), "401") {
				t.Errorf("%s with %q: want a 401 error, got %v", u.user, u.password, err)
			}
			if got := l.srv.AuthChallenges() - before; got != 3 {
				t.Errorf("%s: %d 401 answers, want 3 (anonymous, challenge, refused)", u.user, got)
			}
		}
	}
}

func TestNTLMServiceAuthSettings(t *testing.T) {
	for _, tc := range []struct {
		name            string
		cfg             Config
		https           bool
		basicOK, ntlmOK bool
		offers          []string
	}{
		{name: "https, both", https: true, basicOK: true, ntlmOK: true, offers: []string{"Negotiate", `Basic realm="WSMAN"`}},
		{name: "https, Basic disabled", cfg: Config{DisableBasic: true}, https: true, ntlmOK: true, offers: []string{"Negotiate"}},
		{name: "https, Negotiate disabled", cfg: Config{DisableNegotiate: true}, https: true, basicOK: true, offers: []string{`Basic realm="WSMAN"`}},
		{name: "http, AllowUnencrypted", cfg: Config{AllowUnencrypted: true}, basicOK: true, ntlmOK: true, offers: []string{"Negotiate", `Basic realm="WSMAN"`}},
		// Over HTTP without AllowUnencrypted the SOAP would travel unsealed: refused, Basic and NTLM alike.
		{name: "http, no AllowUnencrypted", offers: []string{"Negotiate", `Basic realm="WSMAN"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newNTLMLab(t, tc.cfg, tc.https, true)
			for _, ntlm := range []bool{false, true} {
				want := map[bool]bool{false: tc.basicOK, true: tc.ntlmOK}[ntlm]
				_, _, code, err := l.client(t, ntlmUser, ntlmPassword, ntlm).RunWithContextWithString(context.Background(), "echo hi", "")
				if want && (err != nil || code != 0) {
					t.Errorf("ntlm=%v: %d %v", ntlm, code, err)
				}
				if !want && (err == nil || !strings.Contains(err.Error(), "401")) {
					t.Errorf("ntlm=%v: want a 401, got %v", ntlm, err)
				}
			}
			// An anonymous request on a fresh connection is offered the enabled schemes.
			resp := rawPost(t, l, nil, "", "<s:Envelope/>")
			if got := resp.Header.Values("WWW-Authenticate"); resp.StatusCode != 401 || strings.Join(got, "|") != strings.Join(tc.offers, "|") ||
				resp.ContentLength != 0 {
				t.Errorf("anonymous: %d %q (Content-Length %d)", resp.StatusCode, got, resp.ContentLength)
			}
		})
	}
}

func rawPost(t *testing.T, l *ntlmLab, c *http.Client, auth, body string) *http.Response {
	t.Helper()
	if c == nil {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(l.ca)
		c = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	}
	scheme := "http"
	if l.https {
		scheme = "https"
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, scheme+"://"+net.JoinHostPort(l.host, strconv.Itoa(l.port))+"/wsman", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

// TestNTLMConnectionState drives the legs by hand on one connection: a refused AUTHENTICATE resets the
// connection, so neither an anonymous request nor a replayed AUTHENTICATE gets in afterwards; a new
// handshake does, and then an anonymous request is served; another connection is not authenticated.
func TestNTLMConnectionState(t *testing.T) {
	l := newNTLMLab(t, Config{AllowUnencrypted: true}, false, true)
	one := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	create := soapCreate()
	neg, _ := ntlmssp.NewNegotiateMessage("", "")
	challenge := func() []byte {
		resp := rawPost(t, l, one, "Negotiate "+base64.StdEncoding.EncodeToString(neg), create)
		tok, found := strings.CutPrefix(resp.Header.Get("WWW-Authenticate"), "Negotiate ")
		ch, err := base64.StdEncoding.DecodeString(tok)
		if resp.StatusCode != 401 || !found || err != nil {
			t.Fatalf("NEGOTIATE: %d %q", resp.StatusCode, resp.Header.Values("WWW-Authenticate"))
		}
		return ch
	}
	authenticate := func(ch []byte, password string) string {
		msg, err := ntlmssp.NewAuthenticateMessage(ch, ntlmUser, password, nil)
		if err != nil {
			t.Fatal(err)
		}
		return "Negotiate " + base64.StdEncoding.EncodeToString(msg)
	}
	status := func(auth string) int { return rawPost(t, l, one, auth, create).StatusCode }

	ch := challenge()
	good := authenticate(ch, ntlmPassword)
	if s := status(authenticate(ch, "wrong")); s != 401 {
		t.Fatalf("wrong password: %d", s)
	}
	if s := status(""); s != 401 {
		t.Errorf("anonymous after a refused AUTHENTICATE: %d", s)
	}
	if s := status(good); s != 401 {
		t.Errorf("AUTHENTICATE for a challenge the connection no longer has: %d", s)
	}
	if s := status(authenticate(challenge(), ntlmPassword)); s != 200 {
		t.Fatalf("handshake: %d", s)
	}
	if s := status(""); s != 200 {
		t.Errorf("anonymous on the authenticated connection: %d", s)
	}
	if s := rawPost(t, l, nil, "", create).StatusCode; s != 401 {
		t.Errorf("anonymous on another connection: %d", s)
	}
	// The empty POST of a client about to seal (pywinrm, the Ruby gem) gets 200 once authenticated.
	if s := rawPost(t, l, one, authenticate(challenge(), ntlmPassword), "").StatusCode; s != 200 {
		t.Errorf("empty authenticated POST: %d", s)
	}
	// reject_auth: the authenticated connection is forgotten and new handshakes fail.
	l.srv.RejectCredentials(true)
	if s := status(""); s != 401 {
		t.Errorf("anonymous while credentials are rejected: %d", s)
	}
	if s := status(authenticate(challenge(), ntlmPassword)); s != 401 {
		t.Errorf("handshake while credentials are rejected: %d", s)
	}
	l.srv.RejectCredentials(false)
	if s := status(authenticate(challenge(), ntlmPassword)); s != 200 {
		t.Errorf("handshake after allow_auth: %d", s)
	}
	if n := l.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

func soapCreate() string {
	return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
		`xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:To>http://x/wsman</a:To>` +
		`<w:ResourceURI s:mustUnderstand="true">` + shellURI + `</w:ResourceURI><a:Action s:mustUnderstand="true">` + actionCreate +
		`</a:Action><a:MessageID>uuid:1</a:MessageID></s:Header><s:Body><rsp:Shell xmlns:rsp="` + nsShell +
		`"><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell></s:Body></s:Envelope>`
}

// TestNTLMWithoutConnContext: a Server mounted without ConnContext refuses Negotiate clearly (a 500 that
// names the missing piece) instead of challenging a connection it cannot remember.
func TestNTLMWithoutConnContext(t *testing.T) {
	l := newNTLMLab(t, Config{}, true, false)
	_, _, _, err := l.client(t, ntlmUser, ntlmPassword, true).RunWithContextWithString(context.Background(), "echo hi", "")
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("want a 500, got %v", err)
	}
	// Basic is per request and still works.
	if _, _, code, err := l.client(t, ntlmUser, ntlmPassword, false).RunWithContextWithString(context.Background(), "echo hi", ""); err != nil || code != 0 {
		t.Errorf("Basic: %d %v", code, err)
	}
}

// BenchmarkAuthSchemes: HTTP requests and bytes on the wire per command, Basic against NTLM (masterzen's
// ClientNTLM), over plain HTTP with AllowUnencrypted so that the bytes are the HTTP bytes. "reused": one
// client, one shell, one command per iteration on the kept-alive connection; "fresh": a new client per
// command (a new connection, so a new handshake), with its shell created and deleted.
func BenchmarkAuthSchemes(b *testing.B) {
	for _, mode := range []string{"reused", "fresh"} {
		for _, ntlm := range []bool{false, true} {
			name := map[bool]string{false: "basic", true: "ntlm"}[ntlm]
			b.Run("mode="+mode+"/auth="+name, func(b *testing.B) {
				l := newNTLMLab(b, Config{AllowUnencrypted: true}, false, true)
				ctx := context.Background()
				var run func()
				if mode == "reused" {
					sh, err := l.client(b, ntlmUser, ntlmPassword, ntlm).CreateShell()
					if err != nil {
						b.Fatal(err)
					}
					defer sh.Close()
					run = func() {
						cmd, err := sh.ExecuteWithContext(ctx, "echo benchmark")
						if err != nil {
							b.Fatal(err)
						}
						_, _ = io.Copy(io.Discard, cmd.Stdout)
						cmd.Wait()
						_ = cmd.Close()
					}
				} else {
					run = func() {
						if _, _, _, err := l.client(b, ntlmUser, ntlmPassword, ntlm).RunWithContextWithString(ctx, "echo benchmark", ""); err != nil {
							b.Fatal(err)
						}
					}
				}
				run() // warm up: the reused connection is authenticated before timing
				l.resetCounts()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					run()
				}
				b.StopTimer()
				l.reportPerCommand(b)
			})
		}
	}
}
