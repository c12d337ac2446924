package crosscheck

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	mz "github.com/masterzen/winrm"
	"github.com/packer-community/winrmcp/winrmcp"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/sshconn"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// benchScenarios are the three modes from a bare ws2022 host to a verified container host.
var benchScenarios = []struct {
	name string
	o    winsim.Options
	s    spec.Spec
}{
	{"process-docker", winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process", PullImages: true}},
	{"hyperv-docker", winsim.Options{Profile: "ws2022", Virtualization: "exposed"}, spec.Spec{Mode: "hyperv", PullImages: true}},
	{"lcow-containerd", winsim.Options{Profile: "ws2022", Virtualization: "exposed"}, spec.Spec{Mode: "lcow", PullImages: true}},
}

var benchLatencies = []time.Duration{0, 20 * time.Millisecond}

func injectLatency(b *testing.B, sim *winsim.Sim, d time.Duration) {
	b.Helper()
	if err := sim.Inject(winsim.Fault{Kind: "latency", Delay: d.String()}); err != nil {
		b.Fatal(err)
	}
}

// applyTally sums what winsim counted over a converge benchmark's applies.
type applyTally struct {
	req, reboots, steps int
	in, out             int64
}

func (a *applyTally) add(st winsim.State, res executor.Result) {
	a.req += st.Requests.Total
	a.in += st.Requests.BytesIn
	a.out += st.Requests.BytesOut
	a.reboots += st.Reboots
	a.steps += len(res.StepsRun)
}

// report gives the per-apply figures both converge benchmarks share.
func (a applyTally) report(b *testing.B) {
	n := float64(b.N)
	b.ReportMetric(float64(a.req)/n, "requests/apply")
	b.ReportMetric(float64(a.in)/n, "bytes-sent/apply")
	b.ReportMetric(float64(a.out)/n, "bytes-received/apply")
	b.ReportMetric(float64(a.reboots)/n, "reboots/apply")
	b.ReportMetric(float64(a.steps)/n, "steps/apply")
}

// BenchmarkConverge measures a bare host to a verified container host over WinRM (HTTPS) against
// winsim, and then the no-op re-run: WS-Man requests, bytes each way and reboots per apply, at 0 and 20
// ms of injected latency per request. winsim runs the scripts through its PowerShell engine against a
// machine whose installs take no real time, and its restart takes 50 ms (polled every 20 ms), so the time
// per apply is the protocol's (round trips times latency) plus the engine's interpretation.
func BenchmarkConverge(b *testing.B) {
	for _, c := range benchScenarios {
		for _, lat := range benchLatencies {
			b.Run(fmt.Sprintf("mode=%s/latency=%dms", c.name, lat.Milliseconds()), func(b *testing.B) {
				want := resolve(b, c.s)
				var tally applyTally
				var noop int
				var noopIn int64
				var noopTime time.Duration
				for b.Loop() {
					b.StopTimer()
					sim, r := startSim(b, c.o)
					injectLatency(b, sim, lat)
					b.StartTimer()
					res, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					st := sim.Snapshot()
					tally.add(st, res)
					sim.Server.ResetCounts()
					start := time.Now()
					if _, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{}); err != nil {
						b.Fatal(err)
					}
					noopTime += time.Since(start)
					st = sim.Snapshot()
					noop += st.Requests.Total
					noopIn += st.Requests.BytesIn
					b.StartTimer()
				}
				tally.report(b)
				n := float64(b.N)
				b.ReportMetric(float64(noop)/n, "requests/noop-apply")
				b.ReportMetric(float64(noopIn)/n, "bytes-sent/noop-apply")
				b.ReportMetric(float64(noopTime.Milliseconds())/n, "ms/noop-apply")
			})
		}
	}
}

// BenchmarkConvergePeer runs the same plan on the same kind of host the way the peers do it: each step
// one `powershell -EncodedCommand <base64 UTF-16LE>` command through masterzen's RunWithContext (a new
// shell per command, as Packer's communicator and install-docker-ce.ps1-style pipelines do), the
// script self-contained (the bootstrap's helper functions defined in it), and no stdin. A command line
// longer than cmd.exe's 8191 characters cannot carry the script, so that script is uploaded first with
// winrmcp (Packer's file transfer) and run with -File. The restart is windows-restart's sequence
// (shutdown /r /f /t 0, the test restart and its abort, the check command), with its 1 s / 10 s / 5 s
// pauses scaled to 20 ms as ours are. Only the transport differs: the steps, their order and the
// scripts are ours.
func BenchmarkConvergePeer(b *testing.B) {
	lib := powershell.MustLoad()
	for _, c := range benchScenarios {
		for _, lat := range benchLatencies {
			b.Run(fmt.Sprintf("mode=%s/latency=%dms", c.name, lat.Milliseconds()), func(b *testing.B) {
				want := resolve(b, c.s)
				var tally applyTally
				var uploads int
				for b.Loop() {
					b.StopTimer()
					sim, p := startPeer(b, c.o, lib)
					injectLatency(b, sim, lat)
					b.StartTimer()
					res, err := executor.Apply(context.Background(), executor.ScriptConn{Runner: p, Rebooter: p}, want, executor.Options{})
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					st := sim.Snapshot()
					if st.Verified == "" {
						b.Fatal("the host was not verified")
					}
					tally.add(st, res)
					uploads += p.uploads
					b.StartTimer()
				}
				tally.report(b)
				b.ReportMetric(float64(uploads)/float64(b.N), "uploaded-scripts/apply")
			})
		}
	}
}

// peerRunner is the step-per-command style: a runner.Runner and runner.Rebooter over a plain masterzen
// client, a shell per command.
type peerRunner struct {
	c       *mz.Client
	cp      *winrmcp.Winrmcp
	lib     *powershell.Library
	helpers string
	pause   time.Duration // windows-restart's 1 s, 10 s and 5 s, scaled
	uploads int
}

func startPeer(b *testing.B, o winsim.Options, lib *powershell.Library) (*winsim.Sim, *peerRunner) {
	b.Helper()
	o.RebootTime = 50 * time.Millisecond
	o.Internet = sharedInternet()
	o.User, o.Password, o.HTTPS, o.StateDir = "Administrator", "Crosscheck-P@ss", true, b.TempDir()
	sim, err := winsim.New(o)
	if err != nil {
		b.Fatal(err)
	}
	sim.Host.ShutdownTime = 50 * time.Millisecond
	h := winsimtest.Serve(b, sim, o.StateDir)
	c, err := mz.NewClientWithParameters(mz.NewEndpoint(h.Addr, h.Port, true, false, h.CA, nil, nil, 30*time.Second), o.User, o.Password,
		mz.NewParameters("PT60S", "en-US", 153600))
	if err != nil {
		b.Fatal(err)
	}
	cp, err := winrmcp.New(net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)), &winrmcp.Config{Auth: winrmcp.Auth{User: o.User, Password: o.Password},
		Https: true, CACertBytes: h.CA, OperationTimeout: 60 * time.Second, MaxOperationsPerShell: 15})
	if err != nil {
		b.Fatal(err)
	}
	// The bootstrap's helper functions, which a self-contained script must define itself.
	var helpers strings.Builder
	for _, line := range strings.Split(lib.Bootstrap(), "\n") {
		if strings.HasPrefix(line, "$ErrorActionPreference") || strings.HasPrefix(line, "function ") {
			helpers.WriteString(line + "\n")
		}
	}
	return sim, &peerRunner{c: c, cp: cp, lib: lib, helpers: helpers.String(), pause: 20 * time.Millisecond}
}

// cmdLineLimit is cmd.exe's command-line limit, which WinRS applies (docs/knowledge/winrm.md#the-command-line-limit).
const cmdLineLimit = 8191

func (p *peerRunner) Run(ctx context.Context, script string, params any, onProgress func(powershell.Progress)) (powershell.Outcome, error) {
	s, err := p.lib.Script(script)
	if err != nil {
		return powershell.Outcome{}, err
	}
	body, err := powershell.Body(s, params)
	if err != nil {
		return powershell.Outcome{}, err
	}
	text := p.helpers + body
	line := "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " + powershell.EncodeCommand(text)
	if len(line) > cmdLineLimit {
		id := make([]byte, 8)
		_, _ = rand.Read(id)
		path := `C:\Windows\Temp\script-` + hex.EncodeToString(id) + `.ps1`
		if err := p.cp.Write(path, strings.NewReader(text)); err != nil {
			return powershell.Outcome{}, &runner.TransportError{Op: "uploading " + script, Retryable: true, Err: err}
		}
		p.uploads++
		line = `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "` + path + `"`
	}
	out := powershell.NewOutputParser(onProgress)
	var stderr bytes.Buffer
	code, err := p.c.RunWithContext(ctx, line, out, &stderr)
	if err != nil {
		return powershell.Outcome{}, &runner.TransportError{Op: "running " + script, Retryable: true, Err: err}
	}
	return powershell.Interpret(script, code, out, stderr.String()) //nolint:wrapcheck // the test's own runner
}

// Reboot is windows-restart's sequence (docs/knowledge/winrm.md#packers-windows-restart).
func (p *peerRunner) Reboot(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, err := p.c.RunWithContext(ctx, `shutdown /r /f /t 0 /c "packer restart"`, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil && (code == 0 || code == 1115 || code == 1190) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("restart command: %d %w", code, err)
		}
		time.Sleep(p.pause)
	}
	time.Sleep(p.pause)
	for {
		code, err := p.c.RunWithContext(ctx, `shutdown /r /f /t 60 /c "packer restart test"`, &bytes.Buffer{}, &bytes.Buffer{})
		if err != nil || code == 1 {
			break
		}
		if code == 1115 || code == 1190 || code == 1717 {
			time.Sleep(p.pause)
			continue
		}
		if code == 0 {
			_, _ = p.c.RunWithContext(ctx, `shutdown /a`, &bytes.Buffer{}, &bytes.Buffer{})
			break
		}
	}
	check := "powershell.exe -EncodedCommand " + powershell.EncodeCommand(`echo ("{0} restarted." -f [System.Net.Dns]::GetHostName())`)
	for time.Now().Before(deadline) {
		time.Sleep(p.pause)
		var out bytes.Buffer
		_, _ = p.c.RunWithContext(ctx, check, &out, &bytes.Buffer{})
		if strings.Contains(out.String(), "restarted.") {
			return nil
		}
	}
	return errors.New("timeout waiting for the machine to restart")
}

// benchTransports are the connections a Terraform user can give a host as Windows ships it or close to
// it: WinRM over HTTPS (Basic), WinRM over HTTP with NTLM message encryption (AllowUnencrypted=false), and
// SSH to Windows' OpenSSH server (password logon, host key from known_hosts).
var benchTransports = []string{"winrm-https", "winrm-http-sealed", "ssh"}

// startTransport starts a bare ws2022 host serving one transport and opens the connection the provider
// would open for it (hostconn, with the test restart timings).
func startTransport(b *testing.B, transport string) (*winsim.Sim, *hostconn.Conn) {
	b.Helper()
	o := winsim.Options{Profile: "ws2022", User: "Administrator", Password: "Crosscheck-P@ss", StateDir: b.TempDir(),
		RebootTime: 50 * time.Millisecond, Internet: sharedInternet()}
	switch transport {
	case "winrm-https":
		o.HTTPS = true
	case "winrm-http-sealed":
		o.Auth, o.RequireEncryption = "ntlm", true
	case "ssh":
		o.SSH = true
	}
	h := winsimtest.Start(b, o)
	cfg := hostconn.Config{
		Reboot:       runner.RebootOptions{DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1, Timeout: 30 * time.Second},
		RetryBackoff: 10 * time.Millisecond,
	}
	switch transport {
	case "winrm-https":
		cfg.WinRM = winrm.Options{Host: h.Addr, Port: h.Port, CACert: h.CA, User: o.User, Password: o.Password}
	case "winrm-http-sealed":
		cfg.WinRM = winrm.Options{Host: h.Addr, Port: h.Port, HTTP: true, Auth: winrm.AuthNTLM, User: o.User, Password: o.Password}
	case "ssh":
		cfg.SSH = &sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: o.User, Password: o.Password, KnownHostsFiles: []string{h.KnownHosts}}
	}
	conn, err := hostconn.Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close() })
	return h.Sim, conn
}

// wire is what winsim counted on the transport in use: WS-Man requests (HTTP round trips) and their
// bytes for WinRM; connections, sessions (one per command) and the encrypted bytes for SSH.
type wire struct {
	requests, connections, sessions int
	in, out                         int64
}

func wireOf(st winsim.State, ssh bool) wire {
	if ssh {
		if st.SSH == nil {
			return wire{}
		}
		return wire{connections: st.SSH.Connections, sessions: st.SSH.Sessions, in: st.SSH.BytesIn, out: st.SSH.BytesOut}
	}
	return wire{requests: st.Requests.Total, in: st.Requests.BytesIn, out: st.Requests.BytesOut}
}

// BenchmarkConvergeTransports converges a bare ws2022 host to process isolation with Docker over each
// transport, then runs the no-op apply, at 0 and 20 ms of latency (winsim's latency fault: each WS-Man
// request waits that long, and over SSH everything the host sends): round trips (WS-Man requests, or SSH
// sessions, one per command, and connections), bytes each way, restarts and time.
func BenchmarkConvergeTransports(b *testing.B) {
	c := benchScenarios[0]
	for _, transport := range benchTransports {
		overSSH := transport == "ssh"
		for _, lat := range benchLatencies {
			b.Run(fmt.Sprintf("transport=%s/latency=%dms", transport, lat.Milliseconds()), func(b *testing.B) {
				want := resolve(b, c.s)
				var apply, noop wire
				var reboots, steps int
				var noopTime time.Duration
				for b.Loop() {
					b.StopTimer()
					sim, conn := startTransport(b, transport)
					injectLatency(b, sim, lat)
					b.StartTimer()
					res, err := executor.Apply(context.Background(), conn, want, executor.Options{})
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					st := sim.Snapshot()
					if st.Verified == "" || (overSSH && st.Requests.Total != 0) {
						b.Fatalf("%s: verified %q, %d WS-Man requests", transport, st.Verified, st.Requests.Total)
					}
					w := wireOf(st, overSSH)
					apply.requests, apply.connections, apply.sessions = apply.requests+w.requests, apply.connections+w.connections, apply.sessions+w.sessions
					apply.in, apply.out = apply.in+w.in, apply.out+w.out
					reboots += st.Reboots
					steps += len(res.StepsRun)
					sim.ResetCounts()
					start := time.Now()
					again, err := executor.Apply(context.Background(), conn, want, executor.Options{})
					if err != nil || len(again.StepsRun) != 0 {
						b.Fatalf("no-op apply: steps %v, %v", again.StepsRun, err)
					}
					noopTime += time.Since(start)
					w = wireOf(sim.Snapshot(), overSSH)
					noop.requests, noop.sessions, noop.in = noop.requests+w.requests, noop.sessions+w.sessions, noop.in+w.in
					b.StartTimer()
				}
				n := float64(b.N)
				if overSSH {
					b.ReportMetric(float64(apply.sessions)/n, "sessions/apply")
					b.ReportMetric(float64(apply.connections)/n, "connections/apply")
					b.ReportMetric(float64(noop.sessions)/n, "sessions/noop-apply")
				} else {
					b.ReportMetric(float64(apply.requests)/n, "requests/apply")
					b.ReportMetric(float64(noop.requests)/n, "requests/noop-apply")
				}
				b.ReportMetric(float64(reboots)/n, "reboots/apply")
				b.ReportMetric(float64(steps)/n, "steps/apply")
				b.ReportMetric(float64(apply.in)/n, "bytes-sent/apply")
				b.ReportMetric(float64(apply.out)/n, "bytes-received/apply")
				b.ReportMetric(float64(noop.in)/n, "bytes-sent/noop-apply")
				b.ReportMetric(float64(noopTime.Milliseconds())/n, "ms/noop-apply")
			})
		}
	}
}
