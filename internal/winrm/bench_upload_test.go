package winrm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/packer-community/winrmcp/winrmcp"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

// simLab is a full winsim host (so its latency fault applies) whose WS-Man server has the given
// MaxEnvelopeSizekb. winsim.Options has no envelope setting, so the server New built is replaced by one
// configured the same way (credentials, HTTPS, the host's command handler and restart state) with the
// other limit, before the host listens.
func simLab(b *testing.B, envelopeKB int, latency time.Duration) *lab {
	b.Helper()
	dir := b.TempDir()
	sim, err := winsim.New(winsim.Options{Profile: "ws2022", User: user, Password: password, HTTPS: true, StateDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	sim.Server = wsman.NewServer(wsman.Config{User: user, Password: password, HTTPS: true, MaxEnvelopeSizeKB: envelopeKB,
		Handler: sim.Host.Run, Up: sim.Host.Up})
	if err := sim.Inject(winsim.Fault{Kind: "latency", Delay: latency.String()}); err != nil {
		b.Fatal(err)
	}
	h := winsimtest.Serve(b, sim, dir)
	return &lab{host: sim.Host, server: sim.Server, addr: h.Addr, port: h.Port, ca: h.CA}
}

// BenchmarkUploadEnvelope measures the streaming upload (receive-file over stdin Sends) of 1, 20 and 80 MB
// (80 MB is the size of the engine archives) with the host's MaxEnvelopeSizekb at 500 (Windows' default)
// and 8192 (what Azure Pipelines sets), at 0 and 20 ms per request. The client sends envelopes as large
// as the host allows. Throughput is MB/s; payload-bytes/request is the file's bytes over every HTTP
// request the upload made.
func BenchmarkUploadEnvelope(b *testing.B) {
	for _, size := range []int{1 << 20, 20 << 20, 80 << 20} {
		data := pseudoRandom(size)
		sum := sha256.Sum256(data)
		hexsum := hex.EncodeToString(sum[:])
		for _, env := range []int{500, 8192} {
			for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
				b.Run(fmt.Sprintf("size=%dMB/envelope=%dKB/latency=%dms", size>>20, env, lat.Milliseconds()), func(b *testing.B) {
					l := simLab(b, env, lat)
					c, err := l.client(b, func(o *Options) { o.EnvelopeSize = env * 1024 })
					if err != nil {
						b.Fatal(err)
					}
					defer c.Close()
					r := &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
					b.SetBytes(int64(size))
					l.server.ResetCounts()
					for b.Loop() {
						if err := r.Upload(context.Background(), bytes.NewReader(data), int64(size), hexsum, `C:\bench.bin`, nil); err != nil {
							b.Fatal(err)
						}
					}
					reqs := float64(total(l.server.Counts())) / float64(b.N)
					b.ReportMetric(reqs, "requests/upload")
					b.ReportMetric(float64(size)/reqs, "payload-bytes/request")
				})
			}
		}
	}
}

// BenchmarkUploadWinrmcpSizes is the baseline on the same hosts: winrmcp's echo-chunk method (Packer's
// and Terraform's file transfer), whose chunk is bound by the command line, not the envelope. At 20 ms
// a megabyte already takes over ten seconds (562 requests), so the larger sizes run without latency
// only: their requests per megabyte are the same, and so is their time per request.
func BenchmarkUploadWinrmcpSizes(b *testing.B) {
	for _, tc := range []struct {
		size int
		lat  time.Duration
	}{{1 << 20, 0}, {20 << 20, 0}, {80 << 20, 0}, {1 << 20, 20 * time.Millisecond}} {
		b.Run(fmt.Sprintf("size=%dMB/latency=%dms", tc.size>>20, tc.lat.Milliseconds()), func(b *testing.B) {
			l := simLab(b, 500, tc.lat)
			cp, err := winrmcp.New(net.JoinHostPort(l.addr, strconv.Itoa(l.port)), &winrmcp.Config{
				Auth: winrmcp.Auth{User: user, Password: password}, Https: true, CACertBytes: l.ca,
				OperationTimeout: 60 * time.Second, MaxOperationsPerShell: 15,
			})
			if err != nil {
				b.Fatal(err)
			}
			data := pseudoRandom(tc.size)
			b.SetBytes(int64(tc.size))
			l.server.ResetCounts()
			for b.Loop() {
				if err := cp.Write(`C:\bench-winrmcp.bin`, bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
			reqs := float64(total(l.server.Counts())) / float64(b.N)
			b.ReportMetric(reqs, "requests/upload")
			b.ReportMetric(float64(tc.size)/reqs, "payload-bytes/request")
		})
	}
}
