# A Windows Server 2022 machine that already exists, reached as Windows ships it: WinRM over HTTP (port
# 5985) with AllowUnencrypted = false and Negotiate authentication, what Enable-PSRemoting leaves. Packer's
# WinRM communicator cannot reach it (it sends its messages in clear text over HTTP), so the source has no
# communicator and the provisioner connects itself: NTLM with message encryption, no change on the machine.
# Process isolation with Docker.
#
#   packer plugins install --path bin/packer-plugin-wincontainers github.com/wincontainers/wincontainers
#   packer build -var host=10.0.0.5 as-shipped.pkr.hcl   # the password in PKR_VAR_winrm_password
# (not `packer init`: it would look for a wincontainers release on GitHub, and there is none yet)

packer {
  required_plugins {
    wincontainers = {
      source  = "github.com/wincontainers/wincontainers"
      version = ">= 0.1.0"
    }
  }
}

variable "host" {
  type        = string
  description = "The machine's name or address."
}

variable "winrm_password" {
  type        = string
  sensitive   = true
  description = "The password of the machine's local Administrator."
}

# The null builder: the machine exists; Packer only runs the provisioner against it.
source "null" "existing" {
  communicator = "none"
}

build {
  sources = ["source.null.existing"]

  provisioner "wincontainers" {
    container_mode = "process"
    os_version     = "2022"

    winrm {
      host     = var.host
      username = ".\\Administrator"
      password = var.winrm_password
      # Port 5985; every message is sealed with the NTLM logon's session keys.
      https = false
      auth  = "ntlm"
    }
  }
}
