import {
  to = wincontainers_host.example
  id = "10.0.0.5:5986"
}

resource "wincontainers_host" "example" {
  host           = "10.0.0.5"
  port           = 5986
  container_mode = "process" # import reads the mode and the engine from the host
}
