package whatwgurl

import (
	"errors"
	"testing"
)

// TestParse holds each case to what new URL(s) gives in a browser or
// Node.js: the same protocol, hostname, port and hash, or a TypeError.
func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want *URL // nil: invalid
	}{
		// Valid URLs.
		{"https://example.com/cb", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"http://localhost:3000/cb", &URL{Protocol: "http:", Hostname: "localhost", Port: "3000"}},
		{"myapp://localhost/cb", &URL{Protocol: "myapp:", Hostname: "localhost"}},
		{"myapp://LocalHost/cb", &URL{Protocol: "myapp:", Hostname: "LocalHost"}}, // an opaque host keeps its case
		{"mailto:x@example.com", &URL{Protocol: "mailto:"}},
		{"urn:a:b", &URL{Protocol: "urn:"}},
		{"https://EXAMPLE.com/", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"HTTPS://example.com", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"cursor://anysphere.cursor-mcp/oauth/callback", &URL{Protocol: "cursor:", Hostname: "anysphere.cursor-mcp"}},
		{"https://example.com:443/cb", &URL{Protocol: "https:", Hostname: "example.com"}}, // the default port is dropped
		{"http://example.com:0080/", &URL{Protocol: "http:", Hostname: "example.com"}},
		{"https://example.com:8443/", &URL{Protocol: "https:", Hostname: "example.com", Port: "8443"}},
		{"https://example.com:/", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"https://example.com:65535/", &URL{Protocol: "https:", Hostname: "example.com", Port: "65535"}},
		{"https://example.com/cb#", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"https://example.com/cb#frag", &URL{Protocol: "https:", Hostname: "example.com", Hash: "#frag"}},
		{"https://example.com/cb?x=#y#z", &URL{Protocol: "https:", Hostname: "example.com", Hash: "#y#z"}},
		{"https://user:pass@example.com/cb", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"https://a@b@example.com/cb", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"https://@example.com/", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"http:example.com", &URL{Protocol: "http:", Hostname: "example.com"}},
		{`https:\\example.com\cb`, &URL{Protocol: "https:", Hostname: "example.com"}},
		{"https:////example.com/", &URL{Protocol: "https:", Hostname: "example.com"}},
		{" \x01https://example.com/\x1f ", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"ht\ttps://exa\nmple.com/\r", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"https://ex%61mple.com/", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"https://example.com/%zz", &URL{Protocol: "https:", Hostname: "example.com"}},
		{"https://exämple.com/", &URL{Protocol: "https:", Hostname: "exämple.com"}}, // new URL gives xn--exmple-cua.com
		{"http://127.1:3000/cb", &URL{Protocol: "http:", Hostname: "127.0.0.1", Port: "3000"}},
		{"http://127.0.0.1./", &URL{Protocol: "http:", Hostname: "127.0.0.1"}},
		{"http://0x7f.1/", &URL{Protocol: "http:", Hostname: "127.0.0.1"}},
		{"http://0x7F.0.0.01/", &URL{Protocol: "http:", Hostname: "127.0.0.1"}},
		{"http://0177.0.0.1/", &URL{Protocol: "http:", Hostname: "127.0.0.1"}},
		{"http://2130706433/", &URL{Protocol: "http:", Hostname: "127.0.0.1"}},
		{"http://127.0.0.%31/", &URL{Protocol: "http:", Hostname: "127.0.0.1"}},
		{"http://0x/", &URL{Protocol: "http:", Hostname: "0.0.0.0"}},
		{"http://1.2.3.4.example/", &URL{Protocol: "http:", Hostname: "1.2.3.4.example"}},
		{"http://[::1]/cb", &URL{Protocol: "http:", Hostname: "[::1]"}},
		{"http://[::1]:3000/cb", &URL{Protocol: "http:", Hostname: "[::1]", Port: "3000"}},
		{"http://[0:0::1]/", &URL{Protocol: "http:", Hostname: "[::1]"}},
		{"http://[FE80:0:0:0:0:0:0:1]/", &URL{Protocol: "http:", Hostname: "[fe80::1]"}},
		{"http://[1:0:0:2:0:0:0:3]/", &URL{Protocol: "http:", Hostname: "[1:0:0:2::3]"}},
		{"http://[1:0:2:3:4:5:6:7]/", &URL{Protocol: "http:", Hostname: "[1:0:2:3:4:5:6:7]"}},
		{"http://[::ffff:127.0.0.1]/", &URL{Protocol: "http:", Hostname: "[::ffff:7f00:1]"}},
		{"myapp://[::1]:99/", &URL{Protocol: "myapp:", Hostname: "[::1]", Port: "99"}},
		{"myapp:///path", &URL{Protocol: "myapp:"}},
		{"myapp:/path", &URL{Protocol: "myapp:"}},
		{"myapp://host%41/", &URL{Protocol: "myapp:", Hostname: "host%41"}},
		{"myapp://host:443/", &URL{Protocol: "myapp:", Hostname: "host", Port: "443"}}, // no default port
		{"ws://example.com:80/", &URL{Protocol: "ws:", Hostname: "example.com"}},
		{"file:///etc/hosts", &URL{Protocol: "file:"}},
		{"file://localhost/etc/hosts", &URL{Protocol: "file:"}},
		{"file://server/share", &URL{Protocol: "file:", Hostname: "server"}},
		{"file://C:/x", &URL{Protocol: "file:"}},
		{"javascript:alert(1)", &URL{Protocol: "javascript:"}},
		{"a+b.c-d:x", &URL{Protocol: "a+b.c-d:"}},

		// Invalid URLs.
		{"", nil},
		{"example.com", nil},
		{"/relative/path", nil},
		{"not a url", nil},
		{":no-scheme", nil},
		{"1http://example.com", nil},
		{"ht tp://example.com", nil},
		{"JavaScript :void(0)", nil},
		{"https://", nil},
		{"http://", nil},
		{"https:?x", nil},
		{"https://user@", nil},
		{"myapp://user@/x", nil},
		{"http://:80/cb", nil},
		{"myapp://:80/", nil},
		{"https://example.com:99999/cb", nil},
		{"http://127.0.0.1:65536/cb", nil},
		{"https://example.com:-1/", nil},
		{"https://example.com:+80/", nil},
		{"https://example.com:80a/", nil},
		{"https://example.com:80:90/", nil},
		{"https://exa mple.com/cb", nil},
		{"https://exa<mple.com/", nil},
		{"https://exa%zzmple.com/", nil},
		{"https://exa%2fmple.com/", nil}, // decodes to a forbidden /
		{"https://%ff/", nil},            // not UTF-8
		{"https://%00/", nil},
		{"https://a%7fb/", nil},
		{"myapp://a b/", nil},
		{"myapp://a^b/", nil},
		{"https://1.2.3.4.5/cb", nil},
		{"http://256.256.256.256/", nil},
		{"http://1.2.3.256/", nil},
		{"http://1.2.65536/", nil},
		{"http://4294967296/", nil},
		{"http://0x100000000/", nil},
		{"http://0xffffffffffffffffffffffff/", nil},
		{"http://99999999999999999999999/", nil},
		{"https://1.09/cb", nil}, // 09 ends in a number but is no octal number
		{"http://example.123/", nil},
		{"http://1..2/", nil},
		{"https://[fe80::1%25en0]/cb", nil},
		{"https://[fe80::1%en0]/cb", nil},
		{"http://[::1/", nil},
		{"http://[1.2.3.4]/", nil},
		{"http://[::1]x/", nil},
		{"http://[]/", nil},
		{"http://[1::2::3]/", nil},
		{"http://[::ffff:01.2.3.4]/", nil},
		{"myapp://[::1%25x]/", nil},
		{"file://host:80/", nil},
		{"file://a@b/", nil},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		switch {
		case c.want == nil && err == nil:
			t.Errorf("Parse(%q) = %+v, want invalid", c.in, *got)
		case c.want == nil && !errors.Is(err, ErrInvalid):
			t.Errorf("Parse(%q): error %v, want ErrInvalid", c.in, err)
		case c.want != nil && err != nil:
			t.Errorf("Parse(%q): %v, want %+v", c.in, err, *c.want)
		case c.want != nil && *got != *c.want:
			t.Errorf("Parse(%q) = %+v, want %+v", c.in, *got, *c.want)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("https://user@App.Example.com:8443/oauth/callback?x=1#"); err != nil {
			b.Fatal(err)
		}
	}
}
