package crosscheck

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// TestHypervisorLaunchOff: a Hyper-V isolation host whose owner runs `bcdedit /set hypervisorlaunchtype
// off` (to use another hypervisor). The facts show it before the restart that makes it bite, the planner
// refuses instead of installing anything or proving a mode that cannot work, after the restart the host
// really fails Hyper-V containers with 0xc0351000 (and process isolation still works), and once the owner
// sets it back to auto and restarts, the next apply proves the mode again.
func TestHypervisorLaunchOff(t *testing.T) {
	sim, c := faultHost(t, "ws2022")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	want := resolve(t, spec.Spec{Mode: "hyperv"})
	if _, err := executor.Apply(ctx, c, want, executor.Options{}); err != nil {
		t.Fatalf("converging first: %v", err)
	}
	if got := sim.Machine.HypervisorLaunchType(); got != "Auto" {
		t.Fatalf("after installing Hyper-V the boot entry says hypervisorlaunchtype %q, want Auto", got)
	}
	if err := sim.Machine.ApplyDrift(machine.Drift{HypervisorLaunchType: "off"}); err != nil {
		t.Fatal(err)
	}
	refused := func(when string) {
		t.Helper()
		before := sim.Snapshot()
		_, err := executor.Apply(ctx, c, want, executor.Options{})
		var re *plan.RefusalError
		if !errors.As(err, &re) || !compat.HasCode(re.Findings, "hypervisor_launch_off") {
			t.Fatalf("%s: want the hypervisor_launch_off refusal, got %v", when, err)
		}
		if !strings.Contains(err.Error(), "bcdedit /set hypervisorlaunchtype auto") {
			t.Errorf("%s: the refusal does not say how to undo it: %v", when, err)
		}
		after := sim.Snapshot()
		if after.Reboots != before.Reboots || after.Verified != before.Verified {
			t.Errorf("%s: a refused apply changed the host", when)
		}
	}
	refused("before the restart")

	sim.Host.Reboot(0)
	waitDown(t, sim)
	waitUp(t, sim)
	refused("after the restart")
	if st := sim.Snapshot(); st.HypervisorLaunchType != "Off" || st.HypervisorRunning {
		t.Fatalf("state document: hypervisor_launch_type %q, hypervisor_running %v", st.HypervisorLaunchType, st.HypervisorRunning)
	}
	_, err := sim.Machine.Run(machine.RunOptions{Engine: "docker", Image: "mcr.microsoft.com/windows/nanoserver:ltsc2022", Isolation: "hyperv", Pull: true})
	if err == nil || !strings.Contains(err.Error(), "No hypervisor is present on this system. (0xc0351000)") {
		t.Fatalf("a Hyper-V container without the hypervisor: %v", err)
	}
	if _, err := sim.Machine.Run(machine.RunOptions{Engine: "docker", Image: "mcr.microsoft.com/windows/nanoserver:ltsc2022", Isolation: "process"}); err != nil {
		t.Fatalf("process isolation needs no hypervisor: %v", err)
	}

	if err := sim.Machine.ApplyDrift(machine.Drift{HypervisorLaunchType: "Auto"}); err != nil {
		t.Fatal(err)
	}
	sim.Host.Reboot(0)
	waitDown(t, sim)
	waitUp(t, sim)
	res, err := executor.Apply(ctx, c, want, executor.Options{})
	if err != nil {
		t.Fatalf("with the hypervisor back: %v", err)
	}
	assertConverged(t, sim.Snapshot(), want, res)
	if st := sim.Snapshot(); st.HypervisorLaunchType != "Auto" || !st.HypervisorRunning {
		t.Fatalf("state document: hypervisor_launch_type %q, hypervisor_running %v", st.HypervisorLaunchType, st.HypervisorRunning)
	}
	if _, err := sim.Machine.Run(machine.RunOptions{Engine: "docker", Image: "mcr.microsoft.com/windows/nanoserver:ltsc2022", Isolation: "hyperv"}); err != nil {
		t.Fatalf("a Hyper-V container with the hypervisor back: %v", err)
	}
	if err := sim.Machine.ApplyDrift(machine.Drift{HypervisorLaunchType: "maybe"}); err == nil || !strings.Contains(err.Error(), "Auto or Off") {
		t.Errorf("bcdedit took a value it does not know: %v", err)
	}
}
