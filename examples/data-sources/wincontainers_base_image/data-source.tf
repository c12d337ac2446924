# The base images that run process-isolated on a Windows Server 2025 host
# (ltsc2025 and, through the 2025 relaxation, ltsc2022).
data "wincontainers_base_image" "ws2025" {
  host_os   = "2025"
  isolation = "process"
  families  = ["servercore", "nanoserver"]
}

# The Annual Channel (23H2) publishes no images of its own: it runs ltsc2022.
data "wincontainers_base_image" "annual" {
  host_os   = "23H2"
  isolation = "process"
}

output "ws2025_images" {
  value = data.wincontainers_base_image.ws2025.references
}

output "annual_default_image" {
  value = data.wincontainers_base_image.annual.reference # mcr.microsoft.com/windows/servercore:ltsc2022
}
