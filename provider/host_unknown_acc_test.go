package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wincontainers/wincontainers/internal/azure/azuretest"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// Issue 18 item 1: connection settings that come from another resource are unknown at plan time. The
// plan must succeed and the apply connect with the values then known: the provider's password, a
// resource's host and port (the normal case when the VM is created in the same configuration), and a
// resource's own password and CA certificate. terraform_data stands for that other resource.
func TestAccHostUnknownAtPlan(t *testing.T) {
	accPreCheck(t)
	h1 := startSimServer(t, winsim.Options{Profile: "ws2022"})
	h2 := startSimServer(t, winsim.Options{Profile: "ws2025"})
	cfg := fmt.Sprintf(`
resource "terraform_data" "vm" {
  input = { password = %[1]q, host = %[2]q, port = %[3]d, ca_cert = file(%[5]q) }
}

provider "wincontainers" {
  winrm = {
    username = "Administrator"
    password = terraform_data.vm.output.password
    ca_cert  = file(%[4]q)
  }
}

resource "wincontainers_host" "provider_unknown" {
  host           = terraform_data.vm.output.host
  port           = terraform_data.vm.output.port
  container_mode = "process"
  os_version     = "2022"
  engine         = { type = "docker", version = "27.3.1" }
  on_destroy     = "keep"
}

resource "wincontainers_host" "resource_unknown" {
  host           = %[6]q
  port           = %[7]d
  winrm          = { password = terraform_data.vm.output.password, ca_cert = terraform_data.vm.output.ca_cert }
  container_mode = "process"
  engine         = { type = "docker", version = "27.3.1" }
  on_destroy     = "keep"
}
`, simPassword, h1.host, h1.port, h1.caFile, h2.caFile, h2.host, h2.port)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("wincontainers_host.provider_unknown", plancheck.ResourceActionCreate),
				plancheck.ExpectUnknownValue("wincontainers_host.provider_unknown", tfjsonpath.New("port")),
				plancheck.ExpectResourceAction("wincontainers_host.resource_unknown", plancheck.ResourceActionCreate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("wincontainers_host.provider_unknown", tfjsonpath.New("port"), knownvalue.Int64Exact(int64(h1.port))),
				statecheck.ExpectKnownValue("wincontainers_host.provider_unknown", tfjsonpath.New("id"), knownvalue.StringExact(h1.host)),
				statecheck.ExpectKnownValue("wincontainers_host.resource_unknown", tfjsonpath.New("facts").AtMapKey("build"), knownvalue.Int64Exact(26100)),
			},
			Check: resource.ComposeTestCheckFunc(checkSim(h1, dockerRunning), checkSim(h2, dockerRunning)),
		}},
	})
}

// The same for an Azure VM: the provider's azure block takes its subscription from another resource
// (an azurerm_subscription data source, a VM module's output), unknown at plan time.
func TestAccAzureHostUnknownAtPlan(t *testing.T) {
	accPreCheck(t)
	v, f := startAzureVM(t, winsim.Options{Profile: "ws2022"})
	cfg := fmt.Sprintf(`
resource "terraform_data" "sub" {
  input = %[1]q
}

provider "wincontainers" {
  azure = {
    subscription_id           = terraform_data.sub.output
    tenant_id                 = %[2]q
    client_id                 = %[3]q
    client_secret             = %[4]q
    use_cli                   = false
    resource_manager_endpoint = %[5]q
    authority_host            = %[5]q
  }
}

resource "wincontainers_host" "test" {
  host           = "vm1"
  azure          = { resource_group = "rg", vm_name = "vm1" }
  container_mode = "process"
  engine         = { type = "docker", version = "27.3.1" }
  on_destroy     = "keep"
}

resource "wincontainers_azure_winrm_listener" "test" {
  resource_group = "rg"
  vm_name        = "vm1"
  depends_on     = [wincontainers_host.test]
}
`, azuretest.Subscription, azuretest.Tenant, azuretest.ClientID, azuretest.Secret, f.URL)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: azureHostFactories(v, f),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("wincontainers_host.test", plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction("wincontainers_azure_winrm_listener.test", plancheck.ResourceActionCreate),
			}},
			Check: func(*terraform.State) error { return dockerRunning(v.Sim.Snapshot()) },
		}},
	})
}
