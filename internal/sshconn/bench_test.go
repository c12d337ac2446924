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

// BenchmarkScriptOverSSH is the cost of one library script (probe, then facts) over SSH on a kept
// connection: wire bytes each way (encrypted, as winsim's sshd counts them) and SSH sessions per script;
// the connection's handshake is reported apart (handshake-B).
func BenchmarkScriptOverSSH(b *testing.B) {
	for _, script := range []string{"probe", "facts"} {
		b.Run(script, func(b *testing.B) {
			h := winsimtest.Start(b, winsim.Options{Profile: "ws2025", User: user, Password: password, StateDir: b.TempDir(), SSH: true})
			c, err := sshconn.New(sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: user, Password: password, KnownHostsFiles: []string{h.KnownHosts}})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = c.Close() })
			sr := &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
			ctx := context.Background()
			if _, _, err := c.Output(ctx, "echo connect"); err != nil {
				b.Fatal(err)
			}
			hs := h.Sim.Snapshot().SSH
			h.Sim.ResetCounts()
			b.ResetTimer()
			for range b.N {
				if _, err := sr.Run(ctx, script, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			st := h.Sim.Snapshot().SSH
			b.ReportMetric(float64(st.BytesIn)/float64(b.N), "client-to-host-B/op")
			b.ReportMetric(float64(st.BytesOut)/float64(b.N), "host-to-client-B/op")
			b.ReportMetric(float64(st.Sessions)/float64(b.N), "sessions/op")
			b.ReportMetric(float64(hs.BytesIn+hs.BytesOut), "handshake-B")
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
