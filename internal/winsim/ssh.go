package winsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/sshd"
)

// administratorsAuthorizedKeys is where Windows' OpenSSH server reads the public keys of members of the
// Administrators group (docs/knowledge/ssh.md#authorized-keys); winsim's account is one.
const administratorsAuthorizedKeys = machine.ProgramData + `\ssh\administrators_authorized_keys`

// useSSH builds the host's OpenSSH server: the host key from the state directory, the authorized keys
// on the machine's disk, commands through the host's cmd.exe (the default shell).
func (s *Sim) useSSH() error {
	if s.opts.StateDir == "" {
		return errors.New("--ssh needs --state-dir, where the host key is kept (ssh_host_ed25519_key, .pub beside it)")
	}
	key, err := sshd.LoadOrCreateHostKey(s.opts.StateDir)
	if err != nil {
		return fmt.Errorf("winsim: %w", err)
	}
	s.Machine.WriteFile(machine.ProgramData+`\ssh\`+sshd.HostKeyFile+".pub", ssh.MarshalAuthorizedKey(key.PublicKey()))
	if len(s.opts.SSHAuthorizedKeys) > 0 {
		s.Machine.WriteFile(administratorsAuthorizedKeys, s.opts.SSHAuthorizedKeys)
	}
	srv, err := sshd.New(sshd.Config{
		User: s.opts.User, Password: s.opts.Password, HostKey: key,
		AuthorizedKeys: func() []byte {
			f, _ := s.Machine.File(administratorsAuthorizedKeys)
			return f.Content
		},
		Run: s.Host.Run, Up: s.Host.Up, DropWhileDown: s.opts.WhileDown == "drop",
		Refuse:    s.consumeReset,
		Rejecting: s.Server.RejectingCredentials,
		Latency:   s.latency,
	})
	if err != nil {
		return fmt.Errorf("winsim: %w", err)
	}
	s.SSHD = srv
	return nil
}

// consumeReset reports whether a new connection must be reset: a pending reset_connections fault (one
// is used up) or a host that stays down.
func (s *Sim) consumeReset() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.resets > 0 {
		s.faults.resets--
		return true
	}
	return s.faults.down
}

// SSHHostKey is the OpenSSH server's host key (nil without Options.SSH).
func (s *Sim) SSHHostKey() ssh.PublicKey {
	if s.SSHD == nil {
		return nil
	}
	return s.SSHD.HostKey()
}

// ListenSSH serves the OpenSSH server on addr (127.0.0.1:0 picks a free port) and returns the address
// it listens on and a stop function.
func (s *Sim) ListenSSH(addr string) (string, func() error, error) {
	if s.SSHD == nil {
		return "", nil, errors.New("winsim: this host has no OpenSSH server (Options.SSH, --ssh)")
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	go func() { _ = s.SSHD.Serve(ln) }()
	stop := func() error {
		err := ln.Close()
		s.SSHD.CloseAll()
		return err //nolint:wrapcheck // closing a listener
	}
	return ln.Addr().String(), stop, nil
}

// ResetCounts zeroes the request counters of every transport.
func (s *Sim) ResetCounts() {
	s.Server.ResetCounts()
	if s.SSHD != nil {
		s.SSHD.ResetStats()
	}
}

// latency is the latency fault's delay, which the SSH server applies to the connections it accepts.
func (s *Sim) latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.latency
}
