# The verdict is an object: test .supported in a condition and show .reason in its message.
output "ltsc2019_on_ws2022" {
  value = provider::wincontainers::compatible("2022", "ltsc2019", "process")
  # {
  #   supported   = false
  #   reason      = "process isolation needs the host and image builds to match: the host is
  #                  Windows Server 2022 (build 20348) and the image is build 17763 (...0xc0370101);
  #                  use an image built on build 20348 (...), or run it with Hyper-V isolation"
  #   caveats     = []
  #   host_build  = 20348
  #   image_build = 17763
  # }
}

# In a variable validation: refuse an image the Windows Server 2022 build hosts cannot run.
variable "image_os" {
  type    = string
  default = "ltsc2022"
  validation {
    condition     = provider::wincontainers::compatible("2022", var.image_os, "process").supported
    error_message = provider::wincontainers::compatible("2022", var.image_os, "process").reason
  }
}

# In a check block: a warning, not an error, when the Annual Channel hosts could not run the image.
check "image_runs_on_annual_channel" {
  assert {
    condition     = provider::wincontainers::compatible("23H2", var.image_os, "process").supported
    error_message = provider::wincontainers::compatible("23H2", var.image_os, "process").reason
  }
}

output "image_on_annual_channel" {
  value = provider::wincontainers::compatible("23H2", var.image_os, "process").supported # true for ltsc2022
}
