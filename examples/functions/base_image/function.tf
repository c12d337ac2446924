variable "host_os" {
  description = "The release of the container hosts."
  type        = string
  default     = "2025"
}

locals {
  # The Server Core image built for the hosts' build: what to build FROM for process isolation.
  base_image = provider::wincontainers::base_image(var.host_os, "process", "servercore")
}

# In a precondition: an application image must run process-isolated on the hosts.
resource "terraform_data" "app_image" {
  input = "FROM ${local.base_image}"
  lifecycle {
    precondition {
      condition     = provider::wincontainers::compatible(var.host_os, "ltsc2025", "process").supported
      error_message = provider::wincontainers::compatible(var.host_os, "ltsc2025", "process").reason
    }
  }
}

output "dockerfile_from" {
  value = terraform_data.app_image.output # "FROM mcr.microsoft.com/windows/servercore:ltsc2025"
}

output "nanoserver_hyperv_on_ws2022" {
  # With Hyper-V isolation: the newest build the host can run.
  value = provider::wincontainers::base_image("2022", "hyperv", "nanoserver") # ...nanoserver:ltsc2022
}

# A flavor Microsoft does not publish for the build fails the plan with the images that do exist:
#   provider::wincontainers::base_image("2022", "process", "windows")
#   => no windows base image runs on Windows Server 2022 (build 20348) with process isolation:
#      Microsoft publishes no windows image for that build; these run there: ...servercore:ltsc2022, ...
