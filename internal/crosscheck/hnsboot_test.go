package crosscheck

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// TestHNSNotReadyAtBoot is moby#50093 through the whole engine: a process host with Docker 28.1.1 switches
// to Hyper-V isolation, the restart the Hyper-V role needs comes, and the Host Network Service is not
// ready when Windows starts docker at that boot. The service stays Stopped (the restart actions dockerd
// registers apply to crashes only). The apply must read the engine's own error after the restart, say
// what it means, start the engine and prove the new mode.
func TestHNSNotReadyAtBoot(t *testing.T) {
	sim, c := faultHost(t, "ws2022")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if _, err := executor.Apply(ctx, c, resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Version: "28.1.1"}}), executor.Options{}); err != nil {
		t.Fatalf("converging first: %v", err)
	}
	if err := sim.Inject(winsim.Fault{Kind: "hns_first_boot"}); err != nil {
		t.Fatal(err)
	}
	rebootsBefore := sim.Snapshot().Reboots
	want := resolve(t, spec.Spec{Mode: "hyperv", Engine: spec.Engine{Version: "28.1.1"}})

	var startReasons []string
	rebooted := false
	stoppedAfterBoot := false
	res, err := executor.Apply(ctx, c, want, executor.Options{Progress: func(e executor.Event) {
		switch {
		case e.Kind == executor.EventReboot:
			rebooted = true
		case e.Kind == executor.EventStepStart && e.Step == plan.StepService:
			startReasons = append(startReasons, e.Message)
			if s, _ := sim.Machine.Service("docker"); rebooted && s.State == machine.Stopped {
				stoppedAfterBoot = true
			}
		}
	}})
	if err != nil {
		t.Fatalf("the apply did not get past the failed start at boot: %v", err)
	}
	if !rebooted || !stoppedAfterBoot {
		t.Fatalf("the scenario did not happen: rebooted %v, docker stopped after the boot %v", rebooted, stoppedAfterBoot)
	}
	if len(startReasons) != 1 {
		t.Fatalf("start-service ran %d times (%q), want once", len(startReasons), startReasons)
	}
	for _, w := range []string{"the docker service is Stopped", "hnsCall failed in Win32", "(0x23e)", "Host Network Service was not ready"} {
		if !strings.Contains(startReasons[0], w) {
			t.Errorf("start-service's reason does not say %q: %s", w, startReasons[0])
		}
	}
	st := sim.Snapshot()
	assertConverged(t, st, want, res)
	if n := st.Reboots - rebootsBefore; n != 1 {
		t.Errorf("%d restarts, want the one Hyper-V needs", n)
	}
	if sim.Machine.CurrentFaults().HNSFirstBoot {
		t.Error("the boot did not meet the fault")
	}
}
