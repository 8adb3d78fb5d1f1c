# Client ids are not secret; the client secrets stay in the encrypted state
# (hand them to a secret store in the same apply, see the GitOps guide).
output "portal_client_id" {
  value = pipeshub_oauth_app.portal.client_id
}

output "reporting_client_id" {
  value = pipeshub_oauth_app.reporting.client_id
}
