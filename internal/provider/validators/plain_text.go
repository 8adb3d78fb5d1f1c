// Package validators holds the plan-time string validators that mirror
// PipesHub's own input rules (reference §3 and §5), so that a bad value fails
// at plan, on its attribute, before any API call.
package validators

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// maxTextLength is the length above which PipesHub's XSS filter rejects any string.
const maxTextLength = 100000

// xssRules mirror PipesHub's containsXSSPattern (backend utils/xss-sanitization.ts).
// Its script/iframe/object/embed/svg tag rules are special cases of htmlTag.
var xssRules = []struct {
	re     *regexp.Regexp
	reason string
}{
	{regexp.MustCompile(`<[^>]*>`), "an HTML tag"},
	{regexp.MustCompile(`(?i)\bon\w+\s*=`), "an HTML event handler (on<word>=)"},
	{regexp.MustCompile(`(?i)javascript:`), "a javascript: URL"},
	{regexp.MustCompile(`(?i)data:\s*text/html`), "a data:text/html URL"},
	{regexp.MustCompile(`(?i)(&lt;|%3c|&#60;|&#x3c;)script`), "an encoded <script> tag"},
}

// PlainText accepts strings that PipesHub stores exactly as sent: its XSS
// filter would reject HTML, event handlers, javascript: and data:text/html;
// it trims surrounding whitespace and HTML-escapes a stray < or >, either of
// which would make the stored value differ from the configuration.
func PlainText() validator.String { return plainText{} }

type plainText struct{}

func (plainText) Description(context.Context) string {
	return "must not contain HTML, event handlers, javascript: or data:text/html, < or >, nor start or end with whitespace"
}

func (v plainText) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (plainText) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := PlainTextProblem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Value not accepted by PipesHub", problem)
	}
}

// PlainTextProblem explains why PipesHub would refuse or alter s, or returns "".
func PlainTextProblem(s string) string {
	if JSLength(s) > maxTextLength {
		return fmt.Sprintf("PipesHub rejects strings longer than %d characters.", maxTextLength)
	}
	for _, rule := range xssRules {
		if rule.re.MatchString(s) {
			return fmt.Sprintf("The value contains %s. PipesHub rejects HTML, scripts and XSS content in every field.", rule.reason)
		}
	}
	if strings.ContainsAny(s, "<>") {
		return "The value contains < or >, which PipesHub would store HTML-escaped (&lt; &gt;), so it would never match the configuration."
	}
	if strings.TrimSpace(s) != s {
		return "The value starts or ends with whitespace, which PipesHub trims, so it would never match the configuration. Remove the surrounding whitespace."
	}
	return ""
}
