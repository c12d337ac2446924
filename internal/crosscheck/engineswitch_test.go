package crosscheck

import (
	"context"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// A host converged to Hyper-V isolation with Docker, then asked for LCOW (containerd by default on 2022):
// containerd is installed beside Docker, and the apply converges. Before the facts listed every engine,
// the facts reported Docker (the first found), so every apply planned containerd's install again and
// stopped with "the host does not keep their effect" (found by make testwindows). Uninstall removes both.
func TestEngineSwitchConverges(t *testing.T) {
	t.Parallel()
	sim, r, _, _, err := converge(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed"}, spec.Spec{Mode: "hyperv"})
	if err != nil {
		t.Fatal(err)
	}
	h := hostOf(r)
	want := resolve(t, spec.Spec{Mode: "lcow"})
	res, err := executor.Apply(context.Background(), h, want, executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Facts.ForEngine("containerd"); f.Engine.Type != "containerd" || len(res.Facts.Engines) != 2 {
		t.Fatalf("engines after the switch: %+v", res.Facts.Engines)
	}
	if !compat.HasCode(res.Plan.Warnings, "other_engine_present") {
		t.Errorf("no warning that docker stays beside containerd: %v", res.Plan.Warnings)
	}
	again, err := executor.Apply(context.Background(), h, want, executor.Options{})
	if err != nil || len(again.StepsRun) != 0 {
		t.Fatalf("the next apply ran %v: %v", again.StepsRun, err)
	}
	if _, err := executor.Uninstall(context.Background(), h, executor.UninstallOptions{RemoveLCOW: true}); err != nil {
		t.Fatal(err)
	}
	st := sim.Snapshot()
	_, docker := st.Services["docker"]
	_, containerd := st.Services["containerd"]
	if docker || containerd || st.Verified != "" {
		t.Errorf("after uninstall: services %v, verified %q", st.Services, st.Verified)
	}
}
