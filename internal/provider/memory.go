package provider

import (
	"os"
	"runtime/debug"
)

// softMemoryLimit bounds the Go heap of the provider process. The live heap
// of a plan or apply is a few tens of MiB whatever the number of resources
// (mostly the plugin SDK's per-call logging contexts of the calls in
// flight), but with the runtime's default of collecting when the heap has
// doubled, a 500-app plan peaked above 100 MB of RSS. With this limit the
// collector runs earlier near it (the limit is soft: never an error, and
// the runtime caps the collector's share of CPU), and the peak stays near
// 72 MB, with no slowdown measured (BENCHMARKS.md).
const softMemoryLimit = 56 << 20

// LimitHeap sets the soft memory limit of the provider process, unless the
// user chose one with GOMEMLIMIT. Call it once before serving.
func LimitHeap() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
}
