# Import an existing OAuth app by its PipesHub id (Terraform 1.5+). Run
# `terraform plan -generate-config-out=generated.tf` to have Terraform write
# the resource block. The client secret cannot be read back: set
# secret_rotation_triggers to have the next apply regenerate one into state.
import {
  to = pipeshub_oauth_app.example
  id = "0123456789abcdef01234567"
}
