package sshconn_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/sshconn"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// BenchmarkScriptOverSSH is the cost of one library script over SSH, as ScriptTransports measures it
// over WinRM: on a kept connection (reused, as a provider run does), the probe and the facts script; with
// a new client per script (fresh, as a provider process per host), the probe. Wire bytes each way are the
// encrypted TCP bytes winsim's sshd counts (a fresh client's include its key exchange and logon), with
// SSH sessions and connections per script; the kept connection's handshake is reported apart.
func BenchmarkScriptOverSSH(b *testing.B) {
	for _, tc := range []struct{ mode, script string }{{"reused", "probe"}, {"reused", "facts"}, {"fresh", "probe"}} {
		b.Run("mode="+tc.mode+"/"+tc.script, func(b *testing.B) {
			h := winsimtest.Start(b, winsim.Options{Profile: "ws2025", User: user, Password: password, StateDir: b.TempDir(), SSH: true})
			o := sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: user, Password: password, KnownHostsFiles: []string{h.KnownHosts}}
			newClient := func() *sshconn.Client {
				c, err := sshconn.New(o)
				if err != nil {
					b.Fatal(err)
				}
				return c
			}
			ctx := context.Background()
			c := newClient()
			b.Cleanup(func() { _ = c.Close() })
			if _, _, err := c.Output(ctx, "echo connect"); err != nil {
				b.Fatal(err)
			}
			hs := h.Sim.Snapshot().SSH
			h.Sim.ResetCounts()
			lib := powershell.MustLoad()
			b.ResetTimer()
			for range b.N {
				exec := c
				if tc.mode == "fresh" {
					exec = newClient()
				}
				if _, err := (&runner.ScriptRunner{Exec: exec, Library: lib}).Run(ctx, tc.script, nil, nil); err != nil {
					b.Fatal(err)
				}
				if tc.mode == "fresh" {
					_ = exec.Close()
				}
			}
			b.StopTimer()
			st := h.Sim.Snapshot().SSH
			n := float64(b.N)
			b.ReportMetric(float64(st.BytesIn)/n, "bytes-up/script")
			b.ReportMetric(float64(st.BytesOut)/n, "bytes-down/script")
			b.ReportMetric(float64(st.Sessions)/n, "sessions/script")
			b.ReportMetric(float64(st.Connections)/n, "connections/script")
			if tc.mode == "reused" {
				b.ReportMetric(float64(hs.BytesIn+hs.BytesOut), "bytes-handshake")
			}
		})
	}
}

// BenchmarkUploadOverSSH streams a 16 MB file through receive-file over SSH (base64 lines on stdin).
func BenchmarkUploadOverSSH(b *testing.B) {
	h := winsimtest.Start(b, winsim.Options{Profile: "ws2025", User: user, Password: password, StateDir: b.TempDir(), SSH: true})
	c, err := sshconn.New(sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: user, Password: password, KnownHostsFiles: []string{h.KnownHosts}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	sr := &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
	data := make([]byte, 16<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	sum := sha256Hex(data)
	b.SetBytes(int64(len(data)))
	h.Sim.ResetCounts()
	b.ResetTimer()
	for range b.N {
		if err := sr.Upload(context.Background(), bytes.NewReader(data), int64(len(data)), sum, `C:\ProgramData\wincontainers\bench.bin`, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(h.Sim.Snapshot().SSH.BytesIn)/float64(b.N)/float64(len(data)), "wire-bytes/payload-byte")
}
