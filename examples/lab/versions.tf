terraform {
  # optional() object attributes in variables.tf need Terraform 1.3 (any OpenTofu).
  required_version = ">= 1.3"

  required_providers {
    wincontainers = {
      source = "wincontainers/wincontainers"
    }
  }
}
