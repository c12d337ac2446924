// Package sshd is winsim's SSH server: the part of Windows' OpenSSH server (Win32-OpenSSH's sshd) that
// clients running commands rely on (docs/knowledge/ssh.md). Password and public-key authentication for
// the host's one account, the administrators_authorized_keys file for it (an administrator), and "exec"
// requests run through the default shell, cmd.exe, as `cmd.exe /c "<command>"` with stdin streamed and
// the process's 32-bit exit code sent back as exit-status. A restart drops every connection.
package sshd

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// serverVersion is the identification string the server sends. Windows' OpenSSH identifies itself as
// OpenSSH_for_Windows_<version> (docs/knowledge/ssh.md#identification).
const serverVersion = "SSH-2.0-OpenSSH_for_Windows_9.5"

// Config configures a server.
type Config struct {
	// User and Password are the account clients log on as. Windows account names compare without case.
	User, Password string
	// HostKey is the host's key (sshd's ssh_host_ed25519_key).
	HostKey ssh.Signer
	// AuthorizedKeys returns the authorized_keys file that applies to the account: for an administrator
	// administrators_authorized_keys under %ProgramData%\ssh (docs/knowledge/ssh.md#authorized-keys).
	// nil or an empty file: public-key authentication fails.
	AuthorizedKeys func() []byte
	// Run runs one command line as the default shell (cmd.exe /c) would, returning the exit code.
	Run func(ctx context.Context, line string, stdin io.Reader, stdout, stderr io.Writer) uint32
	// Up reports whether the host accepts connections; a connection made while it is down is closed at
	// once (the TCP reset of a restarting machine), or, with DropWhileDown, held unanswered until the host
	// is back and then closed (a machine that is off).
	Up            func() bool
	DropWhileDown bool
	// Refuse, when it returns true, closes a new connection at once (fault injection: resets, a host
	// that stays down).
	Refuse func() bool
	// Rejecting, when it returns true, fails every credential check (a changed password).
	Rejecting func() bool
	// Latency, when set and positive as a connection is accepted, delays every byte the server sends on
	// that connection by its value (fault injection: the distance to the host, one round trip's worth
	// per exchange, as winsim's latency fault delays each WS-Man request).
	Latency func() time.Duration
}

// Stats counts what the server saw since the last Reset.
type Stats struct {
	// Connections is the TCP connections accepted (handshakes attempted); Sessions the session channels
	// opened; Execs the exec requests run.
	Connections int `json:"connections"`
	Sessions    int `json:"sessions"`
	Execs       int `json:"execs"`
	// AuthFailures counts the failed password and public-key checks (not the "none" probe clients start with).
	AuthFailures int `json:"auth_failures"`
	// Refused counts connections closed at once (host down, reset fault).
	Refused int `json:"refused"`
	// BytesIn and BytesOut are the bytes on the wire (encrypted), both directions.
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
	// Open is how many connections are open now.
	Open int `json:"open"`
}

// Server serves SSH connections.
type Server struct {
	cfg     Config
	ssh     *ssh.ServerConfig
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	stats   Stats
	in, out atomic.Int64
}

// New checks the configuration and builds a server; it does not listen.
func New(c Config) (*Server, error) {
	switch {
	case c.User == "" || c.Password == "":
		return nil, errors.New("sshd: a user and a password are required")
	case c.HostKey == nil:
		return nil, errors.New("sshd: a host key is required")
	case c.Run == nil:
		return nil, errors.New("sshd: a command runner is required")
	}
	s := &Server{cfg: c, conns: map[net.Conn]struct{}{}}
	s.ssh = &ssh.ServerConfig{
		ServerVersion: serverVersion,
		// sshd_config's MaxAuthTries default.
		MaxAuthTries:      6,
		PasswordCallback:  s.password,
		PublicKeyCallback: s.publicKey,
	}
	s.ssh.AddHostKey(c.HostKey)
	return s, nil
}

// errDenied is what a failed check reports to the library; the client sees SSH_MSG_USERAUTH_FAILURE.
var errDenied = errors.New("permission denied")

func (s *Server) userMatches(name string) bool {
	// A local account may be given as name or as COMPUTER\name; either way, without case.
	if i := strings.LastIndex(name, `\`); i >= 0 {
		name = name[i+1:]
	}
	return strings.EqualFold(name, s.cfg.User)
}

func (s *Server) rejecting() bool { return s.cfg.Rejecting != nil && s.cfg.Rejecting() }

func (s *Server) fail() error {
	s.mu.Lock()
	s.stats.AuthFailures++
	s.mu.Unlock()
	return errDenied
}

func (s *Server) password(meta ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
	if s.rejecting() || !s.userMatches(meta.User()) || subtle.ConstantTimeCompare(pw, []byte(s.cfg.Password)) != 1 {
		return nil, s.fail()
	}
	return &ssh.Permissions{}, nil
}

func (s *Server) publicKey(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	if s.rejecting() || !s.userMatches(meta.User()) || s.cfg.AuthorizedKeys == nil {
		return nil, s.fail()
	}
	want := key.Marshal()
	rest := s.cfg.AuthorizedKeys()
	for len(rest) > 0 {
		k, _, options, next, err := ssh.ParseAuthorizedKey(rest)
		if err != nil {
			// sshd skips a line it cannot read; ParseAuthorizedKey already skipped to the next key it could.
			break
		}
		rest = next
		if len(options) == 0 && bytes.Equal(k.Marshal(), want) {
			return &ssh.Permissions{}, nil
		}
	}
	return nil, s.fail()
}

// Serve accepts connections on ln until it is closed.
func (s *Server) Serve(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("sshd: accept: %w", err)
		}
		go s.handle(c)
	}
}

// CloseAll drops every connection, as a restart does: the processes of their sessions end (sshd runs
// them in a job object that kills them when the session goes).
func (s *Server) CloseAll() {
	s.mu.Lock()
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// HostKey is the server's public host key.
func (s *Server) HostKey() ssh.PublicKey { return s.cfg.HostKey.PublicKey() }

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Open = len(s.conns)
	st.BytesIn, st.BytesOut = s.in.Load(), s.out.Load()
	return st
}

// ResetStats zeroes the counters (not Open).
func (s *Server) ResetStats() {
	s.mu.Lock()
	s.stats = Stats{}
	s.mu.Unlock()
	s.in.Store(0)
	s.out.Store(0)
}

func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

func (s *Server) handle(raw net.Conn) {
	s.count(func(st *Stats) { st.Connections++ })
	if (s.cfg.Refuse != nil && s.cfg.Refuse()) || (s.cfg.Up != nil && !s.cfg.Up()) {
		s.count(func(st *Stats) { st.Refused++ })
		if s.cfg.DropWhileDown && s.cfg.Up != nil && !s.cfg.Up() {
			s.holdUntilUp()
		}
		if tc, ok := raw.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // RST, as from a machine whose network stack is going away
		}
		_ = raw.Close()
		return
	}
	c := &countingConn{Conn: raw, in: &s.in, out: &s.out}
	s.mu.Lock()
	s.conns[raw] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, raw)
		s.mu.Unlock()
		_ = raw.Close()
	}()
	// sshd_config's LoginGraceTime default: a client that does not finish logging on in time is dropped.
	_ = raw.SetDeadline(time.Now().Add(2 * time.Minute))
	var wire net.Conn = c
	if s.cfg.Latency != nil {
		if d := s.cfg.Latency(); d > 0 {
			dc := newDelayedConn(c, d)
			defer dc.stop()
			wire = dc
		}
	}
	sc, chans, reqs, err := ssh.NewServerConn(wire, s.ssh)
	if err != nil {
		return
	}
	_ = raw.SetDeadline(time.Time{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go ssh.DiscardRequests(reqs) // global requests (keepalive@openssh.com, forwarding): refused
	var wg sync.WaitGroup
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "unsupported channel type")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		s.count(func(st *Stats) { st.Sessions++ })
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.session(ctx, ch, creqs)
		}()
	}
	// The connection is gone: its sessions' processes end with it.
	cancel()
	_ = sc.Close()
	wg.Wait()
}

// holdUntilUp keeps a connection to a host that is off unanswered until the host is back (or a while),
// as an unanswered SYN would; then the caller closes it.
func (s *Server) holdUntilUp() {
	deadline := time.Now().Add(2 * time.Minute)
	for !s.cfg.Up() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

// session serves one session channel: one exec request, as Win32-OpenSSH's sshd runs it without a pty:
// the default shell with /c and the command, stdin from the channel, stdout and stderr to it, then EOF,
// the exit-status and the close (docs/knowledge/ssh.md#exec).
func (s *Server) session(connCtx context.Context, ch ssh.Channel, reqs <-chan *ssh.Request) {
	ctx, cancel := context.WithCancel(connCtx)
	defer cancel()
	started := false
	done := make(chan struct{})
	for {
		select {
		case req, ok := <-reqs:
			if !ok {
				// The client closed the channel: a command still running loses its console and ends.
				cancel()
				if started {
					<-done
				}
				return
			}
			switch req.Type {
			case "exec":
				var p struct{ Command string }
				if started || ssh.Unmarshal(req.Payload, &p) != nil {
					_ = req.Reply(false, nil)
					continue
				}
				started = true
				_ = req.Reply(true, nil)
				s.count(func(st *Stats) { st.Execs++ })
				go func() {
					defer close(done)
					code := s.cfg.Run(ctx, p.Command, ch, ch, ch.Stderr())
					_ = ch.CloseWrite()
					_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{code}))
					_ = ch.Close()
				}()
			default:
				// shell, pty-req, env (AcceptEnv is not set), subsystem (sftp is not modelled), x11-req:
				// refused (docs/knowledge/ssh.md#what-winsim-serves).
				if req.WantReply {
					_ = req.Reply(false, nil)
				}
			}
		case <-done:
			// Drain what the client still sends until it closes the channel.
			for req := range reqs {
				if req.WantReply {
					_ = req.Reply(false, nil)
				}
			}
			return
		}
	}
}

// countingConn counts the bytes on the wire.
type countingConn struct {
	net.Conn
	in, out *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(int64(n))
	return n, err //nolint:wrapcheck // a net.Conn's errors pass through unchanged
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(int64(n))
	return n, err //nolint:wrapcheck // a net.Conn's errors pass through unchanged
}

// delayedConn sends what is written to it after a fixed delay, in order: a network path whose one-way
// delay is the round trip, the server's replies arriving that much later.
type delayedConn struct {
	net.Conn
	delay   time.Duration
	q       chan delayedWrite
	done    chan struct{}
	stopped sync.Once
}

type delayedWrite struct {
	due time.Time
	b   []byte
}

func newDelayedConn(c net.Conn, d time.Duration) *delayedConn {
	dc := &delayedConn{Conn: c, delay: d, q: make(chan delayedWrite, 4096), done: make(chan struct{})}
	go dc.pump()
	return dc
}

func (c *delayedConn) Write(p []byte) (int, error) {
	w := delayedWrite{due: time.Now().Add(c.delay), b: bytes.Clone(p)}
	select {
	case c.q <- w:
		return len(p), nil
	case <-c.done:
		return 0, net.ErrClosed
	}
}

// pump writes each queued chunk when it is due, until the connection fails or is stopped.
func (c *delayedConn) pump() {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		var w delayedWrite
		select {
		case w = <-c.q:
		case <-c.done:
			return
		}
		t.Reset(time.Until(w.due))
		select {
		case <-t.C:
		case <-c.done:
			return
		}
		if _, err := c.Conn.Write(w.b); err != nil {
			c.stop()
			return
		}
	}
}

func (c *delayedConn) stop() { c.stopped.Do(func() { close(c.done) }) }

func (c *delayedConn) Close() error {
	c.stop()
	return c.Conn.Close() //nolint:wrapcheck // a net.Conn's errors pass through unchanged
}
