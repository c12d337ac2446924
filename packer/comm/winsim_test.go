package comm

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	packerrpc "github.com/hashicorp/packer-plugin-sdk/rpc"
	pwinrm "github.com/hashicorp/packer-plugin-sdk/sdk-internals/communicator/winrm"

	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

const (
	simUser     = "Administrator"
	simPassword = "Packer-P@ss"
)

// startSim starts an in-process winsim over HTTPS and connects Packer's own WinRM communicator to it,
// the one `packer build` hands the provisioner. That communicator cannot pin a CA (packer-plugin-sdk
// v0.6.10 has a TODO for CACert, and its winrmcp uploads take no CA either), so it connects with
// Insecure: certificate checks are skipped here, as they are in Packer with winrm_insecure = true.
// It returns the address and the CA certificate too, for our own client.
func startSim(tb testing.TB, o winsim.Options) (*winsim.Sim, *pwinrm.Communicator, string, []byte) {
	tb.Helper()
	o.User, o.Password, o.HTTPS, o.StateDir = simUser, simPassword, true, tb.TempDir()
	h := winsimtest.Start(tb, o)
	c, err := pwinrm.New(&pwinrm.Config{Host: h.Addr, Port: h.Port, Username: simUser, Password: simPassword,
		Timeout: 10 * time.Second, Https: true, Insecure: true})
	if err != nil {
		tb.Fatal(err)
	}
	return h.Sim, c, net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)), h.CA
}

// stagedLeft lists staged script files still on the simulated disk.
func stagedLeft(sim *winsim.Sim) []string {
	var out []string
	for _, p := range sim.Machine.Paths(powershell.StagedDir) {
		if strings.Contains(p, `\wincontainers-`) {
			out = append(out, p)
		}
	}
	return out
}

var (
	echoChunk = regexp.MustCompile(`^echo (\S+) >> "([^"]+)"$`)
	encoded   = regexp.MustCompile(`-EncodedCommand ([A-Za-z0-9+/=]+)`)
	// scriptText is what a library script carries: its frame header, its parameter prelude, its header.
	scriptText = regexp.MustCompile(`wincontainers-script/1 \d|\$WcParams = '|# wincontainers:script `)
)

// wireTexts is every command line winsim received, plus what they carry once decoded: the
// -EncodedCommand text, and the bytes each winrmcp temporary file received through `echo` chunks.
func wireTexts(t *testing.T, lines []string) []string {
	t.Helper()
	out := append([]string(nil), lines...)
	files := map[string][]byte{}
	var order []string
	for _, l := range lines {
		if m := echoChunk.FindStringSubmatch(l); m != nil {
			b, err := base64.StdEncoding.DecodeString(m[1])
			if err != nil {
				t.Fatalf("winrmcp chunk is not base64: %v", err)
			}
			if _, ok := files[m[2]]; !ok {
				order = append(order, m[2])
			}
			files[m[2]] = append(files[m[2]], b...)
		}
		if m := encoded.FindStringSubmatch(l); m != nil {
			text, err := powershell.DecodeCommand(m[1])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, text)
		}
	}
	for _, f := range order {
		out = append(out, string(files[f]))
	}
	return out
}

// Library scripts through Packer's real WinRM communicator: results decoded, exit codes exact, every
// staged file gone after its run, and no parameter in anything that crossed as a command line.
func TestScriptsThroughPackersWinRMCommunicator(t *testing.T) {
	sim, c, _, _ := startSim(t, winsim.Options{Profile: "ws2022"})
	r := NewRunner(c, powershell.MustLoad(), time.Minute)
	var staged []string
	r.OnStaged = func(p string) { staged = append(staged, p) }
	ctx := context.Background()
	var sb [12]byte
	_, _ = rand.Read(sb[:])
	secret := "pw-" + hex.EncodeToString(sb[:])
	var sent []string // every encoded parameter block
	run := func(script string, params map[string]any) (powershell.Outcome, error) {
		params["password"] = secret
		enc, _ := powershell.EncodeParams(params)
		sent = append(sent, enc)
		o, err := r.Run(ctx, script, params, nil)
		if left := stagedLeft(sim); len(left) != 0 {
			t.Errorf("%s: staged files left on the host: %v", script, left)
		}
		return o, err
	}

	o, err := run("probe", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := runner.Probe(ctx, r)
	if err != nil || !strings.Contains(string(o.Result), `"boot_id":"`+sim.Host.BootID()+`"`) || p.OSBuild != 20348 {
		t.Fatalf("probe: %s %+v %v", o.Result, p, err)
	}

	o, err = run("facts", map[string]any{})
	if err != nil || o.ExitCode != 0 {
		t.Fatalf("facts: %+v %v", o, err)
	}
	f, err := facts.Decode(o.Result)
	if err != nil || f.OS.Build != 20348 {
		t.Fatalf("facts decode: %+v %v", f, err)
	}

	o, err = run("install-features", map[string]any{"features": []string{"Containers"}, "client": false})
	if err != nil || o.ExitCode != 3010 || !o.RebootRequired {
		t.Fatalf("install-features: exit %d, %v", o.ExitCode, err)
	}
	if got := sim.Snapshot().Features["Containers"]; got != "InstallPending" {
		t.Errorf("Containers is %q", got)
	}

	// Hyper-V on a VM without nested virtualization: the script fails with exit 1 and its error.
	_, err = run("install-features", map[string]any{"features": []string{"Hyper-V"}, "client": false})
	var se *powershell.ScriptError
	if !errors.As(err, &se) || se.ExitCode != 1 || se.Code != "feature_install_failed" {
		t.Fatalf("failing script: %v", err)
	}

	if len(staged) != 5 {
		t.Errorf("%d staged runs, want 5", len(staged))
	}
	for _, path := range staged {
		if _, ok := sim.Machine.File(path); ok {
			t.Errorf("%s is still on the host", path)
		}
	}
	lines := sim.Host.CommandLines()
	texts := append(wireTexts(t, lines), packerLog.String())
	chunks := 0
	for _, l := range lines {
		if echoChunk.MatchString(l) {
			chunks++
		}
	}
	if chunks < 5 {
		t.Fatalf("only %d winrmcp chunks seen in %d command lines: the check below would prove nothing", chunks, len(lines))
	}
	for _, text := range texts {
		if strings.Contains(text, secret) || scriptText.MatchString(text) {
			t.Errorf("a command line carries a script or a parameter: %.120q", text)
		}
		for _, enc := range sent {
			if strings.Contains(text, enc) {
				t.Errorf("a command line carries the encoded parameters: %.120q", text)
			}
		}
	}

	// The check can fail, and this is why the staged file is encrypted: the same script frame uploaded
	// in plain text is readable in winrmcp's echo command lines (the parameters as their base64).
	probe, _ := powershell.MustLoad().Script("probe")
	control := map[string]any{"password": secret}
	controlEnc, _ := powershell.EncodeParams(control)
	frame, _ := powershell.Stdin(probe, control)
	if err := (Adapter{Comm: c}).UploadFile(ctx, `C:\Windows\Temp\control.in`, bytes.NewReader(frame), int64(len(frame))); err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, text := range wireTexts(t, sim.Host.CommandLines()[len(lines):]) {
		seen = seen || strings.Contains(text, controlEnc)
	}
	if !seen {
		t.Error("a plain upload was not seen on the command lines: the check above proves nothing")
	}
}

func TestRebootThroughPackersWinRMCommunicator(t *testing.T) {
	sim, c, _, _ := startSim(t, winsim.Options{Profile: "ws2022", RebootTime: 50 * time.Millisecond})
	var events []string
	h, err := OpenWithOptions(c, runner.RebootOptions{DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1,
		Timeout: time.Minute, OnEvent: func(s string) { events = append(events, s) }}, Options{RetryBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	before := sim.Host.BootID()
	if err := h.Rebooter.Reboot(context.Background()); err != nil {
		t.Fatalf("reboot: %v (events %q)", err, events)
	}
	if st := sim.Snapshot(); st.Reboots != 1 || st.BootID == before {
		t.Errorf("reboots %d, boot %s (before %s)", st.Reboots, st.BootID, before)
	}
	if _, err := h.Facts(context.Background()); err != nil {
		t.Errorf("facts after the restart: %v", err)
	}
}

// The engine archive path (engine.archive on an offline host) through the communicator's Upload.
func TestUploadThroughPackersWinRMCommunicator(t *testing.T) {
	sim, c, _, _ := startSim(t, winsim.Options{Profile: "ws2022"})
	h, err := Open(c, runner.RebootOptions{})
	if err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("docker.exe "), 3000) // 33 KB: six winrmcp chunks
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	dest := `C:\ProgramData\wincontainers\downloads\docker-27.3.1.zip`
	if err := h.Uploader.Upload(context.Background(), bytes.NewReader(content), int64(len(content)), want, dest, nil); err != nil {
		t.Fatal(err)
	}
	if f, ok := sim.Machine.File(dest); !ok || f.SHA256 != want || f.Size != int64(len(content)) {
		t.Errorf("uploaded file %+v %v", f, ok)
	}
	// A source shorter than announced: the host's check deletes it, nothing reaches the target.
	short := `C:\ProgramData\wincontainers\downloads\short.zip`
	err = h.Uploader.Upload(context.Background(), bytes.NewReader(content[:1000]), int64(len(content)), want, short, nil)
	var se *powershell.ScriptError
	if err == nil || !errors.As(err, &se) || se.Code != "checksum_mismatch" {
		t.Errorf("short upload: %v", err)
	}
	for _, p := range []string{short, short + runner.PartialSuffix, dest + runner.PartialSuffix} {
		if _, ok := sim.Machine.File(p); ok {
			t.Errorf("%s exists", p)
		}
	}
}

// BenchmarkStagedScript: HTTP requests and bytes per library script run over Packer's WinRM
// communicator (the staged channel: a shell per command, winrmcp's upload in three more shells) and
// over our own WinRM client (stdin, one reused shell).
func BenchmarkStagedScript(b *testing.B) {
	lib := powershell.MustLoad()
	for _, script := range []string{"probe", "facts"} {
		b.Run("packer-communicator/"+script, func(b *testing.B) {
			sim, c, _, _ := startSim(b, winsim.Options{Profile: "ws2022"})
			benchScript(b, sim, NewRunner(c, lib, time.Minute), script)
		})
		b.Run("internal-winrm/"+script, func(b *testing.B) {
			sim, _, addr, ca := startSim(b, winsim.Options{Profile: "ws2022"})
			host, port, _ := net.SplitHostPort(addr)
			p, _ := strconv.Atoi(port)
			wc, err := winrm.New(winrm.Options{Host: host, Port: p, CACert: ca, User: simUser, Password: simPassword})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = wc.Close() })
			benchScript(b, sim, &runner.ScriptRunner{Exec: wc, Library: lib}, script)
		})
	}
}

func benchScript(b *testing.B, sim *winsim.Sim, r runner.Runner, script string) {
	b.Helper()
	ctx := context.Background()
	if _, err := r.Run(ctx, script, nil, nil); err != nil { // a reused shell is created here
		b.Fatal(err)
	}
	sim.Server.ResetCounts()
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Run(ctx, script, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	req := sim.Snapshot().Requests
	n := float64(b.N)
	b.ReportMetric(float64(req.Total)/n, "requests/script")
	for _, a := range []string{"Create", "Command", "Send", "Receive", "Signal", "Delete"} {
		b.ReportMetric(float64(req.ByAction[a])/n, a+"/script")
	}
	b.ReportMetric(float64(req.BytesIn)/n, "bytes-up/script")
	b.ReportMetric(float64(req.BytesOut)/n, "bytes-down/script")
}

// packerLog collects what Packer's communicator logs (it logs every command line at INFO), so tests
// can check that no secret is in it, and keeps it out of the test output.
var packerLog = &syncBuffer{}

func TestMain(m *testing.M) {
	log.SetOutput(packerLog)
	os.Exit(m.Run())
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// viaPluginRPC puts Packer's plugin RPC between the provisioner and the communicator, as in a real
// `packer build`: the communicator lives in Packer, the provisioner in the plugin process. The RPC
// does not pass the context on, and the command's Start and our Upload cross it concurrently.
func viaPluginRPC(t *testing.T, c packersdk.Communicator) packersdk.Communicator {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		conn, _ := l.Accept()
		accepted <- conn
	}()
	clientConn, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	serverConn := <-accepted
	_ = l.Close()
	server, err := packerrpc.NewServer(serverConn)
	if err != nil {
		t.Fatal(err)
	}
	if err := server.RegisterCommunicator(c); err != nil {
		t.Fatal(err)
	}
	go server.Serve()
	client, err := packerrpc.NewClient(clientConn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close(); _ = server.Close() })
	return client.Communicator()
}

func TestThroughPackersPluginRPC(t *testing.T) {
	sim, c, _, _ := startSim(t, winsim.Options{Profile: "ws2022", RebootTime: 50 * time.Millisecond})
	h, err := OpenWithOptions(viaPluginRPC(t, c), runner.RebootOptions{DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1,
		Timeout: time.Minute}, Options{RetryBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f, err := h.Facts(ctx)
	if err != nil || f.OS.Build != 20348 {
		t.Fatalf("facts: %+v %v", f.OS, err)
	}
	o, err := h.Runner.Run(ctx, "install-features", map[string]any{"features": []string{"Containers"}}, nil)
	if err != nil || o.ExitCode != 3010 {
		t.Fatalf("install-features: %d %v", o.ExitCode, err)
	}
	_, err = h.Runner.Run(ctx, "install-features", map[string]any{"features": []string{"Hyper-V"}}, nil)
	var se *powershell.ScriptError
	if !errors.As(err, &se) || se.ExitCode != 1 {
		t.Fatalf("failing script: %v", err)
	}
	before := sim.Host.BootID()
	if err := h.Rebooter.Reboot(ctx); err != nil {
		t.Fatal(err)
	}
	if st := sim.Snapshot(); st.BootID == before || st.Features["Containers"] != "Installed" {
		t.Errorf("after the restart: boot %s (before %s), Containers %s", st.BootID, before, st.Features["Containers"])
	}
	if left := stagedLeft(sim); len(left) != 0 {
		t.Errorf("staged files left: %v", left)
	}
}
