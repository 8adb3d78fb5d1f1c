package client

import (
	"errors"
	"net/url"
	"strings"
)

const apiPrefix = "/api/v1"

// errServerURLForm names the accepted forms; it never repeats the input, which
// may hold a password in its userinfo.
var errServerURLForm = errors.New(`server URL must be an absolute http(s) URL such as "https://pipeshub.example.com" or "https://pipeshub.example.com/api/v1"`)

// NormalizeServerURL accepts https://host, https://host/ and https://host/api/v1 and returns ".../api/v1".
// http is accepted too, for local emulators. A path prefix in front of /api/v1
// (a reverse proxy) is kept; any other /api path is rejected, since appending
// /api/v1 to it would only produce confusing 404s later.
func NormalizeServerURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", errServerURLForm
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return "", errServerURLForm
	}
	if u.User != nil {
		return "", errors.New("server URL must not contain a user name or password; authenticate with the bearer token instead")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", errors.New("server URL must not contain a query or a fragment, e.g. \"https://pipeshub.example.com/api/v1\"")
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	switch {
	case strings.HasSuffix(path, apiPrefix):
	case path == "/api" || strings.Contains(path+"/", "/api/"):
		return "", errors.New(`server URL path must end in "/api/v1" (or be empty), e.g. "https://pipeshub.example.com/api/v1"`)
	default:
		path += apiPrefix
	}
	return u.Scheme + "://" + u.Host + path, nil
}
