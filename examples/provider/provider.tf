terraform {
  # Terraform 1.5 or later, or OpenTofu 1.6 or later.
  required_version = ">= 1.5"

  required_providers {
    pipeshub = {
      source = "pipeshub-ai/pipeshub"
    }
  }
}

# server_url and bearer_auth can instead come from PIPESHUB_SERVER_URL and
# PIPESHUB_BEARER_AUTH, which keeps the token out of configuration.
provider "pipeshub" {
  server_url  = "https://pipeshub.example.com" # or https://pipeshub.example.com/api/v1
  bearer_auth = var.pipeshub_token

  max_retries             = 5   # per request, on connection errors, HTTP 429 and 5xx
  max_requests_per_minute = 300 # leave room in PipesHub's per-user limit for other tools
}

variable "pipeshub_token" {
  type      = string
  sensitive = true
}
