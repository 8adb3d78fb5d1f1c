# In a file ending in .tfquery.hcl, next to the configuration that declares the
# pipeshub provider; run `terraform query` (Terraform 1.14 or later).

# Every app of the provider's user, with the settings of each, so that
# `terraform query -generate-config-out=apps.tf` can write a resource block and
# an import block per app.
list "pipeshub_oauth_app" "all" {
  provider         = pipeshub
  include_resource = true
  limit            = 1000 # Terraform's default is 100
}

# Only the suspended apps whose name or description contains "portal".
list "pipeshub_oauth_app" "suspended_portals" {
  provider = pipeshub

  config {
    status = "suspended"
    search = "portal"
  }
}
