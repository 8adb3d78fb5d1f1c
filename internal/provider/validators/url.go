package validators

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/whatwgurl"
)

// CursorRedirectURI is the one custom-scheme redirect URI PipesHub allows (internal/emulator/README.md §5).
const CursorRedirectURI = "cursor://anysphere.cursor-mcp/oauth/callback"

// urlRules is the hint a diagnostic gives for a URL PipesHub cannot parse.
const urlRules = "PipesHub parses URLs as browsers do (the WHATWG URL standard): a scheme is required, " +
	"a port is at most 65535, an IPv4 host has at most 4 parts, none above 255, and an IPv6 host has no zone id."

// AbsoluteURL accepts what PipesHub's z.string().url() accepts: what the
// WHATWG URL parser (JavaScript's new URL) accepts, an absolute URL of any
// scheme (javascript: is caught by PlainText). So ports above 65535, hosts
// such as 1.2.3.4.5 or 256.256.256.256, and IPv6 zone ids are refused.
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
	if _, err := whatwgurl.Parse(req.ConfigValue.ValueString()); err != nil {
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
	u, err := whatwgurl.Parse(uri)
	if err != nil {
		return "Redirect URI " + quote(uri) + " is not an absolute URL. " + urlRules
	}
	if u.Protocol != "https:" && u.Hostname != "localhost" && u.Hostname != "127.0.0.1" {
		return "Redirect URI must use HTTPS (except localhost and 127.0.0.1): " + uri
	}
	if u.Hash != "" {
		return "Redirect URI must not contain a fragment: " + uri
	}
	return ""
}

func quote(s string) string { return "\"" + s + "\"" }
