package crosscheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/profile"
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

func summarize(st winsim.State, res plan.Result, err error) (hostSummary, error) {
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

// TestScenariosThroughTheEngine runs every profile × mode × engine of TestScenarios with the library's
// scripts themselves, byte for byte, through winsim's Windows PowerShell 5.1 engine (Options.PowerShell =
// "engine"), and compares what each apply leaves on the host with the same apply against the Go copies of
// the scripts: the same steps, restarts, features, services, engine, daemon.json, boot files, verification
// and refusals. A script that fails on the engine fails here with the script's own error. The scripts
// sleep as they do on Windows (Start-Sleep while a service starts), so the scenarios run 16 at a time
// rather than go test's -parallel (GOMAXPROCS): they wait far more than they compute.
func TestScenariosThroughTheEngine(t *testing.T) {
	type scenario struct {
		name, profile, mode, engine string
		client                      bool
		copies, engineRun           hostSummary
		copiesErr, engineErr        error
	}
	var all []*scenario
	for _, p := range profile.All() {
		for _, mode := range []string{"process", "hyperv", "lcow"} {
			for _, engine := range []string{"docker", "containerd"} {
				all = append(all, &scenario{name: fmt.Sprintf("%s/%s/%s", p.Name, mode, engine), profile: p.Name, mode: mode, engine: engine, client: p.Client})
			}
		}
	}
	run := func(sc *scenario, ps string) (hostSummary, error) {
		o := winsim.Options{Profile: sc.profile, Virtualization: "exposed", PowerShell: ps}
		if sc.client {
			o.Edition = "enterprise"
		}
		sim, _, _, res, err := converge(t, o, spec.Spec{Mode: sc.mode, Engine: spec.Engine{Type: sc.engine}, PullImages: true})
		return summarize(sim.Snapshot(), res, err)
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, 16)
	for _, sc := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			sc.copies, sc.copiesErr = run(sc, "copies")
			sc.engineRun, sc.engineErr = run(sc, "engine")
		}()
	}
	wg.Wait()
	same := 0
	for _, sc := range all {
		t.Run(sc.name, func(t *testing.T) {
			if sc.copiesErr != nil {
				t.Fatalf("through the Go copies: %v", sc.copiesErr)
			}
			if sc.engineErr != nil {
				t.Fatalf("through the engine: %v", sc.engineErr)
			}
			a, _ := json.Marshal(sc.copies)
			b, _ := json.Marshal(sc.engineRun)
			if string(a) != string(b) {
				t.Fatalf("the host differs:\n  copies: %s\n  engine: %s", a, b)
			}
			same++
		})
	}
	t.Logf("%d of %d scenarios leave the same host through the engine as through the Go copies", same, len(all))
}
