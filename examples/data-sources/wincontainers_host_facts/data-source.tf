# What a Windows host is and has, read in one WinRM round trip without changing anything.
# The credentials come from the provider's winrm block (or WINCONTAINERS_WINRM_USERNAME and
# WINCONTAINERS_WINRM_PASSWORD); this block overrides only what differs for this host.
data "wincontainers_host_facts" "candidate" {
  host = "10.0.0.9"

  winrm = {
    ca_cert = file("${path.module}/winrm-ca.pem")
  }
}

output "release" {
  # The Annual Channel reports itself as "Windows Server 2022" by name; release and channel
  # tell it apart by its build (25398: "23H2", "annual").
  value = format("%s (%s, build %d.%d, %s)",
    data.wincontainers_host_facts.candidate.facts.title,
    data.wincontainers_host_facts.candidate.facts.release,
    data.wincontainers_host_facts.candidate.facts.build,
    data.wincontainers_host_facts.candidate.facts.revision,
    data.wincontainers_host_facts.candidate.facts.channel,
  )
}

# The base image to build on for process isolation: it must match the host's build.
output "process_base_image" {
  value = try(data.wincontainers_host_facts.candidate.base_images.process[0], null)
}

# What Hyper-V isolation and LCOW depend on: the Hyper-V feature and the virtualization signals
# (inside a VM, nested virtualization).
output "virtualization" {
  value = {
    hyper_v_feature    = lookup(data.wincontainers_host_facts.candidate.features, "Hyper-V", "absent")
    hypervisor_present = data.wincontainers_host_facts.candidate.virtualization.hypervisor_present
    slat               = data.wincontainers_host_facts.candidate.virtualization.slat
    machine            = data.wincontainers_host_facts.candidate.virtualization.model
  }
}

output "pending_reboot" {
  value = data.wincontainers_host_facts.candidate.pending_reboot_reasons
}
