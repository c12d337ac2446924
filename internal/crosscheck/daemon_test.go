package crosscheck

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// The daemon block reaches daemon.json through the planner, the configure-daemon step and winsim's
// engine, which starts with the data root it was given. Changing one mirror later rewrites the file and
// restarts docker (one configure-daemon step, then verify, because the spec hash changed), without a
// reboot and without touching the other keys. The log level (daemon.log_level, added through the settings
// table alone) travels the same way, and dockerd starts with it.
func TestDaemonSettingsConverge(t *testing.T) {
	t.Parallel()
	daemon := spec.Daemon{DataRoot: `D:\docker`, RegistryMirrors: []string{"https://mirror.example.com"},
		InsecureRegistries: []string{"registry.local:5000"}, DNS: []string{"10.0.0.2"}, LogLevel: "debug"}
	sim, r, want, res, err := converge(t, winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "docker"}, Daemon: &daemon})
	if err != nil {
		t.Fatal(err)
	}
	st := sim.Snapshot()
	assertConverged(t, st, want, res)
	wantConfig := `{"data-root":"D:\\docker","dns":["10.0.0.2"],"exec-opts":["isolation=process"],"insecure-registries":["registry.local:5000"],"log-level":"debug","registry-mirrors":["https://mirror.example.com"]}`
	if b, _ := json.Marshal(st.DaemonConfig); string(b) != wantConfig {
		t.Errorf("daemon_config %s\nwant %s", b, wantConfig)
	}
	if st.Engine.DataRoot != `D:\docker` || res.Facts.Engine.DataRoot != `D:\docker` {
		t.Errorf("data root: docker runs with %q, facts say %q", st.Engine.DataRoot, res.Facts.Engine.DataRoot)
	}

	daemon.RegistryMirrors, daemon.LogLevel = []string{"https://other-mirror.example.com"}, "warn"
	changed := resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "docker"}, Daemon: &daemon})
	if plan.SpecHash(changed) == plan.SpecHash(want) {
		t.Fatal("the spec hash does not cover the mirrors")
	}
	res, err = executor.Apply(context.Background(), hostOf(r), changed, executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.StepsRun, []plan.StepKind{plan.StepDaemonConfig, plan.StepVerify}) {
		t.Errorf("the changed mirror ran %v, want configure-daemon and verify", res.StepsRun)
	}
	after := sim.Snapshot()
	if res.Reboots != 0 || after.Reboots != st.Reboots {
		t.Errorf("%d reboots for a mirror change (winsim counts %d, was %d)", res.Reboots, after.Reboots, st.Reboots)
	}
	var step struct {
		Changed, Restarted bool
	}
	if len(res.Records) == 0 || json.Unmarshal(res.Records[0].Result, &step) != nil || !step.Changed || !step.Restarted {
		t.Errorf("configure-daemon did not rewrite the file and restart docker: %+v", res.Records)
	}
	mirrors, _ := after.DaemonConfig["registry-mirrors"].([]any)
	if len(mirrors) != 1 || mirrors[0] != "https://other-mirror.example.com" || after.DaemonConfig["data-root"] != `D:\docker` ||
		after.DaemonConfig["dns"] == nil || after.DaemonConfig["insecure-registries"] == nil || after.DaemonConfig["log-level"] != "warn" {
		t.Errorf("daemon_config after the change: %v", after.DaemonConfig)
	}
	if svc := after.Services["docker"]; svc.State != "Running" || after.Engine.DataRoot != `D:\docker` {
		t.Errorf("docker %s with data root %q", svc.State, after.Engine.DataRoot)
	}
	if after.Verified != plan.SpecHash(changed) {
		t.Errorf("verified %q, want the new spec hash", after.Verified)
	}
	// And it stays converged.
	if res, err = executor.Apply(context.Background(), hostOf(r), changed, executor.Options{}); err != nil || len(res.StepsRun) != 0 {
		t.Errorf("third apply ran %v: %v", res.StepsRun, err)
	}
}
