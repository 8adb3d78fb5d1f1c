package emulator_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// startServer serves a fresh emulator with a Server until the test ends,
// and gives a client of its own (so no other test's connections mix in).
func startServer(t *testing.T, addr string) (*emulator.Emulator, *emulator.Server, *http.Client) {
	t.Helper()
	emu, err := emulator.New(emuConfig())
	if err != nil {
		t.Fatal(err)
	}
	s, err := emulator.StartServer(emu, addr)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	t.Cleanup(func() {
		client.CloseIdleConnections()
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if err := emu.Close(); err != nil {
			t.Error(err)
		}
	})
	return emu, s, client
}

// get asks for the scopes: the status, or the error.
func get(ctx context.Context, client *http.Client, url string) (int, error) {
	hr, err := http.NewRequestWithContext(ctx, "GET", url+"/oauth-clients/scopes", nil)
	if err != nil {
		return 0, err
	}
	hr.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := client.Do(hr)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	return resp.StatusCode, err
}

// TestServerRefuseConnections: while down, connections are refused at
// once; after the pause the same URL answers again, with the same state.
func TestServerRefuseConnections(t *testing.T) {
	emu, s, client := startServer(t, "127.0.0.1:0")
	url := s.URL()
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/api/v1") || strings.Contains(url, ":0/") {
		t.Fatalf("URL %q", url)
	}
	if status, err := get(context.Background(), client, url); status != 200 || err != nil {
		t.Fatalf("before: %d %v", status, err)
	}
	const down = 300 * time.Millisecond
	start := time.Now()
	s.RefuseConnections(down)
	// The client's idle connection was closed too: this request dials anew.
	_, err := get(context.Background(), client, url)
	// Refused can only happen while down; a lingering connection would
	// have answered 200 instead.
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("while down: %v, want connection refused", err)
	}
	for {
		status, err := get(context.Background(), client, url)
		if err == nil {
			if status != 200 {
				t.Fatalf("after restart: %d", status)
			}
			break
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("while down: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if elapsed := time.Since(start); elapsed < down-50*time.Millisecond {
		t.Errorf("back after %v, before the %v pause ended", elapsed, down)
	}
	if s.URL() != url {
		t.Errorf("URL changed: %s, was %s", s.URL(), url)
	}
	if got := emu.Calls(emulator.RouteListScopes); got != 2 {
		t.Errorf("scopes calls: %d", got)
	}
}

// TestServerRefuseEndsRequestsInFlight: taking the server down closes
// active connections: a hung request ends at once, its change applied.
func TestServerRefuseEndsRequestsInFlight(t *testing.T) {
	emu, s, client := startServer(t, "127.0.0.1:0")
	h := &harness{t: t, client: client, emu: emu, url: s.URL()}
	listApps := func() string { return h.do(req{method: "GET", path: "/oauth-clients", token: adminToken}).raw }
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, ApplyThenHang: time.Hour})
	done := make(chan error, 1)
	go func() {
		hr, _ := http.NewRequest("POST", s.URL()+"/oauth-clients", strings.NewReader(createBody))
		hr.Header.Set("Authorization", "Bearer "+adminToken)
		hr.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(hr)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	// The create is applied before the hang starts: wait until it shows.
	// Generous bounds: they only decide how long a broken emulator takes to
	// fail the test, and a loaded CI machine must not fail a working one.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(listApps(), `"name":"applied"`); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the hung create was never applied")
		}
	}
	s.RefuseConnections(50 * time.Millisecond)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the hung request got an answer")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hung request still waits after the server went down")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := get(context.Background(), client, s.URL()); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("not back: %v", err)
		}
	}
	if got := listApps(); !strings.Contains(got, `"name":"applied"`) {
		t.Fatalf("the app is gone after the restart: %s", got)
	}
}

// TestServerClose: Close stops for good, even with a restart pending, and
// is idempotent; RefuseConnections after Close does nothing.
func TestServerClose(t *testing.T) {
	emu, err := emulator.New(emuConfig())
	if err != nil {
		t.Fatal(err)
	}
	s, err := emulator.StartServer(emu, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(s.URL(), "http://"), "/api/v1")
	s.RefuseConnections(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.RefuseConnections(0)
	time.Sleep(100 * time.Millisecond)
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Fatal("listening again after Close")
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.StartServer(emu, "256.0.0.1:1"); err == nil {
		t.Error("bad address accepted")
	}
}

// TestServerAnyAddress: listening on every address gives a loopback URL.
func TestServerAnyAddress(t *testing.T) {
	_, s, client := startServer(t, ":0")
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %q", s.URL())
	}
	if status, err := get(context.Background(), client, s.URL()); status != 200 || err != nil {
		t.Fatalf("%d %v", status, err)
	}
}
