# Import an existing OAuth app by its resource identity (Terraform 1.12+), the
# form terraform query's generated import blocks use. The id is the app's id,
# not its client_id; import with the token of the user who created the app.
import {
  to = pipeshub_oauth_app.example
  identity = {
    id = "0123456789abcdef01234567"
  }
}
