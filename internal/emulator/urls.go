package emulator

import (
	"errors"
	"net"
	"strconv"
	"strings"
)

// parsedURL is what PipesHub reads of a WHATWG URL (new URL(s)).
type parsedURL struct {
	protocol string // "https:"
	hostname string // lowercased for special schemes
	hash     string // "#frag", or "" when the fragment is empty
}

var errInvalidURL = errors.New("invalid URL")

// specialSchemes are the WHATWG "special" schemes, whose URLs need a host.
var specialSchemes = map[string]bool{"http": true, "https": true, "ws": true, "wss": true, "ftp": true, "file": true}

// parseURL approximates the WHATWG URL parser that Zod's .url() and
// PipesHub's redirect-URI check use: a scheme is required, special schemes
// need a valid host, ports are numbers up to 65535, and IPv4 hosts are
// normalised (so http://127.1/ has hostname 127.0.0.1).
func parseURL(s string) (*parsedURL, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.Trim(s, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
	colon := strings.IndexByte(s, ':')
	if colon < 1 || !isScheme(s[:colon]) {
		return nil, errInvalidURL
	}
	scheme, rest := strings.ToLower(s[:colon]), s[colon+1:]
	u := &parsedURL{protocol: scheme + ":"}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		if frag := rest[i+1:]; frag != "" {
			u.hash = "#" + frag
		}
		rest = rest[:i]
	}
	special := specialSchemes[scheme]
	if special {
		rest = strings.TrimLeft(rest, `/\`)
	} else if after, ok := strings.CutPrefix(rest, "//"); ok {
		rest = after
	} else {
		return u, nil // opaque path, e.g. mailto:x or urn:a:b
	}
	authority := rest
	if i := strings.IndexAny(rest, `/?`+map[bool]string{true: `\`, false: ""}[special]); i >= 0 {
		authority = rest[:i]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	host, port := splitHostPort(authority)
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n > 65535 || strings.ContainsAny(port, "+-") {
			return nil, errInvalidURL
		}
	}
	hostname, err := parseHost(host, special)
	if err != nil || (special && scheme != "file" && hostname == "") {
		return nil, errInvalidURL
	}
	u.hostname = hostname
	return u, nil
}

func isScheme(s string) bool {
	for i, c := range s {
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !alpha && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

func splitHostPort(authority string) (host, port string) {
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return authority, ""
		}
		host, rest := authority[:end+1], authority[end+1:]
		port, _ = strings.CutPrefix(rest, ":")
		return host, port
	}
	if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		return authority[:i], authority[i+1:]
	}
	return authority, ""
}

// forbiddenHostChars are the WHATWG forbidden host code points.
const forbiddenHostChars = " #%/:<>?@[\\]^|"

func parseHost(host string, special bool) (string, error) {
	if strings.HasPrefix(host, "[") {
		if !strings.HasSuffix(host, "]") || net.ParseIP(host[1:len(host)-1]) == nil || !strings.Contains(host, ":") {
			return "", errInvalidURL
		}
		return strings.ToLower(host), nil
	}
	if !special {
		if strings.ContainsAny(host, strings.ReplaceAll(forbiddenHostChars, "%", "")) {
			return "", errInvalidURL
		}
		return host, nil
	}
	host = strings.ToLower(host)
	if strings.ContainsAny(host, forbiddenHostChars) {
		return "", errInvalidURL
	}
	if ipv4, isIPv4, err := parseIPv4(host); isIPv4 {
		return ipv4, err
	}
	return host, nil
}

// parseIPv4 applies the WHATWG rule that a host whose last label is a number
// is an IPv4 address (with decimal, octal and hex parts), and normalises it.
func parseIPv4(host string) (string, bool, error) {
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if _, ok := ipv4Number(parts[len(parts)-1]); !ok {
		return "", false, nil
	}
	if len(parts) > 4 {
		return "", true, errInvalidURL
	}
	var addr uint64
	for i, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return "", true, errInvalidURL
		}
		if i < len(parts)-1 {
			if n > 255 {
				return "", true, errInvalidURL
			}
			addr = addr<<8 | n
			continue
		}
		rem := uint(5 - len(parts))
		if n >= 1<<(8*rem) {
			return "", true, errInvalidURL
		}
		addr = addr<<(8*rem) | n
	}
	return strconv.Itoa(int(addr>>24&255)) + "." + strconv.Itoa(int(addr>>16&255)) + "." +
		strconv.Itoa(int(addr>>8&255)) + "." + strconv.Itoa(int(addr&255)), true, nil
}

func ipv4Number(s string) (uint64, bool) {
	base := 10
	switch {
	case s == "":
		return 0, false
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	n, err := strconv.ParseUint(s, base, 64)
	return n, err == nil
}

// cursorRedirectURI is the one non-HTTPS redirect URI PipesHub allow-lists.
const cursorRedirectURI = "cursor://anysphere.cursor-mcp/oauth/callback"

// checkRedirectURIs is PipesHub's validateRedirectUris (reference §5):
// HTTPS, or any scheme on localhost/127.0.0.1, and no fragment.
func checkRedirectURIs(uris []string) *apiError {
	for _, uri := range uris {
		if uri == cursorRedirectURI {
			continue
		}
		// Zod's .url() has already parsed every URI with the same parser.
		u, err := parseURL(uri)
		if err != nil || u.protocol != "https:" && u.hostname != "localhost" && u.hostname != "127.0.0.1" {
			return newError(400, codeInvalidRedirect, "Redirect URI must use HTTPS (except localhost): "+uri)
		}
		if u.hash != "" {
			return newError(400, codeInvalidRedirect, "Redirect URI must not contain a fragment: "+uri)
		}
	}
	return nil
}
