# Windows Server 2025 on Azure made a process-isolation container host (Docker), proven by running
# containers, with the matching base images pulled in, generalized and captured as a managed image.
#
#   packer plugins install github.com/hashicorp/azure
#   packer plugins install --path bin/packer-plugin-wincontainers github.com/wincontainers/wincontainers
#   packer build -var image_resource_group=images process.pkr.hcl
# (not `packer init`: it would look for a wincontainers release on GitHub, and there is none yet)

packer {
  required_plugins {
    azure = {
      source  = "github.com/hashicorp/azure"
      version = ">= 2.0.0"
    }
    wincontainers = {
      source  = "github.com/wincontainers/wincontainers"
      version = ">= 0.1.0"
    }
  }
}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "image_resource_group" {
  type        = string
  description = "The resource group the managed image is written to."
}

locals {
  # One literal for the marketplace image and the provisioner's os_version, so that `packer validate`
  # checks the combination without calling Azure (it does not evaluate data sources by default).
  release = "2025"
}

data "wincontainers-azure-image" "host" {
  location           = var.location
  release            = local.release
  use_azure_cli_auth = true
}

source "azure-arm" "container-host" {
  use_azure_cli_auth = true
  location           = var.location
  vm_size            = "Standard_D2s_v5"

  os_type         = "Windows"
  image_publisher = data.wincontainers-azure-image.host.publisher
  image_offer     = data.wincontainers-azure-image.host.offer
  image_sku       = data.wincontainers-azure-image.host.sku
  image_version   = data.wincontainers-azure-image.host.version

  managed_image_name                = "container-host-process-${local.release}-${formatdate("YYYYMMDDhhmm", timestamp())}"
  managed_image_resource_group_name = var.image_resource_group

  # azure-arm gives the VM a WinRM HTTPS listener with a certificate it generates. Packer's WinRM
  # communicator cannot pin a CA, so the connection is encrypted but the certificate is not checked.
  communicator   = "winrm"
  winrm_use_ssl  = true
  winrm_insecure = true
  winrm_timeout  = "15m"
  winrm_username = "packer"
}

build {
  sources = ["source.azure-arm.container-host"]

  provisioner "wincontainers" {
    container_mode = "process"
    os_version     = local.release

    engine {
      type = "docker"
    }

    # Stop the engine and remove its per-machine state so every VM made from the image starts its own.
    generalize = true
    # servercore, nanoserver and server for the image's own build: gigabytes, pulled once here instead
    # of on every VM.
    pre_pull_base_images = true
  }

  # Sysprep after the engine was generalized, as Azure expects for a managed image.
  provisioner "powershell" {
    inline = [
      "while ((Get-Service RdAgent).Status -ne 'Running') { Start-Sleep -Seconds 5 }",
      "while ((Get-Service WindowsAzureGuestAgent).Status -ne 'Running') { Start-Sleep -Seconds 5 }",
      "& $env:SystemRoot\\System32\\Sysprep\\Sysprep.exe /oobe /generalize /quiet /quit /mode:vm",
      "while ((Get-ItemProperty HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State).ImageState -ne 'IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE') { Start-Sleep -Seconds 10 }",
    ]
  }
}
