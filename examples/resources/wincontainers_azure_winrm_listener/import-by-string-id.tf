import {
  to = wincontainers_azure_winrm_listener.winrm
  id = "azure:lab-rg/ctr-host-1:5986"
}

resource "wincontainers_azure_winrm_listener" "winrm" {
  resource_group = "lab-rg"
  vm_name        = "ctr-host-1"
  dns_names      = ["ctr-host-1.westeurope.cloudapp.azure.com"]
}
