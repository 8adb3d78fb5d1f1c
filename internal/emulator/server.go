package emulator

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Server serves an Emulator on a TCP address that stays the same across
// restarts, so a test can make the PipesHub server go away for a while
// (RefuseConnections) and come back on the same URL.
type Server struct {
	handler http.Handler
	addr    string // the resolved host:port, listened on again after a restart
	url     string

	mu      sync.Mutex
	srv     *http.Server  // nil while down
	ln      net.Listener  // srv's listener, closed by us: srv may not have started serving on it yet
	gen     int           // bumped by every RefuseConnections and by Close
	closed  bool          // Close was called
	stop    chan struct{} // closed by Close: pending restarts give up
	pending sync.WaitGroup
	lastErr error // the last failure to listen again, nil once it succeeds
}

// StartServer serves e on addr ("127.0.0.1:0" picks a free port) until
// Close. The Emulator stays the caller's to close.
func StartServer(e *Emulator, addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		_ = ln.Close()
		return nil, fmt.Errorf("emulator: %s is not a TCP address", addr)
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1" // listening on every address: clients use loopback
	}
	s := &Server{
		handler: e,
		addr:    ln.Addr().String(),
		url:     "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port)) + apiPrefix,
		stop:    make(chan struct{}),
	}
	s.serve(ln)
	return s, nil
}

// URL is the PipesHub server URL, "http://127.0.0.1:PORT/api/v1".
func (s *Server) URL() string { return s.url }

// RefuseConnections takes the server down at once: the listener and every
// connection, idle or active, are closed (requests in flight end without an
// answer; hung ones stop waiting), so new connections are refused. After d
// it listens again on the same address, in the background. A call while the
// server is down restarts the count: it comes back d after the last call.
func (s *Server) RefuseConnections(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.gen++
	gen := s.gen
	_ = s.takeDown()
	s.pending.Add(1)
	go func() {
		defer s.pending.Done()
		s.restartAfter(d, gen)
	}()
}

// restartAfter listens again after d, unless the server was closed or
// taken down again meanwhile. It retries while the port is briefly
// unavailable.
func (s *Server) restartAfter(d time.Duration, gen int) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.stop:
		return
	case <-t.C:
	}
	backoff := 5 * time.Millisecond
	for {
		s.mu.Lock()
		if s.gen != gen {
			s.mu.Unlock()
			return
		}
		ln, err := net.Listen("tcp", s.addr)
		if err == nil {
			s.lastErr = nil
			s.serve(ln)
			s.mu.Unlock()
			return
		}
		s.lastErr = err
		s.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 200*time.Millisecond)
	}
}

// serve starts an http.Server on ln; a fresh one per period up, since a
// closed http.Server cannot serve again. Called with s.mu held or before s
// is shared.
func (s *Server) serve(ln net.Listener) {
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.srv, s.ln = srv, ln
	go func() { _ = srv.Serve(ln) }()
}

// takeDown closes the http.Server and its listener. The listener is closed
// here, not left to srv.Close: until srv.Serve has started, srv does not
// know it, and the kernel would go on accepting connections that Serve then
// resets, where a server that is down refuses them. Called with s.mu held.
func (s *Server) takeDown() error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	if lnErr := s.ln.Close(); lnErr != nil && !errors.Is(lnErr, net.ErrClosed) {
		err = errors.Join(err, lnErr)
	}
	s.srv, s.ln = nil, nil
	return err
}

// Close stops serving for good: the listener and every connection are
// closed, a pending restart is cancelled. It returns the last failure to
// listen again after RefuseConnections, if the server never came back.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.gen++
	close(s.stop)
	err := s.takeDown()
	s.mu.Unlock()
	s.pending.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(err, s.lastErr)
}
