package client

import (
	"net/http"
	"sync"
	"time"
)

// serverClock bounds the offset between PipesHub's clock and ours from the
// Date headers of its answers, so that "created after this request was sent"
// can be judged on PipesHub's createdAt. A Date header is PipesHub's time,
// truncated to the second, at some instant between our sending the request
// and our receiving the answer; so offset = server - local lies in
// (Date - received, Date + 1s - sent). Every answer narrows the interval.
type serverClock struct {
	mu     sync.Mutex
	known  bool
	lo, hi time.Duration
}

func (c *serverClock) observe(h http.Header, sent, received time.Time) {
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return
	}
	lo, hi := date.Sub(received), date.Add(time.Second).Sub(sent)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.known {
		c.lo, c.hi, c.known = lo, hi, true
		return
	}
	newLo, newHi := max(c.lo, lo), min(c.hi, hi)
	if newLo > newHi {
		// The clocks moved against each other; start again from this answer.
		newLo, newHi = lo, hi
	}
	c.lo, c.hi = newLo, newHi
}

// bounds returns the earliest and latest server times at local time t, and
// false when no answer carried a Date header yet.
func (c *serverClock) bounds(t time.Time) (earliest, latest time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return t.Add(c.lo), t.Add(c.hi), c.known
}
