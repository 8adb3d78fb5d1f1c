package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

func TestTokenFlag(t *testing.T) {
	tokens := tokenFlag{}
	for _, v := range []string{"t1=alice:admin", "t2=bob:member", "t3=alice:member"} {
		if err := tokens.Set(v); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
	}
	alice, bob := emulator.StableID("user:alice"), emulator.StableID("user:bob")
	want := map[string]emulator.User{
		"t1": {ID: alice, OrgID: emulator.DefaultOrgID, Role: "admin"},
		"t2": {ID: bob, OrgID: emulator.DefaultOrgID, Role: "member"},
		"t3": {ID: alice, OrgID: emulator.DefaultOrgID, Role: "member"},
	}
	for token, u := range want {
		if tokens[token] != u {
			t.Errorf("%s: %+v, want %+v", token, tokens[token], u)
		}
	}
	for _, bad := range []string{"t1=carol:admin", "novalue", "t=:admin", "=x:admin", "t=x", "t=x:owner"} {
		if err := tokens.Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// syncBuffer is an io.Writer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun starts the command on a free port, uses it, stops it through its
// context (what SIGINT/SIGTERM cancel) and checks the log and data file.
func TestRun(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-token", "s3cr3t-token=alice:member", "-rate-limit", "5", "-global-rate-limit", "50", "-global-rate-window", "30s", "-data", data}, stdoutW, stderr)
		stdoutW.Close()
	}()
	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/api/v1") || strings.HasSuffix(url, ":0/api/v1") {
		t.Fatalf("first line %q", line)
	}
	// Drain the rest of stdout so that run never blocks writing to it; the
	// copy ends when run closes the pipe.
	go func() { _, _ = io.Copy(io.Discard, stdoutR) }()

	body := `{"name":"cli","allowedScopes":["kb:read"],"allowedGrantTypes":["client_credentials"]}`
	r, _ := http.NewRequest("POST", url+"/oauth-clients", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer s3cr3t-token")
	r.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || resp.Header.Get("RateLimit-Limit") != "5" {
		t.Fatalf("create: %d %v %s", resp.StatusCode, resp.Header, raw)
	}
	secret := raw[strings.Index(string(raw), `"clientSecret":"`)+16:][:64]
	// An answer that never reaches the per-user limiter carries the global one's headers.
	resp, err = http.Get(url + "/oauth-clients")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("RateLimit-Policy") != "50;w=30" {
		t.Fatalf("401: %d %v", resp.StatusCode, resp.Header)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	logged := stderr.String()
	if !strings.Contains(logged, "POST /api/v1/oauth-clients 201") {
		t.Errorf("log %q", logged)
	}
	if strings.Contains(logged, "s3cr3t-token") || strings.Contains(logged, string(secret)) {
		t.Errorf("log leaks a secret: %q", logged)
	}
	saved, err := os.ReadFile(data)
	if err != nil || !strings.Contains(string(saved), `"name": "cli"`) {
		t.Fatalf("data file: %v %s", err, saved)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-token", "x"}, {"-nope"}, {"extra"}, {"-addr", "256.0.0.1:99999"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
