package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim"
)

// Plan-time warnings reach the user through the CLI: terraform-plugin-testing can only match errors, so
// this runs the real terraform plan (dev_overrides) and reads what it prints. A Docker API on TCP without
// TLS, accepted with allow_insecure_tcp, is planned with a warning that says what it exposes and how to
// close it; without allow_insecure_tcp the same configuration is an error.
func TestAccDaemonInsecureTCPWarning(t *testing.T) {
	accPreCheck(t)
	tf, bin := terraformCLI(t), providerBinary(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	dir := t.TempDir()
	write := func(allow string) {
		cfg := fmt.Sprintf(`
terraform {
  required_providers {
    wincontainers = { source = "wincontainers/wincontainers" }
  }
}

resource "wincontainers_host" "test" {
  host = %q
  port = %d
  winrm = {
    username = "Administrator"
    password = %q
    ca_cert  = file(%q)
  }
  container_mode = "process"
  daemon = {
    hosts              = ["npipe:////./pipe/docker_engine", "tcp://0.0.0.0:2375"]
    %s
  }
}
`, h.host, h.port, simPassword, h.caFile, allow)
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := devOverridesEnv(t, bin)

	write("allow_insecure_tcp = true")
	out := run(t, tf, dir, env, "plan", "-no-color")
	for _, re := range []string{
		`Warning: unauthenticated Docker API on TCP`,
		`(?s)tcp://0\.0\.0\.0:2375 is served without TLS.*allow_insecure_tcp = true.*root-equivalent.*tls_verify = true`,
		`Plan: 1 to add`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("terraform plan does not print %q:\n%s", re, out)
		}
	}
	if st := h.sim.Snapshot(); st.Requests.Total != 0 {
		t.Errorf("planning a create sent %d requests to the host", st.Requests.Total)
	}

	write("")
	errOut := runFails(t, tf, dir, env, "plan", "-no-color")
	if !strings.Contains(errOut, "TCP endpoint without TLS") || !strings.Contains(errOut, "allow_insecure_tcp = true") {
		t.Errorf("without allow_insecure_tcp the plan must fail saying so:\n%s", errOut)
	}
}

// runFails runs the Terraform CLI expecting it to fail, and returns what it printed.
func runFails(t *testing.T, tf, dir string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tf, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("%s %s succeeded, want a failure:\n%s", tf, strings.Join(args, " "), out)
	}
	return string(out)
}

// Issue 18 item 7: warnings are said once, and only while they help. The unpinned Docker download is
// announced once by the plan that will download it, not again by every later plan once its hash is
// recorded in observed_sha256; a host that does not answer is reported once per refresh, with its dial
// error once rather than once per attempt, and the plan goes on with the state as last known.
func TestAccHostWarnsOnce(t *testing.T) {
	accPreCheck(t)
	tf, bin := terraformCLI(t), providerBinary(t)
	h, stop := startStoppableSimHost(t, winsim.Options{Profile: "ws2022"})
	dir := t.TempDir()
	cfg := fmt.Sprintf(`
terraform {
  required_providers {
    wincontainers = { source = "wincontainers/wincontainers" }
  }
}

resource "wincontainers_host" "test" {
  host = %q
  port = %d
  winrm = {
    username = "Administrator"
    password = %q
    ca_cert  = file(%q)
  }
  container_mode = "process"
  engine         = { type = "docker", version = "27.3.1" }
  on_destroy     = "keep"
}
`, h.host, h.port, simPassword, h.caFile)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := devOverridesEnv(t, bin)
	const unpinned = "the Docker download is not pinned by checksum"
	count := func(out, text string) int {
		// Terraform wraps diagnostics at 78 columns, so words may be split by a newline.
		return len(regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(text), " ", `\s+`)).FindAllString(out, -1))
	}
	once := func(what, out, text string) {
		t.Helper()
		if n := count(out, text); n != 1 || strings.Contains(out, "similar warning") {
			t.Errorf("%s: %q appears %d times, want once:\n%s", what, text, n, out)
		}
	}

	once("plan before the first apply", run(t, tf, dir, env, "plan", "-no-color"), unpinned)
	// The apply records the hash and says so once, with the hash to pin. (Terraform plans again during an
	// apply and shows that plan's warnings too, so the plan's warning is not counted here.)
	out := run(t, tf, dir, env, "apply", "-auto-approve", "-no-color")
	if n := count(out, "were trusted on first use"); n != 1 {
		t.Errorf("apply: the recorded hash is announced %d times, want once:\n%s", n, out)
	}
	if !regexp.MustCompile(`docker-27\.3\.1\.zip\s+=\s+[0-9a-f]{64}`).MatchString(out) {
		t.Errorf("the apply does not say which hash it recorded in observed_sha256:\n%s", out)
	}
	out = run(t, tf, dir, env, "plan", "-no-color")
	if n := strings.Count(out, "Warning:") - strings.Count(out, "Warning: Provider development overrides"); n != 0 {
		t.Errorf("once the hash is in observed_sha256, a plan with no changes warns %d time(s):\n%s", n, out)
	}

	stop()
	out = run(t, tf, dir, env, "plan", "-no-color")
	once("plan of a host that is down", out, "connection refused")
	if !strings.Contains(out, "No changes") {
		t.Errorf("the plan of a host that is down does not go on with the state as last known:\n%s", out)
	}
}
