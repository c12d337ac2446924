package crosscheck

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// rebootTime is how long the benchmark hosts stay down (winsim's default, the same for both tools).
const rebootTime = 3 * time.Second

// stampedHost is a winsim host over plain HTTP (Packer's communicator cannot pin a CA) that records when
// its last WS-Man request was answered, so "noticed" is measured on the host's side for every tool.
type stampedHost struct {
	sim        *winsim.Sim
	host       string
	port       int
	mu         sync.Mutex
	lastAnswer time.Time
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) { w.status = s; w.ResponseWriter.WriteHeader(s) }
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return w.ResponseWriter.(http.Hijacker).Hijack() //nolint:wrapcheck,forcetypeassert // net/http's writer is a Hijacker
}

func startStamped(b *testing.B) *stampedHost {
	b.Helper()
	sim, err := winsim.New(winsim.Options{Profile: "ws2022", User: "Administrator", Password: "Crosscheck-P@ss", AllowUnencrypted: true,
		RebootTime: rebootTime, Internet: sharedInternet()})
	if err != nil {
		b.Fatal(err)
	}
	s := &stampedHost{sim: sim}
	h := sim.Handler()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 30 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if r.URL.Path == "/wsman" && sw.status == http.StatusOK && sim.Host.Up() {
			s.mu.Lock()
			s.lastAnswer = time.Now()
			s.mu.Unlock()
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	s.host, s.port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port //nolint:forcetypeassert // a TCP listener
	return s
}

// readyAt is when the host came back: its boot id is LastBootUpTime in 100 ns ticks since 0001-01-01.
func (s *stampedHost) readyAt(b *testing.B) time.Time {
	b.Helper()
	ticks, err := strconv.ParseInt(s.sim.Host.BootID(), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return time.Unix(0, (ticks-621355968000000000)*100)
}

func (s *stampedHost) last() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastAnswer
}

// BenchmarkRebootDetect measures how long after a restarted host is ready again (WinRM answering, a new
// boot) the tool notices and moves on: the time from the host's new LastBootUpTime to the last WS-Man
// answer of the wait. Both tools restart the same winsim host, down for 3 s.
//
//   - ours: runner.RebootAndWait with its defaults (restart scheduled 5 s ahead, a probe every 5 s, 3
//     probes in a row on the new boot), through our WinRM client;
//   - packer-windows-restart: Packer 1.16's windows-restart provisioner with its defaults, run by `packer
//     build` (null builder, Packer's WinRM communicator); needs PACKER_PATH (scripts/bench sets it).
func BenchmarkRebootDetect(b *testing.B) {
	b.Run("tool=ours-defaults", func(b *testing.B) {
		var lag, wall time.Duration
		for b.Loop() {
			h := startStamped(b)
			c, err := winrm.New(winrm.Options{Host: h.host, Port: h.port, HTTP: true, AllowUnencrypted: true, User: "Administrator", Password: "Crosscheck-P@ss"})
			if err != nil {
				b.Fatal(err)
			}
			r := &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
			start := time.Now()
			if err := runner.RebootAndWait(context.Background(), r, runner.RebootOptions{}); err != nil {
				b.Fatal(err)
			}
			wall += time.Since(start)
			lag += h.last().Sub(h.readyAt(b))
			_ = c.Close()
		}
		b.ReportMetric(lag.Seconds()/float64(b.N), "s-ready-to-noticed")
		b.ReportMetric(wall.Seconds()/float64(b.N), "s-restart-total")
	})
	b.Run("tool=packer-windows-restart", func(b *testing.B) {
		packer := os.Getenv("PACKER_PATH")
		if packer == "" {
			b.Skip("set PACKER_PATH to Packer 1.16 (scripts/bench finds or builds it with scripts/packer-cli)")
		}
		var lag, wall time.Duration
		for b.Loop() {
			h := startStamped(b)
			dir := b.TempDir()
			tpl := fmt.Sprintf(`
source "null" "host" {
  communicator   = "winrm"
  winrm_host     = %q
  winrm_port     = %d
  winrm_username = "Administrator"
  winrm_password = "Crosscheck-P@ss"
  winrm_timeout  = "2m"
}
build {
  sources = ["source.null.host"]
  provisioner "windows-restart" {}
}
`, h.host, h.port)
			if err := os.WriteFile(filepath.Join(dir, "restart.pkr.hcl"), []byte(tpl), 0o600); err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			cmd := exec.CommandContext(ctx, packer, "build", "-color=false", "restart.pkr.hcl")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "PACKER_CONFIG_DIR="+dir, "PACKER_PLUGIN_PATH="+filepath.Join(dir, "plugins"))
			start := time.Now()
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil || !strings.Contains(string(out), "restarted") {
				b.Fatalf("packer build: %v\n%s", err, out)
			}
			wall += time.Since(start)
			if h.sim.Snapshot().Reboots != 1 {
				b.Fatalf("packer build restarted the host %d times", h.sim.Snapshot().Reboots)
			}
			lag += h.last().Sub(h.readyAt(b))
		}
		b.ReportMetric(lag.Seconds()/float64(b.N), "s-ready-to-noticed")
		b.ReportMetric(wall.Seconds()/float64(b.N), "s-restart-total")
	})
}
