# Import an existing OAuth app by its resource identity (Terraform 1.12+), the
# form terraform query's generated import blocks use. The id is the app's id,
# never its client_id (give a client_id as an import block's id instead);
# import with the token of the user who created the app.
import {
  to = pipeshub_oauth_app.example
  identity = {
    id = "0123456789abcdef01234567"
  }
}
