# Import an OAuth app by its PipesHub id (24 hexadecimal characters)...
terraform import pipeshub_oauth_app.example 0123456789abcdef01234567

# ...or by its OAuth client id (a UUID), which the app's consumers know: the
# provider finds the app among the apps of the provider's token (PipesHub shows
# an app only to the user who created it) and imports it by its id.
terraform import pipeshub_oauth_app.example f781997b-c958-4808-a804-5eef2f8102c2

# The client secret cannot be read back: change secret_rotation_triggers to get one.
