# Windows Server 2022 installed from an ISO on a Hyper-V build host and made a Hyper-V isolation container
# host (Docker). Hyper-V isolation runs each container in a utility VM, so the build VM gets the
# processor's virtualization extensions (nested virtualization).
#
#   packer plugins install github.com/hashicorp/hyperv
#   packer plugins install --path bin/packer-plugin-wincontainers github.com/wincontainers/wincontainers
#   packer build -var iso_url=... -var iso_checksum=sha256:... hyperv.pkr.hcl   # the password in PKR_VAR_winrm_password
# (not `packer init`: it would look for a wincontainers release on GitHub, and there is none yet)

packer {
  required_plugins {
    hyperv = {
      source  = "github.com/hashicorp/hyperv"
      version = ">= 1.1.0"
    }
    wincontainers = {
      source  = "github.com/wincontainers/wincontainers"
      version = ">= 0.1.0"
    }
  }
}

variable "iso_url" {
  type        = string
  description = "A Windows Server 2022 ISO."
}

variable "iso_checksum" {
  type = string
}

variable "winrm_password" {
  type        = string
  sensitive   = true
  description = "The Administrator password autounattend.xml sets."
}

source "hyperv-iso" "container-host" {
  iso_url      = var.iso_url
  iso_checksum = var.iso_checksum
  generation   = 2
  cpus         = 4
  memory       = 8192
  disk_size    = 130048

  # Nested virtualization: the processor's virtualization extensions, MAC address spoofing for the
  # containers' network, and fixed memory of at least 4 GB (dynamic memory does not resize a VM while
  # Hyper-V runs inside it).
  enable_virtualization_extensions = true
  enable_mac_spoofing              = true
  enable_dynamic_memory            = false
  enable_secure_boot               = true
  secure_boot_template             = "MicrosoftWindows"

  # An internal switch on the build host. autounattend.xml installs Windows, sets the Administrator
  # password, and its first-logon script enables WinRM over HTTP with Basic authentication and
  # AllowUnencrypted: the traffic never leaves the build host.
  switch_name = "packer-internal"
  cd_files    = ["autounattend.xml", "enable-winrm.ps1"]
  boot_wait   = "2s"
  boot_command = [
    "<spacebar>"
  ]

  communicator   = "winrm"
  winrm_username = "Administrator"
  winrm_password = var.winrm_password
  winrm_timeout  = "2h"

  shutdown_command = "C:\\Windows\\System32\\Sysprep\\sysprep.exe /generalize /oobe /shutdown /quiet /mode:vm"
  shutdown_timeout = "30m"
}

build {
  sources = ["source.hyperv-iso.container-host"]

  provisioner "wincontainers" {
    container_mode = "hyperv"
    os_version     = "2022"

    engine {
      type    = "docker"
      version = "27.3.1"
    }

    daemon {
      registry_mirrors = ["https://mirror.corp.example"]
    }

    # Prove Hyper-V isolation by running the base image that matches the build in a utility VM (the
    # pull is gigabytes; without it, checks that need the image are reported as skipped).
    verify {
      pull_images = true
    }

    # Installing the Containers and Hyper-V features needs a restart; the default 15m is ample on most
    # hosts, slow disks take longer.
    restart_timeout = "30m"
    generalize      = true
  }
}
