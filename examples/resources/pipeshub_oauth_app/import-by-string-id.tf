# Import an existing OAuth app by its PipesHub id (Terraform 1.5+); its OAuth
# client id (a UUID) works as well. The client secret cannot be read back: set
# secret_rotation_triggers to have the next apply regenerate one into state.
import {
  to = pipeshub_oauth_app.example
  id = "0123456789abcdef01234567" # or the client_id, such as "f781997b-c958-4808-a804-5eef2f8102c2"
}

# The app's settings as you mean to manage them (or leave this block out and
# run `terraform plan -generate-config-out=generated.tf` to have Terraform
# write it).
resource "pipeshub_oauth_app" "example" {
  name                = "Nightly reporting job"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
