package crosscheck

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// resolve validates a spec as of the day the tests and benchmarks assume.
func resolve(tb testing.TB, s spec.Spec) spec.Resolved {
	tb.Helper()
	want, d := spec.Validate(s, compat.D(2026, 11, 22))
	if d.HasErrors() {
		tb.Fatalf("spec: %v", d)
	}
	return want
}

func stepCode(t *testing.T, err error) (*executor.StepError, string) {
	t.Helper()
	var se *executor.StepError
	var script *powershell.ScriptError
	if !errors.As(err, &se) || !errors.As(err, &script) {
		t.Fatalf("want a failed step with a script error, got %v", err)
	}
	return se, script.Code
}

// Drift behind the tool's back is repaired with only the steps it calls for, and verified again.
func TestDriftIsRepaired(t *testing.T) {
	text := func(s string) *string { return &s }
	cases := []struct {
		name    string
		drift   machine.Drift
		steps   []plan.StepKind
		reboots int
		check   func(t *testing.T, st winsim.State)
	}{
		{"service stopped", machine.Drift{StopService: "docker"}, []plan.StepKind{plan.StepService, plan.StepVerify}, 0, nil},
		{"Containers removed", machine.Drift{RemoveFeature: "Containers"},
			[]plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepVerify}, 1, func(t *testing.T, st winsim.State) {
				if st.Features["Containers"] != "Installed" {
					t.Errorf("Containers is %s", st.Features["Containers"])
				}
			}},
		{"daemon.json replaced, user keys kept", machine.Drift{SetDaemonConfig: text(`{"debug": true}`)},
			[]plan.StepKind{plan.StepDaemonConfig, plan.StepVerify}, 0, func(t *testing.T, st winsim.State) {
				if st.DaemonConfig["debug"] != true || st.DaemonConfig["exec-opts"] == nil {
					t.Errorf("daemon.json %v: want the user's debug kept and exec-opts restored", st.DaemonConfig)
				}
			}},
		{"dockerd deleted", machine.Drift{DeleteFile: machine.Dockerd}, []plan.StepKind{plan.StepEngine, plan.StepService, plan.StepVerify}, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sim, r, want, _, err := converge(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed"}, spec.Spec{Mode: "hyperv", PullImages: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.Machine.ApplyDrift(c.drift); err != nil {
				t.Fatal(err)
			}
			before := sim.Snapshot().Reboots
			res, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
			if err != nil {
				t.Fatalf("repair: %v", err)
			}
			if !slices.Equal(res.StepsRun, c.steps) {
				t.Errorf("repair ran %v, want %v", res.StepsRun, c.steps)
			}
			st := sim.Snapshot()
			if st.Reboots-before != c.reboots {
				t.Errorf("%d reboots, want %d", st.Reboots-before, c.reboots)
			}
			if svc := st.Services["docker"]; svc.State != "Running" {
				t.Errorf("docker is %s after the repair", svc.State)
			}
			if c.check != nil {
				c.check(t, st)
			}
		})
	}
}

// A failed download stops the apply at the engine step with the cause; the features and reboot already
// done are kept, and the next apply finishes without repeating them.
func TestInterruptedApplyResumes(t *testing.T) {
	t.Parallel()
	sim, r := startSim(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed"})
	if err := sim.Inject(winsim.Fault{Kind: "fail_download", URLContains: "docker-"}); err != nil {
		t.Fatal(err)
	}
	want := resolve(t, spec.Spec{Mode: "hyperv", PullImages: true})
	_, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
	se, code := stepCode(t, err)
	if se.Step.Kind != plan.StepEngine || code != "download_failed" || !strings.Contains(err.Error(), "download.docker.com") {
		t.Fatalf("step %s code %s: %v", se.Step.Kind, code, err)
	}
	st := sim.Snapshot()
	if st.Features["Containers"] != "Installed" || st.Reboots != 1 || st.Engine.Type != "" {
		t.Fatalf("after the failure: features %v reboots %d engine %v", st.Features, st.Reboots, st.Engine)
	}
	if err := sim.Inject(winsim.Fault{Kind: "fail_download"}); err != nil {
		t.Fatal(err)
	}
	res, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(res.StepsRun, plan.StepFeatures) || res.Reboots != 0 || sim.Snapshot().Services["docker"].State != "Running" {
		t.Errorf("resume ran %v with %d reboots", res.StepsRun, res.Reboots)
	}
}

// Downloads that cannot be trusted or reached fail with the cause and leave no engine behind.
func TestDownloadFailures(t *testing.T) {
	cases := []struct {
		name    string
		host    winsim.Options
		spec    spec.Spec
		code    string
		message []string
	}{
		{"offline host", winsim.Options{Profile: "ws2022", Offline: true}, spec.Spec{Mode: "process"},
			"download_failed", []string{"could not be resolved: 'download.docker.com'", "push the archive"}},
		{"pinned hash differs", winsim.Options{Profile: "ws2022"},
			spec.Spec{Mode: "process", Engine: spec.Engine{Version: "29.2.1", SHA256: strings.Repeat("ab", 32)}},
			"checksum_mismatch", []string{strings.Repeat("ab", 32)}},
		{"unpublished version", winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process", Engine: spec.Engine{Version: "28.9.99"}},
			"download_failed", []string{"(404) Not Found", "docker-28.9.99.zip"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sim, _, _, _, err := converge(t, c.host, c.spec)
			_, code := stepCode(t, err)
			if code != c.code {
				t.Fatalf("code %s, want %s: %v", code, c.code, err)
			}
			for _, m := range c.message {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error lacks %q: %v", m, err)
				}
			}
			if st := sim.Snapshot(); st.Engine.Type != "" || len(st.Files) != 0 && hasDockerd(st) {
				t.Errorf("an engine was left behind: %+v", st.Engine)
			}
		})
	}
}

func hasDockerd(st winsim.State) bool {
	_, ok := st.Files[strings.ToLower(machine.Dockerd)]
	return ok
}

// Without a pinned hash the Docker zip's hash is observed and reported (trust on first use); a pinned
// one is not reported as observed.
func TestObservedHashes(t *testing.T) {
	t.Parallel()
	_, _, _, res, err := converge(t, winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process"})
	if err != nil {
		t.Fatal(err)
	}
	obs := res.Observed()
	a, err := sharedInternet().Lookup(compat.DockerURL(compat.DefaultDockerVersion))
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := sharedInternet().SHA256(a)
	if len(obs) != 1 || obs[0].What != "docker" || obs[0].SHA256 != sum || obs[0].URL != a.URL {
		t.Fatalf("observed %+v, want docker %s", obs, sum)
	}
	_, _, _, res, err = converge(t, winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process", Engine: spec.Engine{Version: compat.DefaultDockerVersion, SHA256: sum}})
	if err != nil || len(res.Observed()) != 0 {
		t.Fatalf("pinned: %v, observed %+v", err, res.Observed())
	}
	// containerd: its own archive and nerdctl are verified against published checksums; only the CNI zip is observed.
	_, _, _, res, err = converge(t, winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "containerd"}})
	if err != nil {
		t.Fatal(err)
	}
	if obs := res.Observed(); len(obs) != 1 || obs[0].What != "cni" {
		t.Errorf("containerd observed %+v, want only cni", obs)
	}
}

// An engine upgrade and a downgrade happen in place, without a reboot.
func TestUpgradeAndDowngradeInPlace(t *testing.T) {
	t.Parallel()
	sim, r, _, _, err := converge(t, winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process", Engine: spec.Engine{Version: "27.3.1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"29.2.1", "26.1.4"} {
		res, err := executor.Apply(context.Background(), hostOf(r), resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Version: v}}), executor.Options{})
		if err != nil {
			t.Fatal(err)
		}
		st := sim.Snapshot()
		if st.Engine.Version != v || res.Reboots != 0 || !slices.Equal(res.StepsRun, []plan.StepKind{plan.StepEngine, plan.StepService, plan.StepVerify}) {
			t.Errorf("to %s: engine %v, steps %v, reboots %d", v, st.Engine, res.StepsRun, res.Reboots)
		}
	}
}

// Uninstall removes the engine, its configuration and the marker; run again it removes nothing; with
// features it restarts once.
func TestUninstall(t *testing.T) {
	t.Parallel()
	sim, r, _, _, err := converge(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed"}, spec.Spec{Mode: "hyperv"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := executor.Uninstall(context.Background(), hostOf(r), executor.UninstallOptions{}); err != nil {
		t.Fatal(err)
	}
	st := sim.Snapshot()
	if st.Engine.Type != "" || st.DaemonConfig != nil || st.Verified != "" || slices.ContainsFunc(st.MachinePath, func(p string) bool { return strings.Contains(p, "Docker") }) {
		t.Errorf("after uninstall: engine %v config %v marker %q path %v", st.Engine, st.DaemonConfig, st.Verified, st.MachinePath)
	}
	// sc.exe delete leaves the Application event log's source (dockerd --register-service wrote it); a
	// later --register-service fails on it, so uninstall removes the key too.
	if sim.Machine.EventSource("docker") {
		t.Error("after uninstall the docker event log source is still registered")
	}
	res, err := executor.Uninstall(context.Background(), hostOf(r), executor.UninstallOptions{RemoveFeatures: true})
	if err != nil {
		t.Fatal(err)
	}
	st = sim.Snapshot()
	if res.Reboots != 1 || st.Features["Containers"] != "Available" || st.Features["Hyper-V"] != "Available" {
		t.Errorf("features %v after %d reboots", st.Features, res.Reboots)
	}
	res, err = executor.Uninstall(context.Background(), hostOf(r), executor.UninstallOptions{RemoveFeatures: true})
	if err != nil || res.Reboots != 0 || !strings.Contains(string(res.Records[0].Result), `"removed":[]`) {
		t.Errorf("third uninstall: %v, %d reboots, %s", err, res.Reboots, res.Records[0].Result)
	}
}

// A host whose dockerd.exe is gone (deleted by hand) is still uninstalled: the service goes through
// sc.exe delete, which leaves the event log source dockerd registered, so uninstall removes that key
// itself; otherwise a later install's --register-service would fail on it.
func TestUninstallWithoutTheEngineBinary(t *testing.T) {
	t.Parallel()
	sim, r, _, _, err := converge(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed"}, spec.Spec{Mode: "process"})
	if err != nil {
		t.Fatal(err)
	}
	sim.Machine.StopService("docker")
	if !sim.Machine.RemoveFile(machine.EngineBinary("docker")) {
		t.Fatal("no dockerd.exe to delete")
	}
	if _, err := executor.Uninstall(context.Background(), hostOf(r), executor.UninstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := sim.Machine.Service("docker"); ok || sim.Machine.EventSource("docker") {
		t.Errorf("after uninstall: service left %v, event log source left %v", ok, sim.Machine.EventSource("docker"))
	}
}

// A daemon.json the user broke is not overwritten: the step says which file and why.
func TestUnreadableDaemonConfig(t *testing.T) {
	t.Parallel()
	sim, r, want, _, err := converge(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed"}, spec.Spec{Mode: "hyperv"})
	if err != nil {
		t.Fatal(err)
	}
	broken := `{"exec-opts": ["isolation=hyperv"],}`
	if err := sim.Machine.ApplyDrift(machine.Drift{SetDaemonConfig: &broken, StopService: "docker"}); err != nil {
		t.Fatal(err)
	}
	_, err = executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
	if err == nil {
		t.Fatal("apply succeeded with a broken daemon.json")
	}
	if !strings.Contains(err.Error(), "daemon.json") {
		t.Errorf("error does not name daemon.json: %v", err)
	}
	if st := sim.Snapshot(); st.DaemonConfigRaw != broken {
		t.Errorf("the broken file was changed: %q", st.DaemonConfigRaw)
	}
}

// Connections cut in the middle of an apply (before the facts read and as each step starts) are retried
// for the idempotent scripts, and the apply converges with one reboot.
func TestConnectionResetsDuringApply(t *testing.T) {
	t.Parallel()
	sim, r := startSim(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed"})
	lib := powershell.MustLoad()
	retrying := &runner.Retrying{Runner: r, Idempotent: lib.Idempotent, Sleep: func(context.Context, time.Duration) error { return nil }}
	h := executor.ScriptConn{Runner: retrying, Rebooter: hostOf(r).Rebooter}
	if err := sim.Inject(winsim.Fault{Kind: "reset_connections", Count: 2}); err != nil {
		t.Fatal(err)
	}
	resets := 0
	res, err := executor.Apply(context.Background(), h, resolve(t, spec.Spec{Mode: "hyperv", PullImages: true}), executor.Options{Progress: func(e executor.Event) {
		if e.Kind == executor.EventStepStart {
			resets++
			if err := sim.Inject(winsim.Fault{Kind: "reset_connections", Count: 1}); err != nil {
				t.Error(err)
			}
		}
	}})
	if err != nil {
		t.Fatalf("apply with %d injected resets: %v", resets+2, err)
	}
	if st := sim.Snapshot(); st.Reboots != 1 || st.Services["docker"].State != "Running" || st.Verified == "" {
		t.Errorf("after %d resets: reboots %d, docker %v, verified %q (steps %v)", resets+2, st.Reboots, st.Services["docker"], st.Verified, res.StepsRun)
	}
}

// An offline host gets the Docker zip pushed from the controller (engine.archive): uploaded with
// receive-file, verified on both sides, installed from there; no download is attempted.
func TestOfflineHostWithPushedArchive(t *testing.T) {
	t.Parallel()
	a, err := sharedInternet().Lookup(compat.DockerURL(compat.DefaultDockerVersion))
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(t.TempDir(), "docker.zip")
	if err := a.Save(local); err != nil {
		t.Fatal(err)
	}
	o := winsim.Options{Profile: "ws2022", Offline: true}
	sim, r := startSim(t, o)
	want := resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Archive: local}})
	h := hostOf(r)
	h.Uploader = r
	res, err := executor.Apply(context.Background(), h, want, executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := sim.Snapshot()
	// Unpinned, the pushed zip is recorded for trust on first use under its path on the controller.
	obs := res.Observed()
	if st.Engine.Version != compat.DefaultDockerVersion || st.Services["docker"].State != "Running" || len(obs) != 1 ||
		obs[0].URL != local || !obs[0].Pushed || obs[0].What != "docker" {
		t.Errorf("engine %v, docker %v, observed %v", st.Engine, st.Services["docker"], obs)
	}
	if st.Requests.BytesIn < a.Size {
		t.Errorf("only %d bytes reached the host for a %d-byte archive", st.Requests.BytesIn, a.Size)
	}
	// Without an uploader the push cannot happen, and the error says so.
	sim2, r2 := startSim(t, o)
	_, err = executor.Apply(context.Background(), hostOf(r2), want, executor.Options{})
	if err == nil || !strings.Contains(err.Error(), "a transport that can push files") || sim2.Snapshot().Reboots != 1 {
		t.Errorf("without an uploader (%d reboots): %v", sim2.Snapshot().Reboots, err)
	}
}
