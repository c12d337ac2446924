# Credentials come from the provider's azure block or the ARM_* variables, as with azurerm.
provider "wincontainers" {
  azure = {
    subscription_id = var.subscription_id
  }
}

variable "subscription_id" {
  type = string
}

# The newest Windows Server 2025 Server Core image (Generation 2) in West Europe.
data "wincontainers_azure_image" "ws2025" {
  location = "westeurope"
  release  = "2025"
}

# The Annual Channel reports "Windows Server 2022" but is build 25398; it runs ltsc2022 images.
data "wincontainers_azure_image" "annual" {
  location = "westeurope"
  release  = "23H2"
}

output "urn" {
  value = data.wincontainers_azure_image.ws2025.urn # MicrosoftWindowsServer:WindowsServer:2025-datacenter-core-g2:26100.x.y
}

output "build_from" {
  value = data.wincontainers_azure_image.annual.base_image # mcr.microsoft.com/windows/servercore:ltsc2022
}
