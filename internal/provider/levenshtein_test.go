package provider

import (
	"strings"
	"testing"
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

func TestUnknownScopeProblem(t *testing.T) {
	catalogue := []string{"openid", "kb:read", "kb:write", "org:read"}
	if p := unknownScopeProblem("kb:read", catalogue); p != "" {
		t.Errorf("known scope reported: %s", p)
	}
	for scope, suggestion := range map[string]string{"kb:raed": `"kb:read"`, "openId": `"openid"`, "kbwrite": `"kb:write"`} {
		if p := unknownScopeProblem(scope, catalogue); !strings.Contains(p, "Did you mean "+suggestion) {
			t.Errorf("unknownScopeProblem(%q) = %q, want suggestion %s", scope, p, suggestion)
		}
	}
	if p := unknownScopeProblem("totally:different", catalogue); p == "" || strings.Contains(p, "Did you mean") {
		t.Errorf("unknownScopeProblem for a far-off scope = %q, want an error without suggestion", p)
	}
}
