// Command pipeshub-emulator serves a local PipesHub OAuth-clients API
// (see internal/emulator) for playing with the provider without PipesHub.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pipeshub-emulator:", err)
		os.Exit(1)
	}
}

// run parses the flags, serves until ctx ends, then shuts down gracefully and
// flushes the data file.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pipeshub-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	tokens := tokenFlag{}
	fs.Var(tokens, "token", "bearer token as TOKEN=USER:ROLE (role admin or member); repeatable; default: admin token "+emulator.DefaultToken)
	rateLimit := fs.Int("rate-limit", 1000, "requests per user on /oauth-clients (per client IP on /oauth2) per -rate-window")
	rateWindow := fs.Duration("rate-window", time.Minute, "window of -rate-limit")
	globalRateLimit := fs.Int("global-rate-limit", 1000, "requests per client IP per -global-rate-window on every path, before authentication (all users share it)")
	globalRateWindow := fs.Duration("global-rate-window", time.Minute, "window of -global-rate-limit")
	issuer := fs.String("issuer", emulator.DefaultIssuer, "iss claim of issued access tokens (PipesHub's configured issuer)")
	dataFile := fs.String("data", "", "file to persist state in (written atomically; loaded at start)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	emu, err := emulator.New(emulator.Config{
		Tokens: tokens, RateLimit: *rateLimit, RateWindow: *rateWindow,
		GlobalRateLimit: *globalRateLimit, GlobalRateWindow: *globalRateWindow,
		DataFile: *dataFile, Issuer: *issuer,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return errors.Join(err, emu.Close())
	}
	srv := &http.Server{Handler: logRequests(emu, stderr), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "listening on http://%s/api/v1\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = srv.Shutdown(shutdownCtx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = srv.Close()
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, emu.Close())
}

// tokenFlag collects -token TOKEN=USER:ROLE into the emulator's token map.
// A user's id is derived from its name, so it is stable across restarts and
// the same for several tokens of one user.
type tokenFlag map[string]emulator.User

func (t tokenFlag) String() string { return fmt.Sprintf("%d token(s)", len(t)) }

func (t tokenFlag) Set(v string) error {
	token, rest, ok := strings.Cut(v, "=")
	user, role, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || token == "" || user == "" {
		return errors.New("want TOKEN=USER:ROLE")
	}
	if role != "admin" && role != "member" {
		return fmt.Errorf("role %q: want admin or member", role)
	}
	if _, dup := t[token]; dup {
		return errors.New("token given twice")
	}
	t[token] = emulator.User{ID: emulator.StableID("user:" + user), OrgID: emulator.DefaultOrgID, Role: role}
	return nil
}

// logRequests logs one line per request: method, path, status and duration.
// Never headers, query strings or bodies, which carry tokens and secrets.
func logRequests(next http.Handler, out io.Writer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			status := "dropped"
			if rec.status != 0 {
				status = fmt.Sprint(rec.status)
			}
			fmt.Fprintf(out, "%s %s %s %s %s\n", start.UTC().Format(time.RFC3339), r.Method, r.URL.Path, status, time.Since(start).Round(time.Microsecond))
		}()
		next.ServeHTTP(rec, r)
	})
}

// statusRecorder remembers the status; Unwrap lets the emulator hijack the
// connection through it for its lost-response faults.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
