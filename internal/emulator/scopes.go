package emulator

import (
	"bytes"
	"strings"
)

// scope is one entry of PipesHub's scope catalogue (internal/emulator/README.md §6).
type scope struct {
	Name                string `json:"name"`
	Description         string `json:"description"`
	Category            string `json:"category"`
	RequiresUserConsent bool   `json:"requiresUserConsent"`
	adminOnly           bool
}

// scopeCategories is the order of the keys of GET /oauth-clients/scopes.
var scopeCategories = []string{
	"Identity", "Access", "Organization", "Users", "User Groups", "Teams", "Knowledge Base",
	"Semantic", "Conversations", "Agents", "Connectors", "Configuration", "Crawling",
}

// scopeCatalogue is BE scopes.config.ts, in its order.
var scopeCatalogue = []scope{
	{"openid", "OpenID Connect authentication", "Identity", false, false},
	{"profile", "User profile information (name, picture)", "Identity", true, false},
	{"email", "User email address", "Identity", true, false},
	{"offline_access", "Access when user is offline (refresh tokens)", "Access", true, false},
	{"org:read", "Read organization information", "Organization", true, false},
	{"org:write", "Update organization settings", "Organization", true, true},
	{"org:admin", "Full organization administration", "Organization", true, true},
	{"user:read", "Read user profiles", "Users", true, false},
	{"user:write", "Update user profiles", "Users", true, false},
	{"user:invite", "Invite new users to organization", "Users", true, true},
	{"user:delete", "Delete users from organization", "Users", true, true},
	{"usergroup:read", "Read user groups", "User Groups", true, false},
	{"usergroup:write", "Create and manage user groups", "User Groups", true, true},
	{"team:read", "Read team information", "Teams", true, false},
	{"team:write", "Create and manage teams", "Teams", true, true},
	{"kb:read", "Read knowledge bases and records", "Knowledge Base", true, false},
	{"kb:write", "Create and update knowledge bases", "Knowledge Base", true, false},
	{"kb:delete", "Delete knowledge bases and records", "Knowledge Base", true, false},
	{"kb:upload", "Upload files to knowledge bases", "Knowledge Base", true, false},
	{"semantic:read", "Read semantic search results and history", "Semantic", true, false},
	{"semantic:write", "Execute semantic search queries", "Semantic", true, false},
	{"semantic:delete", "Delete semantic search history", "Semantic", true, false},
	{"conversation:read", "Read conversations", "Conversations", true, false},
	{"conversation:write", "Create and manage conversations", "Conversations", true, false},
	{"conversation:chat", "Send messages in conversations", "Conversations", true, false},
	{"agent:read", "Read AI agents", "Agents", true, false},
	{"agent:write", "Create and manage AI agents", "Agents", true, false},
	{"agent:execute", "Execute AI agents", "Agents", true, false},
	{"skill:read", "Read custom agent skills", "Agents", true, false},
	{"skill:write", "Create and manage custom agent skills", "Agents", true, false},
	{"connector:read", "Read connector configurations", "Connectors", true, false},
	{"connector:write", "Create and update connectors", "Connectors", true, false},
	{"connector:sync", "Trigger connector synchronization", "Connectors", true, false},
	{"connector:delete", "Delete connectors", "Connectors", true, false},
	{"config:read", "Read system configuration", "Configuration", true, false},
	{"config:write", "Update system configuration", "Configuration", true, true},
	{"crawl:read", "Read crawling jobs", "Crawling", true, false},
	{"crawl:write", "Create and manage crawling jobs", "Crawling", true, true},
	{"crawl:delete", "Delete crawling jobs", "Crawling", true, true},
}

var scopeByName = func() map[string]scope {
	m := make(map[string]scope, len(scopeCatalogue))
	for _, s := range scopeCatalogue {
		m[s.Name] = s
	}
	return m
}()

const roleAdmin = "admin"

// scopesJSON renders GET /oauth-clients/scopes for a role, keeping the
// category order (a Go map would sort the keys).
func scopesJSON(role string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"scopes":{`)
	for i, category := range scopeCategories {
		entries := []scope{}
		for _, s := range scopeCatalogue {
			if s.Category == category && (role == roleAdmin || !s.adminOnly) {
				entries = append(entries, s)
			}
		}
		key, err := marshalJSON(category)
		if err != nil {
			return nil, err
		}
		list, err := marshalJSON(entries)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(list)
	}
	buf.WriteString(`}}`)
	return buf.Bytes(), nil
}

// checkScopesForRole is the service's scope check on create and update:
// unknown scopes first, then scopes the caller's role may not register.
func checkScopesForRole(scopes []string, role string) *apiError {
	var unknown, forbidden []string
	for _, name := range scopes {
		s, ok := scopeByName[name]
		switch {
		case !ok:
			unknown = append(unknown, name)
		case s.adminOnly && role != roleAdmin:
			forbidden = append(forbidden, name)
		}
	}
	if len(unknown) > 0 {
		return newError(400, codeInvalidScope, "Invalid scopes: "+strings.Join(unknown, ", "))
	}
	if len(forbidden) > 0 {
		return newError(400, codeInvalidScope, "Scopes not allowed for this role: "+strings.Join(forbidden, ", "))
	}
	return nil
}
