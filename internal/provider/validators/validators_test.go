package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestPlainTextProblem(t *testing.T) {
	cases := map[string]string{ // value -> substring of the problem ("" = accepted)
		"Acme Support Portal":                "",
		"R&D tools, 100% internal":           "",
		"https://example.com/?session=1":     "",
		"<b>bold</b>":                        "HTML tag",
		"<script>alert(1)</script>":          "HTML tag",
		"click onclick=steal()":              "event handler",
		"x ONLOAD = y":                       "event handler",
		"javascript:alert(1)":                "javascript:",
		"JavaScript:void(0)":                 "javascript:",
		"data:text/html,hi":                  "data:text/html",
		"data: text/html;base64,xx":          "data:text/html",
		"%3Cscript":                          "encoded <script>",
		"&lt;script src=x":                   "encoded <script>",
		"1 < 2":                              "< or >",
		"a -> b":                             "< or >",
		" padded":                            "whitespace",
		"padded\n":                           "whitespace",
		"padded\ufeff":                       "whitespace", // JavaScript trims the BOM
		"\u00a0padded\u00a0":                 "whitespace",
		"\u3000padded":                       "whitespace",
		"padded\u2028":                       "whitespace",
		"padded\u0085":                       "", // but not NEL, which PipesHub stores as sent
		"padded\u180e":                       "",
		"inner\ttab":                         "",
		"<!-- comment -->":                   "HTML tag",
		"<script":                            "script, iframe",
		"< svg onload":                       "script, iframe",
		"javascript :x":                      "javascript:",
		"data :text/html,x":                  "data:text/html",
		"Sync once = daily":                  "event handler",
		"Monday=1":                           "",
		"&#60script":                         "encoded <script>",
		"&#0060;script":                      "encoded <script>",
		"&#x3c;script":                       "encoded <script>",
		"&lt; script":                        "encoded <script>",
		`\x3cscript`:                         "encoded <script>",
		`\u003cscript`:                       "encoded <script>",
		"< b >":                              "< or >",
		strings.Repeat("a", maxTextLength+1): "longer than",
	}
	for value, want := range cases {
		got := PlainTextProblem(value)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("PlainTextProblem(%.40q) = %q, want a problem containing %q", value, got, want)
		}
	}
}

func TestRedirectURIProblem(t *testing.T) {
	cases := map[string]string{
		"https://app.example.com/cb":          "",
		"https://app.example.com/cb#":         "", // an empty fragment is allowed
		"http://localhost:3000/cb":            "",
		"http://LOCALHOST/cb":                 "",
		"http://127.0.0.1:8080/cb":            "",
		"myapp://localhost/cb":                "",
		CursorRedirectURI:                     "",
		"cursor://anysphere.cursor-mcp/other": "HTTPS",
		"http://app.example.com/cb":           "HTTPS",
		"http://[::1]:3000/cb":                "HTTPS",
		"https://app.example.com/cb#section":  "fragment",
		"not a url":                           "not an absolute URL",
		"/relative/path":                      "not an absolute URL",
		"https://exa mple.com/cb":             "not an absolute URL",
		"https://example.com:99999/cb":        "not an absolute URL",
		"http://127.0.0.1:65536/cb":           "not an absolute URL",
		"https://1.2.3.4.5/cb":                "not an absolute URL",
		"https://[fe80::1%25en0]/cb":          "not an absolute URL",
		"http://127.1:3000/cb":                "", // WHATWG reads the host as 127.0.0.1
		"http://0x7f.1/cb":                    "",
		"myapp://LOCALHOST/cb":                "HTTPS", // an opaque host keeps its case
		"http://example.com/cb#x":             "HTTPS", // PipesHub checks the scheme first
		"http://localhost/cb#x":               "fragment",
		// IDNA (UTS #46) maps special schemes' hosts, as new URL does.
		"http://ｌｏｃａｌｈｏｓｔ/cb":          "", // localhost
		"http://１２７.０.０.１/cb":          "", // 127.0.0.1
		"https://bücher.example/cb":    "",
		"myapp://ｌｏｃａｌｈｏｓｔ/cb":         "HTTPS", // an opaque host is not mapped
		"https://ex\u200dample.com/cb": "not an absolute URL",
		"http://xn--localhost/cb":      "not an absolute URL",
	}
	for uri, want := range cases {
		got := RedirectURIProblem(uri)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("RedirectURIProblem(%q) = %q, want a problem containing %q", uri, got, want)
		}
	}
}

func TestValidatorsSkipUnknownAndNull(t *testing.T) {
	for _, v := range []validator.String{PlainText(), AbsoluteURL(), RedirectURI(), Length(1, 3)} {
		for _, value := range []types.String{types.StringNull(), types.StringUnknown()} {
			resp := &validator.StringResponse{}
			v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: value}, resp)
			if resp.Diagnostics.HasError() {
				t.Errorf("%T rejected %s: %v", v, value, resp.Diagnostics)
			}
		}
	}
}

func TestAbsoluteURL(t *testing.T) {
	cases := map[string]bool{
		"https://example.com":        true,
		"http://example.com/privacy": true,
		"mailto:privacy@example.com": true,
		"urn:a:b":                    true,
		"https://example.com/%zz":    true,
		"https://ex%61mple.com/":     true,
		"http://256.256.256.256/":    false,
		"https://example.com:99999/": false,
		"https://[fe80::1%25en0]/":   false,
		"https://bücher.example/":    true,
		"https://a\u2488b.example/":  false, // IDNA disallows ⒈
		"example.com/privacy":        false,
		"":                           false,
	}
	for value, ok := range cases {
		resp := &validator.StringResponse{}
		AbsoluteURL().ValidateString(context.Background(),
			validator.StringRequest{Path: path.Root("homepage_url"), ConfigValue: types.StringValue(value)}, resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("AbsoluteURL(%q): error = %v, want ok = %v", value, resp.Diagnostics, ok)
		}
	}
}

func BenchmarkPlainTextProblem(b *testing.B) {
	value := "Customer support portal that searches the knowledge base on the user's behalf."
	for b.Loop() {
		if PlainTextProblem(value) != "" {
			b.Fatal("rejected")
		}
	}
}

func TestLength(t *testing.T) {
	cases := []struct {
		value string
		ok    bool
	}{
		{"", false},
		{"abc", true},
		{"abcd", false},
		{"ééé", true}, // 6 bytes, 3 UTF-16 units, as PipesHub counts
		{"éééé", false},
		{"a😀", true},   // an emoji is 2 UTF-16 units
		{"ab😀", false}, // 4 units
	}
	for _, c := range cases {
		resp := &validator.StringResponse{}
		Length(1, 3).ValidateString(context.Background(),
			validator.StringRequest{Path: path.Root("name"), ConfigValue: types.StringValue(c.value)}, resp)
		if resp.Diagnostics.HasError() == c.ok {
			t.Errorf("Length(1, 3) on %q: accepted = %v, want %v (%v)", c.value, !resp.Diagnostics.HasError(), c.ok, resp.Diagnostics)
		}
		if c.ok {
			continue
		}
		if got := resp.Diagnostics.Errors()[0].(diag.DiagnosticWithPath).Path(); !got.Equal(path.Root("name")) {
			t.Errorf("diagnostic on %s, want name", got)
		}
	}
}
