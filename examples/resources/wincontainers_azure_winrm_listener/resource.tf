# An HTTPS WinRM listener on an Azure VM, created through Run Command (no inbound port needed for
# that), with a self-signed certificate that WinRM clients pin instead of using insecure = true.
# The provider's azure block (or ARM_* variables) supplies credentials and the subscription.
resource "wincontainers_azure_winrm_listener" "vm1" {
  resource_group = "rg-containers"
  vm_name        = "vm1"
  dns_names      = ["vm1.westeurope.cloudapp.azure.com"] # the names clients connect to
  ip_addresses   = ["20.1.2.3"]
  # port = 5986, valid_days = 365 by default
}

# Open 5986 in the VM's network security group, from your address only (azurerm, not shown), then
# connect over WinRM and verify the certificate against the one the listener reported. The password
# goes in the provider's winrm block: refresh and destroy can use it there, and it is never stored in
# the state (on the resource, winrm.password would be stored; winrm.password_wo is used by create and
# update only).
provider "wincontainers" {
  azure = {}

  winrm = {
    username = "azureadmin"
    password = var.admin_password
  }
}

resource "wincontainers_host" "vm1" {
  host           = "vm1.westeurope.cloudapp.azure.com"
  container_mode = "process"

  winrm = {
    https   = true
    ca_cert = wincontainers_azure_winrm_listener.vm1.ca_cert
  }
}

variable "admin_password" {
  type      = string
  sensitive = true
}

output "winrm_fingerprint_sha256" {
  value = wincontainers_azure_winrm_listener.vm1.fingerprint_sha256
}
