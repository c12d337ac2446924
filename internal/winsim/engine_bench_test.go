package winsim

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/powershell"
)

// BenchmarkFactsScript is the cost of one facts read on the host side, the library's most frequent script
// (every plan and refresh): the command line as the controller sends it, the stdin frame, the bootstrap and
// facts.ps1 through winsim's PowerShell engine, on a converged-looking ws2022 host. No network: the WS-Man
// layer is measured elsewhere.
func BenchmarkFactsScript(b *testing.B) {
	lib := powershell.MustLoad()
	s, _ := lib.Script("facts")
	stdin, err := powershell.Stdin(s, nil)
	if err != nil {
		b.Fatal(err)
	}
	line := powershell.CommandLine(lib.Bootstrap())
	sim, err := New(Options{Profile: "ws2022", User: "Administrator", Password: "Bench-P@ss1"})
	if err != nil {
		b.Fatal(err)
	}
	m := sim.Machine
	if _, err := m.InstallFeature("Containers"); err != nil {
		b.Fatal(err)
	}
	m.Boot()
	for _, err := range []error{m.InstallEngine("docker", "29.2.1"), m.RegisterService("docker"), m.StartService("docker")} {
		if err != nil {
			b.Fatal(err)
		}
	}
	var out bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		out.Reset()
		if code := sim.Host.Run(context.Background(), line, bytes.NewReader(stdin), &out, io.Discard); code != 0 || !strings.Contains(out.String(), "##wincontainers:result ") {
			b.Fatalf("exit %d: %s", code, out.String())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/script")
}
