package client

import (
	"context"
	"fmt"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// BenchmarkGetApp is one GET round trip through the client (retry wrapper,
// pacing, JSON decoding) against the emulator over loopback HTTP.
func BenchmarkGetApp(b *testing.B) {
	emu, url := newEmulator(b, emulator.Config{RateLimit: 1 << 30, GlobalRateLimit: 1 << 30})
	c, _ := newTestClient(b, url, nil)
	ctx := context.Background()
	app, err := c.CreateApp(ctx, clientCredentialsApp("bench"))
	if err != nil {
		b.Fatal(err)
	}
	emu.ResetCalls()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetApp(ctx, app.ID); err != nil {
			b.Fatal(err)
		}
	}
	reportCallsPerOp(b, emu)
}

// BenchmarkListAllApps250 walks 250 apps (3 pages of 100).
func BenchmarkListAllApps250(b *testing.B) {
	emu, url := newEmulator(b, emulator.Config{RateLimit: 1 << 30, GlobalRateLimit: 1 << 30})
	c, _ := newTestClient(b, url, nil)
	ctx := context.Background()
	for i := range 250 {
		if _, err := c.CreateApp(ctx, clientCredentialsApp(fmt.Sprintf("bench-%03d", i))); err != nil {
			b.Fatal(err)
		}
	}
	emu.ResetCalls()
	b.ReportAllocs()
	for b.Loop() {
		apps, err := c.ListAllApps(ctx, "", "")
		if err != nil || len(apps) != 250 {
			b.Fatalf("%d apps, %v", len(apps), err)
		}
	}
	reportCallsPerOp(b, emu)
}

// reportCallsPerOp adds the API requests per operation, counted by the
// emulator, to the benchmark's figures: a change that adds a call shows there.
func reportCallsPerOp(b *testing.B, emu *emulator.Emulator) {
	total := 0
	for _, n := range emu.CallCounts() {
		total += n
	}
	b.ReportMetric(float64(total)/float64(b.N), "calls/op")
}
