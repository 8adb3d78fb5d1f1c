package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// The category filter is checked against the categories of the live
// catalogue, not against scopeCategories: a category PipesHub adds is
// accepted, a misspelt one gets a suggestion and the list of categories.
func TestScopeCategoryProblem(t *testing.T) {
	const added = "Workflows" // a category PipesHub might add
	if slices.Contains(scopeCategories, added) {
		t.Fatalf("%q is in scopeCategories; pick a category the static list lacks", added)
	}
	catalogue := []string{"Identity", "Knowledge Base", added}
	for _, category := range catalogue {
		if problem := scopeCategoryProblem(category, catalogue); problem != "" {
			t.Errorf("scopeCategoryProblem(%q) = %q, want none", category, problem)
		}
	}
	cases := []struct {
		category string
		want     []string // substrings of the detail
		wantNot  []string
	}{
		{"Knowledgebase", []string{`category "Knowledgebase"`, `Did you mean "Knowledge Base"?`}, nil},
		{"identity", []string{`Did you mean "Identity"?`}, nil}, // names are case-sensitive
		{"Workflow", []string{`Did you mean "Workflows"?`}, nil},
		{"Conversations", nil, []string{"Did you mean"}}, // a category this catalogue lacks, and no near one
	}
	for _, c := range cases {
		problem := scopeCategoryProblem(c.category, catalogue)
		// In the catalogue's order.
		c.want = append(c.want, `The categories PipesHub lists: "Identity", "Knowledge Base", "Workflows".`)
		checkDetail(t, fmt.Sprintf("scopeCategoryProblem(%q)", c.category), problem, c.want, c.wantNot)
	}
}

// readScopes reads pipeshub_oauth_scopes with category set, through the
// provider server as Terraform would.
func readScopes(p *protoProvider, category string) *tfprotov6.ReadDataSourceResponse {
	p.t.Helper()
	resp, err := p.srv.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
		TypeName: "pipeshub_oauth_scopes",
		Config: p.dynamic(p.schemas.DataSourceSchemas["pipeshub_oauth_scopes"].ValueType(), map[string]tftypes.Value{
			"category": tftypes.NewValue(tftypes.String, category),
		}),
	})
	if err != nil {
		p.t.Fatalf("ReadDataSource: %v", err)
	}
	return resp
}

// A misspelt category fails the read on the category attribute, with a
// suggestion, from the one catalogue fetch the read makes anyway.
func TestOAuthScopesDataSource_unknownCategory(t *testing.T) {
	emu, url := newTestEmulator(t)
	p := newProtoProvider(t, url, testAccMemberToken)
	emu.ResetCalls()

	resp := readScopes(p, "Knowledgebase")
	diag := requireError(t, "ReadDataSource", resp.Diagnostics, "Unknown scope category",
		`Did you mean "Knowledge Base"?`, `"Identity", "Access", "Organization"`)
	if want := tftypes.NewAttributePath().WithAttributeName("category"); !diag.Attribute.Equal(want) {
		t.Errorf("error on %v, want %v", diag.Attribute, want)
	}
	expectCalls(t, "ReadDataSource", emu, map[string]int{emulator.RouteListScopes: 1})
}

// A category that only the live catalogue has (the emulator's is fixed, so a
// stand-in server answers) is read like any other, and so is one the caller's
// role sees empty: PipesHub keeps the key of a category whose scopes are all
// admin-only, with an empty list, for a member.
func TestOAuthScopesDataSource_liveCategories(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/v1/oauth-clients/scopes" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"scopes":{` +
			`"Identity":[{"name":"openid","description":"OpenID Connect authentication","category":"Identity","requiresUserConsent":false}],` +
			`"Crawling":[],` +
			`"Workflows":[{"name":"workflow:run","description":"Run workflows","category":"Workflows","requiresUserConsent":true}]}}`))
	}))
	t.Cleanup(srv.Close)
	p := newProtoProvider(t, srv.URL+"/api/v1", testAccMemberToken)

	for category, want := range map[string][]string{"Workflows": {"workflow:run"}, "Crawling": {}} {
		resp := readScopes(p, category)
		requireNoDiags(t, "ReadDataSource "+category, resp.Diagnostics)
		state := p.decode(p.schemas.DataSourceSchemas["pipeshub_oauth_scopes"].ValueType(), resp.State)
		if id := str(t, state["id"]); id != "scopes/"+category {
			t.Errorf("id = %q, want scopes/%s", id, category)
		}
		var names []tftypes.Value
		if err := state["names"].As(&names); err != nil {
			t.Fatalf("names: %v", err)
		}
		got := []string{}
		for _, n := range names {
			got = append(got, str(t, n))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: names = %v, want %v", category, got, want)
		}
	}
}
