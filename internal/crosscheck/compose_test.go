package crosscheck

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// Compose-ready hosts (issue 21), through WinRM and the real scripts run by winsim's PowerShell 5.1
// engine: Docker hosts get the Compose CLI plugin from its release, verified against checksums.txt;
// containerd hosts use nerdctl compose; verification brings a one-service project up on the nat network
// and takes it down again.

const (
	composePlugin     = `C:\Program Files\Docker\cli-plugins\docker-compose.exe`
	composeStandalone = `C:\Program Files\Docker\docker-compose.exe`
)

func composeHost(t *testing.T, o winsim.Options) (*winsim.Sim, *hostconn.Conn) {
	t.Helper()
	o.Virtualization, o.User, o.Password, o.HTTPS, o.StateDir = "exposed", "Administrator", airgapPassword, true, t.TempDir()
	o.RebootTime, o.Internet = 50*time.Millisecond, sharedInternet()
	h := winsimtest.Start(t, o)
	return h.Sim, connect(t, h, airgapPassword, hostconn.Config{
		WinRM:         winrm.Options{OperationTimeout: 5 * time.Second},
		Reboot:        runner.RebootOptions{DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1, ProbeTimeout: 2 * time.Second, Timeout: 10 * time.Second},
		RetryAttempts: 3, RetryBackoff: 25 * time.Millisecond,
	})
}

// verifyChecks are the verify step's checks by name -> status, from the last verify of the result.
func verifyChecks(t *testing.T, res executor.Result) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, rec := range res.Records {
		if rec.Kind != plan.StepVerify {
			continue
		}
		var doc struct {
			Checks []struct{ Name, Status, Detail string } `json:"checks"`
		}
		if err := json.Unmarshal(rec.Result, &doc); err != nil {
			t.Fatal(err)
		}
		for _, c := range doc.Checks {
			out[c.Name] = c.Status
		}
	}
	return out
}

func wantComposeVerified(t *testing.T, res executor.Result, docker bool) {
	t.Helper()
	checks := verifyChecks(t, res)
	want := []string{"compose_up", "compose_running", "compose_down"}
	if docker {
		want = append(want, "compose")
	}
	for _, name := range want {
		if checks[name] != "passed" {
			t.Errorf("verify check %s is %q, want passed (all: %v)", name, checks[name], checks)
		}
	}
}

func stepKinds(res executor.Result) string {
	var out []string
	for _, k := range res.StepsRun {
		out = append(out, string(k))
	}
	return strings.Join(out, ",")
}

// A Windows Server 2022 Docker host with compose (and the standalone name): installed from the release,
// verified by a compose project; converged afterwards; drift (the plugin deleted, then replaced by
// another release) is planned and repaired; uninstall removes it.
func TestComposeDockerHost(t *testing.T) {
	t.Parallel()
	sim, c := composeHost(t, winsim.Options{Profile: "ws2022"})
	want := resolve(t, spec.Spec{Mode: "process", OSVersion: "2022", PullImages: true, Compose: &spec.Compose{Enabled: true, Standalone: true}})
	res, err := executor.Apply(context.Background(), c, want, executor.Options{})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if !strings.Contains(stepKinds(res), string(plan.StepCompose)) {
		t.Fatalf("steps %s have no %s", stepKinds(res), plan.StepCompose)
	}
	wantComposeVerified(t, res, true)
	exe, _ := compat.ComposeURLs(compat.DefaultComposeVersion)
	art, err := sharedInternet().Lookup(exe)
	if err != nil {
		t.Fatal(err)
	}
	published, _ := sharedInternet().SHA256(art)
	for _, p := range []string{composePlugin, composeStandalone} {
		f, ok := sim.Machine.File(p)
		if !ok || f.SHA256 != published {
			t.Errorf("%s: present %v, SHA-256 %s, want the release's %s", p, ok, f.SHA256, published)
		}
	}
	for _, rec := range res.Records {
		if rec.Kind == plan.StepCompose && !strings.Contains(string(rec.Result), `"sha256_source":"published"`) {
			t.Errorf("install-compose did not verify against checksums.txt: %s", rec.Result)
		}
	}
	if n := len(sim.Machine.Networks()); n > 1 {
		t.Errorf("compose down left networks: %v", sim.Machine.Networks())
	}

	f, err := c.Facts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f.Compose.PluginPath != composePlugin || f.Compose.Version != compat.DefaultComposeVersion || f.Compose.StandaloneSHA256 != published {
		t.Errorf("facts compose %+v", f.Compose)
	}
	if p, err := plan.Build(f, want); err != nil || !p.Empty() {
		t.Fatalf("converged host plans %v: %v", p.Kinds(), err)
	}

	// Drift: the plugin is deleted.
	sim.Machine.RemoveFile(composePlugin)
	f, _ = c.Facts(context.Background())
	p, err := plan.Build(f, want)
	if err != nil || len(p.Steps) == 0 || p.Steps[0].Kind != plan.StepCompose || !strings.Contains(p.Steps[0].Reason, "not installed") {
		t.Fatalf("after deleting the plugin: %v %v", p.Steps, err)
	}
	if res, err = executor.Apply(context.Background(), c, want, executor.Options{}); err != nil || stepKinds(res) != "install-compose,verify" {
		t.Fatalf("repair ran %s: %v", stepKinds(res), err)
	}
	wantComposeVerified(t, res, true)
	// Drift: another Compose release in its place (what a hand install leaves).
	old, _ := compat.ComposeURLs(compat.LegacyComposeVersion)
	if _, err := sim.Machine.Download(old, composePlugin); err != nil {
		t.Fatal(err)
	}
	f, _ = c.Facts(context.Background())
	if f.Compose.Version != compat.LegacyComposeVersion {
		t.Fatalf("facts read %q from the replaced plugin", f.Compose.Version)
	}
	if res, err = executor.Apply(context.Background(), c, want, executor.Options{}); err != nil || stepKinds(res) != "install-compose,verify" {
		t.Fatalf("repair ran %s: %v", stepKinds(res), err)
	}

	if _, err := executor.Uninstall(context.Background(), c, executor.UninstallOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{composePlugin, composeStandalone} {
		if _, ok := sim.Machine.File(p); ok {
			t.Errorf("uninstall left %s", p)
		}
	}
	f, _ = c.Facts(context.Background())
	if f.Compose.Installed() {
		t.Errorf("facts after uninstall: %+v", f.Compose)
	}
}

// A containerd host verifies with nerdctl compose and installs nothing for it.
func TestComposeContainerdHost(t *testing.T) {
	t.Parallel()
	sim, c := composeHost(t, winsim.Options{Profile: "ws2022"})
	want := resolve(t, spec.Spec{Mode: "process", OSVersion: "2022", PullImages: true, Engine: spec.Engine{Type: "containerd"}, Compose: &spec.Compose{Enabled: true}})
	res, err := executor.Apply(context.Background(), c, want, executor.Options{})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if strings.Contains(stepKinds(res), string(plan.StepCompose)) {
		t.Errorf("a containerd host ran %s", plan.StepCompose)
	}
	wantComposeVerified(t, res, false)
	if _, ok := sim.Machine.File(composePlugin); ok {
		t.Error("a containerd host got the Docker Compose plugin")
	}
}

// Windows Server 2016: a project network is refused after the facts read (os_version not declared),
// with HNS's text and the remedy, before anything changes; with the nat network the same host converges
// and its compose project runs (Docker 20.10.24, API 1.41, Compose 5.5.0).
func TestCompose2016(t *testing.T) {
	t.Parallel()
	sim, c := composeHost(t, winsim.Options{Profile: "ws2016"})
	own := resolve(t, spec.Spec{Mode: "process", PullImages: true, Compose: &spec.Compose{Enabled: true, Network: "project"}})
	_, err := executor.Apply(context.Background(), c, own, executor.Options{})
	var refusal *plan.RefusalError
	if !errors.As(err, &refusal) || !compat.HasCode(refusal.Findings, "compose_network_2016") {
		t.Fatalf("want the compose_network_2016 refusal, got %v", err)
	}
	for _, s := range []string{"HNS failed with error : The parameter is incorrect.", "external: true, name: nat", "14393"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("refusal lacks %q: %v", s, err)
		}
	}
	if st := sim.Snapshot(); st.Engine.Type != "" || st.Reboots != 0 {
		t.Fatalf("the refused apply changed the host: engine %v, reboots %d", st.Engine, st.Reboots)
	}
	nat := resolve(t, spec.Spec{Mode: "process", PullImages: true, Compose: &spec.Compose{Enabled: true}})
	res, err := executor.Apply(context.Background(), c, nat, executor.Options{})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	wantComposeVerified(t, res, true)
}

// An air-gapped host: the engine zip and the Compose binary are pushed; nothing is downloaded. With no
// base image on the host and nothing pullable, the compose project is reported skipped (never passed)
// while the plugin itself answers.
func TestComposeAirGapped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	save := func(url, name string) string {
		art, err := sharedInternet().Lookup(url)
		if err != nil {
			t.Fatal(err)
		}
		p := dir + "/" + name
		if err := art.Save(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	zip := save(compat.DockerURL(compat.DefaultDockerVersion), "docker.zip")
	exe, _ := compat.ComposeURLs(compat.DefaultComposeVersion)
	composeExe := save(exe, "docker-compose-windows-x86_64.exe")
	sim, c := composeHost(t, winsim.Options{Profile: "ws2022", Offline: true})
	want := resolve(t, spec.Spec{Mode: "process", OSVersion: "2022", Engine: spec.Engine{Archive: zip}, Compose: &spec.Compose{Enabled: true, Archive: composeExe}})
	res, err := executor.Apply(context.Background(), c, want, executor.Options{})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	noDownloads(t, sim)
	if checks := verifyChecks(t, res); checks["compose"] != "passed" || checks["compose_up"] != "skipped" {
		t.Errorf("offline verify checks %v", checks)
	}
	sum, _, _ := spec.FileSHA256(composeExe)
	if f, ok := sim.Machine.File(composePlugin); !ok || f.SHA256 != sum {
		t.Errorf("plugin %v %s, want the pushed file's %s", ok, f.SHA256, sum)
	}
	found := false
	for _, o := range res.Observed() {
		if o.What == "compose" && o.Pushed && o.SHA256 == sum {
			found = true
		}
	}
	if !found {
		t.Errorf("the unpinned pushed compose binary is not reported for trust on first use: %+v", res.Observed())
	}
}
