# Demo configuration for `make demo`. The provider reads PIPESHUB_SERVER_URL
# and PIPESHUB_BEARER_AUTH from the environment.
provider "pipeshub" {}

data "pipeshub_oauth_scopes" "knowledge_base" {
  category = "Knowledge Base"
}

data "pipeshub_oauth_scopes" "identity" {
  category = "Identity"
}

# A confidential web application: users sign in, the app searches the
# knowledge base on their behalf.
resource "pipeshub_oauth_app" "web" {
  name        = "Acme Intranet Search"
  description = "Intranet search front end backed by PipesHub."

  redirect_uris = [
    "https://intranet.acme.example/auth/callback",
    "http://localhost:8080/auth/callback",
  ]
  allowed_scopes = concat(
    data.pipeshub_oauth_scopes.identity.names,
    ["offline_access", "kb:read", "semantic:read"],
  )

  homepage_url       = "https://intranet.acme.example"
  privacy_policy_url = "https://acme.example/privacy"
}

# A service client parked in the suspended state until its owners go live.
resource "pipeshub_oauth_app" "reporting" {
  name                = "Quarterly reporting job"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = data.pipeshub_oauth_scopes.knowledge_base.names
  status              = "suspended"
}

output "web_client_id" {
  value = pipeshub_oauth_app.web.client_id
}

output "web_client_secret" {
  value     = pipeshub_oauth_app.web.client_secret
  sensitive = true
}

output "reporting_client_id" {
  value = pipeshub_oauth_app.reporting.client_id
}

output "reporting_status" {
  value = pipeshub_oauth_app.reporting.status
}

output "knowledge_base_scopes" {
  value = data.pipeshub_oauth_scopes.knowledge_base.names
}
