# The compatibility matrix, computed offline by the provider: for each Windows Server host release,
# which base images run with process isolation and which with Hyper-V isolation.
#
#   make demo          (builds the provider and applies this configuration through dev_overrides)
terraform {
  required_providers {
    wincontainers = {
      source = "wincontainers/wincontainers"
    }
  }
}

variable "hosts" {
  description = "Host releases to tabulate."
  type        = list(string)
  default     = ["2016", "2019", "2022", "23H2", "2025", "win10-22h2", "win11-24h2"]
}

locals {
  images = ["2016", "2019", "2022", "2025"]
  pairs = {
    for p in setproduct(var.hosts, local.images, ["process", "hyperv"]) :
    "${p[0]} <- ${p[1]} (${p[2]})" => { host = p[0], image = p[1], isolation = p[2] }
  }
}

data "wincontainers_compatibility" "pair" {
  for_each  = local.pairs
  host_os   = each.value.host
  image_os  = each.value.image
  isolation = each.value.isolation
}

data "wincontainers_base_image" "process" {
  for_each  = toset(var.hosts)
  host_os   = each.value
  isolation = "process"
  families  = ["servercore"]
}

# The story the project started from: Windows Server 2016 hosts, 2019 images, and Linux.
data "wincontainers_compatibility" "story" {
  host_os   = "2016"
  image_os  = "2019"
  isolation = "hyperv"
}

locals {
  mark = {
    for k, v in data.wincontainers_compatibility.pair : k => v.supported
  }
  table_rows = [
    for h in var.hosts : format("  %-12s%s", h, join("", [
      for i in local.images : format("%8s",
        "${local.mark["${h} <- ${i} (process)"] ? "P" : "-"}${local.mark["${h} <- ${i} (hyperv)"] ? "H" : "-"}"
      )
    ]))
  ]
}

output "table" {
  description = "The matrix as text: P = process isolation, H = Hyper-V isolation."
  value = join("\n", concat(
    [format("  %-12s%s", "host\\image", join("", [for i in local.images : format("%8s", i)]))],
    local.table_rows,
    ["  (P = process isolation supported, H = Hyper-V isolation supported)"],
  ))
}

output "matrix" {
  description = "host <- image (isolation) => supported"
  value       = { for k, v in data.wincontainers_compatibility.pair : k => v.supported }
}

output "servercore_for_process_isolation" {
  description = "The Server Core image to build FROM, per host release (empty: none runs process-isolated there)."
  value       = { for k, v in data.wincontainers_base_image.process : k => v.reference }
}

output "why_2019_images_fail_on_2016" {
  value = data.wincontainers_compatibility.story.reason
}
