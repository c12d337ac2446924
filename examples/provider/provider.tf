terraform {
  required_providers {
    wincontainers = {
      source = "wincontainers/wincontainers"
    }
  }
}

# The offline data sources need no provider settings.
provider "wincontainers" {}
