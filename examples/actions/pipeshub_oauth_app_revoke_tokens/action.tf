# Revoke every access and refresh token of an app. Actions need Terraform 1.14
# or later.
terraform {
  required_version = ">= 1.14"
}

resource "pipeshub_oauth_app" "portal" {
  name           = "Customer portal"
  redirect_uris  = ["https://portal.example.com/oauth/callback"]
  allowed_scopes = ["openid", "profile", "kb:read"]
}

action "pipeshub_oauth_app_revoke_tokens" "portal" {
  config {
    app_id = pipeshub_oauth_app.portal.id
  }
}

# On demand:
#   terraform apply -invoke=action.pipeshub_oauth_app_revoke_tokens.portal
#
# Or on an event: here, whenever the incident number changes.
variable "incident" {
  type    = string
  default = "none"
}

resource "terraform_data" "incident" {
  input = var.incident

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.pipeshub_oauth_app_revoke_tokens.portal]
    }
  }
}
