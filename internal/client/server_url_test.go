package client

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeServerURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  string // substring of the error; "" when in is valid
	}{
		{in: "https://pipeshub.example.com", want: "https://pipeshub.example.com/api/v1"},
		{in: "https://pipeshub.example.com/", want: "https://pipeshub.example.com/api/v1"},
		{in: "https://pipeshub.example.com/api/v1", want: "https://pipeshub.example.com/api/v1"},
		{in: "https://pipeshub.example.com/api/v1/", want: "https://pipeshub.example.com/api/v1"},
		{in: "  https://pipeshub.example.com/api/v1  ", want: "https://pipeshub.example.com/api/v1"},
		{in: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080/api/v1"},
		{in: "http://localhost:8080/api/v1", want: "http://localhost:8080/api/v1"},
		{in: "HTTPS://Example.com:8443/api/v1", want: "https://Example.com:8443/api/v1"},
		{in: "https://proxy.example.com/pipeshub", want: "https://proxy.example.com/pipeshub/api/v1"},
		{in: "https://proxy.example.com/pipeshub/api/v1", want: "https://proxy.example.com/pipeshub/api/v1"},
		{in: "", wantErr: `server URL "" is empty`},
		{in: "pipeshub.example.com", wantErr: `server URL "pipeshub.example.com" has no scheme: write it as "https://pipeshub.example.com"`},
		{in: " pipeshub.example.com:8443/api/v1 ", wantErr: `write it as "https://pipeshub.example.com:8443/api/v1"`},
		{in: "admin:hunter2-secret@pipeshub.example.com/x?t=hunter2#hunter2", wantErr: `server URL "pipeshub.example.com/x" has no scheme`},
		{in: "ftp://pipeshub.example.com", wantErr: `server URL "ftp://pipeshub.example.com" has the scheme "ftp"`},
		{in: "https://", wantErr: `server URL "https://" has no host name`},
		{in: "https:pipeshub.example.com", wantErr: `server URL "https:pipeshub.example.com" lacks the "//" after its scheme`},
		{in: "/api/v1", wantErr: `server URL "/api/v1" is not an absolute URL`},
		{in: "https://pipeshub.example.com/api", wantErr: `"https://pipeshub.example.com/api" has a path that does not end in "/api/v1"`},
		{in: "https://pipeshub.example.com/api/v2", wantErr: `end in "/api/v1"`},
		{in: "https://pipeshub.example.com/api/v1/oauth-clients", wantErr: `end in "/api/v1"`},
		{in: "https://pipeshub.example.com/api/v1?x=hunter2", wantErr: `"https://pipeshub.example.com/api/v1" has a query or a fragment`},
		{in: "https://pipeshub.example.com/api/v1#hunter2", wantErr: "fragment"},
		{in: "https://admin:hunter2-secret@pipeshub.example.com", wantErr: `"https://pipeshub.example.com" contains a user name or password`},
		{in: "https://admin:hunter2-secret@exa mple.com", wantErr: `"https://exa mple.com" cannot be parsed`},
		{in: "https://a@b:hunter2@pipeshub.example.com/a@b", wantErr: `"https://pipeshub.example.com/a@b"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeServerURL(tt.in, false)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("NormalizeServerURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("NormalizeServerURL(%q) = %q, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			// Said once: the error does not list the accepted forms the
			// provider's message already names.
			if strings.Count(err.Error(), "server URL") != 1 {
				t.Errorf("error %q repeats itself", err)
			}
			var formErr *ServerURLError
			if !errors.As(err, &formErr) {
				t.Errorf("error %q is not a *ServerURLError", err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q echoes the URL's password", err)
			}
		})
	}
}

// Plain http is for this machine only: anywhere else the bearer token would
// cross the network in clear text, unless the caller allows it explicitly.
func TestNormalizeServerURLPlainHTTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		loopback bool   // accepted without allowInsecureHTTP
		shown    string // InsecureHTTPError.URL when refused
	}{
		{in: "https://pipeshub.example.com", loopback: true},
		{in: "https://10.0.0.1:8443/api/v1", loopback: true},
		{in: "http://localhost:8080", loopback: true},
		{in: "http://LocalHost", loopback: true},
		{in: "http://127.0.0.1", loopback: true},
		{in: "http://127.5.6.7:9", loopback: true},
		{in: "http://[::1]:8080", loopback: true},
		{in: "http://[::ffff:127.0.0.1]:8080", loopback: true},
		{in: "http://example.com", shown: "http://example.com"},
		{in: "HTTP://Example.com:8080/pipeshub/api/v1", shown: "http://Example.com:8080/pipeshub/api/v1"},
		{in: "http://10.0.0.1", shown: "http://10.0.0.1"},
		{in: "http://0.0.0.0:8080", shown: "http://0.0.0.0:8080"},
		{in: "http://[::]:8080", shown: "http://[::]:8080"},
		{in: "http://[2001:db8::1]", shown: "http://[2001:db8::1]"},
		{in: "http://[::1%25lo]:8080", shown: "http://[::1%25lo]:8080"},
		{in: "http://localhost.example.com", shown: "http://localhost.example.com"},
		{in: "http://localhost.", shown: "http://localhost."},
		{in: "http://127.0.0.1.nip.io", shown: "http://127.0.0.1.nip.io"},
		{in: "http://127.1", shown: "http://127.1"},
		{in: "http://admin:hunter2-secret@pipeshub.example.com/api/v1?token=hunter2-secret#hunter2-secret", shown: "http://pipeshub.example.com/api/v1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := NormalizeServerURL(tt.in, false)
			var insecure *InsecureHTTPError
			if tt.loopback {
				if err != nil {
					t.Fatalf("NormalizeServerURL(%q, false): %v", tt.in, err)
				}
			} else {
				if !errors.As(err, &insecure) {
					t.Fatalf("NormalizeServerURL(%q, false) error = %v, want an *InsecureHTTPError", tt.in, err)
				}
				if insecure.URL != tt.shown {
					t.Errorf("InsecureHTTPError.URL = %q, want %q", insecure.URL, tt.shown)
				}
				for _, want := range []string{`"` + tt.shown + `"`, "plain http", "unencrypted", "https"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
				if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "admin") {
					t.Errorf("error %q echoes the URL's userinfo, query or fragment", err)
				}
			}
			// Allowing plain http leaves only the other rules.
			_, err = NormalizeServerURL(tt.in, true)
			if errors.As(err, &insecure) {
				t.Errorf("NormalizeServerURL(%q, true) = %v, want no *InsecureHTTPError", tt.in, err)
			}
		})
	}
	// With plain http allowed, a URL with userinfo is still refused, silently.
	if _, err := NormalizeServerURL("http://admin:hunter2-secret@pipeshub.example.com", true); err == nil ||
		!strings.Contains(err.Error(), "user name or password") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("userinfo with plain http allowed: %v", err)
	}
	if got, err := NormalizeServerURL("http://pipeshub.example.com/", true); err != nil || got != "http://pipeshub.example.com/api/v1" {
		t.Errorf("NormalizeServerURL(remote http, true) = %q, %v", got, err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"bad url":          {ServerURL: "example.com"},
		"negative retries": {ServerURL: "https://example.com", MaxRetries: -1},
		"negative rpm":     {ServerURL: "https://example.com", RequestsPerMinute: -1},
		"max below min":    {ServerURL: "https://example.com", RetryWaitMin: 2, RetryWaitMax: 1},
		"remote http":      {ServerURL: "http://example.com"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
	var insecure *InsecureHTTPError
	if _, err := New(Config{ServerURL: "http://example.com"}); !errors.As(err, &insecure) {
		t.Errorf("New(remote http) error = %v, want an *InsecureHTTPError", err)
	}
	if c, err := New(Config{ServerURL: "http://example.com", AllowInsecureHTTP: true}); err != nil || c.BaseURL() != "http://example.com/api/v1" {
		t.Errorf("New(remote http, AllowInsecureHTTP) = %v", err)
	}
	c, err := New(Config{ServerURL: "https://example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != "https://example.com/api/v1" || c.userAgent != DefaultUserAgent {
		t.Errorf("BaseURL %q, User-Agent %q", c.BaseURL(), c.userAgent)
	}
}
