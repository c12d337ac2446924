# Connection defaults for every host. The password comes from a sensitive variable
# (TF_VAR_password), never from the command line; credentials in the provider block are not
# stored in the state, so refresh, destroy and import can always connect.
provider "wincontainers" {
  winrm = {
    username = "Administrator"
    password = var.password
    ca_cert  = file("${path.module}/winrm-ca.pem") # the CA that signed the hosts' WinRM certificates
  }
}

variable "password" {
  description = "WinRM password of the local administrator on every host."
  type        = string
  sensitive   = true
}

variable "docker_sha256" {
  description = "SHA-256 of docker-27.3.1.zip, computed once from a copy you trust (Docker publishes none)."
  type        = string
}

variable "linuxkit_sha256" {
  description = "SHA-256 of the LinuxKit LCOW release.zip on the internal mirror (none is published upstream)."
  type        = string
}

# Process isolation (Windows Server containers) on Windows Server 2022, with a pinned and verified
# Docker. Declaring os_version makes impossible combinations fail at plan time, and a host that
# turns out to run another release is refused before anything changes.
resource "wincontainers_host" "build" {
  host           = "10.0.0.5"
  container_mode = "process"
  channel        = "ltsc"
  os_version     = "2022"

  engine = {
    type    = "docker"
    version = "27.3.1"
    sha256  = var.docker_sha256
  }
}

# Hyper-V isolation on Windows Server 2025: installs the Containers and Hyper-V features, restarts
# once when Windows asks, and makes hyperv the engine's default isolation. Inside a VM this needs
# nested virtualization.
resource "wincontainers_host" "isolated" {
  host           = "win-build-02.corp.example"
  container_mode = "hyperv"
  os_version     = "2025"
  # No engine block: Docker at the version wincontainers pins for the host. Without engine.sha256
  # the hash of the first download is recorded in observed_sha256 and a later change is reported.

  winrm = {
    tls_server_name = "win-build-02.corp.example" # override one default; the rest come from the provider
  }

  reboot = {
    allowed = true  # the default; false stops before a needed restart with an error
    timeout = "30m" # a slow physical machine; default 15m
  }

  # Written into Docker's daemon.json; keys not named here are kept as found.
  daemon = {
    data_root        = "D:\\docker"
    registry_mirrors = ["https://mirror.corp.example"]
    dns              = ["10.0.0.2", "10.0.0.3"]
  }

  on_destroy = "keep" # destroy only forgets the host

  timeouts = {
    create = "90m"
  }
}

# Linux containers on Windows (LCOW): containerd with hcsshim and the LinuxKit boot files, here
# from an internal mirror with a pinned hash. Needs build 17763 or later and virtualization.
resource "wincontainers_host" "linux" {
  host           = "10.0.0.7"
  container_mode = "lcow"
  os_version     = "2022"

  lcow = {
    url    = "https://artifacts.corp.example/linuxkit/lcow/v4.14.35-v0.3.9/release.zip"
    sha256 = var.linuxkit_sha256
  }

  verify = {
    pull_images = true # pull busybox and the build-matched base image so that every check runs a container
  }
}

output "build_host" {
  value = "${wincontainers_host.build.facts.title} build ${wincontainers_host.build.facts.build}: ${wincontainers_host.build.facts.engine_type} ${wincontainers_host.build.facts.engine_version}"
}

output "process_base_images" {
  value = wincontainers_host.build.base_images.process # e.g. mcr.microsoft.com/windows/servercore:ltsc2022
}
