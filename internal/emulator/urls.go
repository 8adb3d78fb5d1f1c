package emulator

import "github.com/pipeshub-ai/terraform-provider-pipeshub/internal/whatwgurl"

// parseURL is new URL(s), the WHATWG URL parser that Zod's .url() and
// PipesHub's redirect-URI check use: a scheme is required, special schemes
// need a valid host, ports are numbers up to 65535, and IPv4 hosts are
// normalised (so http://127.1/ has hostname 127.0.0.1).
func parseURL(s string) (*whatwgurl.URL, error) { return whatwgurl.Parse(s) }

// cursorRedirectURI is the one non-HTTPS redirect URI PipesHub allow-lists.
const cursorRedirectURI = "cursor://anysphere.cursor-mcp/oauth/callback"

// checkRedirectURIs is PipesHub's validateRedirectUris (internal/emulator/README.md §5):
// HTTPS, or any scheme on localhost/127.0.0.1, and no fragment.
func checkRedirectURIs(uris []string) *apiError {
	for _, uri := range uris {
		if uri == cursorRedirectURI {
			continue
		}
		// Zod's .url() has already parsed every URI with the same parser.
		u, err := parseURL(uri)
		if err != nil || u.Protocol != "https:" && u.Hostname != "localhost" && u.Hostname != "127.0.0.1" {
			return newError(400, codeInvalidRedirect, "Redirect URI must use HTTPS (except localhost): "+uri)
		}
		if u.Hash != "" {
			return newError(400, codeInvalidRedirect, "Redirect URI must not contain a fragment: "+uri)
		}
	}
	return nil
}
