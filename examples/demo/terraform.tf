terraform {
  # The oldest Terraform the provider is tested with (OpenTofu 1.6 also meets it).
  required_version = ">= 1.5"

  required_providers {
    pipeshub = {
      source = "pipeshub-ai/pipeshub"
    }
  }
}
