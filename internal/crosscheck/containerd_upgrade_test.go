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

// TestContainerdUpgradeFailsWhole: a containerd upgrade that fails (a full disk while the three archives
// are staged) leaves the running containerd, nerdctl and the CNI plugins as they were: nothing is
// half-upgraded, the engine keeps running, and the next apply (the fault gone) upgrades all three. (A
// broken HNS no longer reaches this step: install-containerd makes no HNS network, the CNI plugin does at
// the first container; TestContainerdNetworkAtFirstContainer.)
func TestContainerdUpgradeFailsWhole(t *testing.T) {
	for _, c := range []struct {
		fault winsim.Fault
		says  string
	}{
		{winsim.Fault{Kind: "disk_full"}, machine.DiskFullText},
	} {
		t.Run(c.fault.Kind, func(t *testing.T) {
			t.Parallel()
			sim, conn := faultHost(t, "ws2022")
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			if _, err := executor.Apply(ctx, conn, resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "containerd", Version: "1.7.22"}}), executor.Options{}); err != nil {
				t.Fatalf("converging first: %v", err)
			}
			versions := func() (ctrd, nerdctl, cni string) {
				a, _ := sim.Machine.File(machine.Containerd)
				b, _ := sim.Machine.File(machine.Nerdctl)
				c, _ := sim.Machine.File(machine.CNIPlugin)
				return a.Version, b.Version, c.Version
			}
			// nerdctl and the CNI plugins from an older install, so that an upgrade changes all three.
			sim.Machine.InstallTool(machine.Nerdctl, "1.7.7")
			sim.Machine.InstallTool(machine.CNIPlugin, "0.2.0")
			c0, n0, k0 := versions()
			want := resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "containerd", Version: "2.1.2"}})
			injected := false
			_, err := executor.Apply(ctx, conn, want, executor.Options{Progress: func(e executor.Event) {
				if e.Kind == executor.EventStepStart && e.Step == plan.StepEngine && !injected {
					injected = true
					if err := sim.Inject(c.fault); err != nil {
						t.Error(err)
					}
				}
			}})
			if !injected {
				t.Fatal("the upgrade planned no install-engine step")
			}
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("the upgrade under %s: %v", c.fault.Kind, err)
			}
			st := sim.Snapshot()
			if s := st.Services["containerd"]; s.State != machine.Running {
				t.Errorf("containerd ran before the failed upgrade and is %s after it", s.State)
			}
			if c1, n1, k1 := versions(); c1 != c0 || n1 != n0 || k1 != k0 {
				t.Errorf("half-upgraded: containerd %s→%s, nerdctl %s→%s, CNI %s→%s", c0, c1, n0, n1, k0, k1)
			}
			if err := sim.Inject(winsim.Fault{Kind: "clear"}); err != nil {
				t.Fatal(err)
			}
			res, err := executor.Apply(ctx, conn, want, executor.Options{})
			if err != nil {
				t.Fatalf("the next apply: %v", err)
			}
			assertConverged(t, sim.Snapshot(), want, res)
			if c2, n2, k2 := versions(); c2 != "2.1.2" || n2 == n0 || k2 == k0 {
				t.Errorf("after the upgrade: containerd %s, nerdctl %s, CNI %s", c2, n2, k2)
			}
		})
	}
}
