variable "hosts" {
  description = <<-EOT
    The Windows hosts to turn into container hosts, by name. For each:
      host, port      the WinRM endpoint (HTTPS; 5986 is the Windows default)
      ca_cert_file    PEM file of the CA that signed the host's WinRM certificate ("" = the system roots)
      container_mode  "process", "hyperv" or "lcow"
      os_version      the release you expect, e.g. "2016", "2022", "23H2", "win11-24h2" ("" = not declared);
                      when declared, impossible combinations fail at plan time, before the host is touched
      engine          optional: "docker", "containerd", or a pinned version such as "docker@27.3.1"
                      (default: the engine and version that fit the host and mode)
      compose         optional: true makes the host Compose-ready (docker compose, or nerdctl compose on
                      containerd) and verifies it with a compose project on the build-matched base image,
                      which is pulled for it
  EOT
  type = map(object({
    host           = string
    port           = number
    ca_cert_file   = string
    container_mode = string
    os_version     = string
    engine         = optional(string)
    compose        = optional(bool, false)
  }))
}

variable "username" {
  description = "WinRM user on every host."
  type        = string
  default     = "Administrator"
}

variable "password" {
  description = "WinRM password on every host. Set it with TF_VAR_password, not on the command line."
  type        = string
  sensitive   = true
}
