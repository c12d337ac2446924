package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// Compose-ready hosts (issue 21) through the Terraform CLI: the compose block installs Docker Compose
// (or uses nerdctl compose), verification runs a compose project, refresh sees a deleted plugin, the
// apply repairs it, destroy removes it.

const (
	accComposePlugin     = `C:\Program Files\Docker\cli-plugins\docker-compose.exe`
	accComposeStandalone = `C:\Program Files\Docker\docker-compose.exe`
)

// composeLog is the provider's TF_LOG (DEBUG carries the scripts' progress, one line per verify check).
type composeLog struct{ path string }

func newComposeLog(t *testing.T) composeLog {
	t.Helper()
	l := composeLog{path: filepath.Join(t.TempDir(), "tf.log")}
	t.Setenv("TF_ACC_LOG_PATH", l.path)
	t.Setenv("TF_LOG", "DEBUG")
	return l
}

// count is how often s is in the log so far.
func (l composeLog) count(s string) int {
	b, _ := os.ReadFile(l.path)
	return strings.Count(string(b), s)
}

// projectRan checks that the verify step ran the compose project (up, running, down passed) at least
// want times so far: the checks report their status as progress, which the provider logs at DEBUG.
func (l composeLog) projectRan(want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, c := range []string{"compose_up: passed", "compose_running: passed", "compose_down: passed"} {
			if n := l.count(c); n < want {
				return fmt.Errorf("TF_LOG has %q %d time(s), want at least %d", c, n, want)
			}
		}
		for _, c := range []string{"compose: failed", "compose_up: failed", "compose_running: failed", "compose_down: failed"} {
			if n := l.count(c); n > 0 {
				return fmt.Errorf("TF_LOG has %q %d time(s)", c, n)
			}
		}
		return nil
	}
}

func publishedSHA256(t *testing.T, url string) string {
	t.Helper()
	art, err := accInternet.Lookup(url)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := accInternet.SHA256(art)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func composeFiles(h *simServer, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for p, sum := range want {
			f, ok := h.sim.Machine.File(p)
			switch {
			case sum == "" && ok:
				return fmt.Errorf("winsim: %s is present", p)
			case sum != "" && (!ok || f.SHA256 != sum):
				return fmt.Errorf("winsim: %s present %v with SHA-256 %q, want %s", p, ok, f.SHA256, sum)
			}
		}
		return nil
	}
}

// A Windows Server 2022 Docker host with compose (and its standalone name): the plugin from the release,
// checked against checksums.txt, and a compose project verified on the nat network; then the plugin is
// deleted behind Terraform's back, refresh shows it in pending_changes and the apply reinstalls it; a
// pinned older Compose replaces it in place; destroy (on_destroy = uninstall) removes both files.
func TestAccHostComposeDocker(t *testing.T) {
	accPreCheck(t)
	log := newComposeLog(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	const addr = "wincontainers_host.test"
	cfg := func(compose string) string {
		return hostConfig(h, `
  container_mode = "process"
  os_version     = "2022"
  verify         = { pull_images = true }
  compose        = { `+compose+` }
`)
	}
	exe, _ := compat.ComposeURLs(compat.DefaultComposeVersion)
	published := publishedSHA256(t, exe)
	legacyExe, _ := compat.ComposeURLs(compat.LegacyComposeVersion)
	legacy := publishedSHA256(t, legacyExe)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		CheckDestroy:             composeFiles(h, map[string]string{accComposePlugin: "", accComposeStandalone: ""}),
		Steps: []resource.TestStep{
			{
				Config: cfg(`standalone = true`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("compose").AtMapKey("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("compose").AtMapKey("network"), knownvalue.StringExact("nat")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("compose_version"), knownvalue.StringExact(compat.DefaultComposeVersion)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("compose_plugin_path"), knownvalue.StringExact(accComposePlugin)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("compose_standalone_path"), knownvalue.StringExact(accComposeStandalone)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("pending_changes"), knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: resource.ComposeTestCheckFunc(
					checkSim(h, dockerRunning),
					// checksums.txt verified the download: nothing was trusted on first use for Compose.
					resource.TestCheckNoResourceAttr(addr, "observed_sha256."+exe),
					composeFiles(h, map[string]string{accComposePlugin: published, accComposeStandalone: published}),
					log.projectRan(1),
					checkSim(h, func(st winsim.State) error {
						for name := range st.HNSNetworks {
							if name != "nat" {
								return fmt.Errorf("winsim: compose down left networks %v", st.HNSNetworks)
							}
						}
						return nil
					}),
				),
			},
			{
				// Drift: the plugin is deleted. Refresh puts the reinstall in pending_changes.
				PreConfig: func() {
					if err := h.sim.Machine.ApplyDrift(machine.Drift{DeleteFile: accComposePlugin}); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestMatchResourceAttr(addr, "pending_changes.0",
						regexp.MustCompile(`^install-compose: Docker Compose `+regexp.QuoteMeta(compat.DefaultComposeVersion)+` is not installed`)),
					resource.TestCheckResourceAttr(addr, "facts.compose_plugin_path", ""),
				),
			},
			{
				// The apply reinstalls it and verifies the project again.
				Config: cfg(`standalone = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("pending_changes"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("compose_plugin_path"), knownvalue.StringExact(accComposePlugin)),
				},
				Check: resource.ComposeTestCheckFunc(
					composeFiles(h, map[string]string{accComposePlugin: published}),
					log.projectRan(2),
				),
			},
			{
				// A converged host plans nothing.
				Config:           cfg(`standalone = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Pinning the last Compose v2 replaces the plugin in place (and drops the standalone name from
				// what is managed; the file stays until uninstall).
				Config: cfg(fmt.Sprintf(`version = %q`, compat.LegacyComposeVersion)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("compose_version"), knownvalue.StringExact(compat.LegacyComposeVersion)),
				},
				Check: resource.ComposeTestCheckFunc(
					composeFiles(h, map[string]string{accComposePlugin: legacy}),
					log.projectRan(3),
				),
			},
		},
	})
}

// A containerd host verifies its compose project with nerdctl compose and gets no Docker Compose.
func TestAccHostComposeContainerd(t *testing.T) {
	accPreCheck(t)
	log := newComposeLog(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	const addr = "wincontainers_host.test"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				// Docker's settings are refused at plan time on containerd, on the attribute.
				Config: hostConfig(h, `
  container_mode = "process"
  os_version     = "2022"
  engine         = { type = "containerd" }
  compose        = { version = "5.5.0" }
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)compose.version is for Docker hosts.*nerdctl compose`),
			},
			{
				Config: hostConfig(h, `
  container_mode = "process"
  os_version     = "2022"
  engine         = { type = "containerd" }
  verify         = { pull_images = true }
  compose        = {}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("engine_type"), knownvalue.StringExact("containerd")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("compose_plugin_path"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("pending_changes"), knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: resource.ComposeTestCheckFunc(
					log.projectRan(1),
					composeFiles(h, map[string]string{accComposePlugin: ""}),
					func(*terraform.State) error {
						if log.count("step_start install-compose") > 0 {
							return fmt.Errorf("a containerd host ran install-compose")
						}
						return nil
					},
				),
			},
		},
	})
}

// Windows Server 2016 with a project network: refused at plan time with os_version (HNS's text and the
// nat remedy), and after the facts read without it, before anything changes on the host; with the nat
// network the same host converges (Docker 20.10.24, API 1.41, Compose 5.5.0) and runs the project.
func TestAccHostCompose2016(t *testing.T) {
	accPreCheck(t)
	log := newComposeLog(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2016"})
	cfg := func(osVersion, network string) string {
		return hostConfig(h, fmt.Sprintf(`
  container_mode = "process"
  %s
  verify         = { pull_images = true }
  compose        = { network = %q }
`, osVersion, network))
	}
	// Terraform wraps the detail: every space may be a line break.
	hns := strings.ReplaceAll(`HNS failed with error : The parameter is incorrect\..*compose\.network = "nat".*external: true, name: nat`, " ", `\s+`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg(`os_version = "2016"`, "project"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)cannot\s+create\s+its\s+own\s+network\s+on\s+Windows\s+Server\s+2016.*` + hns),
			},
			{
				Config:      cfg("", "project"),
				ExpectError: regexp.MustCompile(`(?s)cannot\s+become\s+this\s+container\s+host.*` + hns),
			},
			{
				Config: cfg("", "nat"),
				PreConfig: func() {
					if st := h.sim.Snapshot(); st.Engine.Type != "" || st.Reboots != 0 {
						t.Fatalf("the refused apply changed the host: engine %+v, %d restarts", st.Engine, st.Reboots)
					}
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("wincontainers_host.test", tfjsonpath.New("facts").AtMapKey("engine_version"), knownvalue.StringExact(compat.DefaultLegacyDockerVersion)),
					statecheck.ExpectKnownValue("wincontainers_host.test", tfjsonpath.New("facts").AtMapKey("compose_version"), knownvalue.StringExact(compat.DefaultComposeVersion)),
				},
				Check: resource.ComposeTestCheckFunc(checkSim(h, dockerRunning), log.projectRan(1)),
			},
		},
	})
}

// An air-gapped host: the Docker zip and docker-compose-windows-x86_64.exe are pushed from the machine
// running Terraform (compose.archive), through the same push-and-verify path as engine.archive. A wrong
// pin is refused at plan time; unpinned, the pushed binary lands in observed_sha256 under its path; the
// host attempts no download; the plugin answers (the project itself is skipped, never passed: there is
// no base image to run offline).
func TestAccHostComposeAirGapped(t *testing.T) {
	accPreCheck(t)
	log := newComposeLog(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022", Offline: true})
	dir := t.TempDir()
	save := func(url, name string) (string, string) {
		a, err := accInternet.Lookup(url)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := a.Save(p); err != nil {
			t.Fatal(err)
		}
		sum, _, err := spec.FileSHA256(p)
		if err != nil {
			t.Fatal(err)
		}
		return p, sum
	}
	zip, zipSum := save(compat.DockerURL(compat.DefaultDockerVersion), "docker.zip")
	exe, _ := compat.ComposeURLs(compat.DefaultComposeVersion)
	composeExe, composeSum := save(exe, "docker-compose-windows-x86_64.exe")
	cfg := func(pin string) string {
		return hostConfig(h, fmt.Sprintf(`
  container_mode = "process"
  os_version     = "2022"
  engine         = { archive = %q }
  compose        = { archive = %q%s }
`, zip, composeExe, pin))
	}
	const addr = "wincontainers_host.test"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg(fmt.Sprintf(`, sha256 = %q`, strings.Repeat("cd", 32))),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)compose.archive is not the file compose.sha256 pins.*` + composeSum),
			},
			{
				Config: cfg(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("observed_sha256"), knownvalue.MapExact(map[string]knownvalue.Check{
						zip:        knownvalue.StringExact(zipSum),
						composeExe: knownvalue.StringExact(composeSum),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("compose_version"), knownvalue.StringExact(compat.DefaultComposeVersion)),
				},
				Check: resource.ComposeTestCheckFunc(
					composeFiles(h, map[string]string{accComposePlugin: composeSum}),
					checkSim(h, func(winsim.State) error {
						if d := h.sim.Machine.DownloadsAttempted(); len(d) > 0 {
							return fmt.Errorf("winsim: the offline host attempted downloads: %v", d)
						}
						return nil
					}),
					func(*terraform.State) error {
						if log.count("verify: compose: passed") != 1 || log.count("compose_up: skipped") != 1 || log.count("compose_up: passed") != 0 {
							return fmt.Errorf("offline verify: compose passed %d, compose_up skipped %d, passed %d",
								log.count("verify: compose: passed"), log.count("compose_up: skipped"), log.count("compose_up: passed"))
						}
						return nil
					},
				),
			},
			{
				Config:           cfg(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
