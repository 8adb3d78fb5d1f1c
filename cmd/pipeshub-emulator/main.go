// Command pipeshub-emulator serves internal/emulator, the local PipesHub
// OAuth-clients API, over HTTP, for playing with the provider without
// PipesHub.
//
// Of this repository it imports only internal/emulator: never
// internal/client or internal/provider, so that what it serves is the
// emulator alone.
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
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		// -h asked for the usage, which run printed.
	case err != nil:
		fmt.Fprintln(os.Stderr, "pipeshub-emulator:", err)
		os.Exit(1)
	}
}

const usageHeader = `Usage: pipeshub-emulator [flags]

Serves a local PipesHub OAuth-clients API (/api/v1/oauth-clients and
/api/v1/oauth2/token, /revoke, /introspect) that answers as PipesHub does;
internal/emulator/README.md describes that behaviour. It stops on Ctrl-C.

Flags:
`

// run parses the flags, serves until ctx ends, then shuts down gracefully and
// flushes the data file. -h prints the usage to stdout and returns
// flag.ErrHelp.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pipeshub-emulator", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run reports errors and prints the usage itself
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	tokens := &tokenFlag{}
	fs.Var(tokens, "token", "bearer token as TOKEN=USER:ROLE (role admin or member); repeatable; default: the admin token "+emulator.DefaultToken)
	rateLimit := fs.Int("rate-limit", 1000, "requests per user on /oauth-clients (per client IP on /oauth2) per -rate-window")
	rateWindow := fs.Duration("rate-window", time.Minute, "window of -rate-limit")
	globalRateLimit := fs.Int("global-rate-limit", 1000, "requests per client IP per -global-rate-window on every path, before authentication (all users share it)")
	globalRateWindow := fs.Duration("global-rate-window", time.Minute, "window of -global-rate-limit")
	issuer := fs.String("issuer", emulator.DefaultIssuer, "iss claim of issued access tokens (PipesHub's configured issuer)")
	dataFile := fs.String("data", "", "file to persist state in (written atomically; loaded at start; its directory must exist)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usageHeader)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return err
		}
		return fmt.Errorf("%w (pipeshub-emulator -h lists the flags)", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	for _, v := range []struct {
		name string
		n    int
		d    time.Duration
	}{{"rate-limit", *rateLimit, *rateWindow}, {"global-rate-limit", *globalRateLimit, *globalRateWindow}} {
		if v.n <= 0 || v.d <= 0 {
			return fmt.Errorf("-%s and its window must be positive", v.name)
		}
	}
	users := tokens.users
	if len(tokens.order) == 0 {
		tokens.order = []string{emulator.DefaultToken}
		users = map[string]emulator.User{emulator.DefaultToken: emulator.DefaultUser()}
		tokens.names = map[string]string{emulator.DefaultUser().ID: "admin"}
	}
	emu, err := emulator.New(emulator.Config{
		Tokens: users, RateLimit: *rateLimit, RateWindow: *rateWindow,
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
	srv := &http.Server{Handler: logRequests(emu, stderr, tokens.names), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "listening on http://%s/api/v1\n", ln.Addr())
	for i, token := range tokens.order {
		u := users[token]
		shown := fmt.Sprintf("-token #%d", i+1) // given on the command line: its value stays there
		if token == emulator.DefaultToken && len(tokens.users) == 0 {
			shown = token + " (the default; -token sets your own)"
		}
		fmt.Fprintf(stdout, "bearer token %s: user %s, role %s\n", shown, tokens.names[u.ID], u.Role)
	}
	fmt.Fprintf(stdout, "rate limits: %d per user per %v, %d per client IP per %v; issuer %s; data %s\n",
		*rateLimit, *rateWindow, *globalRateLimit, *globalRateWindow, *issuer, dataDescription(*dataFile))
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

func dataDescription(file string) string {
	if file == "" {
		return "in memory only"
	}
	return file
}

// tokenFlag collects -token TOKEN=USER:ROLE into the emulator's token map,
// in the order given. A user's id is derived from its name, so it is stable
// across restarts and the same for several tokens of one user.
type tokenFlag struct {
	users map[string]emulator.User // token -> user
	order []string                 // tokens as given
	names map[string]string        // user id -> user name
}

func (t *tokenFlag) String() string {
	if t == nil {
		return "0 token(s)"
	}
	return fmt.Sprintf("%d token(s)", len(t.order))
}

func (t *tokenFlag) Set(v string) error {
	token, rest, ok := strings.Cut(v, "=")
	user, role, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || token == "" || user == "" {
		return errors.New("want TOKEN=USER:ROLE")
	}
	if role != "admin" && role != "member" {
		return fmt.Errorf("role %q: want admin or member", role)
	}
	if _, dup := t.users[token]; dup {
		return errors.New("token given twice")
	}
	if t.users == nil {
		t.users, t.names = map[string]emulator.User{}, map[string]string{}
	}
	u := emulator.User{ID: emulator.StableID("user:" + user), OrgID: emulator.DefaultOrgID, Role: role}
	t.users[token] = u
	t.order = append(t.order, token)
	t.names[u.ID] = user
	return nil
}

// logRequests logs one line per request: method, path, status, duration and
// the user the bearer token authenticated ("-" when none did). Never
// headers, query strings or bodies, which carry tokens and secrets.
func logRequests(next http.Handler, out io.Writer, names map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		info := &emulator.RequestInfo{}
		defer func() {
			status := "dropped"
			if rec.status != 0 {
				status = fmt.Sprint(rec.status)
			}
			user := "-"
			if info.Authenticated {
				user = names[info.User.ID]
				if user == "" {
					user = info.User.ID
				}
			}
			fmt.Fprintf(out, "%s %s %s %s %s user=%s\n", start.UTC().Format(time.RFC3339), r.Method, r.URL.Path, status,
				time.Since(start).Round(time.Microsecond), user)
		}()
		next.ServeHTTP(rec, r.WithContext(emulator.WithRequestInfo(r.Context(), info)))
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
