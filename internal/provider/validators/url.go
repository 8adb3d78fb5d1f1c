package validators

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	whatwg "github.com/nlnwa/whatwg-url/url"
)

// CursorRedirectURI is the one custom-scheme redirect URI PipesHub allows (internal/emulator/README.md §5).
const CursorRedirectURI = "cursor://anysphere.cursor-mcp/oauth/callback"

// newURL parses as JavaScript's new URL(s) does, which is what PipesHub's
// Zod .url() runs (internal/emulator/README.md §3.6): a WHATWG URL parser
// with IDNA (UTS #46), so http://ｌｏｃａｌｈｏｓｔ/cb is on host localhost and
// https://bücher.example/ on xn--bcher-kva.example. It takes the library's
// default options, which are Node's: validation errors that new URL
// tolerates are tolerated (no WithFailOnValidationError), a host IDNA refuses
// is refused (no WithLaxHostParsing), a stray % is not re-encoded (no
// WithPercentEncodeSinglePercentSign), and invalid UTF-8 becomes U+FFFD as a
// JavaScript string's lone surrogate does (no WithAcceptInvalidCodepoints).
//
// One known difference from Node 20 (ada 2.9.2): the library applies the
// Bidi Rule (RFC 5893) as UTS #46 asks, so it refuses a few right-to-left
// host names Node accepts, such as https://١.com/ or https://1ש.example/ (a
// label starting with a digit in a domain with a right-to-left label).
var newURL = whatwg.NewParser().Parse

// urlRules is the hint a diagnostic gives for a URL PipesHub cannot parse.
const urlRules = "PipesHub parses URLs as browsers do (the WHATWG URL standard): a scheme is required, " +
	"a port is at most 65535, an IPv4 host has at most 4 parts, none above 255, an IPv6 host has no zone id, " +
	"and a host name is one IDNA (UTS #46) accepts."

// AbsoluteURL accepts what PipesHub's z.string().url() accepts: what the
// WHATWG URL parser (JavaScript's new URL) accepts, an absolute URL of any
// scheme (javascript: is caught by PlainText). So ports above 65535, hosts
// such as 1.2.3.4.5 or 256.256.256.256, IPv6 zone ids, and host names IDNA
// refuses (a zero-width joiner, say) are refused.
func AbsoluteURL() validator.String { return absoluteURL{} }

type absoluteURL struct{}

func (absoluteURL) Description(context.Context) string {
	return "must be an absolute URL such as https://example.com/page"
}

func (v absoluteURL) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v absoluteURL) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := newURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			"The value "+quote(req.ConfigValue.ValueString())+" "+v.Description(ctx)+". "+urlRules)
	}
}

// RedirectURI accepts the redirect URIs PipesHub's validateRedirectUris
// accepts: the Cursor callback, any https URL, or any scheme on host
// localhost or 127.0.0.1; never a non-empty #fragment.
func RedirectURI() validator.String { return redirectURI{} }

type redirectURI struct{}

func (redirectURI) Description(context.Context) string {
	return "must be an https URL, a URL on host localhost or 127.0.0.1, or " + CursorRedirectURI + ", without a #fragment"
}

func (v redirectURI) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v redirectURI) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := RedirectURIProblem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid redirect URI", problem)
	}
}

// RedirectURIProblem explains why PipesHub would refuse uri as a redirect URI,
// or returns "". Like PipesHub it reads the protocol, hostname and fragment
// of the WHATWG URL, so http://127.1/cb is on 127.0.0.1 (and allowed) while
// http://[::1]/cb is not.
func RedirectURIProblem(uri string) string {
	if uri == CursorRedirectURI {
		return ""
	}
	u, err := newURL(uri)
	if err != nil {
		return "Redirect URI " + quote(uri) + " is not an absolute URL. " + urlRules
	}
	if u.Protocol() != "https:" && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" {
		return "Redirect URI must use HTTPS (except localhost and 127.0.0.1): " + uri
	}
	if u.Hash() != "" {
		return "Redirect URI must not contain a fragment: " + uri
	}
	return ""
}

func quote(s string) string { return "\"" + s + "\"" }
