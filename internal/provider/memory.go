package provider

import (
	"os"
	"runtime/debug"
)

// softMemoryLimit bounds the Go heap of the provider process. With the
// runtime's default of collecting when the heap has doubled, a 500-app plan
// peaked above 100 MB of RSS for a live heap of about 50 MiB (mostly the
// plugin SDK's per-call logging contexts; it grows slowly with the number of
// resources). With this limit the collector runs earlier near it, and the
// peak stayed near 73 MB (BENCHMARKS.md). The limit is soft: never an error,
// and the runtime caps the collector's share of CPU when the live heap
// comes close to it; GOMEMLIMIT raises it for very large configurations.
const softMemoryLimit = 56 << 20

// LimitHeap sets the soft memory limit of the provider process, unless the
// user chose one with GOMEMLIMIT. Call it once before serving.
func LimitHeap() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
}
