# Every OAuth app of the provider's credential, newest first.
data "pipeshub_oauth_apps" "all" {}

# Only the suspended ones.
data "pipeshub_oauth_apps" "suspended" {
  status = "suspended"
}

# Apps whose name or description contains "reporting" (case-insensitive).
data "pipeshub_oauth_apps" "reporting" {
  search = "reporting"
}

output "app_count" {
  value = length(data.pipeshub_oauth_apps.all.ids)
}

output "suspended_app_names" {
  value = data.pipeshub_oauth_apps.suspended.apps[*].name
}

output "reporting_client_ids" {
  value = { for app in data.pipeshub_oauth_apps.reporting.apps : app.id => app.client_id }
}
