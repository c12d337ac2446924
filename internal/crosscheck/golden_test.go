package crosscheck

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// hostSummary is what an apply leaves on a host, as winsim's state document shows it, without what
// differs between two runs by design (times, ids, request counts).
type hostSummary struct {
	Steps    []plan.StepKind
	Reboots  int
	Features map[string]string
	Services map[string]string
	Engine   string
	Daemon   string
	LCOW     []string
	Verified bool
	Refused  bool
}

func summarize(st winsim.State, res executor.Result, err error) (hostSummary, error) {
	var refusal *plan.RefusalError
	s := hostSummary{Steps: res.StepsRun, Reboots: st.Reboots, Features: st.Features, Services: map[string]string{},
		Engine: st.Engine.Type + " " + st.Engine.Version, Verified: st.Verified != "", Refused: errors.As(err, &refusal)}
	for name, svc := range st.Services {
		if name == "docker" || name == "containerd" {
			s.Services[name] = svc.State + "/" + svc.StartType
		}
	}
	if st.DaemonConfig != nil {
		b, _ := json.Marshal(st.DaemonConfig)
		s.Daemon = string(b)
	}
	s.LCOW = slices.Sorted(slices.Values(st.LCOWBootFiles))
	if err != nil && !s.Refused {
		return s, err
	}
	return s, nil
}

// updateGolden rewrites testdata/scenarios.golden.json from TestScenarios.
var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/scenarios.golden.json from TestScenarios")

// goldenFile holds what each profile × mode × engine apply leaves on the host (hostSummary). It was first
// written by winsim's Go implementations of the scripts' contracts, an oracle independent of the .ps1
// files, when those implementations were retired for the PowerShell engine that runs the scripts
// themselves; a difference now is a change in what a script does to a host. Rewrite it with
// -update-golden only for a change that is meant, and review the diff.
const goldenFile = "testdata/scenarios.golden.json"

// golden collects the scenarios' summaries and compares each with the committed one.
type golden struct {
	mu   sync.Mutex
	want map[string]hostSummary
	got  map[string]hostSummary
}

func loadGolden(t *testing.T, total int) *golden {
	t.Helper()
	g := &golden{want: map[string]hostSummary{}, got: map[string]hostSummary{}}
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (go test ./internal/crosscheck -run 'TestScenarios$' -update-golden writes it)", err)
	}
	if err := json.Unmarshal(b, &g.want); err != nil {
		t.Fatalf("%s: %v", goldenFile, err)
	}
	t.Cleanup(func() {
		if !*updateGolden || t.Failed() {
			return
		}
		if len(g.got) != total {
			t.Errorf("-update-golden needs every scenario (ran %d of %d)", len(g.got), total)
			return
		}
		out, _ := json.MarshalIndent(g.got, "", "  ")
		if err := os.WriteFile(goldenFile, append(out, '\n'), 0o600); err != nil {
			t.Error(err)
		}
	})
	return g
}

// check compares one scenario's host with the committed summary.
func (g *golden) check(t *testing.T, name string, st winsim.State, res executor.Result, err error) {
	t.Helper()
	got, serr := summarize(st, res, err)
	if serr != nil {
		t.Fatalf("apply: %v", serr)
	}
	g.mu.Lock()
	g.got[name] = got
	want, ok := g.want[name]
	g.mu.Unlock()
	if *updateGolden {
		return
	}
	if !ok {
		t.Fatalf("%s has no entry for %s (run with -update-golden and review the diff)", goldenFile, name)
	}
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Errorf("the host differs from %s:\n  want: %s\n  got:  %s", goldenFile, a, b)
	}
}
