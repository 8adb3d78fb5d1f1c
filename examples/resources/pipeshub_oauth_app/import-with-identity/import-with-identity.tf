# Import an existing OAuth app by its resource identity (Terraform 1.12 or
# later), the form terraform query's generated import blocks use. The id is the
# app's id, never its client_id (give a client_id as an import block's id
# instead); import with the token of the user who created the app.
terraform {
  required_version = ">= 1.12"
}

import {
  to = pipeshub_oauth_app.example
  identity = {
    id = "0123456789abcdef01234567"
  }
}

# The app's settings as you mean to manage them (or leave this block out and
# run `terraform plan -generate-config-out=generated.tf` to have Terraform
# write it).
resource "pipeshub_oauth_app" "example" {
  name                = "Nightly reporting job"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
