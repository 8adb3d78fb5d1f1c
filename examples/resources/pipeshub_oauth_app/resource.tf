# A confidential web application signing users in with the authorization code flow.
resource "pipeshub_oauth_app" "support_portal" {
  name        = "Acme Support Portal"
  description = "Customer support portal that searches the knowledge base on the user's behalf."

  redirect_uris = [
    "https://support.acme.example/oauth/callback",
    "http://localhost:3000/oauth/callback", # local development
  ]
  allowed_grant_types = ["authorization_code", "refresh_token"]
  allowed_scopes      = ["openid", "profile", "email", "offline_access", "kb:read", "semantic:read", "conversation:chat"]

  homepage_url         = "https://support.acme.example"
  privacy_policy_url   = "https://acme.example/privacy"
  terms_of_service_url = "https://acme.example/terms"

  access_token_lifetime  = 1800    # 30 minutes
  refresh_token_lifetime = 1209600 # 14 days
}

# A machine-to-machine client for a nightly job. Change a trigger value to
# regenerate the secret (PipesHub invalidates the old one at once) or to
# revoke every token issued to the app.
resource "pipeshub_oauth_app" "kb_sync" {
  name                = "Nightly knowledge base sync"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read", "kb:write", "kb:upload"]

  secret_rotation_triggers = {
    quarter = "2026-Q3"
  }
  token_revocation_triggers = {
    incident = "none"
  }

  timeouts {
    create = "2m"
  }
}
