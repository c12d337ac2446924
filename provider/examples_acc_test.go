package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAccExamples applies the shipped examples through the real Terraform CLI with dev_overrides, the
// way a user trying the provider locally does, and checks their outputs. It proves the examples in the
// docs run, and that the provider binary (not just the in-process server) works.
func TestAccExamples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc)")
	}
	tf := terraformCLI(t)
	binDir := providerBinary(t)

	cases := []struct {
		name   string
		files  []string
		checks map[string]func(json.RawMessage) error
	}{
		{
			name:  "compatibility data source",
			files: []string{"provider/provider.tf", "data-sources/wincontainers_compatibility/data-source.tf"},
			checks: map[string]func(json.RawMessage) error{
				"process_isolation": equalJSON(`false`),
				"hyperv_isolation":  equalJSON(`true`),
				"why":               containsText("0xc0370101"),
			},
		},
		{
			name:  "base image data source",
			files: []string{"provider/provider.tf", "data-sources/wincontainers_base_image/data-source.tf"},
			checks: map[string]func(json.RawMessage) error{
				"ws2025_images": equalJSON(`["mcr.microsoft.com/windows/servercore:ltsc2025","mcr.microsoft.com/windows/nanoserver:ltsc2025",` +
					`"mcr.microsoft.com/windows/servercore:ltsc2022","mcr.microsoft.com/windows/nanoserver:ltsc2022"]`),
				"annual_default_image": equalJSON(`"mcr.microsoft.com/windows/servercore:ltsc2022"`),
			},
		},
		{
			name:  "compatible function",
			files: []string{"provider/provider.tf", "functions/compatible/function.tf"},
			checks: map[string]func(json.RawMessage) error{
				"ltsc2019_on_ws2022": func(raw json.RawMessage) error {
					var v struct {
						Supported  bool   `json:"supported"`
						Reason     string `json:"reason"`
						HostBuild  int    `json:"host_build"`
						ImageBuild int    `json:"image_build"`
					}
					if err := json.Unmarshal(raw, &v); err != nil {
						return fmt.Errorf("decode: %w", err)
					}
					if v.Supported || v.HostBuild != 20348 || v.ImageBuild != 17763 || !strings.Contains(v.Reason, "0xc0370101") {
						return fmt.Errorf("unexpected verdict %+v", v)
					}
					return nil
				},
				"image_on_annual_channel": equalJSON(`true`),
			},
		},
		{
			name:  "base_image function",
			files: []string{"provider/provider.tf", "functions/base_image/function.tf"},
			checks: map[string]func(json.RawMessage) error{
				"dockerfile_from":             equalJSON(`"FROM mcr.microsoft.com/windows/servercore:ltsc2025"`),
				"nanoserver_hyperv_on_ws2022": equalJSON(`"mcr.microsoft.com/windows/nanoserver:ltsc2022"`),
			},
		},
		{
			name:  "compatibility matrix demo",
			files: []string{"compatibility-matrix/main.tf"},
			checks: map[string]func(json.RawMessage) error{
				"table":                        containsText("  2016              PH      --      --      --"),
				"why_2019_images_fail_on_2016": containsText("newer than the host"),
				"servercore_for_process_isolation": func(raw json.RawMessage) error {
					var m map[string]string
					if err := json.Unmarshal(raw, &m); err != nil {
						return fmt.Errorf("decode: %w", err)
					}
					if m["win10-22h2"] != "" || m["23H2"] != "mcr.microsoft.com/windows/servercore:ltsc2022" ||
						m["2016"] != "mcr.microsoft.com/windows/servercore:ltsc2016" {
						return fmt.Errorf("unexpected map %v", m)
					}
					return nil
				},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range c.files {
				b, err := os.ReadFile(filepath.Join("..", "examples", f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, strings.ReplaceAll(f, "/", "_")), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := devOverridesEnv(t, binDir)
			run(t, tf, dir, env, "apply", "-auto-approve", "-input=false", "-no-color")
			// A second plan must be empty: data sources are deterministic.
			out := run(t, tf, dir, env, "plan", "-detailed-exitcode", "-input=false", "-no-color")
			if !strings.Contains(out, "No changes.") {
				t.Errorf("second plan not empty:\n%s", out)
			}
			var outputs map[string]struct {
				Value json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal([]byte(run(t, tf, dir, env, "output", "-json")), &outputs); err != nil {
				t.Fatal(err)
			}
			for name, check := range c.checks {
				o, ok := outputs[name]
				if !ok {
					t.Errorf("output %s missing", name)
					continue
				}
				if err := check(o.Value); err != nil {
					t.Errorf("output %s: %v", name, err)
				}
			}
		})
	}
}

// terraformCLI finds the CLI the way scripts/terraform-cli does: TF_ACC_TERRAFORM_PATH, then PATH.
func terraformCLI(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Terraform CLI: set TF_ACC_TERRAFORM_PATH or run `make testacc`, which finds or builds one (scripts/terraform-cli)")
	return ""
}

// providerBinary returns a directory holding terraform-provider-wincontainers: the one `make build`
// wrote (WINCONTAINERS_BIN_DIR), or a fresh build.
func providerBinary(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("WINCONTAINERS_BIN_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "terraform-provider-wincontainers")); err == nil {
			return dir
		}
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "terraform-provider-wincontainers"), "../cmd/terraform-provider-wincontainers")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	return dir
}

func devOverridesEnv(t *testing.T, binDir string) []string {
	t.Helper()
	rc := filepath.Join(t.TempDir(), "dev.tfrc")
	content := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"wincontainers/wincontainers\" = %q\n  }\n  direct {}\n}\n", binDir)
	if err := os.WriteFile(rc, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") && !strings.HasPrefix(kv, "TF_LOG") {
			env = append(env, kv)
		}
	}
	return append(env, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
}

func run(t *testing.T, tf, dir string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tf, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && args[0] == "plan" && ee.ExitCode() == 2 {
			t.Errorf("plan found changes:\n%s", stdout.String())
			return stdout.String()
		}
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", tf, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func equalJSON(want string) func(json.RawMessage) error {
	return func(got json.RawMessage) error {
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		if err := json.Unmarshal([]byte(want), &b); err != nil {
			return fmt.Errorf("decode want: %w", err)
		}
		ga, _ := json.Marshal(a)
		gb, _ := json.Marshal(b)
		if !bytes.Equal(ga, gb) {
			return fmt.Errorf("got %s, want %s", ga, gb)
		}
		return nil
	}
}

func containsText(want string) func(json.RawMessage) error {
	return func(got json.RawMessage) error {
		var s string
		if err := json.Unmarshal(got, &s); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		if !strings.Contains(s, want) {
			return fmt.Errorf("%q does not contain %q", s, want)
		}
		return nil
	}
}
