package provider

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Ctrl-C in the middle of `terraform apply` must orphan nothing: every create
// PipesHub received while Terraform was being interrupted ends up in state
// with a working one-time secret, and the next apply creates only the rest.
//
// terraform-plugin-testing cannot interrupt a command, so these tests drive
// the terraform binary themselves, with the provider served in-process in
// debug mode and attached through TF_REATTACH_PROVIDERS (as plugin-testing
// does).

// cliProviderAddr is the provider's address in the test configurations: the
// source "pipeshub-ai/pipeshub" on the CLI's default registry, which OpenTofu
// runs name in TF_ACC_PROVIDER_HOST (registry.opentofu.org).
func cliProviderAddr() string {
	return cmp.Or(os.Getenv("TF_ACC_PROVIDER_HOST"), "registry.terraform.io") + "/pipeshub-ai/pipeshub"
}

// How long the emulator holds the answer of an applied write: long enough to
// interrupt Terraform while the writes are in flight, well within
// client.DefaultInterruptGrace, the time the provider lets them finish.
const interruptHold = 3 * time.Second

// Ten creates in flight at once (terraform's default -parallelism), 20 apps
// in all: interrupted after five creates, the apply cannot have created all.
func TestAccOAuthApp_interruptCreate(t *testing.T) {
	tf := newInterruptHarness(t)
	emu, serverURL, api := newTestEmulatorWithAdminClient(t)
	const total = 20
	tf.writeConfig(serverURL, testAccAdminToken, `
resource "pipeshub_oauth_app" "app" {
  count               = 20
  name                = "interrupt ${count.index}"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
`)
	tf.mustRun("init", "-input=false", "-no-color")

	// Every create is applied at once and answered interruptHold later.
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, Count: total, ApplyThenHang: interruptHold})
	out, code := tf.interruptAfter(func() bool { return emu.Calls(emulator.RouteCreateApp) >= 5 },
		"apply", "-auto-approve", "-input=false", "-no-color")
	createsSent := emu.Calls(emulator.RouteCreateApp)
	if code == 0 || !interruptedRun(out) {
		tf.fatalf(out, "the interrupted apply exited %d; want non-zero, with Terraform's interrupt messages", code)
	}
	if createsSent >= total {
		tf.fatalf(out, "the interrupted apply sent %d creates by the time it exited; an interrupted apply sends fewer than %d", createsSent, total)
	}
	// What the interrupted run left: every create sent is in state, with
	// no app on the server that the state does not hold.
	interrupted := tf.appsInState()
	if len(interrupted) != createsSent {
		tf.fatalf(out, "state after the interrupt holds %d apps, but PipesHub received %d creates", len(interrupted), createsSent)
	}
	interruptAssertStateMatchesServer(t, api, interrupted, createsSent)
	// Every create sent completed: the provider waited for its held answer.
	// A create Terraform had started but the provider had not yet sent when
	// the interrupt came fails with the cancellation (or Terraform halts it
	// before calling the provider), and nothing else.
	started := strings.Count(out, ": Creating...")
	completed := strings.Count(out, ": Creation complete")
	failed := strings.Count(out, "Error: Cannot create OAuth app")
	if completed != createsSent || completed+failed > started ||
		strings.Count(out, "POST /oauth-clients: context canceled") != failed || strings.Contains(out, "may have created") {
		tf.fatalf(out, "the interrupted apply started %d creates, sent %d, completed %d, failed %d; "+
			"want every create sent completed, and only those never sent failed, by the interrupt", started, createsSent, completed, failed)
	}
	// The answers were received, not lost and recovered: the one-time
	// secrets in state are those of the creates.
	if regens := emu.Calls(emulator.RouteRegenerateSecret); regens != 0 || strings.Contains(out, "recovered after a lost response") {
		tf.fatalf(out, "the interrupted apply regenerated %d secrets; want 0 (each create's answer received within the grace)", regens)
	}
	t.Logf("interrupted apply: exit %d; of %d creates started, %d sent and saved, %d failed before sending",
		code, started, createsSent, failed)

	emu.ClearFaults()
	tf.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if out, code := tf.run("plan", "-detailed-exitcode", "-input=false", "-no-color"); code != 0 {
		tf.fatalf(out, "plan after the re-apply exited %d; want 0 (no changes)", code)
	}
	if creates := emu.Calls(emulator.RouteCreateApp); creates != total {
		t.Errorf("PipesHub received %d creates in all; want %d (one per app)", creates, total)
	}

	final := tf.appsInState()
	interruptAssertStateMatchesServer(t, api, final, total)
	for i := range total {
		addr := fmt.Sprintf("pipeshub_oauth_app.app[%d]", i)
		app, ok := final[addr]
		if !ok {
			t.Errorf("%s is missing from state", addr)
			continue
		}
		if want := fmt.Sprintf("interrupt %d", i); app.name != want {
			t.Errorf("%s: name %q; want %q", addr, app.name, want)
		}
		// The apps created by the interrupted run keep the state it saved.
		for _, before := range interrupted {
			if before.id == app.id && before.secret != app.secret {
				t.Errorf("%s: client_secret changed after the interrupted run", addr)
			}
		}
	}
}

// An update whose answer is still on its way when Terraform is interrupted
// is saved: the re-apply finds nothing to do, and the app is never replaced.
func TestAccOAuthApp_interruptUpdate(t *testing.T) {
	tf := newInterruptHarness(t)
	emu, serverURL, api := newTestEmulatorWithAdminClient(t)
	config := func(name string) string {
		return fmt.Sprintf(`
resource "pipeshub_oauth_app" "app" {
  name                = %q
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
`, name)
	}
	const addr = "pipeshub_oauth_app.app"
	tf.writeConfig(serverURL, testAccAdminToken, config("interrupt before"))
	tf.mustRun("init", "-input=false", "-no-color")
	tf.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	created := tf.appsInState()[addr]
	if created.id == "" {
		t.Fatalf("%s is not in state after the first apply", addr)
	}

	tf.writeConfig(serverURL, testAccAdminToken, config("interrupt after"))
	emu.InjectFault(emulator.Fault{Route: emulator.RouteUpdateApp, ApplyThenHang: interruptHold})
	out, code := tf.interruptAfter(func() bool { return emu.Calls(emulator.RouteUpdateApp) >= 1 },
		"apply", "-auto-approve", "-input=false", "-no-color")
	if code == 0 || !interruptedRun(out) {
		tf.fatalf(out, "the interrupted apply exited %d; want non-zero, with Terraform's interrupt messages", code)
	}
	if updates := emu.Calls(emulator.RouteUpdateApp); updates != 1 {
		tf.fatalf(out, "PipesHub received %d updates; want 1", updates)
	}
	if got := tf.appsInState()[addr]; got.id != created.id || got.name != "interrupt after" {
		tf.fatalf(out, "state after the interrupt: id %q, name %q; want id %q, name %q (the held answer saved)",
			got.id, got.name, created.id, "interrupt after")
	}
	if !strings.Contains(out, "Modifications complete") {
		tf.fatalf(out, "the interrupted apply did not complete the update already sent")
	}
	t.Logf("interrupted apply: exit %d, the update's answer saved", code)

	emu.ClearFaults()
	tf.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if out, code := tf.run("plan", "-detailed-exitcode", "-input=false", "-no-color"); code != 0 {
		tf.fatalf(out, "plan after the re-apply exited %d; want 0 (no changes)", code)
	}
	final := tf.appsInState()
	interruptAssertStateMatchesServer(t, api, final, 1)
	app := final[addr]
	if app.id != created.id || app.name != "interrupt after" || app.secret != created.secret {
		t.Errorf("after the re-apply: id %q, name %q, secret kept %t; want id %q, name %q, the secret of the create",
			app.id, app.name, app.secret == created.secret, created.id, "interrupt after")
	}
	if creates := emu.Calls(emulator.RouteCreateApp); creates != 1 {
		t.Errorf("PipesHub received %d creates; want 1 (the app must not be replaced)", creates)
	}
}

// interruptHarness runs the terraform binary in a working directory of its
// own, with the provider served in-process for each command.
type interruptHarness struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

func newInterruptHarness(t *testing.T) *interruptHarness {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Acceptance tests skipped unless env 'TF_ACC' set")
	}
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH") // never empty with TF_ACC set: TestMain
	dir := t.TempDir()
	// An empty CLI configuration, so that no preset of the environment
	// (mirrors, dev_overrides, a missing file) changes what terraform does.
	cliConfig := filepath.Join(dir, "terraform.rc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		// The harness decides every TF_ and PIPESHUB_ variable itself.
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "PIPESHUB_") && !strings.HasPrefix(kv, "CHECKPOINT_") {
			env = append(env, kv)
		}
	}
	// terraform init installs nothing for a provider in
	// TF_REATTACH_PROVIDERS (it is unmanaged, and not written to the lock
	// file), so no registry, dev_overrides or -plugin-dir is needed: the
	// commands run offline with this empty CLI configuration.
	env = append(env, "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	return &interruptHarness{t: t, bin: bin, dir: work, env: env}
}

// writeConfig writes main.tf: the provider pointed at serverURL with token, and resources.
func (h *interruptHarness) writeConfig(serverURL, token, resources string) {
	h.t.Helper()
	h.writeMainTF(testAccProviderConfig(serverURL, token) + resources)
}

// writeMainTF writes main.tf: the provider's requirement, then config.
func (h *interruptHarness) writeMainTF(config string) {
	h.t.Helper()
	config = `
terraform {
  required_providers {
    pipeshub = { source = "pipeshub-ai/pipeshub" }
  }
}
` + config
	if err := os.WriteFile(filepath.Join(h.dir, "main.tf"), []byte(config), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// serveProvider serves a fresh provider in debug mode, as plugin-testing
// does for each command, and returns the TF_REATTACH_PROVIDERS value that
// makes terraform use it (terraform then neither installs nor starts it) and
// a function that stops it.
func (h *interruptHarness) serveProvider() (reattach string, stop func()) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	configCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- tf6server.Serve(cliProviderAddr(), providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, configCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			// Provider logs follow TF_LOG and TF_ACC_LOG_PATH of the
			// test, as with plugin-testing (off by default).
			tf6server.WithLoggingSink(h.t),
			tf6server.WithoutLogStderrOverride())
	}()
	stop = func() {
		cancel()
		select {
		case <-closeCh:
		case <-time.After(30 * time.Second):
			h.t.Errorf("the provider server did not stop")
		}
	}
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-configCh:
	case err := <-serveErr:
		stop()
		h.t.Fatalf("serving the provider: %v", err)
	case <-time.After(30 * time.Second):
		stop()
		h.t.Fatal("the provider server gave no reattach configuration")
	}
	type addr struct{ Network, String string }
	type reattachConfig struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	raw, err := json.Marshal(map[string]reattachConfig{cliProviderAddr(): {
		Protocol:        string(cfg.Protocol),
		ProtocolVersion: cfg.ProtocolVersion,
		Pid:             cfg.Pid,
		Test:            cfg.Test,
		Addr:            addr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
	}})
	if err != nil {
		stop()
		h.t.Fatal(err)
	}
	return string(raw), stop
}

// interruptTFProcess is a terraform command started by start.
type interruptTFProcess struct {
	h       *interruptHarness
	cmd     *exec.Cmd
	out     bytes.Buffer
	exited  chan struct{} // closed once the command has exited and waitErr is set
	waitErr error
	stop    func() // stops the command's provider server
}

// start starts terraform with a fresh provider. The test's cleanup kills a
// terraform still running and stops the provider.
func (h *interruptHarness) start(args ...string) *interruptTFProcess {
	h.t.Helper()
	reattach, stopProvider := h.serveProvider()
	p := &interruptTFProcess{h: h, cmd: exec.Command(h.bin, args...), exited: make(chan struct{}), stop: stopProvider}
	p.cmd.Dir = h.dir
	p.cmd.Env = append(slices.Clip(h.env), "TF_REATTACH_PROVIDERS="+reattach)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		stopProvider()
		h.t.Fatalf("starting terraform %s: %v", args[0], err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	h.t.Cleanup(func() {
		if !p.waitFor(0) {
			_ = p.cmd.Process.Kill()
			p.waitFor(30 * time.Second)
		}
		stopProvider()
	})
	return p
}

// waitFor reports whether the command exits within timeout.
func (p *interruptTFProcess) waitFor(timeout time.Duration) bool {
	select {
	case <-p.exited:
		return true
	default:
	}
	select {
	case <-p.exited:
		return true
	case <-time.After(timeout):
		return false
	}
}

// wait waits for the command to exit (killing it and failing the test after
// timeout) and returns its combined output and exit code.
func (p *interruptTFProcess) wait(timeout time.Duration) (string, int) {
	p.h.t.Helper()
	name := p.cmd.Args[1]
	if !p.waitFor(timeout) {
		_ = p.cmd.Process.Kill()
		p.waitFor(30 * time.Second)
		p.h.fatalf(p.out.String(), "terraform %s did not exit within %v", name, timeout)
	}
	p.stop()
	var exitErr *exec.ExitError
	if p.waitErr != nil && !errors.As(p.waitErr, &exitErr) {
		p.h.t.Fatalf("terraform %s: %v", name, p.waitErr)
	}
	return p.out.String(), p.cmd.ProcessState.ExitCode()
}

// run runs terraform to its end and returns its output and exit code.
func (h *interruptHarness) run(args ...string) (string, int) {
	h.t.Helper()
	return h.start(args...).wait(3 * time.Minute)
}

// mustRun runs terraform and fails the test unless it succeeds.
func (h *interruptHarness) mustRun(args ...string) string {
	h.t.Helper()
	out, code := h.run(args...)
	if code != 0 {
		h.fatalf(out, "terraform %s exited %d", args[0], code)
	}
	return out
}

// interruptAfter starts terraform, sends it SIGINT (Ctrl-C) once ready
// reports true, and waits for it to exit.
func (h *interruptHarness) interruptAfter(ready func() bool, args ...string) (string, int) {
	h.t.Helper()
	p := h.start(args...)
	deadline := time.Now().Add(time.Minute)
	for !ready() {
		if p.waitFor(0) || time.Now().After(deadline) {
			out, code := p.wait(time.Second)
			h.fatalf(out, "terraform %s (exit %d) never reached the point to interrupt", args[0], code)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		h.t.Fatalf("interrupting terraform: %v", err)
	}
	return p.wait(90 * time.Second)
}

// interruptedRun reports whether terraform's output is that of a run it
// stopped on Ctrl-C: it acknowledges the interrupt, and the operations it did
// not start end in "execution halted".
func interruptedRun(out string) bool {
	return strings.Contains(out, "Interrupt received") && strings.Contains(out, "Error: execution halted")
}

// appsInState returns the pipeshub_oauth_app instances in state by address.
func (h *interruptHarness) appsInState() map[string]stateApp {
	h.t.Helper()
	out, code := h.run("show", "-json", "-no-color")
	if code != 0 {
		h.fatalf(out, "terraform show exited %d", code)
	}
	var state tfjson.State
	if err := state.UnmarshalJSON([]byte(out)); err != nil {
		h.t.Fatalf("decoding terraform show -json: %v", err)
	}
	apps := map[string]stateApp{}
	for _, app := range stateApps(&state) {
		apps[app.address] = app
	}
	return apps
}

// fatalf fails the test, with terraform's output in the log (it holds no
// secrets: the token and client secrets are sensitive), without the plan,
// blank lines and the repeats of "Error: execution halted".
func (h *interruptHarness) fatalf(out, format string, args ...any) {
	h.t.Helper()
	var brief []string
	inPlan, halted := false, 0
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "Terraform used the selected providers"):
			inPlan = true
		case inPlan:
			inPlan = !strings.HasPrefix(line, "Plan: ")
		case strings.TrimSpace(line) == "":
		case line == "Error: execution halted":
			halted++
		default:
			brief = append(brief, line)
		}
	}
	if halted > 0 {
		brief = append(brief, fmt.Sprintf("(Error: execution halted, %d times)", halted))
	}
	h.t.Logf("terraform output, without the plan:\n%s", strings.Join(brief, "\n"))
	h.t.Fatalf(format, args...)
}

// interruptAssertStateMatchesServer checks that the state holds want apps
// and PipesHub exactly those (serverMatchesState: none orphaned, none twice
// in state, each secret working).
func interruptAssertStateMatchesServer(t *testing.T, api *client.Client, state map[string]stateApp, want int) {
	t.Helper()
	if len(state) != want {
		t.Fatalf("the state holds %d apps, want %d", len(state), want)
	}
	if err := serverMatchesState(api, slices.Collect(maps.Values(state)), nil); err != nil {
		t.Fatal(err)
	}
}
