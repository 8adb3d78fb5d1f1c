package emulator

import "github.com/pipeshub-ai/terraform-provider-pipeshub/internal/whatwgurl"

// cursorRedirectURI is the one non-HTTPS redirect URI PipesHub allow-lists.
const cursorRedirectURI = "cursor://anysphere.cursor-mcp/oauth/callback"

// checkRedirectURIs is PipesHub's validateRedirectUris (internal/emulator/README.md §5):
// HTTPS, or any scheme on localhost/127.0.0.1, and no fragment.
func checkRedirectURIs(uris []string) *apiError {
	for _, uri := range uris {
		if uri == cursorRedirectURI {
			continue
		}
		// new URL(uri), which Zod's .url() has already run on every URI.
		u, err := whatwgurl.Parse(uri)
		if err != nil || u.Protocol != "https:" && u.Hostname != "localhost" && u.Hostname != "127.0.0.1" {
			return newError(400, codeInvalidRedirect, "Redirect URI must use HTTPS (except localhost): "+uri)
		}
		if u.Hash != "" {
			return newError(400, codeInvalidRedirect, "Redirect URI must not contain a fragment: "+uri)
		}
	}
	return nil
}
