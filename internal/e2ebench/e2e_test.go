// Package e2ebench benchmarks the provider end to end: the real terraform
// binary applies, plans and destroys N apps against the emulator, side by
// side with terraform_data and with a test-only resource of the same schema
// that makes no API call. It runs only with -bench (make bench); see
// BENCHMARKS.md for the figures and how to read them. It has test files
// only, so nothing imports it and it may import any package of the project.
package e2ebench

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Settings of a run, from the environment (all optional).
const (
	envSizes      = "PIPESHUB_BENCH_N"           // comma-separated app counts; default 10,100,200,500
	envRounds     = "PIPESHUB_BENCH_ROUNDS"      // rounds per size, median reported; default 1
	envReport     = "PIPESHUB_BENCH_REPORT"      // file the markdown tables are appended to
	envProfileDir = "PIPESHUB_BENCH_PROFILE_DIR" // CPU profiles of the provider, one per process
	envLimited    = "PIPESHUB_BENCH_LIMITED"     // "short" skips the 10-per-minute sequence (2+ minutes)
	envOnly       = "PIPESHUB_BENCH_ONLY"        // "pipeshub": run only pipeshub_oauth_app (for profiling)
)

// The three resources run side by side.
var kinds = []string{"pipeshub_oauth_app", "pipeshub_oauth_app_noapi", "terraform_data"}

var phases = []string{"apply", "plan", "destroy"}

// harness runs terraform against one emulator.
type harness struct {
	tf        string
	pluginDir string
	cliConfig string
	serverURL string
	counter   *callCounter
}

func newHarness(b *testing.B, cfg emulator.Config) *harness {
	b.Helper()
	// The same rule as the provider's TestMain: the caller names the
	// terraform to measure, and nothing is looked up or downloaded.
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		b.Fatal("TF_ACC_TERRAFORM_PATH is empty: set it to the terraform binary to benchmark (`make bench` sets it to the one on PATH)")
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	root := b.TempDir()
	h := &harness{tf: tf, pluginDir: filepath.Join(root, "plugins"), cliConfig: filepath.Join(root, "terraformrc")}
	if err := os.MkdirAll(h.pluginDir, 0o755); err != nil {
		b.Fatal(err)
	}
	// terraform starts this test binary as the provider; init() serves it.
	if err := os.Symlink(exe, filepath.Join(h.pluginDir, "terraform-provider-pipeshub")); err != nil {
		b.Fatal(err)
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"pipeshub-ai/pipeshub\" = %q\n  }\n  direct {}\n}\n", h.pluginDir)
	if err := os.WriteFile(h.cliConfig, []byte(rc), 0o600); err != nil {
		b.Fatal(err)
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	h.counter = &callCounter{next: emu, calls: map[string]int{}}
	srv := httptest.NewServer(h.counter)
	b.Cleanup(func() {
		srv.Close()
		_ = emu.Close()
	})
	h.serverURL = srv.URL
	return h
}

// unlimited is an emulator whose limiters never bite.
func unlimited() emulator.Config {
	return emulator.Config{RateLimit: 1 << 30, GlobalRateLimit: 1 << 30}
}

// workspace is one configuration of n resources of a kind, with its state.
type workspace struct {
	dir, kind string
	n         int
}

func (h *harness) workspace(b *testing.B, kind string, n int) *workspace {
	b.Helper()
	dir := filepath.Join(b.TempDir(), kind)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(configFor(kind, n)), 0o600); err != nil {
		b.Fatal(err)
	}
	return &workspace{dir: dir, kind: kind, n: n}
}

func configFor(kind string, n int) string {
	if kind == "terraform_data" {
		return fmt.Sprintf(`resource "terraform_data" "app" {
  count = %d
  input = {
    name           = "bench app ${count.index}"
    description    = "End-to-end benchmark app"
    redirect_uris  = ["https://app.example.com/callback"]
    allowed_scopes = ["openid", "profile"]
    homepage_url   = "https://app.example.com"
  }
}
`, n)
	}
	return fmt.Sprintf(`terraform {
  required_providers {
    pipeshub = { source = "pipeshub-ai/pipeshub" }
  }
}

provider "pipeshub" {}

resource %q "app" {
  count          = %d
  name           = "bench app ${count.index}"
  description    = "End-to-end benchmark app"
  redirect_uris  = ["https://app.example.com/callback"]
  allowed_scopes = ["openid", "profile"]
  homepage_url   = "https://app.example.com"
}
`, kind, n)
}

// result is one terraform command.
type result struct {
	seconds float64
	calls   map[string]int // by callKind, "429" for rate-limited answers
	rssKiB  int64          // peak RSS of the provider processes (0 for terraform_data)
}

// run runs one phase in ws and measures it.
func (h *harness) run(b *testing.B, ws *workspace, phase string) result {
	b.Helper()
	var args []string
	switch phase {
	case "apply":
		args = []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	case "plan":
		// Exit code 2 would mean drift: the benchmark checks there is none.
		args = []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}
	case "destroy":
		args = []string{"destroy", "-auto-approve", "-input=false", "-no-color"}
	}
	out := b.TempDir()
	profileDir := os.Getenv(envProfileDir)
	if profileDir != "" && ws.kind == kinds[0] {
		out = filepath.Join(profileDir, fmt.Sprintf("%s-N%d", phase, ws.n))
		if err := os.MkdirAll(out, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	cmd := exec.Command(h.tf, args...)
	cmd.Dir = ws.dir
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+h.cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_LOG=",
		"PIPESHUB_SERVER_URL="+h.serverURL,
		"PIPESHUB_BEARER_AUTH="+emulator.DefaultToken,
		envServePlugin+"=1",
		envOutDir+"="+out,
	)
	if profileDir != "" {
		cmd.Env = append(cmd.Env, envCPUProfile+"=1", envMemProfile+"=1")
	}
	h.counter.reset()
	start := time.Now()
	output, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		tail := string(output)
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		b.Fatalf("terraform %s of %d %s: %v\n%s", phase, ws.n, ws.kind, err, tail)
	}
	return result{seconds: elapsed.Seconds(), calls: h.counter.snapshot(), rssKiB: peakRSS(out)}
}

// peakRSS is the largest peak RSS any provider process wrote to dir.
func peakRSS(dir string) int64 {
	files, _ := filepath.Glob(filepath.Join(dir, "rss-*"))
	var peak int64
	for _, f := range files {
		if strings.HasSuffix(f, ".tmp") {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if v, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64); err == nil && v > peak {
			peak = v
		}
	}
	return peak
}

// callCounter counts the API calls the emulator answers, by kind.
type callCounter struct {
	next  http.Handler
	mu    sync.Mutex
	calls map[string]int
}

// callKind names a request: create, read, list, delete, scopes or other.
func callKind(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.Path, "/api/v1")
	switch {
	case r.Method == http.MethodPost && p == "/oauth-clients":
		return "create"
	case r.Method == http.MethodGet && p == "/oauth-clients":
		return "list" // a page of the apps (a refresh of many apps reads them from pages)
	case r.Method == http.MethodGet && p == "/oauth-clients/scopes":
		return "scopes"
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/oauth-clients/") && strings.Count(p, "/") == 2:
		return "read"
	case r.Method == http.MethodDelete:
		return "delete"
	}
	return "other"
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (c *callCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	c.next.ServeHTTP(rec, r)
	c.mu.Lock()
	defer c.mu.Unlock()
	if rec.status == http.StatusTooManyRequests {
		c.calls["429"]++
		return
	}
	c.calls[callKind(r)]++
}

func (c *callCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = map[string]int{}
}

func (c *callCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

func total(calls map[string]int) int {
	n := 0
	for k, v := range calls {
		if k != "429" {
			n += v
		}
	}
	return n
}

func sizes(b *testing.B) []int {
	raw := os.Getenv(envSizes)
	if raw == "" {
		return []int{10, 100, 200, 500}
	}
	var out []int
	for _, f := range strings.Split(raw, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("%s: bad size %q", envSizes, f)
		}
		out = append(out, n)
	}
	return out
}

func rounds() int {
	if n, err := strconv.Atoi(os.Getenv(envRounds)); err == nil && n > 0 {
		return n
	}
	return 1
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// report prints a markdown block and appends it to PIPESHUB_BENCH_REPORT.
func report(b *testing.B, text string) {
	fmt.Print(text)
	if path := os.Getenv(envReport); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		_, _ = f.WriteString(text)
	}
}

// BenchmarkEndToEnd applies, plans (with refresh) and destroys N apps with the
// real terraform, phase by phase interleaving the three kinds, and reports
// seconds, the ratios to the no-API resource and terraform_data, API calls
// per app per phase, and the provider's peak RSS.
func BenchmarkEndToEnd(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for range b.N {
				benchmarkSize(b, n)
			}
		})
	}
}

func benchmarkSize(b *testing.B, n int) {
	h := newHarness(b, unlimited())
	spaces := map[string]*workspace{}
	for _, k := range kinds {
		spaces[k] = h.workspace(b, k, n)
	}
	seconds := map[string][]float64{} // kind/phase
	calls := map[string]map[string]int{}
	var rss int64
	only := kinds
	if os.Getenv(envOnly) == "pipeshub" {
		only = kinds[:1]
	}
	for range rounds() {
		for _, phase := range phases {
			for _, k := range only {
				r := h.run(b, spaces[k], phase)
				seconds[k+"/"+phase] = append(seconds[k+"/"+phase], r.seconds)
				if k == kinds[0] {
					calls[phase] = r.calls
					rss = max(rss, r.rssKiB)
				}
			}
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n#### N = %d apps (%d round(s), median seconds)\n\n", n, rounds())
	sb.WriteString("| phase | pipeshub_oauth_app | no-API resource | terraform_data | × no-API | × terraform_data | API calls per app | scope catalogue calls | 429s |\n")
	sb.WriteString("|---|---:|---:|---:|---:|---:|---|---:|---:|\n")
	for _, phase := range phases {
		if len(only) < len(kinds) {
			fmt.Fprintf(&sb, "| %s | %.2f | | | | | | %d | |\n", phase, median(seconds[kinds[0]+"/"+phase]), calls[phase]["scopes"])
			continue
		}
		p, z, d := median(seconds[kinds[0]+"/"+phase]), median(seconds[kinds[1]+"/"+phase]), median(seconds[kinds[2]+"/"+phase])
		c := calls[phase]
		perApp, total := []string{}, 0
		for _, k := range []string{"create", "read", "list", "delete", "other"} {
			if c[k] > 0 {
				perApp = append(perApp, fmt.Sprintf("%s %.2f", k, float64(c[k])/float64(n)))
				total += c[k]
			}
		}
		perApp = append(perApp, fmt.Sprintf("(%d calls)", total))
		fmt.Fprintf(&sb, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %d | %d |\n",
			phase, p, z, d, p/z, p/d, strings.Join(perApp, ", "), c["scopes"], c["429"])
		b.ReportMetric(p, phase+"-s")
		b.ReportMetric(p/z, phase+"-x-noapi")
	}
	fmt.Fprintf(&sb, "\nProvider peak RSS: %.1f MB\n", float64(rss)/1024)
	b.ReportMetric(float64(rss)/1024, "rss-MB")
	report(b, sb.String())
}

// BenchmarkEndToEndRateLimited applies against a limited emulator with
// default provider settings, and compares with its floor: the windows the
// requests must wait through plus the same apply against an unlimited
// emulator (measured in the same run).
func BenchmarkEndToEndRateLimited(b *testing.B) {
	cases := []struct {
		name     string
		n, limit int
		window   time.Duration
		sequence bool // also plan and destroy under the limit
	}{
		{"30per10s/N=60", 60, 30, 10 * time.Second, false},
		{"10per1m/N=5", 5, 10, time.Minute, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			if tc.sequence && os.Getenv(envLimited) == "short" {
				b.Skip(envLimited + "=short")
			}
			for range b.N {
				benchmarkLimited(b, tc.n, tc.limit, tc.window, tc.sequence)
			}
		})
	}
}

func benchmarkLimited(b *testing.B, n, limit int, window time.Duration, sequence bool) {
	free := newHarness(b, unlimited())
	freeWS := free.workspace(b, kinds[0], n)
	base := map[string]float64{}
	steps := []string{"apply"}
	if sequence {
		steps = phases
	}
	for _, phase := range steps {
		base[phase] = free.run(b, freeWS, phase).seconds
	}

	h := newHarness(b, emulator.Config{RateLimit: limit, RateWindow: window})
	ws := h.workspace(b, kinds[0], n)
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n#### %d apps at %d requests per %s (default settings)\n\n", n, limit, window)
	sb.WriteString("| step | seconds | requests | 429s | unlimited seconds | window floor | × window floor | rate floor | × rate floor |\n")
	sb.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var seqSeconds, seqBase float64
	var seqRequests, seq429 int
	for _, phase := range steps {
		r := h.run(b, ws, phase)
		req := total(r.calls)
		seqSeconds += r.seconds
		seqBase += base[phase]
		seqRequests += req
		seq429 += r.calls["429"]
		if phase == "apply" {
			wf, rf := floors(req, limit, window, base[phase])
			fmt.Fprintf(&sb, "| apply | %.1f | %d | %d | %.1f | %.1f | %.2f | %.1f | %.2f |\n",
				r.seconds, req, r.calls["429"], base[phase], wf, r.seconds/wf, rf, r.seconds/rf)
			b.ReportMetric(r.seconds, "apply-s")
			b.ReportMetric(r.seconds/wf, "apply-x-floor")
			b.ReportMetric(float64(r.calls["429"]), "429s")
		}
	}
	if sequence {
		wf, rf := floors(seqRequests, limit, window, seqBase)
		fmt.Fprintf(&sb, "| apply, plan, destroy | %.1f | %d | %d | %.1f | %.1f | %.2f | %.1f | %.2f |\n",
			seqSeconds, seqRequests, seq429, seqBase, wf, seqSeconds/wf, rf, seqSeconds/rf)
		b.ReportMetric(seqSeconds/wf, "sequence-x-floor")
	}
	report(b, sb.String())
}

// floors returns the window floor, (ceil(requests/limit) - 1) windows plus the
// unlimited run's seconds, and the rate floor, requests / (limit per window).
func floors(requests, limit int, window time.Duration, unlimitedSeconds float64) (windowFloor, rateFloor float64) {
	windows := math.Ceil(float64(requests)/float64(limit)) - 1
	return max(windows, 0)*window.Seconds() + unlimitedSeconds, float64(requests) / float64(limit) * window.Seconds()
}
