package client

import (
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
		{in: "HTTPS://Example.com:8443/api/v1", want: "https://Example.com:8443/api/v1"},
		{in: "https://proxy.example.com/pipeshub", want: "https://proxy.example.com/pipeshub/api/v1"},
		{in: "https://proxy.example.com/pipeshub/api/v1", want: "https://proxy.example.com/pipeshub/api/v1"},
		{in: "", wantErr: "absolute http(s) URL"},
		{in: "pipeshub.example.com", wantErr: "absolute http(s) URL"},
		{in: "ftp://pipeshub.example.com", wantErr: "absolute http(s) URL"},
		{in: "https://", wantErr: "absolute http(s) URL"},
		{in: "https:pipeshub.example.com", wantErr: "absolute http(s) URL"},
		{in: "/api/v1", wantErr: "absolute http(s) URL"},
		{in: "https://pipeshub.example.com/api", wantErr: `end in "/api/v1"`},
		{in: "https://pipeshub.example.com/api/v2", wantErr: `end in "/api/v1"`},
		{in: "https://pipeshub.example.com/api/v1/oauth-clients", wantErr: `end in "/api/v1"`},
		{in: "https://pipeshub.example.com/api/v1?x=1", wantErr: "query"},
		{in: "https://pipeshub.example.com/api/v1#frag", wantErr: "fragment"},
		{in: "https://admin:hunter2-secret@pipeshub.example.com", wantErr: "user name or password"},
		{in: "https://admin:hunter2-secret@exa mple.com", wantErr: "absolute http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeServerURL(tt.in)
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
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q echoes the URL's password", err)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"bad url":          {ServerURL: "example.com"},
		"negative retries": {ServerURL: "https://example.com", MaxRetries: -1},
		"negative rpm":     {ServerURL: "https://example.com", RequestsPerMinute: -1},
		"max below min":    {ServerURL: "https://example.com", RetryWaitMin: 2, RetryWaitMax: 1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
	c, err := New(Config{ServerURL: "https://example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != "https://example.com/api/v1" || c.userAgent != DefaultUserAgent {
		t.Errorf("BaseURL %q, User-Agent %q", c.BaseURL(), c.userAgent)
	}
}
