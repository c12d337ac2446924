package provider

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// A WinRM host's identity is its address and port: recorded by create, and enough for an import block
// to adopt the host with no configuration change. An identity naming both kinds of machine is refused.
// Resource identity needs Terraform 1.12 (or OpenTofu 1.12); older CLIs skip this test.
func TestAccHostImportByIdentity(t *testing.T) {
	accPreCheck(t)
	h, _ := startStoppableSimHost(t, winsim.Options{Profile: "ws2022"})
	// The same machine answers on a second port too: moving to it is an in-place update of the identity.
	url2, stop2, err := h.sim.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop2() })
	_, p2, err := net.SplitHostPort(strings.TrimPrefix(url2, "https://"))
	if err != nil {
		t.Fatal(err)
	}
	port2, err := strconv.Atoi(p2)
	if err != nil {
		t.Fatal(err)
	}
	h2 := *h
	h2.port = port2
	const addr = "wincontainers_host.test"
	// Only what import can read back from the host: no os_version, the default on_destroy.
	body := fmt.Sprintf(`
  container_mode = "process"
  engine         = { type = "docker", version = %q }
`, compat.DefaultDockerVersion)
	winrmIdentity := func(port int) statecheck.StateCheck {
		return statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
			"host":            knownvalue.StringExact(h.host),
			"port":            knownvalue.Int64Exact(int64(port)),
			"subscription_id": knownvalue.Null(),
			"resource_group":  knownvalue.Null(),
			"vm_name":         knownvalue.Null(),
		})
	}
	cfg := hostConfig(&h2, body)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            hostConfig(h, body),
				ConfigStateChecks: []statecheck.StateCheck{winrmIdentity(h.port)},
				Check:             checkSim(h, dockerRunning),
			},
			{
				// Another port of the same machine: updated in place, and the identity follows.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{winrmIdentity(port2)},
			},
			{
				// terraform-plugin-testing writes an import block with the identity recorded above, plans it,
				// and requires a no-op import with the same identity.
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			{
				Config: cfg + fmt.Sprintf(`
import {
  to       = wincontainers_host.other
  identity = { host = %q, vm_name = "vm1" }
}
resource "wincontainers_host" "other" {
  host           = %[1]q
  container_mode = "process"
}
`, h.host),
				ExpectError: regexp.MustCompile(`(?s)Invalid import identity.*not both`),
			},
		},
	})
}

// An Azure VM's identity is its resource group and name (and subscription, when the resource names one);
// an import block with it adopts the VM through Run Command with no configuration change.
func TestAccAzureHostImportByIdentity(t *testing.T) {
	accPreCheck(t)
	v, f := startAzureVM(t, winsim.Options{Profile: "ws2022"})
	const addr = "wincontainers_host.test"
	cfg := azureHostConfig(f, fmt.Sprintf(`
  azure          = { resource_group = "rg", vm_name = "vm1" }
  container_mode = "process"
  engine         = { type = "docker", version = %q }
`, compat.DefaultDockerVersion))
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: azureHostFactories(v, f),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
						"host":            knownvalue.Null(),
						"port":            knownvalue.Null(),
						"subscription_id": knownvalue.Null(),
						"resource_group":  knownvalue.StringExact("rg"),
						"vm_name":         knownvalue.StringExact("vm1"),
					}),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}
