terraform {
  required_providers {
    wincontainers = {
      source = "wincontainers/wincontainers"
    }
  }
}

# Every argument is optional: the offline data sources (wincontainers_compatibility,
# wincontainers_base_image) need none of them.
#
# The winrm block holds connection defaults for every wincontainers_host and
# wincontainers_host_facts; their own winrm blocks override them argument by argument. Credentials
# given here are never stored in the state, and `terraform import` uses them. The user name and
# password may instead come from WINCONTAINERS_WINRM_USERNAME and WINCONTAINERS_WINRM_PASSWORD.
provider "wincontainers" {
  winrm = {
    username = "Administrator"
    password = var.winrm_password # null: WINCONTAINERS_WINRM_PASSWORD
    https    = true               # the default: WinRM over HTTPS on port 5986
    insecure = false              # the default: verify the host's certificate (see ca_cert)
  }
}

variable "winrm_password" {
  description = "WinRM password of the Windows hosts. Set it with TF_VAR_winrm_password, never on the command line."
  type        = string
  sensitive   = true
  default     = null
}
