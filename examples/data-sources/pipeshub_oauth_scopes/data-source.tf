# Every scope the provider's user may grant (admins see admin-only scopes too).
data "pipeshub_oauth_scopes" "all" {}

# Only the Knowledge Base scopes.
data "pipeshub_oauth_scopes" "knowledge_base" {
  category = "Knowledge Base"
}

resource "pipeshub_oauth_app" "kb_reader" {
  name                = "Knowledge base reader"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = data.pipeshub_oauth_scopes.knowledge_base.names
}

output "consent_scopes" {
  value = [for s in data.pipeshub_oauth_scopes.all.scopes : s.name if s.requires_user_consent]
}
