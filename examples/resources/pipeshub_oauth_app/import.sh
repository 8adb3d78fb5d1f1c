# Import an OAuth app by its PipesHub id (24 hexadecimal characters). The
# client secret cannot be read back: change secret_rotation_triggers to get one.
terraform import pipeshub_oauth_app.example 0123456789abcdef01234567
