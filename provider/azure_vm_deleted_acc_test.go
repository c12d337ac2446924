package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wincontainers/wincontainers/internal/azure/azuretest"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// Issue 18 item 5: the Azure VM is deleted outside Terraform. ARM answers 404 ResourceNotFound, and
// refresh removes wincontainers_host (azure connection) and wincontainers_azure_winrm_listener from the
// state, so the plan proposes to create them again instead of failing; destroy has nothing left to do.
func TestAccAzureVMDeleted(t *testing.T) {
	accPreCheck(t)
	v, f := startAzureVM(t, winsim.Options{Profile: "ws2022", ComputerName: "VM1"})
	cfg := azureConfig(f, azuretest.Secret, `
resource "wincontainers_host" "test" {
  host           = "vm1"
  azure          = { resource_group = "rg", vm_name = "vm1" }
  container_mode = "process"
  engine         = { type = "docker", version = "27.3.1" }
}

resource "wincontainers_azure_winrm_listener" "test" {
  resource_group = "rg"
  vm_name        = "vm1"
  depends_on     = [wincontainers_host.test]
}
`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: azureHostFactories(v, f),
		Steps: []resource.TestStep{
			{Config: cfg, Check: func(*terraform.State) error { return dockerRunning(v.Sim.Snapshot()) }},
			{
				PreConfig:          v.Delete,
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("wincontainers_host.test", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("wincontainers_azure_winrm_listener.test", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}
