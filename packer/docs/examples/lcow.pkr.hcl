# Windows Server 2022 on Azure made an LCOW host (Linux containers on Windows, containerd), proven by
# running a Linux container, generalized and captured as a managed image. LCOW runs each Linux container in
# a utility VM: the VM size must support nested virtualization.
#
#   packer plugins install github.com/hashicorp/azure
#   packer plugins install --path bin/packer-plugin-wincontainers github.com/wincontainers/wincontainers
#   packer build -var image_resource_group=images lcow.pkr.hcl
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
  type = string
}

locals {
  release = "2022"
}

data "wincontainers-azure-image" "host" {
  location           = var.location
  release            = local.release
  use_azure_cli_auth = true
}

source "azure-arm" "lcow-host" {
  use_azure_cli_auth = true
  location           = var.location
  # Dv5 runs nested virtualization; B-series, Dv2 and the AMD Dav4 sizes do not. No security_type: the VM
  # stays Standard, since Trusted Launch and nested Hyper-V are documented both ways.
  vm_size = "Standard_D4s_v5"

  os_type         = "Windows"
  image_publisher = data.wincontainers-azure-image.host.publisher
  image_offer     = data.wincontainers-azure-image.host.offer
  image_sku       = data.wincontainers-azure-image.host.sku
  image_version   = data.wincontainers-azure-image.host.version

  managed_image_name                = "container-host-lcow-${local.release}-${formatdate("YYYYMMDDhhmm", timestamp())}"
  managed_image_resource_group_name = var.image_resource_group

  communicator   = "winrm"
  winrm_use_ssl  = true
  winrm_insecure = true
  winrm_timeout  = "15m"
  winrm_username = "packer"
}

build {
  sources = ["source.azure-arm.lcow-host"]

  provisioner "wincontainers" {
    container_mode = "lcow"
    os_version     = local.release

    # containerd is the default for LCOW: Docker's LCOW ended with 20.10.
    engine {
      type = "containerd"
    }

    # The LinuxKit kernel and initrd.img come from the pinned linuxkit/lcow release, which publishes no
    # checksum: the first build prints the SHA-256 it saw. Pin it, or point at your own copy:
    # lcow {
    #   url    = "https://artifacts.corp.example/lcow/v4.14.35-v0.3.9/release.zip"
    #   sha256 = "<the SHA-256 the first build printed>"
    # }

    # Pull busybox (and the matching Windows base image) so that verification runs a Linux container.
    verify {
      pull_images = true
    }

    generalize = true
  }

  provisioner "powershell" {
    inline = [
      "while ((Get-Service RdAgent).Status -ne 'Running') { Start-Sleep -Seconds 5 }",
      "while ((Get-Service WindowsAzureGuestAgent).Status -ne 'Running') { Start-Sleep -Seconds 5 }",
      "& $env:SystemRoot\\System32\\Sysprep\\Sysprep.exe /oobe /generalize /quiet /quit /mode:vm",
      "while ((Get-ItemProperty HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State).ImageState -ne 'IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE') { Start-Sleep -Seconds 10 }",
    ]
  }
}
