package provider

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

const simPassword = "Acc-Test-P@ss-1"

// simServer is a simulated Windows host served on loopback for the acceptance tests (winsimtest.Server).
type simServer struct {
	sim    *winsim.Sim
	host   string
	port   int
	caFile string
}

var (
	accInternetOnce sync.Once
	accInternet     *machine.Internet
)

// startSimServer serves a winsim host on loopback over HTTPS. Restarts take 50 ms, and the test provider
// polls for them every 20 ms, so a feature install's restart costs little time.
func startSimServer(t *testing.T, o winsim.Options) *simServer {
	t.Helper()
	h := winsimtest.Start(t, accSimOptions(t, o))
	return &simServer{sim: h.Sim, host: h.Addr, port: h.Port, caFile: h.CAFile}
}

// accSimOptions completes o the way every acceptance test's host is made: Administrator with
// simPassword over HTTPS, 50 ms restarts, the shared synthetic internet, virtualization exposed.
func accSimOptions(t *testing.T, o winsim.Options) winsim.Options {
	t.Helper()
	accInternetOnce.Do(func() { accInternet = machine.NewInternet() })
	o.User, o.Password, o.HTTPS, o.StateDir = "Administrator", simPassword, true, t.TempDir()
	if o.RebootTime == 0 {
		o.RebootTime = 50 * time.Millisecond
	}
	o.Internet = accInternet
	if o.Virtualization == "" {
		o.Virtualization = "exposed"
	}
	return o
}

// startStoppableSimHost is startSimServer with a way to take the machine away: stop closes its listener,
// so that every later connection is refused, as for a host that was switched off or deleted. The
// simulated machine stays readable (sim.Snapshot) after stop.
func startStoppableSimHost(t *testing.T, o winsim.Options) (h *simServer, stop func()) {
	t.Helper()
	o = accSimOptions(t, o)
	sim, err := winsim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	url, closeListener, err := sim.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { _ = closeListener() }) }
	t.Cleanup(stop)
	addr, port, err := net.SplitHostPort(strings.TrimPrefix(url, "https://"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return &simServer{sim: sim, host: addr, port: p, caFile: filepath.Join(o.StateDir, "ca.pem")}, stop
}

// fastProviderFactories is the provider with restart polling and retry pauses scaled to winsim's
// millisecond restarts. Everything else is the shipped provider.
func fastProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		TypeName: providerserver.NewProtocol6WithError(&Provider{
			version: "test", clock: func() time.Time { return fixedDay },
			reboot:       runner.RebootOptions{DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1},
			retryBackoff: 10 * time.Millisecond,
		}),
	}
}

func accPreCheck(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc)")
	}
}

// providerBlock puts the connection in the provider (as import needs), for one host's CA.
func providerBlock(h *simServer) string {
	return fmt.Sprintf(`
provider "wincontainers" {
  winrm = {
    username = "Administrator"
    password = %q
    ca_cert  = file(%q)
  }
}
`, simPassword, h.caFile)
}

func hostConfig(h *simServer, body string) string {
	return providerBlock(h) + fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host = %q
  port = %d
%s
}
`, h.host, h.port, body)
}

// checkSim asserts on the simulated host's own view of itself, which the provider cannot influence.
func checkSim(h *simServer, check func(winsim.State) error) resource.TestCheckFunc {
	return func(*terraform.State) error { return check(h.sim.Snapshot()) }
}

func dockerRunning(st winsim.State) error {
	if st.Engine.Type != "docker" || st.Services["docker"].State != "Running" {
		return fmt.Errorf("winsim: engine %+v, docker service %+v", st.Engine, st.Services["docker"])
	}
	if st.Verified == "" {
		return fmt.Errorf("winsim: the host was never verified")
	}
	return nil
}

// The resource's life on one Windows Server 2022 host: create (features, one restart, Docker, verify),
// a no-op plan, drift found by refresh and repaired, an engine upgrade, a mode change, import, destroy.
func TestAccHostLifecycle(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	const addr = "wincontainers_host.test"
	process := func(version string) string {
		return hostConfig(h, fmt.Sprintf(`
  container_mode = "process"
  os_version     = "2022"
  engine         = { type = "docker", version = %q }
`, version))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		CheckDestroy: checkSim(h, func(st winsim.State) error {
			if st.Engine.Type != "" || st.Services["docker"].State != "" {
				return fmt.Errorf("after destroy: engine %+v, services %v", st.Engine, st.Services)
			}
			if st.Features["Containers"] != "Installed" {
				return fmt.Errorf("on_destroy = uninstall keeps the features: %v", st.Features)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: process("27.3.1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(h.host)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("build"), knownvalue.Int64Exact(20348)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("release"), knownvalue.StringExact("2022")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("channel"), knownvalue.StringExact("ltsc")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("engine_version"), knownvalue.StringExact("27.3.1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("pending_changes"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("base_images").AtMapKey("process"),
						knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringExact("mcr.microsoft.com/windows/servercore:ltsc2022")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("on_destroy"), knownvalue.StringExact("uninstall")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.Int64Exact(int64(h.port))),
				},
				Check: resource.ComposeTestCheckFunc(
					checkSim(h, dockerRunning),
					checkSim(h, func(st winsim.State) error {
						if st.Reboots != 1 {
							return fmt.Errorf("winsim counted %d restarts, want exactly 1", st.Reboots)
						}
						return nil
					}),
				),
			},
			{
				// A converged host: refresh is one facts script, and the plan is empty.
				Config:   process("27.3.1"),
				PlanOnly: true,
				Check: checkSim(h, func(st winsim.State) error {
					if st.Reboots != 1 {
						return fmt.Errorf("a plan restarted the host: %d restarts", st.Reboots)
					}
					return nil
				}),
			},
			{
				// Drift behind Terraform's back: the service is stopped. Refresh sees it, the plan is an update,
				// and the apply starts the service again.
				PreConfig: func() {
					if err := h.sim.Machine.ApplyDrift(machine.Drift{StopService: "docker"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: process("27.3.1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: checkSim(h, dockerRunning),
			},
			{
				// A changed daemon.json is drift too.
				PreConfig: func() {
					cfg := `{"exec-opts":["isolation=hyperv"]}`
					if err := h.sim.Machine.ApplyDrift(machine.Drift{SetDaemonConfig: &cfg}); err != nil {
						t.Fatal(err)
					}
				},
				Config: process("27.3.1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: checkSim(h, func(st winsim.State) error {
					if fmt.Sprint(st.DaemonConfig["exec-opts"]) != "[isolation=process]" {
						return fmt.Errorf("winsim: daemon.json not repaired: %v", st.DaemonConfig)
					}
					return dockerRunning(st)
				}),
			},
			{
				// An engine version bump upgrades in place, without a restart.
				Config: process("29.2.1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("engine_version"), knownvalue.StringExact("29.2.1")),
				},
				Check: checkSim(h, func(st winsim.State) error {
					if st.Engine.Version != "29.2.1" || st.Reboots != 1 {
						return fmt.Errorf("winsim: engine %+v after %d restarts, want 29.2.1 and still 1 restart", st.Engine, st.Reboots)
					}
					return dockerRunning(st)
				}),
			},
			{
				// process -> hyperv: the Hyper-V feature (one more restart) and Hyper-V as the default isolation.
				Config: hostConfig(h, `
  container_mode = "hyperv"
  os_version     = "2022"
  engine         = { type = "docker", version = "29.2.1" }
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: checkSim(h, func(st winsim.State) error {
					if st.Features["Hyper-V"] != "Installed" {
						return fmt.Errorf("winsim: Hyper-V is %q", st.Features["Hyper-V"])
					}
					if fmt.Sprint(st.DaemonConfig["exec-opts"]) != "[isolation=hyperv]" {
						return fmt.Errorf("winsim: daemon.json %v", st.DaemonConfig)
					}
					if st.Reboots != 2 {
						return fmt.Errorf("winsim: %d restarts, want 2 (one per feature install)", st.Reboots)
					}
					return dockerRunning(st)
				}),
			},
			{
				// Import by address: the mode and engine are read from the host.
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     net.JoinHostPort(h.host, strconv.Itoa(h.port)),
				ImportStateVerify: true,
				// Set only in configuration or by the apply, and not recoverable from the host (os_version is a
				// constraint the user states; the host says only what it is, in facts).
				ImportStateVerifyIgnore: []string{"timeouts", "observed_sha256", "verified_at", "os_version"},
			},
		},
	})
}

// Combinations the configuration alone rules out fail at plan time, with no host contacted: the address
// is TEST-NET-1, which nothing answers.
func TestAccHostPlanTimeRefusals(t *testing.T) {
	accPreCheck(t)
	cfg := func(body string) string {
		return fmt.Sprintf(`
provider "wincontainers" {
  winrm = { username = "Administrator", password = "x" }
}
resource "wincontainers_host" "test" {
  host = "192.0.2.1"
%s
}
`, body)
	}
	cases := []struct {
		name, body string
		want       string
	}{
		{"LCOW on Server 2016", `container_mode = "lcow"
  os_version = "2016"`, `(?s)build 14393.*Windows Server 2019 or later`},
		{"Docker 23+ before 17763", `container_mode = "process"
  os_version = "2016"
  engine = { version = "27.3.1" }`, `17763`},
		{"containerd before 17763", `container_mode = "process"
  os_version = "2016"
  engine = { type = "containerd" }`, `17763`},
		{"SAC channel on 2022", `container_mode = "process"
  os_version = "2022"
  channel = "sac"`, `(?i)channel`},
		{"LCOW settings without LCOW", `container_mode = "process"
  lcow = { url = "https://example.com/release.zip" }`, `(?i)lcow`},
		{"plain-HTTP engine URL", `container_mode = "process"
  engine = { url = "http://example.com/docker.zip" }`, `(?i)https`},
		{"daemon data root traversal", `container_mode = "process"
  daemon = { data_root = "D:\\docker\\..\\..\\Windows" }`, `(?i)data.root|\.\.`},
		{"daemon settings with containerd", `container_mode = "process"
  engine = { type = "containerd" }
  daemon = { dns = ["10.0.0.1"] }`, `(?i)daemon`},
		{"daemon TCP endpoint without TLS", `container_mode = "process"
  daemon = { hosts = ["npipe:////./pipe/docker_engine", "tcp://0.0.0.0:2375"] }`, `(?s)TCP endpoint without TLS.*root-equivalent.*allow_insecure_tcp`},
		{"daemon unix socket", `container_mode = "process"
  daemon = { hosts = ["npipe:////./pipe/docker_engine", "unix:///var/run/docker.sock"] }`, `unix:// does not exist on Windows`},
		{"daemon tls_verify without its files", `container_mode = "process"
  daemon = { hosts = ["npipe:////./pipe/docker_engine", "tcp://0.0.0.0:2376"], tls_verify = true }`, `daemon.tls_ca_cert is required`},
		{"daemon group with a quote", `container_mode = "process"
  daemon = { group = "docker\"users" }`, `(?i)daemon.group|group`},
		{"daemon log level", `container_mode = "process"
  daemon = { log_level = "verbose" }`, `(?s)unknown daemon.log_level.*"verbose"; use "debug", "info", "warn", "error"`},
		{"reboot timeout", `container_mode = "process"
  reboot = { timeout = "soon" }`, `(?s)Invalid\s+Time\s+Duration\s+String\s+Value.*"soon"`},
		{"reboot timeout too short", `container_mode = "process"
  reboot = { timeout = "5s" }`, `(?s)shorter\s+than\s+any\s+Windows\s+restart`},
		{"port out of range", `container_mode = "process"
  port = 70000`, `(?s)port\s+value\s+must\s+be\s+between\s+1\s+and\s+65535,\s+got:\s+70000`},
		{"unknown mode", `container_mode = "wsl"`, `(?i)process.*hyperv.*lcow`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: fastProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      cfg(c.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.want),
				}},
			})
		})
	}
}

// An unplanned restart in the middle of an apply (after the engine is installed, before it is
// configured and started) fails that apply with a clear error, records nothing, and the next apply
// converges from the host's state: the features are not installed again and no further restart happens.
func TestAccHostUnplannedRestart(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022", RebootTime: 2 * time.Second})
	cfg := hostConfig(h, `
  container_mode = "process"
  engine         = { type = "docker", version = "27.3.1" }
`)
	injected := make(chan struct{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					// Slow requests make the window between installing and starting the engine wide enough to hit.
					if err := h.sim.Inject(winsim.Fault{Kind: "latency", Delay: "60ms"}); err != nil {
						t.Fatal(err)
					}
					go func() {
						defer close(injected)
						deadline := time.Now().Add(2 * time.Minute)
						for time.Now().Before(deadline) {
							st := h.sim.Snapshot()
							if st.Reboots == 1 && st.Engine.Type == "docker" {
								_ = h.sim.Inject(winsim.Fault{Kind: "reboot_now"})
								return
							}
							time.Sleep(2 * time.Millisecond)
						}
					}()
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)next apply resumes|the host did not come back|[Cc]ompleted steps are kept`),
			},
			{
				PreConfig: func() {
					<-injected
					if err := h.sim.Inject(winsim.Fault{Kind: "latency", Delay: "0s"}); err != nil {
						t.Fatal(err)
					}
					for deadline := time.Now().Add(time.Minute); !h.sim.Snapshot().Up && time.Now().Before(deadline); {
						time.Sleep(20 * time.Millisecond) // the user applies again once the host is back
					}
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("wincontainers_host.test", tfjsonpath.New("pending_changes"), knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: checkSim(h, func(st winsim.State) error {
					if st.Reboots != 2 {
						return fmt.Errorf("winsim: %d restarts, want 2 (the planned one and the injected one)", st.Reboots)
					}
					return dockerRunning(st)
				}),
			},
		},
	})
}

// A download that fails (here: the host cannot fetch the Docker zip) fails the apply after the
// features and their restart; nothing is recorded, and the next apply picks up at the engine.
func TestAccHostFailedApplyResumes(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2019"})
	cfg := hostConfig(h, `
  container_mode = "hyperv"
  os_version     = "2019"
`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := h.sim.Inject(winsim.Fault{Kind: "fail_download", URLContains: "docker-"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)install-engine.*download`),
			},
			{
				PreConfig: func() {
					st := h.sim.Snapshot()
					if st.Features["Containers"] != "Installed" || st.Features["Hyper-V"] != "Installed" || st.Reboots != 1 {
						t.Fatalf("after the failed apply: features %v, %d restarts", st.Features, st.Reboots)
					}
					if err := h.sim.Inject(winsim.Fault{Kind: "fail_download"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				Check: checkSim(h, func(st winsim.State) error {
					if st.Reboots != 1 {
						return fmt.Errorf("winsim: %d restarts, want 1: the resumed apply must not restart again", st.Reboots)
					}
					return dockerRunning(st)
				}),
			},
		},
	})
}

// With the password only write-only, create and update connect, the state never holds it, and refresh
// (which Terraform gives no write-only value) keeps the last known state with a warning.
func TestAccHostWriteOnlyPassword(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2025"})
	cfg := fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host = %q
  port = %d
  winrm = {
    username    = "Administrator"
    password_wo = %q
    ca_cert     = file(%q)
  }
  container_mode = "process"
  on_destroy     = "keep"
}
`, h.host, h.port, simPassword, h.caFile)
	resource.Test(t, resource.TestCase{
		// Write-only attributes need Terraform 1.11 (OpenTofu 1.11).
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("wincontainers_host.test", tfjsonpath.New("winrm").AtMapKey("password_wo"), knownvalue.Null()),
				statecheck.ExpectKnownValue("wincontainers_host.test", tfjsonpath.New("winrm").AtMapKey("password"), knownvalue.Null()),
				statecheck.ExpectKnownValue("wincontainers_host.test", tfjsonpath.New("facts").AtMapKey("build"), knownvalue.Int64Exact(26100)),
			},
			Check: resource.ComposeTestCheckFunc(checkSim(h, dockerRunning), func(s *terraform.State) error {
				for _, rs := range s.RootModule().Resources {
					for k, v := range rs.Primary.Attributes {
						if strings.Contains(v, simPassword) {
							return fmt.Errorf("the password is in the state at %s", k)
						}
					}
				}
				return nil
			}),
		}},
	})
}

// Twenty hosts of several releases and modes, applied in one run (Terraform's default parallelism of
// 10): every host converges with exactly one restart, and the next plan is empty.
func TestAccHostParallel20(t *testing.T) {
	accPreCheck(t)
	type hostSpec struct{ profile, mode string }
	specs := []hostSpec{{"ws2019", "process"}, {"ws2022", "hyperv"}, {"ws2025", "process"}, {"ws2022", "lcow"}, {"ws1809", "hyperv"}}
	var hosts []*simServer
	var b strings.Builder
	b.WriteString(`
provider "wincontainers" {
  winrm = { username = "Administrator", password = "` + simPassword + `" }
}
`)
	for i := 0; i < 20; i++ {
		sp := specs[i%len(specs)]
		h := startSimServer(t, winsim.Options{Profile: sp.profile})
		hosts = append(hosts, h)
		fmt.Fprintf(&b, `
resource "wincontainers_host" "h%02d" {
  host           = %q
  port           = %d
  winrm          = { ca_cert = file(%q) }
  container_mode = %q
}
`, i, h.host, h.port, h.caFile, sp.mode)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{{
			Config: b.String(),
			Check: func(*terraform.State) error {
				for i, h := range hosts {
					st := h.sim.Snapshot()
					if st.Reboots != 1 || st.Verified == "" {
						return fmt.Errorf("host %d (%s): %d restarts, verified %q", i, st.OS.Profile, st.Reboots, st.Verified)
					}
				}
				return nil
			},
		}},
	})
}

// The data source reads a bare Windows Server 2016 host without changing it.
func TestAccHostFactsDataSource(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2016", Virtualization: "none"})
	cfg := providerBlock(h) + fmt.Sprintf(`
data "wincontainers_host_facts" "test" {
  host = %q
  port = %d
}
`, h.host, h.port)
	const addr = "data.wincontainers_host_facts.test"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("build"), knownvalue.Int64Exact(14393)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("release"), knownvalue.StringExact("2016")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("engine_type"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("features").AtMapKey("Containers"), knownvalue.StringExact("absent")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("pending_reboot"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("image_manifest"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("base_images").AtMapKey("process"),
					knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringExact("mcr.microsoft.com/windows/servercore:ltsc2016")})),
			},
			Check: checkSim(h, func(st winsim.State) error {
				if st.Reboots != 0 || st.Requests.ByAction["Command"] != 1 {
					return fmt.Errorf("winsim: %d restarts, %d commands; want a single read", st.Reboots, st.Requests.ByAction["Command"])
				}
				return nil
			}),
		}},
	})
}

// Progress reaches TF_LOG, one line per step, and no secret does, at any log level: the password is
// given in the provider block and the resource (sensitive), and as the write-only password.
func TestAccHostLogsProgressNotSecrets(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	logFile := filepath.Join(t.TempDir(), "tf.log")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	t.Setenv("TF_LOG", "TRACE")
	// The test harness logs the configuration text itself, so the password reaches Terraform the ways
	// users pass secrets: the provider's environment variable and a sensitive input variable.
	t.Setenv(envWinRMPassword, simPassword)
	t.Setenv("TF_VAR_winrm_password", simPassword)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
variable "winrm_password" {
  type      = string
  sensitive = true
}
provider "wincontainers" {
  winrm = { username = "Administrator", ca_cert = file(%q) }
}
resource "wincontainers_host" "test" {
  host           = %q
  port           = %d
  winrm          = { password = var.winrm_password }
  container_mode = "hyperv"
}
`, h.caFile, h.host, h.port),
			Check: func(*terraform.State) error {
				b, err := os.ReadFile(logFile)
				if err != nil {
					return err
				}
				log := string(b)
				if strings.Contains(log, simPassword) {
					i := strings.Index(log, simPassword)
					return fmt.Errorf("the password is in the log: ...%s...", log[max(0, i-200):i])
				}
				for _, want := range []string{"step_start install-features", "reboot reboot-if-required", "step_start install-engine",
					"step_start configure-daemon", "step_start verify", "converged"} {
					if !strings.Contains(log, want) {
						return fmt.Errorf("TF_LOG lacks %q", want)
					}
				}
				return nil
			},
		}},
	})
}

// A host made from an image the Packer provisioner built carries its manifest; the data source reads it.
func TestAccHostFactsReadsImageManifest(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	ca, err := os.ReadFile(h.caFile)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := hostconn.Open(hostconn.Config{
		WinRM:  winrm.Options{Host: h.host, Port: h.port, CACert: ca, User: "Administrator", Password: simPassword},
		Reboot: runner.RebootOptions{DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	want, ds := spec.Validate(spec.Spec{Mode: "process"}, compat.DateOf(fixedDay))
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	ctx := context.Background()
	if _, err := executor.Apply(ctx, conn, want, executor.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := executor.PrepareImage(ctx, conn, executor.PrepareImageOptions{Generalize: true,
		Manifest: &facts.Manifest{ToolVersion: "0.1.0-test", BuiltBy: "packer"}}); err != nil {
		t.Fatal(err)
	}
	const addr = "data.wincontainers_host_facts.test"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(h) + fmt.Sprintf(`
data "wincontainers_host_facts" "test" {
  host = %q
  port = %d
}
`, h.host, h.port),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("image_manifest").AtMapKey("built_by"), knownvalue.StringExact("packer")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("image_manifest").AtMapKey("container_mode"), knownvalue.StringExact("process")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("image_manifest").AtMapKey("generalized"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("image_manifest").AtMapKey("build"), knownvalue.Int64Exact(20348)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("engine_service"), knownvalue.StringExact("Stopped")),
			},
		}},
	})
}

// Security defaults through the CLI (issue 10 §3): without ca_cert the connection is HTTPS with
// certificate verification, so a host whose CA is not given fails with a certificate error that says
// to set ca_cert (never falling back to an unverified connection: the host is left untouched); a
// rejected password fails saying so; plain HTTP without allow_unencrypted is refused.
func TestAccHostSecureByDefault(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	cfg := func(winrmBlock string) string {
		return fmt.Sprintf(`
provider "wincontainers" {
  winrm = { username = "Administrator", password = %q }
}
resource "wincontainers_host" "test" {
  host           = %q
  port           = %d
  winrm          = %s
  container_mode = "process"
}
`, simPassword, h.host, h.port, winrmBlock)
	}
	for _, c := range []struct{ name, winrm, want string }{
		{"unknown CA", `{}`, `(?s)not trusted.*ca_cert`},
		{"rejected password", fmt.Sprintf(`{ ca_cert = file(%q), password = "Wrong-Passw0rd" }`, h.caFile), `(?s)rejected the credentials`},
		{"plain HTTP without allow_unencrypted", `{ https = false }`, `(?s)allow_unencrypted`},
	} {
		t.Run(c.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: fastProviderFactories(),
				Steps:                    []resource.TestStep{{Config: cfg(c.winrm), ExpectError: regexp.MustCompile(c.want)}},
			})
			if st := h.sim.Snapshot(); st.Requests.ByAction["Command"] != 0 || st.OpenShells != 0 {
				t.Errorf("the host ran %d commands, %d shells open", st.Requests.ByAction["Command"], st.OpenShells)
			}
		})
	}
}

// moby#50093 through the CLI: after a restart behind Terraform's back, Windows' start of docker at boot
// failed because the Host Network Service was not ready. Refresh shows the stopped engine with its own
// error and what it means, the data source reports the error, and the next apply starts the engine
// without another restart.
func TestAccHostEngineFailedAtBoot(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	const addr = "wincontainers_host.test"
	cfg := hostConfig(h, `
  container_mode = "process"
  engine         = { type = "docker", version = "28.1.1" }
`)
	withFacts := cfg + fmt.Sprintf(`
data "wincontainers_host_facts" "after" {
  host = %q
  port = %d
}
`, h.host, h.port)
	restartWithHNSLate := func() {
		h.sim.Machine.SetFaults(machine.Faults{HNSFirstBoot: true})
		before := h.sim.Snapshot().Reboots
		h.sim.Host.Reboot(0)
		deadline := time.Now().Add(10 * time.Second)
		for h.sim.Snapshot().Reboots == before || !h.sim.Host.Up() {
			if time.Now().After(deadline) {
				t.Fatal("winsim did not restart")
			}
			time.Sleep(5 * time.Millisecond)
		}
		if st := h.sim.Snapshot(); st.Services["docker"].State != "Stopped" {
			t.Fatalf("docker is %s after the boot with HNS late", st.Services["docker"].State)
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: checkSim(h, dockerRunning)},
			{
				PreConfig:          restartWithHNSLate,
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "pending_changes.#", "2"),
					resource.TestMatchResourceAttr(addr, "pending_changes.0",
						regexp.MustCompile(`^start-service: the docker service is Stopped .*hnsCall failed in Win32.*\(0x23e\).*Host Network Service was not ready`)),
					resource.TestMatchResourceAttr(addr, "pending_changes.1", regexp.MustCompile(`^verify: `)),
				),
			},
			{
				Config:    withFacts,
				PreConfig: restartWithHNSLate,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("pending_changes"), knownvalue.ListExact([]knownvalue.Check{})),
					// Read at plan time, before the apply started the engine.
					statecheck.ExpectKnownValue("data.wincontainers_host_facts.after", tfjsonpath.New("engine_last_error"),
						knownvalue.StringRegexp(regexp.MustCompile(`(?s)^failed to start daemon: .*hnsCallRawResponse.*\(0x23e\)$`))),
					statecheck.ExpectKnownValue("data.wincontainers_host_facts.after", tfjsonpath.New("facts").AtMapKey("engine_service"),
						knownvalue.StringExact("Stopped")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkSim(h, dockerRunning),
					checkSim(h, func(st winsim.State) error {
						if st.Reboots != 3 {
							return fmt.Errorf("%d restarts, want the first one and the two the test made", st.Reboots)
						}
						return nil
					}),
				),
			},
			{
				// The engine runs again: the data source reports no error.
				Config: withFacts,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.wincontainers_host_facts.after", tfjsonpath.New("engine_last_error"), knownvalue.StringExact("")),
					// A process host never had Hyper-V install the boot entry's element.
					statecheck.ExpectKnownValue("data.wincontainers_host_facts.after", tfjsonpath.New("virtualization").AtMapKey("hypervisor_launch_type"),
						knownvalue.StringExact("")),
				},
			},
		},
	})
}

// Issue 18 item 8: plain HTTP with Basic and without allow_unencrypted is refused at plan time, before
// any connection, with what is true of Windows (it refuses unencrypted messages as it ships) and the two
// secure setups as the fix (NTLM with message encryption over HTTP, or HTTPS), not turning on
// AllowUnencrypted on the host.
func TestAccHostPlainHTTPAdvice(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(h) + fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host           = %q
  port           = %d
  winrm          = { https = false, auth = "basic" }
  container_mode = "process"
}
`, h.host, h.port),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Plain\s+HTTP\s+without\s+message\s+encryption.*clear\s+text.*auth\s+=\s+"ntlm"\s+or\s+"kerberos"\s+over\s+HTTP.*message\s+encryption.*https\s+=\s+true.*ca_cert`),
		}},
	})
	if st := h.sim.Snapshot(); st.Requests.Total != 0 {
		t.Errorf("the refusal sent %d requests to the host", st.Requests.Total)
	}
}
