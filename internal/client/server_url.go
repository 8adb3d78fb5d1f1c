package client

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

const apiPrefix = "/api/v1"

// ServerURLError is the error of NormalizeServerURL (and New) for a server
// URL of the wrong form. It shows the URL as given, scrubbed of its userinfo,
// query and fragment (which may hold a password or a token), and says what is
// wrong with it; the caller says which setting it came from.
type ServerURLError struct {
	// URL is the server URL as given, without userinfo, query and fragment.
	URL string
	// Problem says what is wrong, e.g. `has no scheme`.
	Problem string
}

func (e *ServerURLError) Error() string {
	return fmt.Sprintf("server URL %q %s", e.URL, e.Problem)
}

// scrubServerURL returns raw without userinfo, query and fragment, whether or
// not it parses: a URL without a scheme ("admin:pw@host") does not parse as
// one with an authority, so the parts are found by their delimiters.
func scrubServerURL(raw string) string {
	s := strings.TrimSpace(raw)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	start := 0
	if i := strings.Index(s, "//"); i >= 0 {
		start = i + 2
	}
	end := len(s)
	if i := strings.IndexByte(s[start:], '/'); i >= 0 {
		end = start + i
	}
	if at := strings.LastIndexByte(s[start:end], '@'); at >= 0 {
		s = s[:start] + s[start+at+1:]
	}
	return s
}

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
	bad := func(problem string) error { return &ServerURLError{URL: scrubServerURL(raw), Problem: problem} }
	trimmed := strings.TrimSpace(raw)
	if trimmed == "" {
		return "", bad("is empty")
	}
	if !strings.Contains(trimmed, "://") {
		// "host", "host:8443/api/v1", "user:pw@host": the commonest mistake.
		host := scrubServerURL(trimmed)
		lower := strings.ToLower(host)
		switch {
		case strings.HasPrefix(lower, "http:") || strings.HasPrefix(lower, "https:"):
			return "", bad(`lacks the "//" after its scheme`)
		case host != "" && !strings.HasPrefix(host, "/"):
			return "", bad(fmt.Sprintf("has no scheme: write it as %q (http:// only for a server on this machine)", "https://"+host))
		}
		return "", bad("is not an absolute URL: it needs a scheme (https://) and a host name")
	}
	u, err := url.Parse(trimmed)
	if err != nil {
		return "", bad("cannot be parsed as a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad(fmt.Sprintf("has the scheme %q: only https:// (or http:// to this machine) is accepted", u.Scheme))
	case u.Host == "" || u.Opaque != "":
		return "", bad("has no host name")
	}
	// Before the other checks: a remote plain-http URL is the more serious
	// mistake, and its error shows the URL, so it must be shown scrubbed.
	if u.Scheme == "http" && !allowInsecureHTTP && !isLoopbackHost(u.Hostname()) {
		shown := *u
		shown.User, shown.RawQuery, shown.ForceQuery, shown.Fragment, shown.RawFragment = nil, "", false, "", ""
		return "", &InsecureHTTPError{URL: shown.String(), Host: u.Hostname()}
	}
	if u.User != nil {
		return "", bad("contains a user name or password: remove it; the provider authenticates with the bearer token")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", bad("has a query or a fragment (?... or #...): remove it")
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	switch {
	case strings.HasSuffix(path, apiPrefix):
	case path == "/api" || strings.Contains(path+"/", "/api/"):
		return "", bad(`has a path that does not end in "/api/v1": give the instance's address, with or without "/api/v1"`)
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
