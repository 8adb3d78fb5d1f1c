package client

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// DefaultInterruptGrace is how long a write already sent may still run after
// its context is cancelled (Terraform's Ctrl-C or StopProvider), so that its
// answer, and a one-time client secret in it, can be saved to state.
const DefaultInterruptGrace = 20 * time.Second

// followUpTimeout bounds the calls that find out what a write did after its
// own context ended (a lookup after a lost create answer, a confirming GET).
const followUpTimeout = time.Minute

// withInterruptGrace derives the context of a write from ctx: ctx's deadline
// still ends it at once (the user's timeout), and so does a cancellation
// while nothing is in flight; a cancellation while the request is in flight
// (inFlight) lets it run for grace more, to receive its answer.
func withInterruptGrace(ctx context.Context, inFlight *atomic.Bool, grace time.Duration) (context.Context, context.CancelFunc) {
	inner, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stopDeadline := context.CancelFunc(func() {})
	if deadline, ok := ctx.Deadline(); ok {
		inner, stopDeadline = context.WithDeadline(inner, deadline)
	}
	var graceTimer atomic.Pointer[time.Timer]
	stopWatching := context.AfterFunc(ctx, func() {
		cause := context.Cause(ctx)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || !inFlight.Load() || grace <= 0 {
			cancel(cause)
			return
		}
		graceTimer.Store(time.AfterFunc(grace, func() { cancel(cause) }))
	})
	return inner, func() {
		stopWatching()
		if t := graceTimer.Load(); t != nil {
			t.Stop()
		}
		stopDeadline()
		cancel(context.Canceled)
	}
}

// followUpContext is a context for finding out what a write did: it keeps
// ctx's values but not its cancellation or deadline (both may be why the
// write's answer was lost), bounded by followUpTimeout.
func followUpContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), followUpTimeout)
}
