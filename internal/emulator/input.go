package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// maxBodyBytes is express.json's limit; a larger body is an error, which
// PipesHub's error middleware turns into a 500.
const maxBodyBytes = 10 << 20

// input is what PipesHub's middleware sees of a request: the parsed body,
// the query (qs-style) and the appId path parameter. The XSS layer cleans
// body and query only: it runs at app level, where Express has not yet
// parsed the path parameters.
type input struct {
	body  any
	query map[string]any
	appID string
}

// readInput parses a request like PipesHub's app-wide parsers
// (express.json and express.urlencoded): JSON and form bodies are parsed,
// any other content type leaves the body {}. A malformed JSON body is an
// error, answered with 500 (internal/emulator/README.md §3).
func readInput(r *http.Request) (*input, error) {
	in := &input{body: map[string]any{}, query: parseQS(r.URL.Query())}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Body == nil || (mediaType != "application/json" && mediaType != "application/x-www-form-urlencoded") {
		return in, nil
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxBodyBytes {
		return nil, errors.New("request entity too large")
	}
	if mediaType == "application/x-www-form-urlencoded" {
		values, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, err
		}
		in.body = parseQS(values)
		return in, nil
	}
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" {
		return in, nil
	}
	// body-parser's strict mode accepts only objects and arrays.
	if trimmed[0] != '{' && trimmed[0] != '[' {
		return nil, errors.New("unexpected token in JSON")
	}
	var body any
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, err
	}
	in.body = body
	return in, nil
}

// parseQS turns query or form values into what the qs library gives
// Express: a repeated key or a key ending in [] becomes an array.
func parseQS(values url.Values) map[string]any {
	out := make(map[string]any, len(values))
	for key, vs := range values {
		if name, isArray := strings.CutSuffix(key, "[]"); isArray {
			out[name] = toAnySlice(vs)
			continue
		}
		if len(vs) == 1 {
			out[key] = vs[0]
		} else {
			out[key] = toAnySlice(vs)
		}
	}
	return out
}

func toAnySlice(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// maxStringLength is the XSS layer's length limit for a single string.
const maxStringLength = 100_000

// xssPatterns are the XSS layer's reject rules (internal/emulator/README.md §3): HTML tags,
// dangerous tags even when unclosed, event handlers, javascript: and
// data:text/html URLs, and an encoded <script.
var xssPatterns = []*regexp.Regexp{
	jsRegexp(`</?[a-zA-Z!][^>]*>`),
	jsRegexp(`(?i)<\s*/?\s*(script|iframe|object|embed|svg)\b`),
	jsRegexp(`(?i)\bon[a-z]+\s*=`),
	jsRegexp(`(?i)javascript\s*:`),
	jsRegexp(`(?i)data\s*:\s*text/html`),
	jsRegexp(`(?i)(&lt;|&#0*60;?|&#x0*3c;?|%3c|\\u003c|\\x3c)\s*script`),
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

func isXSS(s string) bool {
	if len(s) > maxStringLength {
		return true
	}
	s = jsCaseless.Replace(s)
	for _, p := range xssPatterns {
		if p.MatchString(s) {
			return true
		}
	}
	return false
}

// sanitize is PipesHub's XSS layer on body and query: it rejects any
// string matching a rule, then passes every string through the xss library
// and trims it. It reports false when the request must be rejected.
func (in *input) sanitize() bool {
	if someString(in.body, isXSS) || someString(in.query, isXSS) {
		return false
	}
	in.body = mapStrings(in.body, cleanString)
	mapStrings(in.query, cleanString) // a map is cleaned in place
	return true
}

// cleanString is what the XSS layer stores of an accepted string:
// xss(value, {whiteList: {}, stripIgnoreTag: true, stripIgnoreTagBody:
// ["script"]}).trim().
func cleanString(s string) string {
	return strings.TrimFunc(xssFilter(s), isJSWhitespace)
}

// isJSWhitespace is the set String.prototype.trim removes: JavaScript's
// WhiteSpace and LineTerminator. Unlike unicode.IsSpace it has U+FEFF and
// lacks U+0085 (NEL).
func isJSWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', '\u00A0', '\u1680', '\u2028', '\u2029', '\u202F', '\u205F', '\u3000', '\uFEFF':
		return true
	}
	return r >= '\u2000' && r <= '\u200A'
}

func someString(v any, pred func(string) bool) bool {
	switch v := v.(type) {
	case string:
		return pred(v)
	case []any:
		for _, e := range v {
			if someString(e, pred) {
				return true
			}
		}
	case map[string]any:
		for _, e := range v {
			if someString(e, pred) {
				return true
			}
		}
	}
	return false
}

func mapStrings(v any, f func(string) string) any {
	switch v := v.(type) {
	case string:
		return f(v)
	case []any:
		for i, e := range v {
			v[i] = mapStrings(e, f)
		}
	case map[string]any:
		for k, e := range v {
			v[k] = mapStrings(e, f)
		}
	}
	return v
}
