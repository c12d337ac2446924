// Package winsimtest serves simulated Windows hosts on loopback (Server) for tests and benchmarks: the listen,
// stop-at-cleanup, address and CA steps every test that talks to winsim over the network needs.
package winsimtest

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/sshd"
)

// Server is a simulated host (a winsim.Sim) served on 127.0.0.1: its listeners and the files a client
// needs to trust them.
type Server struct {
	Sim *winsim.Sim
	// URL is the listener's base URL (https://127.0.0.1:port, or http:// without HTTPS).
	URL string
	// Addr and Port are the listener's address, split.
	Addr string
	Port int
	// CAFile and CA are the host's CA certificate (<state dir>/ca.pem), empty without HTTPS.
	CAFile string
	CA     []byte
	// SSHAddr is the OpenSSH server's address (127.0.0.1:port) and SSHPort its port, with Options.SSH;
	// KnownHosts a known_hosts file in the state directory that pins its host key.
	SSHAddr    string
	SSHPort    int
	KnownHosts string
}

// Start builds a host from o and serves it until the test ends. With HTTPS, o.StateDir must be set: the
// host writes its CA there.
func Start(tb testing.TB, o winsim.Options) *Server {
	tb.Helper()
	sim, err := winsim.New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return Serve(tb, sim, o.StateDir)
}

// Serve serves a host built (and perhaps adjusted) by the caller until the test ends; stateDir is the
// directory of its options, where an HTTPS host wrote ca.pem.
func Serve(tb testing.TB, sim *winsim.Sim, stateDir string) *Server {
	tb.Helper()
	url, stop, err := sim.Listen("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = stop() })
	_, hostPort, _ := strings.Cut(url, "://")
	addr, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		tb.Fatal(err)
	}
	h := &Server{Sim: sim, URL: url, Addr: addr, Port: p}
	if sim.SSHD != nil {
		serveSSH(tb, h, stateDir)
	}
	if sim.TLS != nil {
		h.CAFile = filepath.Join(stateDir, "ca.pem")
		if h.CA, err = os.ReadFile(h.CAFile); err != nil {
			tb.Fatal(err)
		}
	}
	return h
}

// serveSSH serves the host's OpenSSH server and writes the known_hosts file that pins its key.
func serveSSH(tb testing.TB, h *Server, stateDir string) {
	tb.Helper()
	addr, stop, err := h.Sim.ListenSSH("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = stop() })
	_, port, _ := net.SplitHostPort(addr)
	h.SSHAddr = addr
	if h.SSHPort, err = strconv.Atoi(port); err != nil {
		tb.Fatal(err)
	}
	h.KnownHosts = filepath.Join(stateDir, "known_hosts")
	if err := os.WriteFile(h.KnownHosts, []byte(sshd.KnownHostsLine(addr, h.Sim.SSHHostKey())), 0o600); err != nil {
		tb.Fatal(err)
	}
}
