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
	envSizes      = "PIPESHUB_BENCH_N"           // comma-separated app counts; default 1,10,100,1000,5000
	envRounds     = "PIPESHUB_BENCH_ROUNDS"      // rounds per size, median reported; default 15 up to 10 apps, 11 up to 100, else 1
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
	limits    emulator.Config
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
	h.limits, h.counter = cfg, &callCounter{calls: map[string]int{}}
	h.freshEmulator(b)
	srv := httptest.NewServer(h.counter)
	b.Cleanup(srv.Close)
	h.serverURL = srv.URL
	return h
}

// freshEmulator puts a new emulator with the same limits behind the
// harness's server, between terraform runs: a round that starts with
// nothing in state then starts in a fresh rate-limit window, as the first
// round does, instead of in the window earlier rounds spent.
func (h *harness) freshEmulator(b *testing.B) {
	b.Helper()
	emu, err := emulator.New(h.limits)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = emu.Close() })
	h.counter.mu.Lock()
	defer h.counter.mu.Unlock()
	h.counter.next = emu
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
	cpu     float64        // CPU seconds of the provider processes
}

// run runs one phase in ws and measures it; env is added to terraform's
// environment (and so the provider's).
func (h *harness) run(b *testing.B, ws *workspace, phase string, env ...string) result {
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
	cmd.Env = append(cmd.Env, env...)
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
	return result{seconds: elapsed.Seconds(), calls: h.counter.snapshot(), rssKiB: peakRSS(out), cpu: cpuSeconds(out)}
}

// peakRSS is the largest peak RSS any provider process wrote to dir.
func peakRSS(dir string) int64 {
	return fromFiles(dir, "rss-*", func(peak, v int64) int64 { return max(peak, v) })
}

// cpuSeconds is the CPU time the provider processes wrote to dir, summed.
func cpuSeconds(dir string) float64 {
	return float64(fromFiles(dir, "cpums-*", func(sum, v int64) int64 { return sum + v })) / 1000
}

// fromFiles folds the numbers in the files of dir that match pattern.
func fromFiles(dir, pattern string, fold func(acc, v int64) int64) int64 {
	files, _ := filepath.Glob(filepath.Join(dir, pattern))
	var acc int64
	for _, f := range files {
		if strings.HasSuffix(f, ".tmp") {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if v, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64); err == nil {
			acc = fold(acc, v)
		}
	}
	return acc
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
	c.mu.Lock()
	next := c.next
	c.mu.Unlock()
	next.ServeHTTP(rec, r)
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
		return []int{1, 10, 100, 1000, 5000}
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

// rounds is how many rounds a size runs: small sizes take a fraction of a
// second a phase, where one round is mostly noise.
func rounds(apps int) int {
	if n, err := strconv.Atoi(os.Getenv(envRounds)); err == nil && n > 0 {
		return n
	}
	switch {
	case apps <= 10:
		return 15
	case apps <= 100:
		return 11
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

// PipesHub's default limits, which BenchmarkEndToEnd runs under: 1000
// requests a minute per user on /oauth-clients and per client IP on every
// path (internal/emulator/README.md §3.3, §3.5).
const (
	defaultLimit  = 1000
	defaultWindow = time.Minute
)

// destroyUpTo is the largest N whose destroy is measured: above it the
// deletes alone wait through minutes of the limit and tell nothing new.
const destroyUpTo = 1000

// sizeResult is what BenchmarkEndToEnd found for one N, for the summary.
type sizeResult struct {
	n                         int
	seconds                   map[string]float64 // kind/phase, median
	calls                     map[string]map[string]int
	rssKiB                    map[string]int64   // kind, largest of the phases
	cpu                       map[string]float64 // kind/phase, CPU seconds of the provider, last round
	loadBefore, loadAfter     string
	applyFloor, applyRateWait float64
}

// BenchmarkEndToEnd applies, plans (with refresh, right after the apply, in
// the window the apply spent) and destroys N apps with the real terraform
// against an emulator with PipesHub's default limits, phase by phase
// interleaving the three kinds, and reports seconds, the ratios to the floor
// (the no-API resource, and for the apply the waits the limit imposes on its
// requests), API calls per phase, the peak RSS of both providers and the
// machine's load; then a summary of every size.
func BenchmarkEndToEnd(b *testing.B) {
	var all []sizeResult
	for _, n := range sizes(b) {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for range b.N {
				all = append(all, benchmarkSize(b, n))
			}
		})
	}
	if len(all) > 0 && os.Getenv(envOnly) == "" {
		report(b, summary(all))
	}
}

func benchmarkSize(b *testing.B, n int) sizeResult {
	h := newHarness(b, emulator.Config{})
	spaces := map[string]*workspace{}
	for _, k := range kinds {
		spaces[k] = h.workspace(b, k, n)
	}
	res := sizeResult{n: n, seconds: map[string]float64{}, calls: map[string]map[string]int{}, rssKiB: map[string]int64{},
		cpu: map[string]float64{}, loadBefore: loadAverage()}
	seconds := map[string][]float64{} // kind/phase
	only := kinds
	if os.Getenv(envOnly) == "pipeshub" {
		only = kinds[:1]
	}
	steps := phases
	if n > destroyUpTo {
		// Minutes each, and the floor is the no-API resource: no destroy,
		// no terraform_data.
		steps, only = phases[:2], only[:min(len(only), 2)]
	}
	for round := range rounds(n) {
		if round > 0 && n <= destroyUpTo {
			h.freshEmulator(b) // every app was destroyed
		}
		// Each kind goes first in turn: no kind always runs after the same one.
		order := append(slices.Clone(only[round%len(only):]), only[:round%len(only)]...)
		for _, phase := range steps {
			if phase == "apply" && round > 0 && n > destroyUpTo {
				for _, k := range only { // the next round applies from nothing again
					h.run(b, spaces[k], "destroy")
				}
			}
			for _, k := range order {
				r := h.run(b, spaces[k], phase)
				seconds[k+"/"+phase] = append(seconds[k+"/"+phase], r.seconds)
				res.rssKiB[k] = max(res.rssKiB[k], r.rssKiB)
				res.cpu[k+"/"+phase] = r.cpu
				if k == kinds[0] {
					res.calls[phase] = r.calls
				}
			}
		}
	}
	res.loadAfter = loadAverage()
	for key, xs := range seconds {
		res.seconds[key] = median(xs)
	}
	// The apply cannot end before the windows its requests must wait through.
	res.applyRateWait = rateWait(total(res.calls["apply"]))
	res.applyFloor = max(res.seconds[kinds[1]+"/apply"], res.applyRateWait)

	var sb strings.Builder
	fmt.Fprintf(&sb, "\n#### N = %d apps (%d round(s), median seconds; load average %s before, %s after)\n\n", n, rounds(n), res.loadBefore, res.loadAfter)
	sb.WriteString("| phase | pipeshub_oauth_app | no-API resource | terraform_data | × no-API | × terraform_data | API calls | scope catalogue calls | 429s |\n")
	sb.WriteString("|---|---:|---:|---:|---:|---:|---|---:|---:|\n")
	for _, phase := range steps {
		p := res.seconds[kinds[0]+"/"+phase]
		c := res.calls[phase]
		if len(only) == 1 {
			fmt.Fprintf(&sb, "| %s | %.2f | | | | | %s | %d | %d |\n", phase, p, callsText(c), c["scopes"], c["429"])
			continue
		}
		z := res.seconds[kinds[1]+"/"+phase]
		data, ratio := "not run", ""
		if d, ok := res.seconds[kinds[2]+"/"+phase]; ok {
			data, ratio = fmt.Sprintf("%.2f", d), fmt.Sprintf("%.2f", p/d)
		}
		fmt.Fprintf(&sb, "| %s | %.2f | %.2f | %s | %.2f | %s | %s | %d | %d |\n",
			phase, p, z, data, p/z, ratio, callsText(c), c["scopes"], c["429"])
		b.ReportMetric(p, phase+"-s")
		b.ReportMetric(p/z, phase+"-x-noapi")
	}
	fmt.Fprintf(&sb, "\nPeak RSS: provider %.1f MB, no-API floor %.1f MB. The apply's %d requests wait at least %.0f s for PipesHub's limit.\n",
		float64(res.rssKiB[kinds[0]])/1024, float64(res.rssKiB[kinds[1]])/1024, total(res.calls["apply"]), res.applyRateWait)
	if len(only) > 1 {
		sb.WriteString("Provider CPU seconds (this provider / no-API floor):")
		for _, phase := range steps {
			fmt.Fprintf(&sb, " %s %.2f / %.2f;", phase, res.cpu[kinds[0]+"/"+phase], res.cpu[kinds[1]+"/"+phase])
		}
		sb.WriteString("\n")
	}
	b.ReportMetric(float64(res.rssKiB[kinds[0]])/1024, "rss-MB")
	b.ReportMetric(float64(total(res.calls["plan"])), "plan-calls")
	report(b, sb.String())
	return res
}

// callsText is a phase's API calls by kind, and their total.
func callsText(c map[string]int) string {
	var parts []string
	for _, k := range []string{"create", "read", "list", "delete", "other"} {
		if c[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, c[k]))
		}
	}
	return strings.Join(append(parts, fmt.Sprintf("(%d in all)", total(c))), ", ")
}

// rateWait is the least time requests sent at once take under PipesHub's
// default limit: the windows after the first that they must wait for.
func rateWait(requests int) float64 {
	return max(math.Ceil(float64(requests)/defaultLimit)-1, 0) * defaultWindow.Seconds()
}

// summary is the table: each size against its floor, side by side.
func summary(all []sizeResult) string {
	var sb strings.Builder
	sb.WriteString("\n#### Summary: this provider against the floor (no-API resource; for the apply, also the limit's waits)\n\n")
	sb.WriteString("| apps | apply s (provider / floor) | apply × floor | plan s (provider / floor) | plan × floor | API calls per plan | peak RSS MB (provider / floor) | load average (before; after) |\n")
	sb.WriteString("|---:|---|---:|---|---:|---:|---|---|\n")
	for _, r := range all {
		a, p, pf := r.seconds[kinds[0]+"/apply"], r.seconds[kinds[0]+"/plan"], r.seconds[kinds[1]+"/plan"]
		fmt.Fprintf(&sb, "| %d | %.2f / %.2f | %.2f | %.2f / %.2f | %.2f | %d | %.1f / %.1f | %s; %s |\n",
			r.n, a, r.applyFloor, a/r.applyFloor, p, pf, p/pf, total(r.calls["plan"]),
			float64(r.rssKiB[kinds[0]])/1024, float64(r.rssKiB[kinds[1]])/1024, r.loadBefore, r.loadAfter)
	}
	return sb.String()
}

// loadAverage is the machine's 1-, 5- and 15-minute load average.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// BenchmarkSoftMemoryLimit plans N apps (PIPESHUB_BENCH_MEM_N, default 1000)
// with the Go runtime's defaults (as the provider runs) and with the 56 MiB
// soft memory limit it used to set (GOMEMLIMIT=56MiB), alternating, for the
// provider and the no-API floor, and reports each one's peak RSS, seconds
// and CPU seconds: what such a limit buys and what it costs.
func BenchmarkSoftMemoryLimit(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("PIPESHUB_BENCH_MEM_N")); err == nil && v > 0 {
		n = v
	}
	for range b.N {
		h := newHarness(b, unlimited()) // memory, not pacing: no waits
		spaces := map[string]*workspace{}
		for _, k := range kinds[:2] {
			spaces[k] = h.workspace(b, k, n)
			h.run(b, spaces[k], "apply")
		}
		settings := []struct{ name, env string }{{"no limit (the default)", ""}, {"56 MiB soft limit (GOMEMLIMIT=56MiB)", "GOMEMLIMIT=56MiB"}}
		rss, secs, cpu := map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
		for range 2 * rounds(n) {
			for _, st := range settings {
				for _, k := range kinds[:2] {
					var env []string
					if st.env != "" {
						env = []string{st.env}
					}
					r := h.run(b, spaces[k], "plan", env...)
					rss[k+"/"+st.name] = append(rss[k+"/"+st.name], float64(r.rssKiB)/1024)
					secs[k+"/"+st.name] = append(secs[k+"/"+st.name], r.seconds)
					cpu[k+"/"+st.name] = append(cpu[k+"/"+st.name], r.cpu)
				}
			}
		}
		var sb strings.Builder
		fmt.Fprintf(&sb, "\n#### Soft memory limit: plan of %d apps, %d runs each (median; load average %s)\n\n", n, 2*rounds(n), loadAverage())
		sb.WriteString("| setting | provider peak RSS MB | no-API peak RSS MB | provider s | no-API s | provider CPU s | no-API CPU s |\n|---|---:|---:|---:|---:|---:|---:|\n")
		for _, st := range settings {
			fmt.Fprintf(&sb, "| %s | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f |\n", st.name,
				median(rss[kinds[0]+"/"+st.name]), median(rss[kinds[1]+"/"+st.name]),
				median(secs[kinds[0]+"/"+st.name]), median(secs[kinds[1]+"/"+st.name]),
				median(cpu[kinds[0]+"/"+st.name]), median(cpu[kinds[1]+"/"+st.name]))
		}
		report(b, sb.String())
	}
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
