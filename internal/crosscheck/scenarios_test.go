package crosscheck

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/profile"
)

// sharedInternet lets every simulated host hash each synthetic artifact once.
var sharedInternet = sync.OnceValue(machine.NewInternet)

// converge applies a spec to a fresh winsim host over WinRM, with real reboots (the restart script and
// probes until a new boot), and returns the simulator and the executor's result.
func converge(t testing.TB, o winsim.Options, s spec.Spec) (*winsim.Sim, *runner.ScriptRunner, spec.Resolved, executor.Result, error) {
	t.Helper()
	sim, r := startSim(t, o)
	want, d := spec.Validate(s, compat.D(2026, 11, 22))
	if d.HasErrors() {
		t.Fatalf("spec: %v", d)
	}
	res, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
	return sim, r, want, res, err
}

// startSim serves a winsim host for convergence tests: quick reboots, and the internet shared by all.
func startSim(t testing.TB, o winsim.Options) (*winsim.Sim, *runner.ScriptRunner) {
	t.Helper()
	o.RebootTime = 50 * time.Millisecond
	o.Internet = sharedInternet()
	return startHost(t, o)
}

func hostOf(r *runner.ScriptRunner) executor.ScriptConn {
	return executor.ScriptConn{Runner: r, Rebooter: runner.ScriptRebooter{Runner: r, Options: runner.RebootOptions{
		DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1, Timeout: 30 * time.Second}}}
}

// Every profile × mode × engine: the host converges with at most one reboot and proves its mode by
// running containers in winsim's engine model, or the planner refuses before anything changes. A second
// run is one facts read. The engine model (winsim) and the knowledge base (compat) are written
// separately: a combination compat allows but the simulated engine rejects fails here.
func TestScenarios(t *testing.T) {
	type outcome struct {
		name                string
		converged           bool
		reboots, noopTotal  int
		noopCommands, steps int
	}
	var mu sync.Mutex
	var outcomes []outcome
	g := loadGolden(t, len(profile.All())*6)
	t.Cleanup(func() {
		slices.SortFunc(outcomes, func(a, b outcome) int { return strings.Compare(a.name, b.name) })
		conv, ref := 0, 0
		for _, o := range outcomes {
			if o.converged {
				conv++
				t.Logf("%-32s converged: %d steps, %d reboot(s); no-op re-run: %d WS-Man requests (%d commands)", o.name, o.steps, o.reboots, o.noopTotal, o.noopCommands)
			} else {
				ref++
			}
		}
		t.Logf("%d scenarios converged, %d refused before any change", conv, ref)
	})
	for _, p := range profile.All() {
		for _, mode := range []string{"process", "hyperv", "lcow"} {
			for _, engine := range []string{"docker", "containerd"} {
				name := fmt.Sprintf("%s/%s/%s", p.Name, mode, engine)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					o := winsim.Options{Profile: p.Name, Virtualization: "exposed"}
					if p.Client {
						o.Edition = "enterprise"
					}
					sim, r, want, res, err := converge(t, o, spec.Spec{Mode: mode, Engine: spec.Engine{Type: engine}, PullImages: true})
					// What must be refused, stated here from docs/knowledge/windows.md on its own: LCOW and containerd
					// need build 17763 (docs/knowledge/windows.md#lcow and #engine-limits: containerd's Windows floor). All else converges.
					mustRefuse := p.Build < 17763 && (mode == "lcow" || engine == "containerd")
					g.check(t, name, sim.Snapshot(), res, err)
					var refusal *plan.RefusalError
					if isRefusal := errors.As(err, &refusal); isRefusal != mustRefuse {
						t.Fatalf("refused=%v, want %v: %v", isRefusal, mustRefuse, err)
					}
					if mustRefuse {
						st := sim.Snapshot()
						if st.Requests.ByAction["Command"] != 1 || st.Reboots != 0 || st.Engine.Type != "" {
							t.Errorf("refused, but the host was touched: %v commands, %d reboots, engine %q", st.Requests.ByAction, st.Reboots, st.Engine.Type)
						}
						mu.Lock()
						outcomes = append(outcomes, outcome{name: name})
						mu.Unlock()
						return
					}
					if err != nil {
						t.Fatalf("apply: %v", err)
					}
					st := sim.Snapshot()
					assertConverged(t, st, want, res)
					if st.Reboots > 1 || res.Reboots != st.Reboots {
						t.Errorf("reboots: winsim saw %d, the executor did %d; want at most 1", st.Reboots, res.Reboots)
					}
					// The no-op re-run: one facts read and nothing else.
					sim.Server.ResetCounts()
					again, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
					if err != nil {
						t.Fatalf("second apply: %v", err)
					}
					st2 := sim.Snapshot()
					if len(again.StepsRun) != 0 || again.FactsReads != 1 || st2.Requests.ByAction["Command"] != 1 || st2.Reboots != st.Reboots {
						t.Errorf("second apply ran %v with %d facts reads, %v requests", again.StepsRun, again.FactsReads, st2.Requests.ByAction)
					}
					mu.Lock()
					outcomes = append(outcomes, outcome{name: name, converged: true, reboots: st.Reboots, noopTotal: st2.Requests.Total,
						noopCommands: st2.Requests.ByAction["Command"], steps: len(res.StepsRun)})
					mu.Unlock()
				})
			}
		}
	}
}

// assertConverged checks winsim's state document against the spec: features, service, engine, daemon
// configuration, boot files and the verification marker.
func assertConverged(t *testing.T, st winsim.State, want spec.Resolved, res executor.Result) {
	t.Helper()
	containers := st.Features["Containers"]
	if containers != "Installed" && containers != "Enabled" {
		t.Errorf("Containers is %s", containers)
	}
	if want.Mode.NeedsHyperV() {
		hv := st.Features["Hyper-V"] + st.Features["Microsoft-Hyper-V"]
		if hv != "Installed" && hv != "Enabled" {
			t.Errorf("Hyper-V is %q", hv)
		}
	}
	engine := string(want.EngineType)
	if st.Engine.Type != engine || st.Engine.Version != res.Facts.Engine.Version || st.Engine.Version == "" {
		t.Errorf("engine %+v, facts say %s %s", st.Engine, res.Facts.Engine.Type, res.Facts.Engine.Version)
	}
	if svc := st.Services[engine]; svc.State != "Running" || svc.StartType != "Automatic" {
		t.Errorf("service %s: %+v", engine, svc)
	}
	if want.EngineType == compat.Docker {
		for k, v := range plan.DesiredDaemonConfig(want) {
			if fmt.Sprint(st.DaemonConfig[k]) != fmt.Sprint(v) {
				t.Errorf("daemon.json %s = %v, want %v (config %v)", k, st.DaemonConfig[k], v, st.DaemonConfig)
			}
		}
	}
	if want.Mode == compat.ModeLCOW && len(st.LCOWBootFiles) != 2 {
		t.Errorf("LCOW boot files: %v", st.LCOWBootFiles)
	}
	if st.Verified == "" || st.Verified != res.Plan.SpecHash {
		t.Errorf("verification marker %q", st.Verified)
	}
}
