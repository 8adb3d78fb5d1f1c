package client

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Terraform runs 10 operations at once: bursts of 10 concurrent requests
// reuse the connections of the first burst instead of dialling anew (which
// against PipesHub means a TLS handshake each).
func TestClient_reusesConnectionsAcrossBursts(t *testing.T) {
	t.Parallel()
	emu, err := emulator.New(emulator.Config{Tokens: testUsers, RateLimit: 1 << 30, GlobalRateLimit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	var dialled atomic.Int32
	srv := httptest.NewUnstartedServer(emu)
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			dialled.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		_ = emu.Close()
	})
	c, _ := newTestClient(t, srv.URL+"/api/v1", nil)
	ctx := context.Background()
	app, err := c.CreateApp(ctx, clientCredentialsApp("connections"))
	if err != nil {
		t.Fatal(err)
	}
	const bursts, perBurst = 5, 10
	for range bursts {
		var wg sync.WaitGroup
		for range perBurst {
			wg.Go(func() {
				if _, err := c.GetApp(ctx, app.ID); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	if n := dialled.Load(); n > 1+perBurst {
		t.Errorf("%d connections for a create and %d bursts of %d requests; want at most %d", n, bursts, perBurst, 1+perBurst)
	}
}
