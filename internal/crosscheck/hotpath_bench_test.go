package crosscheck

import (
	"context"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// The hot pieces on the controller, for regressions (compare runs with benchstat): decoding a facts
// document, planning from it, and decoding PowerShell's CLIXML stderr. The inputs are real: the facts
// of a winsim host (bare and converged), as the facts script reports them over WinRM.

func factsDoc(b *testing.B, converged bool) []byte {
	b.Helper()
	o := winsim.Options{Profile: "ws2022", Virtualization: "exposed"}
	want := resolve(b, spec.Spec{Mode: "hyperv", PullImages: true})
	_, r := startSim(b, o)
	if converged {
		if _, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	out, err := r.Run(context.Background(), "facts", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	return out.Result
}

func BenchmarkFactsDecode(b *testing.B) {
	for _, c := range []struct {
		name      string
		converged bool
	}{{"bare", false}, {"converged", true}} {
		b.Run(c.name, func(b *testing.B) {
			doc := factsDoc(b, c.converged)
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := facts.Decode(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPlanBuild(b *testing.B) {
	for _, c := range []struct {
		name      string
		converged bool
	}{{"bare-to-hyperv", false}, {"converged-noop", true}} {
		b.Run(c.name, func(b *testing.B) {
			f, err := facts.Decode(factsDoc(b, c.converged))
			if err != nil {
				b.Fatal(err)
			}
			want := resolve(b, spec.Spec{Mode: "hyperv", PullImages: true})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := plan.Build(f, want); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeCLIXML decodes a Windows PowerShell 5.1 stderr stream: the "Preparing modules" progress
// record, then n error records (what a failing step sends back).
func BenchmarkDecodeCLIXML(b *testing.B) {
	progress := `<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>`
	errRec := `<S S="Error">Install-WindowsFeature : The request to add or remove features on the specified server failed._x000D__x000A_</S><S S="Error">At line:1 char:1_x000D__x000A_</S><S S="Error">+ Install-WindowsFeature -Name Containers_x000D__x000A_</S>`
	for _, n := range []int{1, 100} {
		doc := "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">" + progress + strings.Repeat(errRec, n) + "</Objs>"
		b.Run(map[int]string{1: "records=3", 100: "records=300"}[n], func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				if s := powershell.DecodeStderr(doc); len(s.Errors) == 0 {
					b.Fatal("no errors decoded")
				}
			}
		})
	}
}
