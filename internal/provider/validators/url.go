package validators

import (
	"context"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CursorRedirectURI is the one custom-scheme redirect URI PipesHub allows (reference §5).
const CursorRedirectURI = "cursor://anysphere.cursor-mcp/oauth/callback"

// AbsoluteURL accepts what PipesHub's z.string().url() accepts: an absolute
// URL with a scheme (any scheme; javascript: is caught by PlainText).
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
	if _, ok := parseAbsolute(req.ConfigValue.ValueString()); !ok {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			"The value "+quote(req.ConfigValue.ValueString())+" "+v.Description(ctx)+".")
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

// RedirectURIProblem explains why PipesHub would refuse uri as a redirect URI, or returns "".
func RedirectURIProblem(uri string) string {
	if uri == CursorRedirectURI {
		return ""
	}
	u, ok := parseAbsolute(uri)
	if !ok {
		return "Redirect URI " + quote(uri) + " is not an absolute URL."
	}
	if u.Fragment != "" {
		return "Redirect URI must not contain a fragment: " + uri
	}
	host := u.Hostname()
	if u.Scheme == "http" || u.Scheme == "https" {
		host = strings.ToLower(host) // WHATWG URL lowercases hosts of special schemes
	}
	if u.Scheme != "https" && host != "localhost" && host != "127.0.0.1" {
		return "Redirect URI must use HTTPS (except localhost and 127.0.0.1): " + uri
	}
	return ""
}

func parseAbsolute(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "" && u.Path == "") {
		return nil, false
	}
	return u, true
}

func quote(s string) string { return "\"" + s + "\"" }
