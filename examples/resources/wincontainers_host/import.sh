# The import ID is the host's address, with the WinRM port when it is not the default
# (5986 with HTTPS, 5985 without). The credentials come from the provider's winrm block
# or WINCONTAINERS_WINRM_USERNAME / WINCONTAINERS_WINRM_PASSWORD.
terraform import wincontainers_host.example 10.0.0.5
terraform import wincontainers_host.example 10.0.0.5:15986
# Over SSH: ssh://host[:port] (port default 22), with the credentials and known_hosts of the
# provider's ssh block or WINCONTAINERS_SSH_USER / WINCONTAINERS_SSH_PASSWORD /
# WINCONTAINERS_SSH_PRIVATE_KEY; the resource then needs an ssh block (ssh = {} takes them all from the
# provider).
terraform import wincontainers_host.example ssh://10.0.0.5
terraform import wincontainers_host.example ssh://10.0.0.5:2222
