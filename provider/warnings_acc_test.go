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
	h := startSimHost(t, winsim.Options{Profile: "ws2022"})
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
