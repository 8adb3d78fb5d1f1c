# Only server-side settings here: server_url and bearer_auth come from
# PIPESHUB_SERVER_URL and PIPESHUB_BEARER_AUTH, which the workflows set from
# the repository's variables and secrets.
provider "pipeshub" {
  # PipesHub allows 1000 requests per minute per user (and 1000 per client IP
  # before authentication). When several pipelines share the automation
  # user's token, or one runner address, each sets its share with
  # PIPESHUB_MAX_REQUESTS_PER_MINUTE in the workflow; retries honour
  # Retry-After when the limit is reached anyway.
  max_retries = 5
}

# A confidential web application signing users in with the authorization code flow.
resource "pipeshub_oauth_app" "portal" {
  name        = "Customer portal"
  description = "Managed by Terraform in the pipeshub-apps repository; change it there, not in the console."

  redirect_uris       = ["${var.portal_base_url}/oauth/callback"]
  allowed_grant_types = ["authorization_code", "refresh_token"]
  allowed_scopes      = ["openid", "profile", "email", "offline_access", "kb:read", "semantic:read"]

  # PipesHub's delete is final: a deleted app cannot be read or restored, and
  # its client_id and secret are gone with it. A pull request that would
  # destroy or replace this app fails at plan time instead.
  lifecycle {
    prevent_destroy = true
  }
}

# A machine-to-machine client. Its secret is regenerated when the rotation
# value changes (PipesHub invalidates the old secret at once), and it can be
# suspended from a pull request.
resource "pipeshub_oauth_app" "reporting" {
  name                = "Nightly reporting"
  description         = "Managed by Terraform in the pipeshub-apps repository."
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
  status              = var.reporting_suspended ? "suspended" : "active"

  secret_rotation_triggers = {
    rotation = var.reporting_secret_rotation
  }

  lifecycle {
    prevent_destroy = true
  }
}
