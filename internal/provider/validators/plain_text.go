// Package validators holds the plan-time string validators that mirror
// PipesHub's own input rules (internal/emulator/README.md §3 and §5), so that
// a bad value fails at plan, on its attribute, before any API call. Of this
// project it imports nothing: not the client, and not the emulator, whose
// copy of the same rules TestValidationParity in internal/provider holds it
// to. URLs are parsed by github.com/nlnwa/whatwg-url, as new URL does.
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

// xssRules are PipesHub's containsXSSPattern (backend utils/xss-sanitization.ts),
// the rules its XSS layer rejects a request on: the same regular expressions
// as the emulator's xssPatterns, in the same order, each with the reason the
// diagnostic gives. TestValidationParity in internal/provider holds the two
// lists to the same answers.
var xssRules = []struct {
	re     *regexp.Regexp
	reason string
}{
	{jsRegexp(`</?[a-zA-Z!][^>]*>`), "an HTML tag"},
	{jsRegexp(`(?i)<\s*/?\s*(script|iframe|object|embed|svg)\b`), "a script, iframe, object, embed or svg tag, which PipesHub rejects even unclosed"},
	{jsRegexp(`(?i)\bon[a-z]+\s*=`), "an HTML event handler pattern (a word starting with \"on\" and then =, as in onclick= or \"once =\")"},
	{jsRegexp(`(?i)javascript\s*:`), "a javascript: URL"},
	{jsRegexp(`(?i)data\s*:\s*text/html`), "a data:text/html URL"},
	{jsRegexp(`(?i)(&lt;|&#0*60;?|&#x0*3c;?|%3c|\\u003c|\\x3c)\s*script`), "an encoded <script> tag (such as &lt;script, %3Cscript or \\x3cscript)"},
}

// jsSpace is JavaScript's \s (its whitespace and line terminators, the set
// trim removes); Go's \s is only ASCII. The patterns are written with \s and
// compiled with this class in its place, so they match as PipesHub's do.
const jsSpace = `[\t\n\v\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]`

func jsRegexp(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, `\s`, jsSpace))
}

// jsCaseless hides the two characters that Go's case-insensitive matching
// folds onto ASCII letters (ſ onto s, the Kelvin sign onto k) and JavaScript's
// does not, before matching.
var jsCaseless = strings.NewReplacer("\u017F", "\uFFFD", "\u212A", "\uFFFD")

// PlainText accepts strings that PipesHub stores exactly as sent: its XSS
// filter would reject HTML, event handlers, javascript: and data:text/html;
// it trims surrounding whitespace (as JavaScript's trim does) and HTML-escapes
// a stray < or >, either of which would make the stored value differ from the
// configuration.
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
	folded := jsCaseless.Replace(s)
	for _, rule := range xssRules {
		if rule.re.MatchString(folded) {
			return fmt.Sprintf("The value contains %s. PipesHub rejects HTML, scripts and XSS content in every field.", rule.reason)
		}
	}
	if strings.ContainsAny(s, "<>") {
		return "The value contains < or >, which PipesHub alters: it deletes everything from a < that more text follows, " +
			"and stores a trailing < or any > HTML-escaped (&lt; &gt;), so the value would never match the configuration."
	}
	if strings.TrimFunc(s, isJSWhitespace) != s {
		return "The value starts or ends with whitespace, which PipesHub trims, so it would never match the configuration. Remove the surrounding whitespace."
	}
	return ""
}

// isJSWhitespace is the set JavaScript's String.prototype.trim removes, which
// is how PipesHub trims every string. Unlike unicode.IsSpace (and so
// strings.TrimSpace) it has U+FEFF and lacks U+0085 (NEL), which PipesHub
// stores as sent.
func isJSWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', '\u00A0', '\u1680', '\u2028', '\u2029', '\u202F', '\u205F', '\u3000', '\uFEFF':
		return true
	}
	return r >= '\u2000' && r <= '\u200A'
}
