output "summary" {
  description = "What each host became, one line per host."
  value = join("\n", [
    for name, h in wincontainers_host.lab : format("%-10s %-38s build %-11s %-8s %-18s %-21s %s",
      name,
      "${h.facts.product_name} (${h.facts.release})",
      "${h.facts.build}.${h.facts.revision}",
      h.container_mode,
      "${h.facts.engine_type} ${h.facts.engine_version}",
      h.compose == null ? "" : (h.facts.engine_type == "containerd" ? "nerdctl compose" : "docker compose ${h.facts.compose_version}"),
      length(h.pending_changes) == 0 ? "verified ${h.verified_at}" : "NOT converged: ${join("; ", h.pending_changes)}",
    )
  ])
}

output "hosts" {
  description = "What each host became, as data."
  value = {
    for name, h in wincontainers_host.lab : name => {
      endpoint       = "${h.host}:${h.port}"
      release        = h.facts.release
      build          = h.facts.build
      revision       = h.facts.revision
      channel        = h.facts.channel
      edition        = h.facts.edition
      product_name   = h.facts.product_name
      container_mode = h.container_mode
      engine         = "${h.facts.engine_type} ${h.facts.engine_version}"
      engine_service = h.facts.engine_service
      compose        = h.compose == null ? null : (h.facts.engine_type == "containerd" ? "nerdctl compose" : "docker compose ${h.facts.compose_version}")
      base_images    = h.base_images
      converged      = length(h.pending_changes) == 0
      verified_at    = h.verified_at
    }
  }
}
