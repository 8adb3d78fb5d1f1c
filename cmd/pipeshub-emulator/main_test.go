package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

func TestTokenFlag(t *testing.T) {
	tokens := &tokenFlag{}
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
		if tokens.users[token] != u {
			t.Errorf("%s: %+v, want %+v", token, tokens.users[token], u)
		}
	}
	if strings.Join(tokens.order, " ") != "t1 t2 t3" || tokens.names[alice] != "alice" || tokens.names[bob] != "bob" {
		t.Errorf("order %v, names %v", tokens.order, tokens.names)
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
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-token", "s3cr3t-token=alice:member", "-token", "b0b-token=bob:admin",
			"-rate-limit", "5", "-global-rate-limit", "50", "-global-rate-window", "30s", "-issuer", "https://issuer.example", "-data", data}, stdoutW, stderr)
		stdoutW.Close()
	}()
	stdout := bufio.NewReader(stdoutR)
	line, err := stdout.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/api/v1") || strings.HasSuffix(url, ":0/api/v1") {
		t.Fatalf("first line %q", line)
	}
	// Then the accepted tokens, by user and role, and the settings; never a
	// token given on the command line.
	var startup []string
	for _, want := range []string{"bearer token -token #1: user alice, role member", "bearer token -token #2: user bob, role admin",
		"rate limits: 5 per user per 1m0s, 50 per client IP per 30s; issuer https://issuer.example; data " + data} {
		line, err := stdout.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		startup = append(startup, line)
		if strings.TrimSpace(line) != want {
			t.Errorf("startup line %q, want %q", line, want)
		}
	}
	// Drain the rest of stdout so that run never blocks writing to it; the
	// copy ends when run closes the pipe.
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

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
	if !regexp.MustCompile(`(?m) POST /api/v1/oauth-clients 201 \S+ user=alice$`).MatchString(logged) ||
		!regexp.MustCompile(`(?m) GET /api/v1/oauth-clients 401 \S+ user=-$`).MatchString(logged) {
		t.Errorf("log %q", logged)
	}
	for _, out := range append(startup, logged) {
		if strings.Contains(out, "s3cr3t-token") || strings.Contains(out, "b0b-token") || strings.Contains(out, string(secret)) {
			t.Errorf("output leaks a secret: %q", out)
		}
	}
	saved, err := os.ReadFile(data)
	if err != nil || !strings.Contains(string(saved), `"name": "cli"`) {
		t.Fatalf("data file: %v %s", err, saved)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-token", "x"}, {"-nope"}, {"extra"}, {"-addr", "256.0.0.1:99999"}, {"-rate-limit", "0"}, {"-global-rate-window", "-1s"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// TestRunDefaultToken: without -token the default admin token is accepted,
// and shown, since it is public.
func TestRunDefaultToken(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, stdoutW, io.Discard)
		stdoutW.Close()
	}()
	stdout := bufio.NewReader(stdoutR)
	for i, want := range []string{"listening on ", "bearer token " + emulator.DefaultToken + " (the default; -token sets your own): user admin, role admin"} {
		line, err := stdout.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, want) {
			t.Fatalf("line %d %q (%v), want %q", i+1, line, err, want)
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestRunMissingDataDirectory: -data in a directory that does not exist
// fails at start, with the reason, before anything listens.
func TestRunMissingDataDirectory(t *testing.T) {
	data := filepath.Join(t.TempDir(), "missing", "state.json")
	var stdout strings.Builder
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", data}, &stdout, io.Discard)
	if err == nil || !strings.Contains(err.Error(), data) || !strings.Contains(err.Error(), "no such file or directory") {
		t.Fatalf("err %v", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("printed %q before failing", stdout.String())
	}
}

// TestHelp: -h prints the usage to stdout and the command exits 0.
func TestHelp(t *testing.T) {
	var stdout strings.Builder
	if err := run(context.Background(), []string{"-h"}, &stdout, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run: %v", err)
	}
	for _, want := range []string{"Usage: pipeshub-emulator [flags]", "-global-rate-limit", "-issuer", "-token"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, stdout.String())
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
	cmd.Env = append(os.Environ(), "PIPESHUB_EMULATOR_MAIN=-h")
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), "Usage: pipeshub-emulator") {
		t.Fatalf("pipeshub-emulator -h: %v\n%s", err, out)
	}
	cmd = exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
	cmd.Env = append(os.Environ(), "PIPESHUB_EMULATOR_MAIN=-nope")
	var exitErr *exec.ExitError
	if out, err := cmd.CombinedOutput(); !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 || !strings.Contains(string(out), "-nope") {
		t.Fatalf("pipeshub-emulator -nope: %v\n%s", err, out)
	}
}

// TestMainProcess runs main with the argument in PIPESHUB_EMULATOR_MAIN,
// when TestHelp starts this test binary for it.
func TestMainProcess(t *testing.T) {
	arg := os.Getenv("PIPESHUB_EMULATOR_MAIN")
	if arg == "" {
		t.Skip("only run by TestHelp")
	}
	os.Args = []string{"pipeshub-emulator", arg}
	main()
}
