// Package whatwgurl parses URLs the way the WHATWG URL Standard does, which is
// what JavaScript's new URL(s) does (and so what Zod's .url() accepts); the
// provider's validators and the emulator both judge URLs with it.
//
// It is a leaf: it implements a public standard and imports nothing of this
// repository, so that the two share it without sharing any of PipesHub's own
// rules.
//
// It answers two questions: does the parser accept a string, and which
// protocol, hostname, port and fragment does it read from it. It is an
// approximation of the standard, faithful on every rule that decides
// whether a URL is valid except Unicode host names: it lowercases a
// non-ASCII host instead of running IDNA (UTS #46) on it, so it neither
// converts such a host to Punycode nor rejects the code points IDNA
// disallows.
package whatwgurl

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// URL is what a caller may read of a parsed URL, with the values (and the
// names) of JavaScript's URL object.
type URL struct {
	// Protocol is the scheme, lowercased, with its colon: "https:".
	Protocol string
	// Hostname is the host: for special schemes (http, https, ws, wss, ftp,
	// file) percent-decoded and lowercased, an IPv4 address in dotted
	// decimal ("http://127.1/" gives "127.0.0.1"); an IPv6 address in
	// brackets, compressed ("[::1]"); as written for other schemes; "" when
	// the URL has no host.
	Hostname string
	// Port is the port in decimal, or "" when the URL has none or it is the
	// scheme's default (443 for https).
	Port string
	// Hash is "#" and the fragment, or "" when there is no fragment or it is
	// empty ("https://example.com/#" has Hash "").
	Hash string
}

// ErrInvalid is the error for a string that is not a valid URL: where
// JavaScript's new URL(s) throws a TypeError.
var ErrInvalid = errors.New("invalid URL")

// defaultPorts are the special schemes and their default ports ("" for file,
// which has none).
var defaultPorts = map[string]string{"ftp": "21", "file": "", "http": "80", "https": "443", "ws": "80", "wss": "443"}

// Parse parses s as an absolute URL (new URL(s) without a base).
func Parse(s string) (*URL, error) {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' }) // C0 controls and space
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	colon := strings.IndexByte(s, ':')
	if colon < 1 || !isScheme(s[:colon]) {
		return nil, ErrInvalid
	}
	scheme, rest := strings.ToLower(s[:colon]), s[colon+1:]
	u := &URL{Protocol: scheme + ":"}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		if frag := rest[i+1:]; frag != "" {
			u.Hash = "#" + frag
		}
		rest = rest[:i]
	}
	defaultPort, special := defaultPorts[scheme]
	var authority string
	switch {
	case scheme == "file":
		after, ok := cutTwoSlashes(rest)
		if !ok {
			return u, nil // file:/path or file:path, no host
		}
		authority = after[:endOfAuthority(after, true)]
		if authority == "" || isWindowsDriveLetter(authority) {
			return u, nil // file:///path, or file://C:/path whose drive letter starts the path
		}
		hostname, err := parseHost(authority, true)
		if err != nil {
			return nil, err
		}
		if hostname != "localhost" {
			u.Hostname = hostname
		}
		return u, nil
	case special:
		// Any number of slashes and backslashes, even none, precede the authority.
		rest = strings.TrimLeft(rest, `/\`)
		authority = rest[:endOfAuthority(rest, true)]
	default:
		after, ok := strings.CutPrefix(rest, "//")
		if !ok {
			return u, nil // a path, or an opaque path such as mailto:x or urn:a:b
		}
		authority = after[:endOfAuthority(after, false)]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
		if authority == "" {
			return nil, ErrInvalid // credentials without a host
		}
	}
	host, port, hasPort := splitHostPort(authority)
	if host == "" && (special || hasPort) {
		return nil, ErrInvalid
	}
	hostname, err := parseHost(host, special)
	if err != nil {
		return nil, err
	}
	u.Hostname = hostname
	if hasPort {
		if u.Port, err = parsePort(port); err != nil {
			return nil, err
		}
		if u.Port == defaultPort {
			u.Port = ""
		}
	}
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

// cutTwoSlashes removes the // (either slash may be a backslash) that starts
// a file URL's host.
func cutTwoSlashes(s string) (string, bool) {
	if len(s) >= 2 && (s[0] == '/' || s[0] == '\\') && (s[1] == '/' || s[1] == '\\') {
		return s[2:], true
	}
	return s, false
}

// endOfAuthority is the index where the authority of s ends: at a /, a ?,
// or (for special schemes) a backslash.
func endOfAuthority(s string, special bool) int {
	stops := "/?"
	if special {
		stops = `/?\`
	}
	if i := strings.IndexAny(s, stops); i >= 0 {
		return i
	}
	return len(s)
}

func isWindowsDriveLetter(s string) bool {
	return len(s) == 2 && (s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') && (s[1] == ':' || s[1] == '|')
}

// splitHostPort splits the authority (credentials removed) at the first colon
// outside brackets.
func splitHostPort(authority string) (host, port string, hasPort bool) {
	inBrackets := false
	for i := 0; i < len(authority); i++ {
		switch authority[i] {
		case '[':
			inBrackets = true
		case ']':
			inBrackets = false
		case ':':
			if !inBrackets {
				return authority[:i], authority[i+1:], true
			}
		}
	}
	return authority, "", false
}

// parsePort accepts ASCII digits up to 65535; an empty port is no port.
func parsePort(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return "", ErrInvalid
		}
		if n = n*10 + int(c-'0'); n > 65535 {
			return "", ErrInvalid
		}
	}
	return strconv.Itoa(n), nil
}

// forbiddenHostChars are the WHATWG forbidden host code points, NUL aside.
const forbiddenHostChars = "\t\n\r #/:<>?@[\\]^|"

func parseHost(host string, special bool) (string, error) {
	if strings.HasPrefix(host, "[") {
		if !strings.HasSuffix(host, "]") {
			return "", ErrInvalid
		}
		return parseIPv6(host[1 : len(host)-1])
	}
	if !special {
		// An opaque host: kept as written, percent signs included.
		if strings.ContainsAny(host, forbiddenHostChars+"\x00") {
			return "", ErrInvalid
		}
		return host, nil
	}
	domain := percentDecode(host)
	if !utf8.ValidString(domain) {
		return "", ErrInvalid // IDNA rejects the U+FFFD that decoding would give
	}
	// Domain to ASCII: lowercasing is exact for ASCII hosts (see the package comment).
	domain = strings.ToLower(domain)
	if domain == "" {
		return "", ErrInvalid
	}
	for _, r := range domain {
		if r <= 0x1f || r == '%' || r == 0x7f || strings.ContainsRune(forbiddenHostChars, r) {
			return "", ErrInvalid // a forbidden domain code point
		}
	}
	if endsInNumber(domain) {
		return parseIPv4(domain)
	}
	return domain, nil
}

// percentDecode decodes each %XX; a % not followed by two hex digits stays
// (and then makes the host invalid).
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(n))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// parseIPv6 accepts an IPv6 address without a zone (the standard has no zone
// ids: [fe80::1%25en0] is invalid) and serialises it as the standard does.
func parseIPv6(s string) (string, error) {
	addr, err := netip.ParseAddr(s)
	if err != nil || !addr.Is6() || addr.Zone() != "" {
		return "", ErrInvalid
	}
	b := addr.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	// Compress the first longest run of two or more zero pieces.
	compress, longest := -1, 1
	for i := 0; i < 8; {
		if pieces[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > longest {
			compress, longest = i, j-i
		}
		i = j
	}
	var out strings.Builder
	out.WriteByte('[')
	for i := 0; i < 8; i++ {
		if i == compress {
			if i == 0 {
				out.WriteByte(':')
			}
			out.WriteByte(':')
			i += longest - 1
			continue
		}
		out.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
		if i < 7 {
			out.WriteByte(':')
		}
	}
	out.WriteByte(']')
	return out.String(), nil
}

// endsInNumber is the standard's test for a host that must be an IPv4
// address: its last label (ignoring one trailing dot) is all digits or a
// valid IPv4 number such as 0x7f.
func endsInNumber(host string) bool {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := ipv4Number(last)
	return ok
}

// parseIPv4 parses a host that ends in a number as an IPv4 address with
// decimal, octal (leading 0) and hex (0x) parts, 1 to 4 of them, and
// serialises it in dotted decimal.
func parseIPv4(host string) (string, error) {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return "", ErrInvalid
	}
	var addr uint64
	for i, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return "", ErrInvalid
		}
		if i < len(parts)-1 {
			if n > 255 {
				return "", ErrInvalid
			}
			addr = addr<<8 | n
			continue
		}
		rem := uint(5 - len(parts))
		if n >= 1<<(8*rem) {
			return "", ErrInvalid
		}
		addr = addr<<(8*rem) | n
	}
	return strconv.FormatUint(addr>>24&255, 10) + "." + strconv.FormatUint(addr>>16&255, 10) + "." +
		strconv.FormatUint(addr>>8&255, 10) + "." + strconv.FormatUint(addr&255, 10), nil
}

// ipv4Number parses one part of an IPv4 host. A value too large for any
// address is capped above 2^32 rather than refused, as the standard parses
// it (and then rejects the address).
func ipv4Number(s string) (uint64, bool) {
	base := uint64(10)
	switch {
	case s == "":
		return 0, false
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		s, base = s[2:], 16
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	var n uint64
	for _, c := range []byte(s) {
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		n = min(n*base+d, 1<<33)
	}
	return n, true
}
