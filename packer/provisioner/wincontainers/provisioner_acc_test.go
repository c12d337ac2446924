package wincontainers

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

const accPassword = "Packer-Acc-P@ss-1"

var (
	accInternetOnce sync.Once
	accInternet     *machine.Internet
)

// packerEnv finds the Packer CLI and the plugin, and installs the plugin into a fresh plugin directory
// with `packer plugins install --path`, as a user without a registry does.
type packerEnv struct {
	packer string
	dir    string
	env    []string
}

func newPackerEnv(t *testing.T) *packerEnv {
	t.Helper()
	if os.Getenv("PACKER_ACC") == "" {
		t.Skip("acceptance test: set PACKER_ACC=1 (make testacc)")
	}
	packer := os.Getenv("PACKER_PATH")
	if packer == "" {
		t.Fatal("PACKER_PATH is not set: run `make testacc`, which finds or builds Packer (scripts/packer-cli)")
	}
	plugin := filepath.Join(os.Getenv("WINCONTAINERS_BIN_DIR"), "packer-plugin-wincontainers")
	if _, err := os.Stat(plugin); err != nil {
		t.Fatalf("plugin binary: %v (run `make build`)", err)
	}
	dir := t.TempDir()
	e := &packerEnv{packer: packer, dir: dir, env: append(os.Environ(),
		"PACKER_PLUGIN_PATH="+filepath.Join(dir, "plugins"), "CHECKPOINT_DISABLE=1", "PACKER_CONFIG_DIR="+dir,
		"PACKER_LOG=1", "PKR_VAR_winrm_password="+accPassword)}
	if out, err := e.run("install.log", "plugins", "install", "--path", plugin, "github.com/wincontainers/wincontainers"); err != nil {
		t.Fatalf("packer plugins install: %v\n%s", err, out)
	}
	return e
}

// run runs packer with its debug log in logName under the work directory.
func (e *packerEnv) run(logName string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.packer, args...)
	cmd.Dir, cmd.Env = e.dir, slices.Concat(e.env, []string{"PACKER_LOG_PATH=" + filepath.Join(e.dir, logName)})
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// startHost starts a winsim host over plain HTTP with Windows' AllowUnencrypted on: Packer's WinRM
// communicator cannot pin a CA (docs/knowledge/winrm.md#packers-winrm-communicator), so the choice in a real pipeline is the same, HTTP on
// a private network or HTTPS with winrm_insecure.
func startHost(t *testing.T, o winsim.Options) (*winsim.Sim, string, int) {
	t.Helper()
	accInternetOnce.Do(func() { accInternet = machine.NewInternet() })
	o.User, o.Password, o.AllowUnencrypted, o.StateDir = "Administrator", accPassword, true, t.TempDir()
	o.Internet = accInternet
	o.RebootTime = 200 * time.Millisecond
	h := winsimtest.Start(t, o)
	return h.Sim, h.Addr, h.Port
}

// nullBuild is a template that installs the plugin, declares the sensitive winrm_password variable
// (PKR_VAR_winrm_password), and builds one null source (its body: the communicator's settings) with
// the provisioner (its body).
func nullBuild(source, provisioner string) string {
	return fmt.Sprintf(`
packer {
  required_plugins {
    wincontainers = {
      source  = "github.com/wincontainers/wincontainers"
      version = ">= 0.1.0"
    }
  }
}

variable "winrm_password" {
  type      = string
  sensitive = true
}

source "null" "host" {
%s
}

build {
  sources = ["source.null.host"]
  provisioner "wincontainers" {
%s
  }
}
`, source, provisioner)
}

// template is a build through Packer's WinRM communicator (source adds lines to it: winrm_use_ntlm,
// for one).
func template(host string, port int, source, provisioner string) string {
	return nullBuild(fmt.Sprintf(`  communicator   = "winrm"
  winrm_host     = %q
  winrm_port     = %d
  winrm_username = "Administrator"
  winrm_password = var.winrm_password
  winrm_timeout  = "2m"
%s`, host, port, source), provisioner)
}

// TestAccPackerBuilds runs real `packer build`s with the null builder and Packer's own WinRM
// communicator against winsim hosts: each mode on a release that can run it, every one of them with the
// restart the features need, and one refused because the release cannot run the mode.
func TestAccPackerBuilds(t *testing.T) {
	e := newPackerEnv(t)
	cases := []struct {
		name, profile, body string
		// auth is winsim's --auth (basic when empty); source adds lines to the null source.
		auth, source string
		refused      string   // the error a refused build must print
		want         []string // lines the build output must hold
		check        func(winsim.State) error
	}{
		{
			name: "process on 2022, generalized, with base images and manifest", profile: "ws2022",
			body: `    container_mode       = "process"
    os_version           = "2022"
    engine {
      type    = "docker"
      version = "27.3.1"
    }
    generalize           = true
    pre_pull_base_images = true`,
			want: []string{"install-features", "restarting", "verified process", "manifest"},
			check: func(st winsim.State) error {
				if st.Reboots != 1 || st.Verified == "" {
					return fmt.Errorf("%d restarts, verified %q", st.Reboots, st.Verified)
				}
				if s := st.Services["docker"]; s.State != "Stopped" || s.StartType != "Automatic" {
					return fmt.Errorf("generalize: docker service %+v, want Stopped and Automatic", s)
				}
				return nil
			},
		},
		{
			name: "hyperv on 2019", profile: "ws2019",
			body: `    container_mode = "hyperv"
    restart_timeout = "5m"
    daemon {
      log_level = "warn"
    }`,
			want: []string{"install-features", "verified hyperv"},
			check: func(st winsim.State) error {
				if st.Features["Hyper-V"] != "Installed" || st.Services["docker"].State != "Running" {
					return fmt.Errorf("features %v, docker %+v", st.Features, st.Services["docker"])
				}
				// daemon.log_level, added through the settings table alone, reaches daemon.json.
				if st.DaemonConfig["log-level"] != "warn" {
					return fmt.Errorf("daemon.json %v, want log-level warn", st.DaemonConfig)
				}
				return nil
			},
		},
		{
			name: "lcow on 2022 with containerd", profile: "ws2022",
			body: `    container_mode = "lcow"
    engine {
      type = "containerd"
    }`,
			want: []string{"install-lcow", "verified lcow"},
			check: func(st winsim.State) error {
				if len(st.LCOWBootFiles) != 2 || st.Services["containerd"].State != "Running" {
					return fmt.Errorf("LCOW boot files %v, containerd %+v", st.LCOWBootFiles, st.Services["containerd"])
				}
				return nil
			},
		},
		{
			// Packer's communicator with winrm_use_ntlm (masterzen's ClientNTLM) against a host that
			// offers Negotiate only, as Windows' service auth does out of the box: Basic cannot get in.
			name: "process on 2025 over NTLM", profile: "ws2025", auth: "ntlm",
			source: "  winrm_use_ntlm = true\n",
			body: `    container_mode = "process"
    engine {
      type    = "docker"
      version = "29.2.1"
    }`,
			want: []string{"restarting", "verified process"},
			check: func(st winsim.State) error {
				if st.Reboots != 1 || st.Verified == "" || st.Services["docker"].State != "Running" {
					return fmt.Errorf("%d restarts, verified %q, docker %+v", st.Reboots, st.Verified, st.Services["docker"])
				}
				if st.Requests.AuthChallenges == 0 {
					return fmt.Errorf("no Negotiate handshake reached the host")
				}
				return nil
			},
		},
		{
			// Compose-ready: the plugin from the release (and its standalone name), and a compose project
			// brought up on the nat network, found running and taken down by verification.
			name: "process on 2022 with compose", profile: "ws2022",
			body: `    container_mode = "process"
    os_version     = "2022"
    compose {
      standalone = true
    }
    verify {
      pull_images = true
    }`,
			want: []string{"install-compose", "compose: passed", "compose_up: passed", "compose_running: passed", "compose_down: passed", "verified process"},
			check: func(st winsim.State) error {
				if err := hasFiles(st, `C:\Program Files\Docker\cli-plugins\docker-compose.exe`, `C:\Program Files\Docker\docker-compose.exe`); err != nil {
					return err
				}
				for name := range st.HNSNetworks {
					if name != "nat" {
						return fmt.Errorf("compose down left network %s", name)
					}
				}
				return nil
			},
		},
		{
			// containerd: nerdctl compose runs the project; no Docker Compose is installed.
			name: "process on 2022 with containerd and compose", profile: "ws2022",
			body: `    container_mode = "process"
    engine {
      type = "containerd"
    }
    compose {}
    verify {
      pull_images = true
    }`,
			want: []string{"compose_up: passed", "compose_running: passed", "compose_down: passed", "verified process"},
			check: func(st winsim.State) error {
				if err := hasFiles(st, `C:\Program Files\Docker\cli-plugins\docker-compose.exe`); err == nil {
					return fmt.Errorf("a containerd machine got the Docker Compose plugin")
				}
				return nil
			},
		},
		{
			// A compose project network on a declared 2016 fails when Packer prepares the provisioner.
			name: "compose project network on a declared 2016 is refused", profile: "ws2016",
			body: `    container_mode = "process"
    os_version     = "2016"
    compose {
      network = "project"
    }`,
			refused: "HNS failed with error : The parameter is incorrect.",
			check: func(st winsim.State) error {
				if st.Requests.Total != 0 {
					return fmt.Errorf("the host received %d requests", st.Requests.Total)
				}
				return nil
			},
		},
		{
			name: "lcow on 2016 is refused", profile: "ws2016",
			body:    `    container_mode = "lcow"`,
			refused: "14393",
			check: func(st winsim.State) error {
				if st.Reboots != 0 || st.Engine.Type != "" || st.Verified != "" || st.Features["Containers"] == "Installed" {
					return fmt.Errorf("a refused build changed the host: %d restarts, engine %+v, features %v", st.Reboots, st.Engine, st.Features)
				}
				return nil
			},
		},
		{
			// With os_version declared, the same combination fails when Packer prepares the provisioner,
			// before the builder connects: the host sees no request at all.
			name: "lcow on a declared 2016 is refused before connecting", profile: "ws2016",
			body: `    container_mode = "lcow"
    os_version     = "2016"`,
			refused: "build 14393",
			check: func(st winsim.State) error {
				if st.Requests.Total != 0 {
					return fmt.Errorf("the host received %d requests", st.Requests.Total)
				}
				return nil
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sim, host, port := startHost(t, winsim.Options{Profile: c.profile, Virtualization: "exposed", Auth: c.auth})
			file := filepath.Join(e.dir, strings.NewReplacer(" ", "-", ",", "").Replace(c.name)+".pkr.hcl")
			if err := os.WriteFile(file, []byte(template(host, port, c.source, c.body)), 0o600); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			logName := filepath.Base(file) + ".log"
			out, err := e.run(logName, "build", "-color=false", file)
			t.Logf("%s: packer build took %s", c.name, time.Since(start).Round(100*time.Millisecond))
			if c.refused != "" {
				if err == nil || !strings.Contains(out, c.refused) {
					t.Fatalf("want a failed build naming %q, got err=%v:\n%s", c.refused, err, out)
				}
			} else if err != nil {
				t.Fatalf("packer build: %v\n%s", err, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("build output lacks %q:\n%s", w, out)
				}
			}
			if err := c.check(sim.Snapshot()); err != nil {
				t.Errorf("winsim: %v\n%s", err, out)
			}
			if log, _ := os.ReadFile(filepath.Join(e.dir, logName)); strings.Contains(out+string(log), accPassword) {
				t.Error("the WinRM password is in the build output or PACKER_LOG")
			}
			if testing.Verbose() {
				t.Logf("packer build output:\n%s", out)
			}
		})
	}
}

// hasFiles reports the first of paths that is not on the machine (Windows paths compare without case).
func hasFiles(st winsim.State, paths ...string) error {
	for _, p := range paths {
		found := false
		for f := range st.Files {
			found = found || strings.EqualFold(f, p)
		}
		if !found {
			return fmt.Errorf("%s is not on the machine", p)
		}
	}
	return nil
}
