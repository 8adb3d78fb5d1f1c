# The live (unrevoked, unexpired) tokens of an app, for example to check that
# a revocation went through or to see when a service last used its token.
data "pipeshub_oauth_app_tokens" "reporting" {
  app_id = var.app_id
}

variable "app_id" {
  description = "Id of an OAuth app of the provider's credential."
  type        = string
}

output "live_access_tokens" {
  value = length([for t in data.pipeshub_oauth_app_tokens.reporting.tokens : t if t.token_type == "access"])
}

output "token_expiry" {
  value = { for t in data.pipeshub_oauth_app_tokens.reporting.tokens : t.id => t.expires_at }
}
