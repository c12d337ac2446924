package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyFile is the host key's file name in the state directory, as sshd names it under
// %ProgramData%\ssh; its public half is HostKeyFile + ".pub".
const HostKeyFile = "ssh_host_ed25519_key"

// LoadOrCreateHostKey reads the host's Ed25519 key from dir, or generates one and writes it (private key
// in OpenSSH format, mode 0600, and the .pub line) the way sshd does on its first start, so the key stays
// the same across restarts of winsim and tests can pin it in a known_hosts file.
func LoadOrCreateHostKey(dir string) (ssh.Signer, error) {
	path := filepath.Join(dir, HostKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		k, perr := ssh.ParsePrivateKey(b)
		if perr != nil {
			return nil, fmt.Errorf("sshd: the host key %s does not parse (%w): delete it to have a new one generated", path, perr)
		}
		return k, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("sshd: reading the host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sshd: generating the host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, fmt.Errorf("sshd: encoding the host key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("sshd: the host key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sshd: state dir: %w", err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, fmt.Errorf("sshd: writing the host key: %w", err)
	}
	if err := os.WriteFile(path+".pub", ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		return nil, fmt.Errorf("sshd: writing the host key: %w", err)
	}
	return signer, nil
}

// KnownHostsLine is the known_hosts line for a host key served at addr (host:port), in the form OpenSSH
// writes ([host]:port for a port other than 22).
func KnownHostsLine(addr string, key ssh.PublicKey) string {
	return knownhosts.Line([]string{addr}, key) + "\n"
}
