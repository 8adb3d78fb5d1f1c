package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// closest suggests the candidate at the smallest edit distance, counted in
// characters, and nothing beyond max(2, a third of the input's length).
func TestClosest(t *testing.T) {
	cases := []struct {
		s          string
		candidates []string
		want       string
	}{
		{"kb:read", []string{"kb:write", "kb:read"}, "kb:read"}, // distance 0 wins
		{"kb:red", []string{"kb:raid", "kb:read"}, "kb:read"},   // 1 (an insertion) beats 2
		{"kb:raed", []string{"kb:read", "kb:rae"}, "kb:rae"},    // a transposition is more than 1 edit...
		{"kb:raed", []string{"kb:read"}, "kb:read"},             // ...and within the bound of 2
		{"", []string{"abc"}, ""},                               // 3 is beyond the bound of 2
		{"", []string{"abc", "ab"}, "ab"},                       // 2 is within it
		{"kitten", []string{"sitting"}, ""},                     // 3 is beyond the bound of 2
		{"kitten", []string{"sitting", "sittin"}, "sittin"},     // 2 is within it
		{"héllo", []string{"hél", "hello"}, "hello"},            // 1 character, though 2 bytes, beats 2
		{"éé", []string{"ee"}, "ee"},                            // 2 characters (4 bytes) is within the bound
	}
	for _, c := range cases {
		if got := closest(c.s, c.candidates); got != c.want {
			t.Errorf("closest(%q, %q) = %q, want %q", c.s, c.candidates, got, c.want)
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
		checkDetail(t, fmt.Sprintf("scopeProblem(%q)", c.scope), detail, c.want, c.wantNot)
	}
}

// checkDetail reports each of want that detail lacks, and each of wantNot it holds.
func checkDetail(t *testing.T, what, detail string, want, wantNot []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(detail, w) {
			t.Errorf("%s = %q, want it to contain %q", what, detail, w)
		}
	}
	for _, w := range wantNot {
		if strings.Contains(detail, w) {
			t.Errorf("%s = %q, want no %q", what, detail, w)
		}
	}
}
