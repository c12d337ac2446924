package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

	"github.com/wincontainers/wincontainers/internal/azure/azurefake"
	"github.com/wincontainers/wincontainers/internal/azure/azuretest"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// startAzureVM is an Azure VM behind the armcompute fakes, whose Run Command runs the library scripts on
// an in-process winsim host, and a loopback Microsoft Entra for the provider's real credential chain.
func startAzureVM(t *testing.T, o winsim.Options) (*azurefake.VM, *azuretest.Server) {
	t.Helper()
	accInternetOnce.Do(func() { accInternet = machine.NewInternet() })
	o.Internet, o.StateDir = accInternet, t.TempDir()
	if o.Virtualization == "" {
		o.Virtualization = "exposed"
	}
	return azurefake.New(t, o), azuretest.New(t)
}

// azureHostFactories is the shipped provider with Azure calls sent to the fake VM and polling scaled to
// its millisecond operations.
func azureHostFactories(v *azurefake.VM, f *azuretest.Server) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		TypeName: providerserver.NewProtocol6WithError(&Provider{
			version: "test", clock: func() time.Time { return fixedDay },
			azureTransport: v.WithEntra(f.Client()), azurePoll: time.Millisecond,
			reboot:       runner.RebootOptions{PollInterval: 20 * time.Millisecond, ReadyProbes: 1},
			retryBackoff: 10 * time.Millisecond,
		}),
	}
}

func azureHostConfig(f *azuretest.Server, body string) string {
	return azureConfig(f, azuretest.Secret, fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host  = "vm1"
%s
}
`, body))
}

func fakeVMRestarts(v *azurefake.VM, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if v.Restarts != want || v.Sim.Snapshot().Reboots != want {
			return fmt.Errorf("restarts through the API %d, winsim restarts %d; want %d", v.Restarts, v.Sim.Snapshot().Reboots, want)
		}
		if len(v.Commands) != 0 {
			return fmt.Errorf("%d run commands left on the VM", len(v.Commands))
		}
		return nil
	}
}

// wincontainers_host on an Azure VM with no WinRM listener: create (the Containers feature, one restart
// through the restart API, Docker, verification), a no-op plan, drift repaired, import by
// azure:<resource group>/<vm name>, destroy — every script a managed run command.
func TestAccAzureHostLifecycle(t *testing.T) {
	accPreCheck(t)
	v, f := startAzureVM(t, winsim.Options{Profile: "ws2022"})
	const addr = "wincontainers_host.test"
	cfg := azureHostConfig(f, `
  azure = { resource_group = "rg", vm_name = "vm1" }
  container_mode = "process"
  os_version     = "2022"
  engine         = { type = "docker", version = "27.3.1" }
`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: azureHostFactories(v, f),
		CheckDestroy: func(*terraform.State) error {
			if st := v.Sim.Snapshot(); st.Engine.Type != "" || st.Services["docker"].State != "" {
				return fmt.Errorf("after destroy: engine %+v", st.Engine)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("vm1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("build"), knownvalue.Int64Exact(20348)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("engine_version"), knownvalue.StringExact("27.3.1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("pending_changes"), knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: resource.ComposeTestCheckFunc(fakeVMRestarts(v, 1), func(*terraform.State) error { return dockerRunning(v.Sim.Snapshot()) }),
			},
			{Config: cfg, PlanOnly: true, Check: fakeVMRestarts(v, 1)},
			{
				PreConfig: func() {
					if err := v.Sim.Machine.ApplyDrift(machine.Drift{StopService: "docker"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(fakeVMRestarts(v, 1), func(*terraform.State) error { return dockerRunning(v.Sim.Snapshot()) }),
			},
			{
				ResourceName: addr, ImportState: true, ImportStateId: "azure:rg/vm1", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"timeouts", "observed_sha256", "verified_at", "os_version"},
			},
		},
	})
}

// What an Azure connection refuses before it changes anything: engine.archive (Run Command cannot push
// files), both connections at once, an incomplete connection, and Hyper-V isolation on a size without
// nested virtualization unless overridden (then a warning, and the apply proceeds).
func TestAccAzureHostRefusals(t *testing.T) {
	accPreCheck(t)
	v, f := startAzureVM(t, winsim.Options{Profile: "ws2022"})
	v.Size = "Standard_B2ms"
	archive := filepath.Join(t.TempDir(), "docker.zip")
	if err := os.WriteFile(archive, []byte("zip"), 0o600); err != nil {
		t.Fatal(err)
	}
	hyperv := func(override string) string {
		return azureHostConfig(f, fmt.Sprintf(`
  azure = { resource_group = "rg", vm_name = "vm1"%s }
  container_mode = "hyperv"
  os_version     = "2022"
  engine         = { type = "docker", version = "27.3.1" }
`, override))
	}
	untouched := func(*terraform.State) error {
		if st := v.Sim.Snapshot(); st.Engine.Type != "" || st.Features["Hyper-V"] == "Installed" || st.Reboots != 0 {
			return fmt.Errorf("the VM was changed: engine %+v, features %v, %d restarts", st.Engine, st.Features, st.Reboots)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: azureHostFactories(v, f),
		Steps: []resource.TestStep{
			{
				Config: azureHostConfig(f, fmt.Sprintf(`
  azure = { resource_group = "rg", vm_name = "vm1" }
  container_mode = "process"
  engine         = { type = "docker", version = "27.3.1", archive = %q }
`, archive)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)engine.archive needs WinRM.*engine.url`),
			},
			{
				Config: azureHostConfig(f, `
  azure = { resource_group = "rg", vm_name = "vm1" }
  winrm = { username = "Administrator", password = "x" }
  container_mode = "process"
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*winrm`),
			},
			{
				// No subscription anywhere: the provider's azure block is left out.
				Config: (`
provider "wincontainers" {}
resource "wincontainers_host" "test" {
  host           = "vm1"
  azure          = { resource_group = "rg", vm_name = "vm1" }
  container_mode = "process"
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Incomplete Azure connection settings.*ARM_SUBSCRIPTION_ID`),
			},
			{
				Config:      hyperv(""),
				ExpectError: regexp.MustCompile(`(?s)Nested virtualization not confirmed.*Standard_B2ms.*series B.*B-series.*nested_virtualization_override`),
			},
			{
				PreConfig: func() {
					if err := untouched(nil); err != nil {
						t.Fatal("after the refused preflight: ", err)
					}
				},
				Config: hyperv(", nested_virtualization_override = true"),
				Check: func(*terraform.State) error {
					if st := v.Sim.Snapshot(); st.Features["Hyper-V"] != "Installed" {
						return fmt.Errorf("override did not proceed: features %v", st.Features)
					}
					return nil
				},
			},
		},
	})
}

// Issue 18 item 3: with an azure connection, host is only a label (the VM is azure.resource_group and
// azure.vm_name): renaming it is an in-place update of the state that runs nothing on the VM, where it
// used to replace the resource, uninstalling and reinstalling on the same machine.
func TestAccAzureHostLabelChange(t *testing.T) {
	accPreCheck(t)
	v, f := startAzureVM(t, winsim.Options{Profile: "ws2022"})
	const addr = "wincontainers_host.test"
	cfg := func(label string) string {
		return azureConfig(f, azuretest.Secret, fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host           = %q
  azure          = { resource_group = "rg", vm_name = "vm1" }
  container_mode = "process"
  engine         = { type = "docker", version = "27.3.1" }
}
`, label))
	}
	var created int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: azureHostFactories(v, f),
		Steps: []resource.TestStep{
			{Config: cfg("vm1"), Check: func(*terraform.State) error { created = len(v.Created); return dockerRunning(v.Sim.Snapshot()) }},
			{
				Config: cfg("build-vm-1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("build-vm-1")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("build"), knownvalue.Int64Exact(20348)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("build-vm-1")),
				},
				Check: func(*terraform.State) error {
					// Refreshes read the facts; nothing else ran (no uninstall, no install).
					for _, name := range v.Created[created:] {
						if !strings.HasPrefix(name, "wincontainers-facts-") {
							return fmt.Errorf("renaming the label ran %s on the VM (since the create: %v)", name, v.Created[created:])
						}
					}
					return dockerRunning(v.Sim.Snapshot())
				},
			},
		},
	})
}
