# Will an image built on Windows Server 2019 run on a Windows Server 2022 host?
data "wincontainers_compatibility" "ltsc2019_on_2022" {
  host_os   = "2022"
  image_os  = "2019"
  isolation = "process"
}

# Hosts and images may also be given as build numbers, with a revision where it matters.
data "wincontainers_compatibility" "hyperv" {
  host_os   = "10.0.20348.2700"
  image_os  = "17763"
  isolation = "hyperv"
}

output "process_isolation" {
  value = data.wincontainers_compatibility.ltsc2019_on_2022.supported # false: builds must match
}

output "why" {
  value = data.wincontainers_compatibility.ltsc2019_on_2022.reason
}

output "hyperv_isolation" {
  value = data.wincontainers_compatibility.hyperv.supported # true: Hyper-V runs older images
}
