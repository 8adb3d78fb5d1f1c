package provider

import (
	"strings"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

func TestLevenshtein(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"kb:read", "kb:read", 0}, {"kb:raed", "kb:read", 2}, {"kb:red", "kb:read", 1},
		{"", "abc", 3}, {"kitten", "sitting", 3}, {"héllo", "hello", 1},
	}
	for _, c := range cases {
		if got := levenshtein(c.a, c.b); got != c.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// A misspelt scope and an admin-only scope of a member get different
// messages; only the second talks of admins.
func TestScopeProblem(t *testing.T) {
	scopes := func(names ...string) []client.Scope {
		out := make([]client.Scope, len(names))
		for i, n := range names {
			out[i] = client.Scope{Name: n}
		}
		return out
	}
	member := scopes("openid", "kb:read", "kb:write", "org:read")
	admin := scopes("openid", "kb:read", "kb:write", "org:read", "org:write", "org:admin", "config:write")
	if summary, detail := scopeProblem("kb:read", member); summary != "" || detail != "" {
		t.Errorf("known scope reported: %s: %s", summary, detail)
	}
	cases := []struct {
		scope     string
		catalogue []client.Scope
		summary   string
		want      []string // substrings of the detail
		wantNot   []string
	}{
		{"kb:raed", member, "Unknown scope", []string{`"kb:raed" is not a PipesHub scope`, `Did you mean "kb:read"?`}, []string{"admin"}},
		{"kb:raed", admin, "Unknown scope", []string{`Did you mean "kb:read"?`}, []string{"admin"}},
		{"openId", member, "Unknown scope", []string{`Did you mean "openid"?`}, []string{"admin"}},
		{"kbwrite", member, "Unknown scope", []string{`Did you mean "kb:write"?`}, nil},
		{"totally:different", member, "Unknown scope", []string{"is not a PipesHub scope", "pipeshub_oauth_scopes"}, []string{"Did you mean", "admin"}},
		{"org:admin", member, "Scope needs a PipesHub admin", []string{`"org:admin" is an admin-only PipesHub scope`, "bearer_auth", "admin's token"}, []string{"Did you mean", "not a PipesHub scope"}},
		{"crawl:delete", member, "Scope needs a PipesHub admin", []string{"admin-only"}, nil},
		// A member's typo of an admin-only scope: the suggestion says it is admin-only.
		{"org:admn", member, "Unknown scope", []string{`Did you mean "org:admin"? That one is admin-only`}, nil},
		// An admin's catalogue holds every scope: anything else is a typo.
		{"org:admn", admin, "Unknown scope", []string{`Did you mean "org:admin"?`}, []string{"admin-only", "admin's"}},
	}
	for _, c := range cases {
		summary, detail := scopeProblem(c.scope, c.catalogue)
		if summary != c.summary {
			t.Errorf("scopeProblem(%q) summary = %q, want %q", c.scope, summary, c.summary)
		}
		for _, w := range c.want {
			if !strings.Contains(detail, w) {
				t.Errorf("scopeProblem(%q) = %q, want it to contain %q", c.scope, detail, w)
			}
		}
		for _, w := range c.wantNot {
			if strings.Contains(detail, w) {
				t.Errorf("scopeProblem(%q) = %q, want no %q", c.scope, detail, w)
			}
		}
	}
}
