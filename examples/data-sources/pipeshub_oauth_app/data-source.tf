# Look up an app managed elsewhere (another team's configuration, or the
# PipesHub UI) by its exact name. PipesHub does not keep names unique: when no
# app or several apps have this name, the read fails and lists the candidates'
# ids, so that you can switch to a lookup by id.
data "pipeshub_oauth_app" "by_name" {
  name = var.app_name
}

# Or by id: one API call, and unambiguous.
data "pipeshub_oauth_app" "by_id" {
  id = var.app_id
}

# Or by the OAuth client id that the app's consumers know. PipesHub cannot
# look an app up by client id, so the provider reads the credential's apps,
# newest first, 100 to an API call, until it finds this one.
data "pipeshub_oauth_app" "by_client_id" {
  client_id = var.app_client_id
}

variable "app_name" {
  description = "Exact name of an existing OAuth app of the provider's credential."
  type        = string
}

variable "app_id" {
  description = "Id (24 hexadecimal characters) of an existing OAuth app of the provider's credential."
  type        = string
}

variable "app_client_id" {
  description = "OAuth client id (a UUID) of an existing OAuth app of the provider's credential."
  type        = string
}

output "client_id" {
  value = data.pipeshub_oauth_app.by_name.client_id
}

output "redirect_uris" {
  value = data.pipeshub_oauth_app.by_id.redirect_uris
}

output "app_id" {
  value = data.pipeshub_oauth_app.by_client_id.id
}
