package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim"
)

// killedApply runs `terraform apply` and kills it with SIGKILL as soon as killWhen sees the host reach a
// point of the apply. It returns what Terraform printed before it died.
func killedApply(t *testing.T, tf, dir string, env []string, h *simServer, killWhen func(winsim.State) bool) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tf, "apply", "-auto-approve", "-no-color")
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			t.Fatalf("terraform apply ended (%v) before the kill point:\n%s", err, out.String())
		case <-tick.C:
			if killWhen(h.sim.Snapshot()) {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				if err := <-done; err == nil {
					t.Fatalf("terraform apply finished before it was killed:\n%s", out.String())
				}
				return out.String()
			}
		}
	}
}

// stateResources lists the resources `terraform show -json` finds in the state, with their values.
func stateResources(t *testing.T, tf, dir string, env []string) map[string]map[string]any {
	t.Helper()
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	text := run(t, tf, dir, env, "show", "-json", "-no-color")
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("terraform show -json: %v\n%s", err, text)
	}
	out := map[string]map[string]any{}
	for _, r := range doc.Values.RootModule.Resources {
		out[r.Address] = r.Values
	}
	return out
}

// Terraform killed with SIGKILL in the middle of an apply, through the real CLI and the shipped provider
// binary (dev_overrides): during a create, after the features' restart, as the engine lands; then during
// an engine upgrade. A killed create leaves nothing in the state; a killed update leaves the state at
// the old version; the host keeps a running engine when it had one; and the next apply converges
// without repeating the restart, after which a plan has no changes. The password is in no output.
func TestAccHostKilledApply(t *testing.T) {
	accPreCheck(t)
	tf, bin := terraformCLI(t), providerBinary(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	// Slow requests widen the windows the kills aim at.
	if err := h.sim.Inject(winsim.Fault{Kind: "latency", Delay: "40ms"}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(version string) {
		cfg := fmt.Sprintf(`
terraform {
  required_providers {
    wincontainers = { source = "wincontainers/wincontainers" }
  }
}

variable "password" {
  type      = string
  sensitive = true
}

resource "wincontainers_host" "test" {
  host = %q
  port = %d
  winrm = {
    username = "Administrator"
    password = var.password
    ca_cert  = file(%q)
  }
  container_mode = "process"
  engine         = { type = "docker", version = %q }
}
`, h.host, h.port, h.caFile, version)
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := append(devOverridesEnv(t, bin), "TF_VAR_password="+simPassword)
	noSecret := func(what, text string) {
		if strings.Contains(text, simPassword) {
			t.Errorf("%s shows the password", what)
		}
	}

	// 1. Killed during the create, once the engine's binaries are on the host (after the restart).
	write("27.3.1")
	out := killedApply(t, tf, dir, env, h, func(st winsim.State) bool { return st.Reboots == 1 && st.Engine.Type == "docker" })
	noSecret("the killed apply", out)
	if res := stateResources(t, tf, dir, env); len(res) != 0 {
		t.Fatalf("a killed create left %d resource(s) in the state: %v", len(res), res)
	}
	out = run(t, tf, dir, env, "apply", "-auto-approve", "-no-color")
	noSecret("the resumed apply", out)
	st := h.sim.Snapshot()
	if st.Reboots != 1 {
		t.Errorf("the resumed create restarted the host again (%d restarts)", st.Reboots)
	}
	if err := dockerRunning(st); err != nil {
		t.Fatal(err)
	}
	run(t, tf, dir, env, "plan", "-detailed-exitcode", "-no-color")

	// 2. Killed during an upgrade, as the new binaries land.
	write("29.2.1")
	out = killedApply(t, tf, dir, env, h, func(st winsim.State) bool { return st.Engine.Version == "29.2.1" })
	noSecret("the killed upgrade", out)
	if v, _ := stateResources(t, tf, dir, env)["wincontainers_host.test"]["engine"].(map[string]any); v["version"] != "27.3.1" {
		t.Errorf("after a killed upgrade the state says %v, want engine 27.3.1", v)
	}
	// The provider process may outlive Terraform for a moment and finish its step; the engine runs.
	time.Sleep(time.Second)
	if st := h.sim.Snapshot(); st.Services["docker"].State != "Running" {
		t.Errorf("after a killed upgrade docker is %s", st.Services["docker"].State)
	}
	run(t, tf, dir, env, "apply", "-auto-approve", "-no-color")
	st = h.sim.Snapshot()
	if st.Engine.Version != "29.2.1" || st.Reboots != 1 {
		t.Errorf("after the resumed upgrade: engine %v, %d restarts", st.Engine, st.Reboots)
	}
	if err := dockerRunning(st); err != nil {
		t.Fatal(err)
	}
	run(t, tf, dir, env, "plan", "-detailed-exitcode", "-no-color")
}
