# The lab: several Windows hosts, each turned into a verified container host by wincontainers_host.
#
#   make demo    starts simulated hosts (winsim), shows a plan refused before any change, applies this
#                configuration through dev_overrides, then shows that a second plan is empty
#
# To use it with your own hosts, see "The lab" in the README: a terraform.tfvars with `hosts`, and the
# password in TF_VAR_password.

provider "wincontainers" {
  # Defaults for every host; a host's own winrm block overrides them attribute by attribute.
  winrm = {
    username = var.username
    password = var.password
    https    = true
    insecure = false
  }
}

locals {
  # "docker@27.3.1" -> { type = "docker", version = "27.3.1" }; "containerd" -> { type = "containerd", version = null }.
  engines = {
    for name, h in var.hosts : name => h.engine == null ? null : {
      type    = split("@", h.engine)[0]
      version = length(split("@", h.engine)) > 1 ? split("@", h.engine)[1] : null
    }
  }
}

resource "wincontainers_host" "lab" {
  for_each = var.hosts

  host  = each.value.host
  port  = each.value.port
  winrm = each.value.ca_cert_file == "" ? null : { ca_cert = file(each.value.ca_cert_file) }

  container_mode = each.value.container_mode
  os_version     = each.value.os_version == "" ? null : each.value.os_version
  engine         = local.engines[each.key]

  # Compose on the hosts that ask for it, proven by a compose project on the host's nat network; the
  # project runs the build-matched base image, so verification pulls it.
  compose = each.value.compose ? { standalone = true } : null
  verify  = each.value.compose ? { pull_images = true } : null
}
