# The import ID is the host's address, with the WinRM port when it is not the default
# (5986 with HTTPS, 5985 without). The credentials come from the provider's winrm block
# or WINCONTAINERS_WINRM_USERNAME / WINCONTAINERS_WINRM_PASSWORD.
terraform import wincontainers_host.example 10.0.0.5
terraform import wincontainers_host.example 10.0.0.5:15986
