# Provider settings come from the environment in CI, not from variables:
# PIPESHUB_SERVER_URL (a repository variable), PIPESHUB_BEARER_AUTH (a
# secret) and PIPESHUB_MAX_REQUESTS_PER_MINUTE. Nothing secret is a variable
# here, so no plan file or log line can carry the token.

variable "portal_base_url" {
  description = "Public base URL of the customer portal; its OAuth callback is below it."
  type        = string
  default     = "https://portal.example.com"

  validation {
    condition     = startswith(var.portal_base_url, "https://")
    error_message = "The portal must be served over https: PipesHub accepts plain http redirect URIs only on localhost."
  }
}

variable "reporting_suspended" {
  description = "Suspend the reporting service's app: it gets no new tokens until this is false again."
  type        = bool
  default     = false
}

variable "reporting_secret_rotation" {
  description = "Change this value (a date, a ticket number) in a pull request to regenerate the reporting app's client secret."
  type        = string
  default     = "2026-12-01"
}
