# Ephemeral resources need Terraform 1.10 or later; OpenTofu 1.6 has none.
terraform {
  required_version = ">= 1.10"
}

# A service app that authenticates with the client_credentials grant.
resource "pipeshub_oauth_app" "reporting" {
  name                = "reporting-service"
  description         = "Nightly reporting job"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read", "semantic:read"]
}

# A short-lived access token for the app, obtained in the same
# run and never written to the plan or the state. Opening it fails, with
# PipesHub's OAuth error, when the app cannot authenticate, so it doubles as a
# check that the new app works. Terraform closes it at the end of the plan or
# apply, and the provider then revokes the token; set revoke_on_close = false
# only if the token must stay valid after the run.
ephemeral "pipeshub_oauth_access_token" "reporting" {
  client_id     = pipeshub_oauth_app.reporting.client_id
  client_secret = pipeshub_oauth_app.reporting.client_secret
  scopes        = ["kb:read"]
}

# The token can configure another provider or feed a write-only argument, e.g.
#
#   provider "restapi" {
#     uri     = "https://pipeshub.example.com/api/v1"
#     headers = { Authorization = "Bearer ${ephemeral.pipeshub_oauth_access_token.reporting.access_token}" }
#   }
