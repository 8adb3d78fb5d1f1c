package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Each bad input fails at plan, on its attribute, before any API write.
func TestAccOAuthApp_invalidInputs(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	const valid = `
  name           = "tfacc invalid"
  redirect_uris  = ["https://app.example.com/cb"]
  allowed_scopes = ["openid"]`
	// with replaces one attribute line of the valid body (or adds one).
	with := func(attr, value string) string {
		lines := []string{}
		for _, line := range strings.Split(valid, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), attr+" ") {
				lines = append(lines, line)
			}
		}
		return strings.Join(lines, "\n") + fmt.Sprintf("\n  %s = %s", attr, value)
	}
	many := make([]string, 11)
	for i := range many {
		many[i] = fmt.Sprintf("%q", fmt.Sprintf("https://app.example.com/cb%d", i))
	}
	cases := []struct {
		name, token, body, want string
	}{
		{"empty name", testAccAdminToken, with("name", `""`), `(?s)name.*0 characters long; PipesHub accepts 1 to 100`},
		{"long name", testAccAdminToken, with("name", fmt.Sprintf("%q", strings.Repeat("n", 101))), `(?s)name.*101 characters long; PipesHub accepts 1 to 100`},
		{"long accented name", testAccAdminToken, with("name", fmt.Sprintf("%q", strings.Repeat("\u00e9", 101))), `(?s)name.*101 characters long`},
		{"html in name", testAccAdminToken, with("name", `"<b>app</b>"`), `(?s)name.*contains an HTML tag`},
		{"padded name", testAccAdminToken, with("name", `" app"`), `(?s)name.*surrounding whitespace`},
		{"BOM after name", testAccAdminToken, with("name", `"app\uFEFF"`), `(?s)name.*surrounding whitespace`},
		{"spaced javascript URL", testAccAdminToken, with("name", `"javascript :x"`), `(?s)name.*javascript: URL`},
		{"encoded script", testAccAdminToken, with("description", `"&#60script"`), `(?s)description.*encoded <script>`},
		{"port out of range", testAccAdminToken, with("homepage_url", `"https://example.com:99999/"`), `(?s)homepage_url.*absolute URL`},
		{"host IDNA refuses", testAccAdminToken, with("homepage_url", `"https://ex\u200Dample.com/"`), `(?s)homepage_url.*absolute URL.*IDNA`},
		{"five-part IPv4 redirect", testAccAdminToken, with("redirect_uris", `["https://1.2.3.4.5/cb"]`), `(?s)redirect_uris.*not an absolute URL`},
		{"long description", testAccAdminToken, with("description", fmt.Sprintf("%q", strings.Repeat("d", 501))), `(?s)description.*PipesHub accepts 1 to 500`},
		{"event handler", testAccAdminToken, with("description", `"x onmouseover=alert(1)"`), `(?s)description.*event handler`},
		{"too many redirect URIs", testAccAdminToken, with("redirect_uris", "["+strings.Join(many, ",")+"]"), `(?s)redirect_uris.*at most 10`},
		{"http redirect URI", testAccAdminToken, with("redirect_uris", `["http://app.example.com/cb"]`), `Redirect URI must use HTTPS`},
		{"fragment", testAccAdminToken, with("redirect_uris", `["https://app.example.com/cb#x"]`), `must not contain a fragment`},
		{"relative redirect URI", testAccAdminToken, with("redirect_uris", `["/cb"]`), `is not an absolute URL`},
		{"no redirect URI for authorization_code", testAccAdminToken, with("redirect_uris", `[]`), `(?s)redirect_uris.*At least one redirect URI is required`},
		{"no redirect URI, default grants", testAccAdminToken, strings.Replace(valid, `redirect_uris  = ["https://app.example.com/cb"]`, "", 1), `At least one redirect URI is required`},
		{"no scopes", testAccAdminToken, with("allowed_scopes", `[]`), `(?s)allowed_scopes.*at least 1`},
		{"unknown grant type", testAccAdminToken, with("allowed_grant_types", `["password"]`), `(?s)allowed_grant_types.*value must be one of`},
		{"no grant type", testAccAdminToken, with("allowed_grant_types", `[]`), `(?s)allowed_grant_types.*at least 1`},
		{"short access token lifetime", testAccAdminToken, with("access_token_lifetime", "299"), `(?s)access_token_lifetime.*between 300 and 86400`},
		{"long refresh token lifetime", testAccAdminToken, with("refresh_token_lifetime", "31536001"), `(?s)refresh_token_lifetime.*between 3600 and 31536000`},
		{"bad status", testAccAdminToken, with("status", `"revoked"`), `(?s)status.*value must be one of`},
		{"javascript URL", testAccAdminToken, with("homepage_url", `"javascript:alert(1)"`), `(?s)homepage_url.*javascript: URL`},
		{"relative URL", testAccAdminToken, with("privacy_policy_url", `"example.com/privacy"`), `(?s)privacy_policy_url.*absolute URL`},
		{"misspelt scope", testAccAdminToken, with("allowed_scopes", `["openid", "kb:raed"]`), `(?s)allowed_scopes.*"kb:raed".*Did\s+you\s+mean\s+"kb:read"\?`},
		{"admin scope for a member", testAccMemberToken, with("allowed_scopes", `["org:write"]`), `(?s)Scope needs a PipesHub admin.*allowed_scopes.*"org:write"\s+is\s+an\s+admin-only\s+PipesHub\s+scope`},
	}
	steps := make([]resource.TestStep, len(cases))
	for i, c := range cases {
		steps[i] = resource.TestStep{
			Config:      appConfig(url, c.token, c.body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps:                    steps,
	})
	if err := expectWrites(emu, -1, nil)(nil); err != nil {
		t.Error(err)
	}
	if got := emu.Calls(emulator.RouteListScopes); got > 2 {
		t.Errorf("scope catalogue fetched %d times, want at most once per credential", got)
	}
}

// PipesHub's new URL maps a full-width host through IDNA (UTS #46), so
// http://ｌｏｃａｌｈｏｓｔ/cb is on localhost and allowed without HTTPS
// (issue 18): it must plan.
func TestAccOAuthApp_fullWidthLocalhostRedirectPlans(t *testing.T) {
	_, url, api := newTestEmulatorWithAdminClient(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{{
			Config: appConfig(url, testAccAdminToken, `
  name           = "tfacc full-width localhost"
  redirect_uris  = ["http://ｌｏｃａｌｈｏｓｔ/cb", "http://ＬＯＣＡＬＨＯＳＴ:3000/cb"]
  allowed_scopes = ["openid"]`),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

// PipesHub counts length in UTF-16 units, not bytes: a name of 100 accented
// letters (200 bytes) is valid and must plan.
func TestAccOAuthApp_nameLengthInCharacters(t *testing.T) {
	_, url, api := newTestEmulatorWithAdminClient(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{{
			Config: appConfig(url, testAccAdminToken, fmt.Sprintf(`
  name                = %q
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]`, strings.Repeat("\u00e9", 100))),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}
