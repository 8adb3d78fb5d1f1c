package emulator

import whatwg "github.com/nlnwa/whatwg-url/url"

// newURL is JavaScript's new URL(s), which Zod's .url() runs: a WHATWG URL
// parser with IDNA (UTS #46), with the library's default options, which are
// Node's (internal/emulator/README.md §3.6). Hosts are normalised as PipesHub
// reads them: http://ｌｏｃａｌｈｏｓｔ/cb is on localhost, http://127.1/cb on
// 127.0.0.1. Known difference: the library applies the Bidi Rule (RFC 5893)
// as UTS #46 asks, so a few right-to-left host names Node 20 accepts, such as
// https://١.com/, are refused here.
var newURL = whatwg.NewParser().Parse

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
		u, err := newURL(uri)
		if err != nil || u.Protocol() != "https:" && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" {
			return newError(400, codeInvalidRedirect, "Redirect URI must use HTTPS (except localhost): "+uri)
		}
		if u.Hash() != "" {
			return newError(400, codeInvalidRedirect, "Redirect URI must not contain a fragment: "+uri)
		}
	}
	return nil
}
