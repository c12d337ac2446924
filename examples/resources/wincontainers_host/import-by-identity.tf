# Terraform 1.12+ and OpenTofu 1.12+: name the host by its identity instead of an ID string.
import {
  to       = wincontainers_host.example
  identity = { host = "10.0.0.5", port = 5986 }
}

# An Azure VM reached through Run Command:
import {
  to       = wincontainers_host.azure
  identity = { resource_group = "rg-containers", vm_name = "build-01" }
}

resource "wincontainers_host" "example" {
  host           = "10.0.0.5"
  port           = 5986
  container_mode = "process" # import reads the mode and the engine from the host
}

resource "wincontainers_host" "azure" {
  host           = "build-01"
  azure          = { resource_group = "rg-containers", vm_name = "build-01" }
  container_mode = "process"
}
