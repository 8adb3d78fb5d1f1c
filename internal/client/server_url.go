package client

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

const apiPrefix = "/api/v1"

// errServerURLForm names the accepted forms; it never repeats the input, which
// may hold a password in its userinfo.
var errServerURLForm = errors.New(`server URL must be an absolute http(s) URL such as "https://pipeshub.example.com" or "https://pipeshub.example.com/api/v1"`)

// InsecureHTTPError is the error of NormalizeServerURL (and New) for a plain
// http:// server URL whose host is not a loopback host, when plain http has
// not been allowed: every request carries the bearer token, which would then
// cross the network unencrypted. Callers recognise it with errors.As.
type InsecureHTTPError struct {
	// URL is the server URL as given but without its userinfo, query and
	// fragment, so that it can be shown to the user without leaking a secret.
	URL string
	// Host is the URL's host name or IP address, without port or brackets.
	Host string
}

func (e *InsecureHTTPError) Error() string {
	return fmt.Sprintf("server URL %q uses plain http to %s, which is not a loopback host (localhost, 127.0.0.0/8 or [::1]): "+
		"the bearer token would travel unencrypted; use https, or allow plain http explicitly", e.URL, e.Host)
}

// NormalizeServerURL accepts https://host, https://host/ and https://host/api/v1 and returns ".../api/v1".
// http is accepted for loopback hosts (local emulators) and, only when
// allowInsecureHTTP is set, for any other host; otherwise plain http is an
// *InsecureHTTPError. A path prefix in front of /api/v1 (a reverse proxy) is
// kept; any other /api path is rejected, since appending /api/v1 to it would
// only produce confusing 404s later.
func NormalizeServerURL(raw string, allowInsecureHTTP bool) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", errServerURLForm
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return "", errServerURLForm
	}
	// Before the other checks: a remote plain-http URL is the more serious
	// mistake, and its error shows the URL, so it must be shown scrubbed.
	if u.Scheme == "http" && !allowInsecureHTTP && !isLoopbackHost(u.Hostname()) {
		shown := *u
		shown.User, shown.RawQuery, shown.ForceQuery, shown.Fragment, shown.RawFragment = nil, "", false, "", ""
		return "", &InsecureHTTPError{URL: shown.String(), Host: u.Hostname()}
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

// isLoopbackHost reports whether host (as from url.URL.Hostname) certainly
// names this machine: "localhost" in any case, an IPv4 address in
// 127.0.0.0/8 or ::1 (IPv4-mapped forms included). Other names are not
// trusted, however they look ("localhost.example.com", "127.0.0.1.nip.io"),
// since DNS may send them anywhere.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Zone() == "" && addr.Unmap().IsLoopback()
}
