package winrm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mz "github.com/masterzen/winrm"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/testkdc"
	"github.com/wincontainers/wincontainers/internal/winrm/ntlm"
	"github.com/wincontainers/wincontainers/internal/winrm/sealing"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// wire counts the bytes a client's connections carry and can tamper with the host's sealed answers.
type wire struct {
	up, down atomic.Int64
	dials    atomic.Int64
	// badRequests counts the host's 400 answers (a sealed message it could not unseal).
	badRequests atomic.Int64
	// tamper, when set, flips one sealed byte in the next sealed answer read.
	tamper atomic.Bool
	// to, when set, is the address every host name resolves to (a test's DNS).
	to string

	mu    sync.Mutex
	conns []net.Conn
}

// cut closes every connection dialled so far, as a network that drops them would.
func (w *wire) cut() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.conns {
		_ = c.Close()
	}
	w.conns = nil
}

func (w *wire) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if _, port, err := net.SplitHostPort(addr); err == nil && w.to != "" {
		addr = net.JoinHostPort(w.to, port)
	}
	c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	w.dials.Add(1)
	w.mu.Lock()
	w.conns = append(w.conns, c)
	w.mu.Unlock()
	return &wireConn{Conn: c, w: w}, nil
}

type wireConn struct {
	net.Conn
	w *wire
}

func (c *wireConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.w.down.Add(int64(n))
	c.w.badRequests.Add(int64(bytes.Count(p[:n], []byte("HTTP/1.1 400 "))))
	// The second part's header, then the 4-byte length and the 16-byte signature: the byte after them
	// is the first sealed byte of the answer.
	marker := []byte("application/octet-stream\r\n")
	if i := bytes.Index(p[:n], marker); i >= 0 && i+len(marker)+20 < n && c.w.tamper.CompareAndSwap(true, false) {
		p[i+len(marker)+20] ^= 0x01
	}
	return n, err
}

func (c *wireConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.w.up.Add(int64(n))
	return n, err
}

// sealedHost is a full winsim host as Windows ships: WinRM over plain HTTP with AllowUnencrypted=false,
// Negotiate only. Scripts run through the PowerShell 5.1 engine.
func sealedHost(t testing.TB) *winsimtest.Server {
	t.Helper()
	return winsimtest.Start(t, winsim.Options{Profile: "ws2022", User: user, Password: password, StateDir: t.TempDir(),
		Auth: "ntlm", RequireEncryption: true, ComputerName: "WIN-SEAL01"})
}

func sealedClient(t testing.TB, h *winsimtest.Server, w *wire, mutate func(*Options)) (*Client, *runner.ScriptRunner) {
	t.Helper()
	o := Options{Host: h.Addr, Port: h.Port, HTTP: true, User: user, Password: password, Auth: AuthNTLM, OperationTimeout: 2 * time.Second}
	if w != nil {
		o.dial = w.dial
	}
	if mutate != nil {
		mutate(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
}

// TestSealedNTLMAgainstWinsim: with no allow_unencrypted, auth = ntlm over HTTP seals every message and
// runs the probe and facts scripts and a 1 MB upload on a host that refuses unencrypted messages; every
// SOAP request the host served came sealed. Basic over HTTP is refused before connecting.
func TestSealedNTLMAgainstWinsim(t *testing.T) {
	ctx := context.Background()
	h := sealedHost(t)
	_, r := sealedClient(t, h, nil, nil)
	p, err := runner.Probe(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if p.ComputerName != "WIN-SEAL01" || p.BootID != h.Sim.Host.BootID() {
		t.Errorf("probe %+v", p)
	}
	out, err := r.Run(ctx, "facts", nil, nil)
	var facts map[string]any
	if err != nil || json.Unmarshal(out.Result, &facts) != nil || len(facts) == 0 {
		t.Fatalf("facts: %v %s", err, out.Result)
	}
	data := pseudoRandom(1<<20 + 7)
	sum := sha256.Sum256(data)
	dest := `C:\ProgramData\wincontainers\cache\sealed.bin`
	if err := r.Upload(ctx, bytes.NewReader(data), int64(len(data)), hex.EncodeToString(sum[:]), dest, nil); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if f, ok := h.Sim.Host.File(dest); !ok || f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("uploaded file %+v %v", f, ok)
	}
	soapRequests := total(h.Sim.Server.Counts())
	if sealed := h.Sim.Server.SealedRequests(); sealed == 0 || sealed != soapRequests {
		t.Errorf("%d of %d SOAP requests came sealed", sealed, soapRequests)
	}
	t.Logf("probe + facts + 1 MB upload: %d sealed SOAP requests, %d 401s", soapRequests, h.Sim.Server.AuthChallenges())

	if _, err := New(Options{Host: h.Addr, Port: h.Port, HTTP: true, User: user, Password: password, Auth: AuthBasic}); err == nil ||
		!strings.Contains(err.Error(), "auth = ntlm") {
		t.Errorf("Basic over HTTP without allow_unencrypted: %v", err)
	}
	// Basic over HTTP with allow_unencrypted reaches the host, which refuses it (AllowUnencrypted=false).
	_, rb := sealedClient(t, h, nil, func(o *Options) { o.Auth, o.AllowUnencrypted = AuthBasic, true })
	if _, err := runner.Probe(ctx, rb); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("Basic in clear on an AllowUnencrypted=false host: %v", err)
	}
	_, rw := sealedClient(t, h, nil, func(o *Options) { o.Password = "not-the-password" })
	if _, err := runner.Probe(ctx, rw); err == nil || !strings.Contains(err.Error(), "rejected the credentials") || runner.IsRetryable(err) {
		t.Errorf("wrong password: %v", err)
	}
}

// TestSealedReconnectAndLostLogon: the session belongs to its connection. When the connections are
// cut, the next script runs on new connections with new handshakes (a sealed message never goes out on a
// connection that did not authenticate: every SOAP request is served); across a restart of the host
// (RebootAndWait: the host resets connections while down) the same; when the host forgets the
// logons (reject_auth) the sealed message it cannot unseal gets 400, the client handshakes again, is
// refused with 401 and says so; once the host accepts again, the next script handshakes and runs.
func TestSealedReconnectAndLostLogon(t *testing.T) {
	ctx := context.Background()
	h := sealedHost(t)
	w := &wire{}
	_, r := sealedClient(t, h, w, nil)
	if _, err := runner.Probe(ctx, r); err != nil {
		t.Fatal(err)
	}
	dials, challenges := w.dials.Load(), h.Sim.Server.AuthChallenges()
	w.cut()
	if _, err := runner.Probe(ctx, r); err != nil {
		t.Fatalf("after the connections were cut: %v", err)
	}
	if w.dials.Load() == dials || h.Sim.Server.AuthChallenges() == challenges {
		t.Errorf("no new connection or handshake after the connections were cut: %d dials, %d 401s", w.dials.Load(), h.Sim.Server.AuthChallenges())
	}
	if n := w.badRequests.Load(); n != 0 {
		t.Errorf("%d sealed messages went out on a connection that had not authenticated (400)", n)
	}
	// The host forgets the shell: its sealed fault (500, InvalidSelectors) is unsealed into a FaultError,
	// on which the client replaces the shell once.
	h.Sim.Server.CloseAll()
	if _, err := runner.Probe(ctx, r); err != nil {
		t.Fatalf("after the host dropped the shell: %v", err)
	}
	before := h.Sim.Host.BootID()
	if err := runner.RebootAndWait(ctx, r, runner.RebootOptions{Timeout: 60 * time.Second, PollInterval: 200 * time.Millisecond,
		ProbeTimeout: 5 * time.Second, DelaySeconds: 1}); err != nil {
		t.Fatalf("restart over sealed HTTP: %v", err)
	}
	if h.Sim.Host.BootID() == before {
		t.Error("the host did not restart")
	}

	if err := h.Sim.Inject(winsim.Fault{Kind: "reject_auth"}); err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Probe(ctx, r); err == nil || !strings.Contains(err.Error(), "rejected the credentials") {
		t.Errorf("reject_auth: %v", err)
	}
	if err := h.Sim.Inject(winsim.Fault{Kind: "allow_auth"}); err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Probe(ctx, r); err != nil {
		t.Errorf("after allow_auth: %v", err)
	}
	if s, n := h.Sim.Server.SealedRequests(), total(h.Sim.Server.Counts()); s != n {
		t.Errorf("%d of %d SOAP requests came sealed", s, n)
	}
}

// TestSealedAnswerTampered: an answer altered on the way fails its signature; the client refuses it
// (no SOAP from it reaches masterzen), drops the connection's session, and the next script handshakes
// afresh and runs.
func TestSealedAnswerTampered(t *testing.T) {
	ctx := context.Background()
	h := sealedHost(t)
	w := &wire{}
	_, r := sealedClient(t, h, w, nil)
	if _, err := runner.Probe(ctx, r); err != nil {
		t.Fatal(err)
	}
	w.tamper.Store(true)
	_, err := runner.Probe(ctx, r)
	if err == nil || !strings.Contains(err.Error(), "sealed answer was refused") || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("a tampered answer: %v", err)
	}
	if w.tamper.Load() {
		t.Fatal("no sealed answer was tampered with")
	}
	if _, err := runner.Probe(ctx, r); err != nil {
		t.Errorf("after the refused answer: %v", err)
	}
}

// TestSealedConcurrentRequests: six commands with stdin on one masterzen client at once: each Send and
// Receive in flight holds a connection of its own with its own session, and every message is served.
func TestSealedConcurrentRequests(t *testing.T) {
	h := sealedHost(t)
	c, _ := sealedClient(t, h, nil, nil)
	in := strings.Repeat("through Send while Receive waits\r\n", 200)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			_, _, code, err := c.client.RunWithContextWithString(context.Background(), "more", in)
			if err != nil || code != 0 {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if s, n := h.Sim.Server.SealedRequests(), total(h.Sim.Server.Counts()); s != n || n == 0 {
		t.Errorf("%d of %d SOAP requests came sealed", s, n)
	}
}

// TestSealedSendFitsEnvelope: the largest stdin Send, sealed and framed, fits the MaxEnvelopeSize, for
// the envelope sizes the client is used with.
func TestSealedSendFitsEnvelope(t *testing.T) {
	for _, env := range []int{153600, 500 * 1024, 8192 * 1024} {
		overhead := sealing.Overhead(sealing.ProtocolSPNEGO, env, ntlm.SignatureSize)
		chunk := sendChunk(env, overhead)
		params := mz.NewParameters("PT60S", "en-US", env)
		msg := mz.NewSendInputRequest("http://WIN-SEAL01:5985/wsman", strings.Repeat("F", 36), strings.Repeat("C", 36),
			make([]byte, chunk), false, params)
		sess, err := ntlm.NewSession(bytes.Repeat([]byte{1}, 16), ntlm.FlagExtendedSecure|ntlm.FlagKeyExch|ntlm.Flag128)
		if err != nil {
			t.Fatal(err)
		}
		body, _, err := sealing.Seal(sess, sealing.ProtocolSPNEGO, []byte(msg.String()))
		if err != nil {
			t.Fatal(err)
		}
		if len(body) > env {
			t.Errorf("envelope %d: a sealed Send of %d bytes", env, len(body))
		}
		if unsealed := sendChunk(env, 0); chunk >= unsealed {
			t.Errorf("envelope %d: sealing leaves the chunk at %d (unsealed %d)", env, chunk, unsealed)
		}
		t.Logf("envelope %d: chunk %d bytes, sealed Send %d bytes (%d of framing)", env, chunk, len(body), overhead)
	}
}

// BenchmarkScriptTransports: one probe script per iteration through our client against a full winsim
// host, over each transport: HTTPS (Basic and NTLM), plain HTTP in clear text (Basic, allow_unencrypted,
// against a host with AllowUnencrypted on) and plain HTTP sealed (NTLM message encryption, against a host
// as Windows ships it). mode=reused keeps the client (its shell and authenticated connections) across
// scripts, as a provider run does; mode=fresh opens a client per script (new connections, new handshakes,
// a new shell), as a provider process does for one host. http-requests/script counts every HTTP request,
// handshake legs included; requests/script the SOAP requests the host served; the KB are TCP bytes on
// the wire (TLS records included over HTTPS).
func BenchmarkScriptTransports(b *testing.B) {
	// winsim's HTTPS listener logs, through the standard logger, the TLS handshakes of connections the
	// clients of the fresh mode leave behind when the host stops; those lines would split the result
	// lines scripts/bench parses.
	prev := log.Writer()
	log.SetOutput(io.Discard)
	b.Cleanup(func() { log.SetOutput(prev) })
	var kdc *testkdc.KDC // started for the Kerberos rows, for the whole benchmark
	outer := b
	for _, mode := range []string{"reused", "fresh"} {
		for _, tc := range []struct {
			name        string
			https       bool
			auth, hostA string
		}{
			{"https/auth=basic", true, AuthBasic, "basic"},
			{"https/auth=ntlm", true, AuthNTLM, "ntlm"},
			{"http-unencrypted/auth=basic", false, AuthBasic, "basic"},
			{"http-sealed/auth=ntlm", false, AuthNTLM, "ntlm"},
			{"https/auth=kerberos", true, AuthKerberos, "kerberos"},
			{"http-sealed/auth=kerberos", false, AuthKerberos, "kerberos"},
		} {
			b.Run("mode="+mode+"/"+tc.name, func(b *testing.B) {
				sealed := Sealed(!tc.https, tc.auth)
				ho := winsim.Options{Profile: "ws2022", User: user, Password: password, StateDir: b.TempDir(),
					HTTPS: tc.https, Auth: tc.hostA, RequireEncryption: sealed}
				o := Options{CACert: nil, HTTP: !tc.https, AllowUnencrypted: !tc.https && !sealed, User: user, Password: password, Auth: tc.auth}
				w := &wire{}
				if tc.auth == AuthKerberos {
					// A real MIT KDC; the host is reached as winsim.example.test, its SPN's name.
					if kdc == nil {
						kdc = testkdc.Start(outer, testkdc.Options{})
					}
					ho.User, ho.Keytab = kdc.User, kdc.Keytab
					o.User, o.Password, o.KrbConfig, o.TLSServerName = kdc.Principal(), kdc.Password, kdc.Krb5Conf, "127.0.0.1"
				}
				h := winsimtest.Start(b, ho)
				o.Host, o.Port, o.CACert = h.Addr, h.Port, h.CA
				if tc.auth == AuthKerberos {
					o.Host, w.to = "winsim.example.test", h.Addr
				}
				var requests atomic.Int64
				connect := func() *Client {
					o := o
					o.dial, o.requests = w.dial, &requests
					c, err := New(o)
					if err != nil {
						b.Fatal(err)
					}
					return c
				}
				probe := func(c *Client) {
					if _, err := runner.Probe(context.Background(), &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}); err != nil {
						b.Fatal(err)
					}
				}
				c := connect()
				probe(c) // the shell and the first handshakes
				h.Sim.Server.ResetCounts()
				w.up.Store(0)
				w.down.Store(0)
				requests.Store(0)
				b.ResetTimer()
				for range b.N {
					if mode == "fresh" {
						_ = c.Close()
						c = connect()
					}
					probe(c)
				}
				b.StopTimer()
				_ = c.Close()
				n := float64(b.N)
				b.ReportMetric(float64(requests.Load())/n, "http-requests/script")
				b.ReportMetric(float64(total(h.Sim.Server.Counts()))/n, "requests/script")
				b.ReportMetric(float64(h.Sim.Server.AuthChallenges())/n, "401s/script")
				b.ReportMetric(float64(h.Sim.Server.SealedRequests())/n, "sealed/script")
				b.ReportMetric(float64(w.up.Load())/n, "bytes-up/script")
				b.ReportMetric(float64(w.down.Load())/n, "bytes-down/script")
			})
		}
	}
}
