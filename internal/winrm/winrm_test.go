package winrm

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	mz "github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
	"github.com/packer-community/winrmcp/winrmcp"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/host"
	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

const (
	user     = "Administrator"
	password = "Winsim-P@ss'w0rd" // never on a command line
)

type lab struct {
	host   *host.Host
	server *wsman.Server
	addr   string
	port   int
	ca     []byte
}

func newLab(t testing.TB) *lab {
	t.Helper()
	sim, err := winsim.New(winsim.Options{Profile: "ws2022", User: user, Password: password, ComputerName: "WIN-LAB01"})
	if err != nil {
		t.Fatal(err)
	}
	h := sim.Host
	// A stand-in for a script with progress and a reboot-required exit: the facts frame is answered by
	// this double (the parameter echoed back), every other script by winsim's PowerShell engine.
	engine := h.PowerShell
	h.PowerShell = func(ctx context.Context, script string, stdin io.Reader, stdout, stderr io.Writer) uint32 {
		if !strings.Contains(script, "# wincontainers:bootstrap/1") {
			return engine(ctx, script, stdin, stdout, stderr) // stdin may stay open: do not read it
		}
		br := bufio.NewReader(stdin)
		head, _ := br.ReadString('\n')
		var n int
		if _, err := fmt.Sscanf(head, "wincontainers-script/1 %d\n", &n); err != nil {
			return engine(ctx, script, io.MultiReader(strings.NewReader(head), br), stdout, stderr)
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(br, body); err != nil || !bytes.Contains(body, []byte("# wincontainers:script facts/")) {
			return engine(ctx, script, io.MultiReader(strings.NewReader(head), bytes.NewReader(body), br), stdout, stderr)
		}
		var raw string
		if _, err := fmt.Sscanf(string(body), "$WcParams = '%s\n", &raw); err != nil {
			return 1
		}
		dec, _ := base64.StdEncoding.DecodeString(strings.TrimSuffix(raw, "'"))
		var p map[string]any
		_ = json.Unmarshal(dec, &p)
		fmt.Fprint(stdout, "##wincontainers:progress {\"step\":\"features\",\"message\":\"Installing Containers\",\"percent\":40}\r\n")
		b, _ := json.Marshal(map[string]any{"echo": p["value"], "schema": 1})
		fmt.Fprintf(stdout, "##wincontainers:result %s\r\n", b)
		return powershell.ExitRebootRequired
	}
	h.RebootTime = time.Second
	srv := wsman.NewServer(wsman.Config{User: user, Password: password, HTTPS: true, Handler: h.Run, MaxTimeout: 2 * time.Second, Up: h.Up})
	h.OnReboot = srv.CloseAll
	ts := httptest.NewUnstartedServer(srv)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	hostPort := strings.TrimPrefix(ts.URL, "https://")
	addr, port, _ := net.SplitHostPort(hostPort)
	p, _ := strconv.Atoi(port)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	return &lab{host: h, server: srv, addr: addr, port: p, ca: ca}
}

func (l *lab) client(t testing.TB, mutate func(*Options)) (*Client, error) {
	t.Helper()
	o := Options{Host: l.addr, Port: l.port, CACert: l.ca, User: user, Password: password, OperationTimeout: 2 * time.Second}
	if mutate != nil {
		mutate(&o)
	}
	return New(o)
}

func TestRunnerOverWinRM(t *testing.T) {
	l := newLab(t)
	c, err := l.client(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
	p, err := runner.Probe(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if p.BootID != l.host.BootID() || p.ComputerName != "WIN-LAB01" || p.OSBuild != 20348 {
		t.Errorf("probe %+v", p)
	}
	var events []powershell.Progress
	secret := "sëcret-'value'-$(Get-Secret)"
	o, err := r.Run(context.Background(), "facts", map[string]string{"value": secret}, func(e powershell.Progress) { events = append(events, e) })
	if err != nil || !o.RebootRequired || len(events) != 1 || events[0].Step != "features" {
		t.Fatalf("3010 + progress: %+v %v %v", o, err, events)
	}
	var res map[string]any
	_ = json.Unmarshal(o.Result, &res)
	if res["echo"] != secret {
		t.Errorf("the parameter did not arrive unchanged: %q", res["echo"])
	}
	for _, line := range l.host.CommandLines() {
		if strings.Contains(line, "cret") || strings.Contains(line, password) || len(line) > 8191 {
			t.Errorf("a secret or a long line on the command line (%d chars)", len(line))
		}
	}
	// A script over 100 KB travels on stdin without trouble.
	big := strings.Repeat("x", 120_000)
	if _, err := r.Run(context.Background(), "facts", map[string]string{"value": big}, nil); err != nil {
		t.Errorf("large script: %v", err)
	}
	// One shell served every command; Close deletes it.
	if n := l.server.Counts(); n["Create"] != 1 || n["Delete"] != 0 {
		t.Errorf("shell reuse: %v", n)
	}
	_ = c.Close()
	if n := l.server.Counts(); n["Create"] != n["Delete"] {
		t.Errorf("shell leaked after Close: %v", n)
	}
}

// Shells are replaced after MaxOperationsPerShell commands, and a shell lost in a reboot is replaced.
func TestShellReuseAndRecycling(t *testing.T) {
	l := newLab(t)
	c, err := l.client(t, func(o *Options) { o.MaxOperationsPerShell = 5 })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 12; i++ {
		var out bytes.Buffer
		if code, err := c.Exec(context.Background(), "hostname", nil, &out, io.Discard); err != nil || code != 0 || out.String() != "WIN-LAB01\r\n" {
			t.Fatalf("command %d: %q %d %v", i, out.String(), code, err)
		}
	}
	if n := l.server.Counts(); n["Create"] != 3 || n["Delete"] != 2 || n["Command"] != 12 {
		t.Errorf("12 commands at 5 per shell: %v", n)
	}
	// The host forgets every shell (as after a reboot): the next command replaces the shell once.
	l.server.CloseAll()
	var out bytes.Buffer
	if _, err := c.Exec(context.Background(), "hostname", nil, &out, io.Discard); err != nil || out.String() != "WIN-LAB01\r\n" {
		t.Errorf("after the shell was lost: %q %v", out.String(), err)
	}
}

func TestAuthAndTLSErrorsAreAdvice(t *testing.T) {
	l := newLab(t)
	cases := []struct {
		name      string
		mutate    func(*Options)
		says      []string
		retryable bool
	}{
		{"wrong password", func(o *Options) { o.Password = "nope" }, []string{"rejected the credentials", "HTTP 401", "Basic"}, false},
		{"untrusted certificate", func(o *Options) { o.CACert = nil }, []string{"certificate is not trusted", "ca_cert"}, false},
		{"nothing listening", func(o *Options) { o.Port = freePort(t) }, []string{"connection refused"}, true},
	}
	for _, c := range cases {
		cl, err := l.client(t, c.mutate)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err = cl.Exec(ctx, "hostname", strings.NewReader(""), io.Discard, io.Discard)
		cancel()
		var te *runner.TransportError
		if !errors.As(err, &te) || te.Retryable != c.retryable {
			t.Errorf("%s: want a TransportError (retryable=%v), got %v", c.name, c.retryable, err)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q lacks %q", c.name, err, s)
			}
		}
		if strings.Contains(err.Error(), password) {
			t.Errorf("%s: the password leaked into the error", c.name)
		}
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return p
}

func TestOptionsValidation(t *testing.T) {
	// Over plain HTTP, what would travel in clear needs allow_unencrypted; NTLM and Kerberos seal and do not.
	for _, auth := range []string{"", AuthBasic} {
		if _, err := New(Options{Host: "h", HTTP: true, Auth: auth}); err == nil || !strings.Contains(err.Error(), "allow_unencrypted") {
			t.Errorf("plain HTTP with auth %q must need allow_unencrypted: %v", auth, err)
		}
	}
	if c, err := New(Options{Host: "h", HTTP: true, Auth: AuthNTLM}); err != nil || c.opts.Port != 5985 || !Sealed(c.opts.HTTP, c.opts.Auth) {
		t.Errorf("NTLM over HTTP is sealed and needs no allow_unencrypted: %v", err)
	}
	if c, err := New(Options{Host: "h", HTTP: true, Auth: AuthKerberos}); err != nil || !Sealed(c.opts.HTTP, c.opts.Auth) {
		t.Errorf("Kerberos over HTTP is sealed and needs no allow_unencrypted: %v", err)
	}
	if Sealed(false, AuthNTLM) || Sealed(false, AuthKerberos) || Sealed(true, AuthBasic) || Sealed(true, AuthCertificate) {
		t.Error("only NTLM and Kerberos over HTTP seal")
	}
	if _, err := New(Options{Host: "h", Auth: "digest"}); err == nil {
		t.Error("unknown auth accepted")
	}
	if _, err := New(Options{Host: "h", Auth: AuthCertificate}); err == nil {
		t.Error("certificate auth without a certificate accepted")
	}
	c, err := New(Options{Host: "h", HTTP: true, AllowUnencrypted: true})
	if err != nil || c.opts.Port != 5985 {
		t.Errorf("http default port: %v", err)
	}
	c, err = New(Options{Host: "h"})
	if err != nil || c.opts.Port != 5986 || c.opts.HTTP {
		t.Errorf("https is the default: %+v %v", c.opts, err)
	}
	// Never the shared default parameters.
	if mz.DefaultParameters.TransportDecorator != nil {
		t.Error("masterzen's DefaultParameters were modified")
	}
}

// fakeInner returns a canned body, as masterzen's transports do for a SOAP fault (HTTP 500).
type fakeInner struct{ body string }

func (f fakeInner) Post(*mz.Client, *soap.SoapMessage) (string, error) { return f.body, nil }
func (f fakeInner) Transport(*mz.Endpoint) error                       { return nil }

func TestFaultTransport(t *testing.T) {
	timedOut := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  </s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858793" Machine="192.168.56.11"><f:Message>The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  </f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`
	_, err := (&faultTransport{inner: fakeInner{timedOut}}).Post(nil, nil)
	var f *FaultError
	if !errors.As(err, &f) || f.Code != "2150858793" || f.Subcode != "w:TimedOut" || !strings.Contains(err.Error(), "OperationTimeout") {
		t.Errorf("TimedOut: %v", err)
	}
	ok := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><rsp:ReceiveResponse xmlns:rsp="x"/></s:Body></s:Envelope>`
	if body, err := (&faultTransport{inner: fakeInner{ok}}).Post(nil, nil); err != nil || body != ok {
		t.Errorf("a normal body must pass through: %v", err)
	}
}

// TestRebootAndWaitOverWinRM: the restart script schedules the restart, the host resets connections
// while it is down, and comes back with a new boot id and no shells; the wait ends after three
// probes in a row on the new boot.
func TestRebootAndWaitOverWinRM(t *testing.T) {
	l := newLab(t)
	c, err := l.client(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
	before := l.host.BootID()
	var events []string
	err = runner.RebootAndWait(context.Background(), r, runner.RebootOptions{
		Timeout: 30 * time.Second, PollInterval: 200 * time.Millisecond, ProbeTimeout: 5 * time.Second, DelaySeconds: 1,
		OnEvent: func(s string) { events = append(events, s) },
	})
	if err != nil {
		t.Fatalf("%v (events %v)", err, events)
	}
	if l.host.Boots() != 2 || l.host.BootID() == before {
		t.Errorf("boots %d, boot id %s (before %s)", l.host.Boots(), l.host.BootID(), before)
	}
}

// A host that goes down and never returns: the error arrives within the deadline and says what was seen.
func TestRebootHostNeverBack(t *testing.T) {
	l := newLab(t)
	l.host.RebootTime = time.Hour
	c, err := l.client(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
	start := time.Now()
	err = runner.RebootAndWait(context.Background(), r, runner.RebootOptions{
		Timeout: 4 * time.Second, PollInterval: 300 * time.Millisecond, ProbeTimeout: 2 * time.Second, DelaySeconds: 1,
	})
	if !errors.Is(err, runner.ErrHostNotBack) || !strings.Contains(err.Error(), "never answered again") {
		t.Fatalf("got %v", err)
	}
	if took := time.Since(start); took > 12*time.Second {
		t.Errorf("the error took %s for a 4s deadline", took)
	}
}

func TestUploadOverWinRM(t *testing.T) {
	l := newLab(t)
	c, err := l.client(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
	data := pseudoRandom(5<<20 + 123)
	sum := sha256.Sum256(data)
	var events int
	dest := `C:\ProgramData\wincontainers\cache\docker-29.2.1.zip`
	if err := r.Upload(context.Background(), bytes.NewReader(data), int64(len(data)), hex.EncodeToString(sum[:]), dest,
		func(powershell.Progress) { events++ }); err != nil {
		t.Fatal(err)
	}
	f, ok := l.host.File(dest)
	if !ok || f.Size != int64(len(data)) || f.SHA256 != hex.EncodeToString(sum[:]) || events == 0 {
		t.Errorf("file %+v %v, %d progress events", f, ok, events)
	}
	// A wrong checksum leaves nothing at the target.
	err = r.Upload(context.Background(), bytes.NewReader(data[:1000]), 1000, strings.Repeat("ab", 32), `C:\x.bin`, nil)
	var se *powershell.ScriptError
	if !errors.As(err, &se) || se.Code != "checksum_mismatch" {
		t.Errorf("mismatch: %v", err)
	}
	if _, ok := l.host.File(`C:\x.bin`); ok {
		t.Error("a corrupt upload must not appear at the target")
	}
}

func pseudoRandom(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// BenchmarkUpload measures the streaming upload through masterzen over verified HTTPS to winsim:
// throughput (MB/s via SetBytes), HTTP requests per upload and payload bytes per request.
func BenchmarkUpload(b *testing.B) {
	for _, tc := range []struct {
		size, envelope int
	}{{1 << 20, 153600}, {20 << 20, 153600}, {20 << 20, 500 * 1024}} {
		size := tc.size
		b.Run(fmt.Sprintf("%dMB/envelope=%dKB", size>>20, tc.envelope/1024), func(b *testing.B) {
			l := newLab(b)
			c, err := l.client(b, func(o *Options) { o.EnvelopeSize = tc.envelope })
			if err != nil {
				b.Fatal(err)
			}
			r := &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
			data := pseudoRandom(size)
			sum := sha256.Sum256(data)
			hexsum := hex.EncodeToString(sum[:])
			b.SetBytes(int64(size))
			before := total(l.server.Counts())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := r.Upload(context.Background(), bytes.NewReader(data), int64(size), hexsum, `C:\bench.bin`, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reqs := float64(total(l.server.Counts())-before) / float64(b.N)
			b.ReportMetric(reqs, "requests/upload")
			b.ReportMetric(float64(size)/reqs, "payload-bytes/request")
		})
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func newWinrmcp(tb testing.TB, l *lab) *winrmcp.Winrmcp {
	tb.Helper()
	c, err := winrmcp.New(net.JoinHostPort(l.addr, strconv.Itoa(l.port)), &winrmcp.Config{
		Auth: winrmcp.Auth{User: user, Password: password}, Https: true, CACertBytes: l.ca,
		OperationTimeout: 2 * time.Second, MaxOperationsPerShell: 15,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// winsim serves winrmcp (Packer's and Terraform's upload) too, so the two methods can be compared.
func TestWinrmcpUploadAgainstWinsim(t *testing.T) {
	l := newLab(t)
	data := pseudoRandom(100_000)
	sum := sha256.Sum256(data)
	if err := newWinrmcp(t, l).Write(`C:\Windows\Temp\payload.bin`, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	f, ok := l.host.File(`C:\Windows\Temp\payload.bin`)
	if !ok || f.Size != int64(len(data)) || f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("winrmcp upload: %+v %v", f, ok)
	}
}

// BenchmarkUploadWinrmcp is the baseline: winrmcp's echo-chunk method on the same loopback host.
func BenchmarkUploadWinrmcp(b *testing.B) {
	const size = 1 << 20
	l := newLab(b)
	cp := newWinrmcp(b, l)
	data := pseudoRandom(size)
	b.SetBytes(size)
	before := total(l.server.Counts())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := cp.Write(`C:\bench-winrmcp.bin`, bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reqs := float64(total(l.server.Counts())-before) / float64(b.N)
	b.ReportMetric(reqs, "requests/upload")
	b.ReportMetric(size/reqs, "payload-bytes/request")
}

// BenchmarkScriptRoundTrip counts the HTTP requests one library script costs on a reused shell (the
// price of the one-round-trip facts read of a converged host), by WS-Man action.
func BenchmarkScriptRoundTrip(b *testing.B) {
	l := newLab(b)
	c, err := l.client(b, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	r := &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
	if _, err := runner.Probe(context.Background(), r); err != nil { // the shell is created here
		b.Fatal(err)
	}
	l.server.ResetCounts()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := runner.Probe(context.Background(), r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n := l.server.Counts()
	in, out := l.server.Bytes()
	b.ReportMetric(float64(total(n))/float64(b.N), "requests/script")
	for _, a := range []string{"Create", "Command", "Send", "Receive", "Signal", "Delete"} {
		b.ReportMetric(float64(n[a])/float64(b.N), a+"/script")
	}
	b.ReportMetric(float64(in)/float64(b.N), "bytes-up/script")
	b.ReportMetric(float64(out)/float64(b.N), "bytes-down/script")
}

// The classification reads the HTTP status masterzen reports, not any "401" in the text (a port such
// as :40193 in the URL once made a TLS error look like an authentication failure).
func TestExplainClassification(t *testing.T) {
	c, err := New(Options{Host: "127.0.0.1", Port: 40193, User: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		err       error
		says      string
		retryable bool
	}{
		{errors.New(`Post "https://127.0.0.1:40193/wsman": tls: failed to verify certificate: x509: certificate signed by unknown authority`), "certificate is not trusted", false},
		{errors.New("http response error: 401 - invalid content type"), "rejected the credentials", false},
		{errors.New("http response error: 413 - invalid content type"), "MaxEnvelopeSizekb", false},
		{errors.New(`Post "https://127.0.0.1:40193/wsman": dial tcp 127.0.0.1:40193: connect: connection refused`), "connection refused", true},
		{errors.New(`Post "https://127.0.0.1:40193/wsman": EOF`), "EOF", true},
	}
	for _, tc := range cases {
		got := c.explain(tc.err)
		if !strings.Contains(got.Error(), tc.says) || runner.IsRetryable(got) != tc.retryable {
			t.Errorf("%v -> %v (retryable %v)", tc.err, got, runner.IsRetryable(got))
		}
	}
}

func TestExplainRetryable(t *testing.T) {
	c := &Client{}
	for _, c2 := range []struct {
		msg       string
		retryable bool
	}{
		{`unknown error Post "https://h:5986/wsman": use of closed network connection`, true},
		{"read tcp: connection reset by peer", true},
		{"dial tcp: connect: connection refused", true},
		{"write: broken pipe", true},
		{"unexpected EOF", true},
		{"x509: certificate signed by unknown authority", false},
		{"http response error: 401 - invalid content type", false},
	} {
		err := c.explain(errors.New(c2.msg))
		if got := runner.IsRetryable(err); got != c2.retryable {
			t.Errorf("%q: retryable %v, want %v (%v)", c2.msg, got, c2.retryable, err)
		}
	}
}
