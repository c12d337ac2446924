# The import ID is azure:<resource group>/<vm name>:<port>, the resource's id. The listener's
# certificate is read from the VM; dns_names, ip_addresses and valid_days come from the certificate.
# The credentials and subscription come from the provider's azure block or ARM_* variables.
terraform import wincontainers_azure_winrm_listener.winrm azure:lab-rg/ctr-host-1:5986
