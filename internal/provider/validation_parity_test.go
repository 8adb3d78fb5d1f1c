package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// parityOutcome is what PipesHub does with one value of one field on create.
type parityOutcome int

const (
	// parityStored: 201, and the app holds the value exactly as sent; plan accepts it.
	parityStored parityOutcome = iota
	// parityRejected: 400; plan refuses it.
	parityRejected
	// parityAltered: 201, but PipesHub trims or HTML-escapes the value, so the app
	// never matches the configuration; plan refuses it.
	parityAltered
)

func (o parityOutcome) String() string {
	return [...]string{"stored as sent", "rejected", "stored altered"}[o]
}

// TestValidationParity holds every input rule the provider checks at plan to
// PipesHub's: each row is run through the validators of the resource's
// schema for its attribute and sent, in the same field, to the emulator's
// POST /oauth-clients. Both must give the row's outcome, so a value never
// plans and then fails (or changes) on apply, and a value PipesHub takes as
// is is never refused. No terraform binary is needed.
func TestValidationParity(t *testing.T) {
	_, _, api := newTestEmulatorWithAdminClient(t)
	planProblems := parityPlanProblems(t)
	emoji50 := strings.Repeat("\U0001F600", 50) // 100 UTF-16 units, PipesHub's limit for a name

	rows := []struct {
		attribute string // name, description, redirect_uris (one element) or homepage_url
		value     string
		want      parityOutcome
		why       string // part of the plan diagnostic, for rejected and altered rows
	}{
		// Names and descriptions: controls PipesHub stores as sent.
		{"name", "Acme Support Portal", parityStored, ""},
		{"name", "Café Ünïcode Łódź Ærøskøbing", parityStored, ""},
		{"name", "Support 🚀 bot", parityStored, ""},
		{"name", emoji50, parityStored, ""},
		{"name", "R&D tools, 100% internal", parityStored, ""},
		{"name", "Sync once daily", parityStored, ""},
		{"name", "Monday=1", parityStored, ""},   // no word boundary before "on"
		{"name", "Name\u0085", parityStored, ""}, // NEL is not JavaScript whitespace
		{"name", "\u0085Name", parityStored, ""},
		{"name", "Name\u180e", parityStored, ""},  // nor is the Mongolian vowel separator
		{"name", "tab\tinside", parityStored, ""}, // only the ends are trimmed
		{"description", "Searches the knowledge base on the user's behalf.", parityStored, ""},
		{"description", "Line one\nLine two", parityStored, ""},
		{"description", "Ends with NEL\u0085", parityStored, ""},
		{"description", "https://example.com/?session=1", parityStored, ""},

		// Length, in UTF-16 units.
		{"name", "", parityRejected, "0 characters long"},
		{"name", strings.Repeat("a", 101), parityRejected, "PipesHub accepts 1 to 100"},
		{"name", emoji50 + "\U0001F600", parityRejected, "102 characters long"},
		{"description", strings.Repeat("d", 501), parityRejected, "PipesHub accepts 1 to 500"},

		// Surrounding JavaScript whitespace: PipesHub trims it.
		{"name", " Name", parityAltered, "whitespace"},
		{"name", "Name\n", parityAltered, "whitespace"},
		{"name", "\tName", parityAltered, "whitespace"},
		{"name", "Name\v", parityAltered, "whitespace"},
		{"name", "Name\ufeff", parityAltered, "whitespace"},
		{"name", "\ufeffName", parityAltered, "whitespace"},
		{"name", "\u00a0Name\u00a0", parityAltered, "whitespace"},
		{"name", "\u3000Name\u3000", parityAltered, "whitespace"},
		{"name", "\u1680Name", parityAltered, "whitespace"},
		{"name", "Name\u200a", parityAltered, "whitespace"},
		{"name", "Name\u2028", parityAltered, "whitespace"},
		{"name", "Name\u202f", parityAltered, "whitespace"},
		{"name", "Name\u205f", parityAltered, "whitespace"},
		{"description", "description\ufeff", parityAltered, "whitespace"},
		{"name", "   ", parityRejected, "whitespace"}, // empty once trimmed

		// A stray < or >: PipesHub's xss filter deletes the text from a <
		// followed by more text, and escapes a trailing < and every >; a name
		// left empty is then refused.
		{"name", "a < b", parityAltered, "< or >"},
		{"name", "a -> b", parityAltered, "< or >"},
		{"name", "< b >", parityRejected, "< or >"},
		{"description", "2 > 1", parityAltered, "< or >"},

		// PipesHub's XSS rules, one row or more each.
		{"name", "<b>x</b>", parityRejected, "HTML tag"},
		{"name", "<!-- note -->", parityRejected, "HTML tag"},
		{"name", "<script", parityRejected, "script"},
		{"name", "< script>alert(1)", parityRejected, "script"},
		{"name", "onclick=alert(1)", parityRejected, "event handler"},
		// JavaScript's \s is Unicode whitespace, and its case-insensitive
		// matching never folds a non-ASCII letter onto an ASCII one.
		{"name", "javascript\u00A0:x", parityRejected, "javascript:"},
		{"name", "onclick\v=1", parityRejected, "event handler"},
		{"name", "data:\u3000text/html", parityRejected, "data:text/html"},
		{"name", "on\u017F=1", parityStored, ""},
		{"name", "\u212Aey on\u212A=1", parityStored, ""},
		{"name", "Sync once = daily", parityRejected, "event handler"},
		{"description", "Text with onload = x", parityRejected, "event handler"},
		{"name", "javascript :x", parityRejected, "javascript:"},
		{"name", "data :text/html,x", parityRejected, "data:text/html"},
		{"description", "data:text/html;base64,xx", parityRejected, "data:text/html"},
		{"name", "&#60script", parityRejected, "encoded <script"},
		{"name", "&#0060;script", parityRejected, "encoded <script"},
		{"name", `\x3cscript`, parityRejected, "encoded <script"},
		{"name", "&lt; script", parityRejected, "encoded <script"},
		{"name", "&#x3c;script", parityRejected, "encoded <script"},
		{"name", "%3Cscript", parityRejected, "encoded <script"},
		{"name", `\u003cscript`, parityRejected, "encoded <script"},
		{"description", "<iframe src=x>", parityRejected, "HTML tag"},

		// Redirect URIs: WHATWG URL parsing (Zod's .url()), then validateRedirectUris.
		{"redirect_uris", "https://example.com/cb", parityStored, ""},
		{"redirect_uris", "https://EXAMPLE.com/cb", parityStored, ""},
		{"redirect_uris", "https://example.com:443/cb", parityStored, ""},
		{"redirect_uris", "https://example.com/cb#", parityStored, ""}, // an empty fragment is no fragment
		{"redirect_uris", "https://user:pass@example.com/cb", parityStored, ""},
		{"redirect_uris", "http://localhost:3000/cb", parityStored, ""},
		{"redirect_uris", "http://LOCALHOST/cb", parityStored, ""},
		{"redirect_uris", "http://127.0.0.1:8080/cb", parityStored, ""},
		{"redirect_uris", "http://127.1:3000/cb", parityStored, ""},  // WHATWG: 127.0.0.1
		{"redirect_uris", "http://0x7f.1/cb", parityStored, ""},      // WHATWG: 127.0.0.1
		{"redirect_uris", "http://2130706433/cb", parityStored, ""},  // WHATWG: 127.0.0.1
		{"redirect_uris", "http://127.0.0.%31/cb", parityStored, ""}, // WHATWG percent-decodes hosts
		{"redirect_uris", "myapp://localhost/cb", parityStored, ""},
		// IDNA (UTS #46) on special schemes' hosts, each checked with
		// Node v20.20.2 (ada 2.9.2): new URL(s).hostname is in the comment,
		// or new URL throws ERR_INVALID_URL.
		{"redirect_uris", "http://ｌｏｃａｌｈｏｓｔ/cb", parityStored, ""},                               // localhost
		{"redirect_uris", "http://ＬＯＣＡＬＨＯＳＴ:3000/cb", parityStored, ""},                          // localhost
		{"redirect_uris", "http://１２７.０.０.１/cb", parityStored, ""},                               // 127.0.0.1
		{"redirect_uris", "https://bücher.example/cb", parityStored, ""},                         // xn--bcher-kva.example
		{"redirect_uris", "https://a\u00adb.example/cb", parityStored, ""},                       // ab.example: a soft hyphen is mapped away
		{"redirect_uris", "myapp://ｌｏｃａｌｈｏｓｔ/cb", parityRejected, "HTTPS"},                       // %EF%BD%8C...: an opaque host gets no IDNA
		{"redirect_uris", "https://ex\u200dample.com/cb", parityRejected, "not an absolute URL"}, // throws: a zero-width joiner
		{"redirect_uris", "http://xn--localhost/cb", parityRejected, "not an absolute URL"},      // throws: bad Punycode
		{"redirect_uris", "cursor://anysphere.cursor-mcp/oauth/callback", parityStored, ""},
		{"redirect_uris", "https://example.com:99999/cb", parityRejected, "not an absolute URL"},
		{"redirect_uris", "http://127.0.0.1:65536/cb", parityRejected, "not an absolute URL"},
		{"redirect_uris", "https://1.2.3.4.5/cb", parityRejected, "not an absolute URL"},
		{"redirect_uris", "https://1.09/cb", parityRejected, "not an absolute URL"}, // 09 is not an octal number
		{"redirect_uris", "https://[fe80::1%25en0]/cb", parityRejected, "not an absolute URL"},
		{"redirect_uris", "http://:80/cb", parityRejected, "not an absolute URL"},
		{"redirect_uris", "https://exa mple.com/cb", parityRejected, "not an absolute URL"},
		{"redirect_uris", "not a url", parityRejected, "not an absolute URL"},
		{"redirect_uris", "/cb", parityRejected, "not an absolute URL"},
		{"redirect_uris", "http://[::1]/cb", parityRejected, "HTTPS"},
		{"redirect_uris", "http://[::1]:3000/cb", parityRejected, "HTTPS"},
		{"redirect_uris", "http://[::ffff:127.0.0.1]/cb", parityRejected, "HTTPS"},
		{"redirect_uris", "http://example.com/cb", parityRejected, "HTTPS"},
		{"redirect_uris", "http://localhost.example.com/cb", parityRejected, "HTTPS"},
		{"redirect_uris", "ftp://files.example/x", parityRejected, "HTTPS"},
		{"redirect_uris", "cursor://anysphere.cursor-mcp/other", parityRejected, "HTTPS"},
		{"redirect_uris", "https://example.com/cb#frag", parityRejected, "fragment"},
		{"redirect_uris", "http://localhost/cb#frag", parityRejected, "fragment"},
		{"redirect_uris", "javascript:alert(1)", parityRejected, "javascript:"},
		{"redirect_uris", "https://example.com/<cb>", parityRejected, "HTML tag"},
		{"redirect_uris", " https://example.com/cb", parityAltered, "whitespace"},
		{"redirect_uris", "https://example.com/cb\u00a0", parityAltered, "whitespace"},
		{"redirect_uris", "https://example.com/?q=a<b", parityAltered, "< or >"},

		// Homepage (and the other two URL attributes): WHATWG URL parsing only.
		{"homepage_url", "https://example.com/", parityStored, ""},
		{"homepage_url", "https://EXAMPLE.com/", parityStored, ""},
		{"homepage_url", "http://example.com:80/privacy", parityStored, ""},
		{"homepage_url", "http:example.com", parityStored, ""},
		{"homepage_url", "https://exämple.com/", parityStored, ""},
		{"homepage_url", "https://faß.de/", parityStored, ""}, // Node v20.20.2: xn--fa-hia.de (nontransitional)
		{"homepage_url", "https://ex%61mple.com/", parityStored, ""},
		{"homepage_url", "https://example.com/%zz", parityStored, ""},
		{"homepage_url", "mailto:privacy@example.com", parityStored, ""},
		{"homepage_url", "urn:a:b", parityStored, ""},
		{"homepage_url", "myapp://anything/at/all", parityStored, ""},
		{"homepage_url", "http://256.256.256.256/", parityRejected, "absolute URL"},
		{"homepage_url", "https://example.com:99999/", parityRejected, "absolute URL"},
		{"homepage_url", "http://127.0.0.1:65536/", parityRejected, "absolute URL"},
		{"homepage_url", "https://1.2.3.4.5/", parityRejected, "absolute URL"},
		{"homepage_url", "https://[fe80::1%25en0]/", parityRejected, "absolute URL"},
		{"homepage_url", "https://exa%zzmple.com/", parityRejected, "absolute URL"},
		// Host code points IDNA disallows; Node v20.20.2's new URL throws on each.
		{"homepage_url", "https://a\u2488b.example/", parityRejected, "IDNA"},       // ⒈
		{"homepage_url", "https://%E2%80%8D.example/", parityRejected, "IDNA"},      // a zero-width joiner, percent-encoded
		{"homepage_url", "https://\u2100.example/", parityRejected, "absolute URL"}, // ℀ maps to a/c, a forbidden /
		{"homepage_url", "https://", parityRejected, "absolute URL"},
		{"homepage_url", "example.com", parityRejected, "absolute URL"},
		{"homepage_url", "", parityRejected, "absolute URL"},
		{"homepage_url", "javascript:alert(1)", parityRejected, "javascript:"},
		{"homepage_url", "JavaScript :void(0)", parityRejected, "javascript:"},
		{"homepage_url", "https://example.com/ ", parityAltered, "whitespace"},
		{"homepage_url", "\u3000https://example.com/", parityAltered, "whitespace"},
	}

	for _, row := range rows {
		t.Run(fmt.Sprintf("%s=%.40q", row.attribute, row.value), func(t *testing.T) {
			problems := planProblems(row.attribute, row.value)
			if want := row.want != parityStored; want != (problems != "") {
				t.Errorf("plan: refused = %v (%q), but PipesHub has the value %s", !want, problems, row.want)
			} else if want && !strings.Contains(problems, row.why) {
				t.Errorf("plan refused it, but with %q, which does not mention %q", problems, row.why)
			}

			got, err := parityCreate(api, row.attribute, row.value)
			var apiErr *client.APIError
			switch {
			case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest:
				if row.want != parityRejected {
					t.Errorf("emulator: 400 %s: %s; want the value %s", apiErr.Code, apiErr.Message, row.want)
				}
			case err != nil:
				t.Fatalf("emulator: %v", err)
			case row.want == parityRejected:
				t.Errorf("emulator: 201 storing %q, want 400", got)
			case row.want == parityStored && got != row.value:
				t.Errorf("emulator: 201 storing %q, want the value as sent", got)
			case row.want == parityAltered && got == row.value:
				t.Errorf("emulator: 201 storing the value as sent, want it altered")
			}
		})
	}
}

// parityPlanProblems returns a function that runs the plan-time validators of
// the resource's schema on one value of a string attribute, or of one element
// of redirect_uris, and returns their error details ("" when it passes).
func parityPlanProblems(t *testing.T) func(attribute, value string) string {
	t.Helper()
	ctx := context.Background()
	var resp resource.SchemaResponse
	newOAuthAppResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	return func(attribute, value string) string {
		var details []string
		switch a := resp.Schema.Attributes[attribute].(type) {
		case schema.StringAttribute:
			for _, v := range a.Validators {
				var out validator.StringResponse
				v.ValidateString(ctx, validator.StringRequest{Path: path.Root(attribute), PathExpression: path.MatchRoot(attribute),
					ConfigValue: types.StringValue(value)}, &out)
				for _, d := range out.Diagnostics.Errors() {
					details = append(details, d.Detail())
				}
			}
		case schema.SetAttribute:
			set := types.SetValueMust(types.StringType, []attr.Value{types.StringValue(value)})
			for _, v := range a.Validators {
				var out validator.SetResponse
				v.ValidateSet(ctx, validator.SetRequest{Path: path.Root(attribute), PathExpression: path.MatchRoot(attribute),
					ConfigValue: set}, &out)
				for _, d := range out.Diagnostics.Errors() {
					details = append(details, d.Detail())
				}
			}
		default:
			t.Fatalf("attribute %s: %T", attribute, a)
		}
		return strings.Join(details, " | ")
	}
}

// parityCreate creates an app through the client with value in the API field
// of attribute, and returns what PipesHub stored in that field.
func parityCreate(api *client.Client, attribute, value string) (string, error) {
	req := clientCredentialsApp("parity")
	switch attribute {
	case "name":
		req.Name = value
	case "description":
		req.Description = &value
	case "redirect_uris":
		req.RedirectURIs = []string{value}
	case "homepage_url":
		req.HomepageURL = &value
	default:
		return "", fmt.Errorf("no API field for %s", attribute)
	}
	app, err := api.CreateApp(context.Background(), req)
	if err != nil {
		return "", err
	}
	switch attribute {
	case "name":
		return app.Name, nil
	case "description":
		return parityDeref(app.Description), nil
	case "redirect_uris":
		if len(app.RedirectURIs) != 1 {
			return "", fmt.Errorf("stored redirect URIs %q", app.RedirectURIs)
		}
		return app.RedirectURIs[0], nil
	default:
		return parityDeref(app.HomepageURL), nil
	}
}

func parityDeref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
