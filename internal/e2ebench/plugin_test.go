package e2ebench

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	pipeshub "github.com/pipeshub-ai/terraform-provider-pipeshub/internal/provider"
)

// Environment of the test binary when terraform starts it as the provider.
const (
	envServePlugin = "PIPESHUB_BENCH_PLUGIN"     // "1": serve the provider instead of running tests
	envOutDir      = "PIPESHUB_BENCH_OUT"        // where the plugin writes rss-<pid>, cpums-<pid> (and cpu-<pid>.prof)
	envCPUProfile  = "PIPESHUB_BENCH_CPUPROFILE" // "1": write a CPU profile of the provider process
	envMemProfile  = "PIPESHUB_BENCH_MEMPROFILE" // "1": write a heap profile and memory statistics at exit
)

// init turns this test binary into the provider plugin when terraform starts
// it (through a dev_overrides symlink), so that the test-only no-API resource
// is served beside the real one without shipping in the real binary.
func init() {
	if os.Getenv(envServePlugin) != "1" {
		return
	}
	servePlugin()
	os.Exit(0)
}

func servePlugin() {
	out := os.Getenv(envOutDir)
	var stopProfile func()
	if out != "" && os.Getenv(envCPUProfile) == "1" {
		f, err := os.Create(filepath.Join(out, fmt.Sprintf("cpu-%d.prof", os.Getpid())))
		if err == nil && pprof.StartCPUProfile(f) == nil {
			stopProfile = func() { pprof.StopCPUProfile(); _ = f.Close() }
		}
	}
	if out != "" {
		go func() {
			for range time.Tick(200 * time.Millisecond) {
				writeUsage(out)
			}
		}()
	}
	pipeshub.DropLogsTerraformDiscards() // as main does
	err := providerserver.Serve(context.Background(), func() provider.Provider {
		return &benchProvider{Provider: pipeshub.New("bench")()}
	}, providerserver.ServeOpts{Address: "registry.terraform.io/pipeshub-ai/pipeshub"})
	if stopProfile != nil {
		stopProfile()
	}
	if out != "" {
		writeUsage(out)
		if os.Getenv(envMemProfile) == "1" {
			writeMemProfile(out)
		}
	}
	if err != nil {
		log.Fatal(err)
	}
}

// writeUsage records this process's CPU time so far (user and system, in
// milliseconds: getrusage) and its peak resident set size.
func writeUsage(dir string) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		ms := (ru.Utime.Nano() + ru.Stime.Nano()) / 1e6
		name := filepath.Join(dir, fmt.Sprintf("cpums-%d", os.Getpid()))
		if os.WriteFile(name+".tmp", []byte(fmt.Sprint(ms)), 0o600) == nil {
			_ = os.Rename(name+".tmp", name)
		}
	}
	writePeakRSS(dir)
}

// writePeakRSS records this process's peak resident set size in KiB: VmHWM
// of /proc/self/status, the high-water mark of this program's own memory.
// (getrusage's ru_maxrss would not do: Go starts a child with CLONE_VM, so
// the provider's ru_maxrss starts at terraform's own peak.)
func writePeakRSS(dir string) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
			name := filepath.Join(dir, fmt.Sprintf("rss-%d", os.Getpid()))
			if os.WriteFile(name+".tmp", []byte(kib), 0o600) == nil {
				_ = os.Rename(name+".tmp", name)
			}
			return
		}
	}
}

// writeMemProfile writes the heap profile and the runtime's memory figures.
func writeMemProfile(dir string) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("mem-%d.txt", os.Getpid())), []byte(fmt.Sprintf(
		"sys_mib=%d heap_sys_mib=%d heap_inuse_mib=%d total_alloc_mib=%d num_gc=%d\n",
		ms.Sys>>20, ms.HeapSys>>20, ms.HeapInuse>>20, ms.TotalAlloc>>20, ms.NumGC)), 0o644)
	if f, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap-%d.prof", os.Getpid()))); err == nil {
		_ = pprof.WriteHeapProfile(f)
		_ = f.Close()
	}
	if f, err := os.Create(filepath.Join(dir, fmt.Sprintf("goroutines-%d.txt", os.Getpid()))); err == nil {
		_ = pprof.Lookup("goroutine").WriteTo(f, 1)
		_ = f.Close()
	}
}

// benchProvider is the real provider plus pipeshub_oauth_app_noapi.
type benchProvider struct {
	provider.Provider
}

func (p *benchProvider) Resources(ctx context.Context) []func() resource.Resource {
	return append(p.Provider.Resources(ctx), func() resource.Resource { return &noAPIResource{} })
}

// noAPIResource has pipeshub_oauth_app's schema, validators and plan
// modifiers included (pure functions of the configuration, as the issue's
// floor is "a provider of the same schema"), and makes no API call: the
// baseline of what Terraform and the plugin framework cost for a resource of
// this shape, so the provider's own cost is the rest.
type noAPIResource struct{}

var noAPISeq atomic.Int64

func (r *noAPIResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_app_noapi"
}

func (r *noAPIResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = realAppSchema(ctx)
}

// realAppSchema is pipeshub_oauth_app's schema as the provider declares it.
func realAppSchema(ctx context.Context) schema.Schema {
	for _, newResource := range pipeshub.New("bench")().Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "pipeshub"}, &meta)
		if meta.TypeName == "pipeshub_oauth_app" {
			var resp resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &resp)
			return resp.Schema
		}
	}
	panic("pipeshub_oauth_app not found")
}

func (r *noAPIResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
	n := noAPISeq.Add(1)
	now := time.Now().UTC().Format(time.RFC3339)
	for attr, v := range map[string]string{
		"id":            fmt.Sprintf("%024x", n),
		"client_id":     fmt.Sprintf("00000000-0000-4000-8000-%012x", n),
		"slug":          fmt.Sprintf("oauthapp-%d", n),
		"created_at":    now,
		"updated_at":    now,
		"client_secret": fmt.Sprintf("%064x", n),
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), v)...)
	}
}

func (r *noAPIResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *noAPIResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("updated_at"), time.Now().UTC().Format(time.RFC3339))...)
}

func (r *noAPIResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
