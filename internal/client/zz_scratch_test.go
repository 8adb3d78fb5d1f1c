package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

func TestScratchOrders(t *testing.T) {
	emu, url := newEmulator(t, emulator.Config{RateLimit: 1 << 30, GlobalRateLimit: 1 << 30})
	c, _ := newTestClient(t, url, nil)
	all := createApps(t, c, 5000)
	ids := idsOf(all)
	pos := map[string]int{}
	for i, id := range ids {
		pos[id] = i
	}
	byKey := slices.Clone(all)
	slices.SortFunc(byKey, func(a, b App) int {
		return strings.Compare(fmt.Sprint(pos[a.ID]), fmt.Sprint(pos[b.ID]))
	})
	shuffled := slices.Clone(all)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for name, order := range map[string][]App{"key": byKey, "shuffled": shuffled} {
		r := NewPagedReads(c)
		emu.ResetCalls()
		for _, app := range order {
			created, _ := time.Parse(time.RFC3339Nano, app.CreatedAt)
			_, _ = r.GetApp(context.Background(), app.ID, created)
		}
		t.Logf("%s sequential: %v", name, emu.CallCounts())
		emu.ResetCalls()
		readAll(NewPagedReads(c), order)
		t.Logf("%s concurrent: %v", name, emu.CallCounts())
		emu.ResetCalls()
		readAll(NewPagedReads(c), order)
		t.Logf("%s concurrent: %v", name, emu.CallCounts())
	}
}
