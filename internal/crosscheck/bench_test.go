package crosscheck

import (
	"context"
	"testing"

	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// BenchmarkConverge measures a bare host to a verified container host over WinRM (HTTPS) against
// winsim, and then the no-op re-run: WS-Man requests, bytes each way and reboots per apply. Time is
// not the point (winsim's steps are instant); the counts are.
func BenchmarkConverge(b *testing.B) {
	for _, c := range []struct {
		name string
		o    winsim.Options
		s    spec.Spec
	}{
		{"ws2022-process-docker", winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process", PullImages: true}},
		{"ws2022-hyperv-docker", winsim.Options{Profile: "ws2022", Virtualization: "exposed"}, spec.Spec{Mode: "hyperv", PullImages: true}},
		{"ws2022-lcow-containerd", winsim.Options{Profile: "ws2022", Virtualization: "exposed"}, spec.Spec{Mode: "lcow", PullImages: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var req, noop, reboots int
			var in, out, noopIn int64
			for b.Loop() {
				sim, r, want, _, err := converge(b, c.o, c.s)
				if err != nil {
					b.Fatal(err)
				}
				st := sim.Snapshot()
				req += st.Requests.Total
				in += st.Requests.BytesIn
				out += st.Requests.BytesOut
				reboots += st.Reboots
				sim.Server.ResetCounts()
				if _, err := plan.Apply(context.Background(), hostOf(r), want, plan.Options{}); err != nil {
					b.Fatal(err)
				}
				st = sim.Snapshot()
				noop += st.Requests.Total
				noopIn += st.Requests.BytesIn
			}
			n := float64(b.N)
			b.ReportMetric(float64(req)/n, "requests/apply")
			b.ReportMetric(float64(in)/n, "bytes-sent/apply")
			b.ReportMetric(float64(out)/n, "bytes-received/apply")
			b.ReportMetric(float64(reboots)/n, "reboots/apply")
			b.ReportMetric(float64(noop)/n, "requests/noop-apply")
			b.ReportMetric(float64(noopIn)/n, "bytes-sent/noop-apply")
		})
	}
}
