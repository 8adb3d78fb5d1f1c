package emulator

import "time"

// SetClock replaces the emulator's clock; call it before serving requests.
func (e *Emulator) SetClock(now func() time.Time) { e.now = now }
