terraform {
  required_providers {
    pipeshub = {
      source = "pipeshub-ai/pipeshub"
    }
  }
}
