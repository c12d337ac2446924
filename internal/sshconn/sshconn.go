// Package sshconn reaches a Windows host over SSH (Windows' OpenSSH server) and implements the runner
// seam's Exec on it: one session per command, the command line run by the host's default shell
// (cmd.exe /c), stdin streamed, the exit-status returned (docs/knowledge/ssh.md). The host key is
// checked against known_hosts by default; authentication is by password or private key. A dropped
// connection (a restart) is a retryable transport error, and the next command connects again.
package sshconn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/wincontainers/wincontainers/internal/runner"
)

// Options say how to reach one host.
type Options struct {
	Host string
	// Port defaults to 22.
	Port int
	User string
	// Password and PrivateKey (PEM, OpenSSH or PKCS#8; PrivateKeyPassphrase when encrypted) are the
	// credentials: at least one. With both, the key is tried first, as OpenSSH's client does.
	Password             string
	PrivateKey           []byte
	PrivateKeyPassphrase string
	// HostKey pins the host's key: one public key in authorized_keys form ("ssh-ed25519 AAAA...") or a
	// known_hosts line. Otherwise KnownHostsFiles are read (default ~/.ssh/known_hosts). There is no way
	// to skip the check.
	HostKey         string
	KnownHostsFiles []string
	// Timeout bounds connecting and logging on (default 30s); each command is bounded by its context.
	Timeout time.Duration
}

// Client runs commands on one host. It is safe for concurrent use: each command has its own session on
// a shared connection.
type Client struct {
	opts   Options
	config *ssh.ClientConfig
	addr   string
	mu     sync.Mutex
	conn   *ssh.Client
	// dials counts connections made (tests, benchmarks).
	dials int
}

var _ runner.Exec = (*Client)(nil)

// New checks the options and builds a client; it does not connect.
func New(o Options) (*Client, error) {
	if o.Host == "" {
		return nil, errors.New("ssh: no host given")
	}
	if o.User == "" {
		return nil, fmt.Errorf("ssh: no user name for %s: set ssh.user", o.Host)
	}
	if o.Port == 0 {
		o.Port = 22
	}
	if o.Port < 1 || o.Port > 65535 {
		return nil, fmt.Errorf("ssh: port %d for %s: give 1-65535", o.Port, o.Host)
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	var auth []ssh.AuthMethod
	if len(o.PrivateKey) > 0 {
		signer, err := parseKey(o.PrivateKey, o.PrivateKeyPassphrase)
		if err != nil {
			return nil, err
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if o.Password != "" {
		pw := o.Password
		auth = append(auth, ssh.Password(pw), ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
			// Windows' sshd asks one question, the password, when it offers keyboard-interactive.
			answers := make([]string, len(questions))
			for i := range answers {
				answers[i] = pw
			}
			return answers, nil
		}))
	}
	if len(auth) == 0 {
		return nil, fmt.Errorf("ssh: no credentials for %s@%s: set ssh.password or ssh.private_key", o.User, o.Host)
	}
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	check, algos, err := hostKeyCheck(o, addr)
	if err != nil {
		return nil, err
	}
	return &Client{opts: o, addr: addr, config: &ssh.ClientConfig{
		User: o.User, Auth: auth, HostKeyCallback: check, HostKeyAlgorithms: algos, Timeout: o.Timeout,
	}}, nil
}

func parseKey(pemBytes []byte, passphrase string) (ssh.Signer, error) {
	var (
		s   ssh.Signer
		err error
	)
	if passphrase != "" {
		s, err = ssh.ParsePrivateKeyWithPassphrase(pemBytes, []byte(passphrase))
	} else {
		s, err = ssh.ParsePrivateKey(pemBytes)
	}
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, errors.New("ssh: the private key is encrypted: give its passphrase in ssh.private_key_passphrase")
	case err != nil:
		// The key's bytes are never part of the message.
		return nil, fmt.Errorf("ssh: the private key does not parse (%w): give a PEM private key in OpenSSH, PKCS#1 or PKCS#8 form", err)
	}
	return s, nil
}

// hostKeyCheck builds the host key check and the host key algorithms to ask for: with known_hosts, the
// ones recorded for this host, so that a host with several keys presents one the file knows.
func hostKeyCheck(o Options, addr string) (ssh.HostKeyCallback, []string, error) {
	if o.HostKey != "" {
		key, err := parseHostKey(o.HostKey)
		if err != nil {
			return nil, nil, err
		}
		want := key.Marshal()
		check := func(hostname string, _ net.Addr, got ssh.PublicKey) error {
			if !bytes.Equal(got.Marshal(), want) {
				return &HostKeyError{Addr: hostname, Fingerprint: ssh.FingerprintSHA256(got), Changed: true, Pinned: ssh.FingerprintSHA256(key)}
			}
			return nil
		}
		return check, algorithmsFor(key.Type()), nil
	}
	files := o.KnownHostsFiles
	if len(files) == 0 {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, nil, fmt.Errorf("ssh: no known_hosts file given and no home directory to find ~/.ssh/known_hosts (%w): set ssh.known_hosts or ssh.host_key", err)
		}
		files = []string{filepath.Join(home, ".ssh", "known_hosts")}
	}
	cb, err := knownhosts.New(files...)
	if err != nil {
		return nil, nil, fmt.Errorf("ssh: reading known_hosts %s: %w (set ssh.host_key to pin the key instead)", strings.Join(files, ", "), err)
	}
	return explain(cb, files), recordedAlgorithms(cb, addr), nil
}

// parseHostKey reads a public key in authorized_keys form or a known_hosts line. A known_hosts line
// with a marker is refused: @revoked records a key the host must not present, and @cert-authority a key
// that signs host certificates, which is not the host's own key (docs/knowledge/ssh.md#pinning-the-host-key).
func parseHostKey(s string) (ssh.PublicKey, error) {
	trimmed := strings.TrimSpace(s)
	if fields := strings.Fields(trimmed); len(fields) > 0 && strings.HasPrefix(fields[0], "@") {
		return nil, fmt.Errorf("ssh.host_key is a known_hosts line marked %s, which does not name the host's own key (@revoked "+
			"lists a key the host must not present, @cert-authority a CA that signs host certificates): give the line of the host's "+
			"key without a marker, or its %%ProgramData%%\\ssh\\ssh_host_ed25519_key.pub", truncate(fields[0], 20))
	}
	b := []byte(trimmed)
	if k, _, _, _, err := ssh.ParseAuthorizedKey(b); err == nil {
		return k, nil
	}
	if _, _, k, _, _, err := ssh.ParseKnownHosts(b); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("ssh.host_key %q is neither a public key (\"ssh-ed25519 AAAA...\", as in the host's %%ProgramData%%\\ssh\\ssh_host_ed25519_key.pub) nor a known_hosts line", truncate(s, 40))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// probeKey is a key no host has: asking known_hosts about it yields the keys recorded for the host.
type probeKey struct{}

func (probeKey) Type() string                            { return "wincontainers-probe" }
func (probeKey) Marshal() []byte                         { return []byte("wincontainers-probe") }
func (probeKey) Verify(_ []byte, _ *ssh.Signature) error { return errors.New("probe key") }

func recordedAlgorithms(cb ssh.HostKeyCallback, addr string) []string {
	err := cb(addr, &net.TCPAddr{IP: net.IPv4zero}, probeKey{})
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) || len(ke.Want) == 0 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range ke.Want {
		for _, a := range algorithmsFor(k.Key.Type()) {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// algorithmsFor is the signature algorithms a host key type can present.
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// HostKeyError is a host key that known_hosts does not vouch for.
type HostKeyError struct {
	Addr, Fingerprint string
	// Changed is true when known_hosts records another key for the host.
	Changed bool
	Files   []string
	// Pinned is the fingerprint of the key given in ssh.host_key, when it was.
	Pinned string
}

func (e *HostKeyError) Error() string {
	if e.Pinned != "" {
		return fmt.Sprintf("ssh: %s presented the host key %s, not %s given in ssh.host_key: check the key on the host "+
			"(%%ProgramData%%\\ssh\\ssh_host_ed25519_key.pub); a different key means another machine, a reinstalled one, or someone "+
			"intercepting the connection", e.Addr, e.Fingerprint, e.Pinned)
	}
	if e.Changed {
		return fmt.Sprintf("ssh: the host key of %s changed: it presented %s, which is not the key recorded in %s. Either the host was "+
			"reinstalled (remove its old line from known_hosts) or someone is intercepting the connection: check the key on the host "+
			"(%%ProgramData%%\\ssh\\ssh_host_ed25519_key.pub) before trusting it", e.Addr, e.Fingerprint, strings.Join(e.Files, ", "))
	}
	return fmt.Sprintf("ssh: %s is not in %s (it presented %s): add its key to known_hosts (ssh-keyscan, checked against the host's "+
		"%%ProgramData%%\\ssh\\ssh_host_ed25519_key.pub) or pin it with ssh.host_key", e.Addr, strings.Join(e.Files, ", "), e.Fingerprint)
}

func explain(cb ssh.HostKeyCallback, files []string) ssh.HostKeyCallback {
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(hostname, remote, key)
		var ke *knownhosts.KeyError
		if errors.As(err, &ke) {
			return &HostKeyError{Addr: hostname, Fingerprint: ssh.FingerprintSHA256(key), Changed: len(ke.Want) > 0, Files: files}
		}
		return err
	}
}

// Dials reports how many connections the client has made.
func (c *Client) Dials() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dials
}

// connect returns the open connection, or makes one.
func (c *Client) connect(ctx context.Context) (*ssh.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		return c.conn, nil
	}
	d := net.Dialer{Timeout: c.opts.Timeout}
	raw, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, &runner.TransportError{Op: "ssh: connecting to " + c.addr, Retryable: true, Err: err}
	}
	// The handshake and logon are bounded by Timeout and by ctx.
	deadline := time.Now().Add(c.opts.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = raw.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Now()) })
	sc, chans, reqs, err := ssh.NewClientConn(raw, c.addr, c.config)
	stop()
	if err != nil {
		_ = raw.Close()
		return nil, c.handshakeError(ctx, err)
	}
	_ = raw.SetDeadline(time.Time{})
	c.dials++
	c.conn = ssh.NewClient(sc, chans, reqs)
	return c.conn, nil
}

// handshakeError classifies a failed handshake: a host key or authentication refusal is final, a reset
// or timeout (a host going down or coming up) is worth retrying.
func (c *Client) handshakeError(ctx context.Context, err error) error {
	var hk *HostKeyError
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("ssh: connecting to %s: %w", c.addr, ctx.Err())
	case errors.As(err, &hk):
		return err
	case strings.Contains(err.Error(), "unable to authenticate"):
		methods := "password"
		if len(c.opts.PrivateKey) > 0 {
			methods = "private key"
			if c.opts.Password != "" {
				methods = "private key and password"
			}
		}
		return fmt.Errorf("ssh: %s refused the %s of %s (%w): check ssh.user and the credentials; for an administrator, Windows' "+
			"OpenSSH reads public keys from %%ProgramData%%\\ssh\\administrators_authorized_keys, not the user's .ssh\\authorized_keys",
			c.addr, methods, c.opts.User, err)
	}
	return &runner.TransportError{Op: "ssh: handshake with " + c.addr, Retryable: true, Err: err}
}

// drop forgets a connection that failed, so the next command connects again.
func (c *Client) drop(conn *ssh.Client) {
	c.mu.Lock()
	if c.conn == conn {
		c.conn = nil
	}
	c.mu.Unlock()
	_ = conn.Close()
}

// session opens a session, reconnecting once when the kept connection turns out to be gone (the host
// restarted since the last command): nothing ran yet, so trying again is safe.
func (c *Client) session(ctx context.Context) (*ssh.Client, *ssh.Session, error) {
	for attempt := 0; ; attempt++ {
		conn, err := c.connect(ctx)
		if err != nil {
			return nil, nil, err
		}
		s, err := conn.NewSession()
		if err == nil {
			return conn, s, nil
		}
		c.drop(conn)
		if attempt > 0 || ctx.Err() != nil {
			return nil, nil, &runner.TransportError{Op: "ssh: opening a session on " + c.addr, Retryable: true, Err: err}
		}
	}
}

// Exec implements runner.Exec: the command line goes to the host's default shell (cmd.exe /c on
// Windows), stdin is streamed and closed at its end, stdout and stderr stream back as they arrive.
func (c *Client) Exec(ctx context.Context, commandLine string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	conn, s, err := c.session(ctx)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	s.Stdout, s.Stderr = stdout, stderr
	in, err := s.StdinPipe()
	if err != nil {
		return 0, &runner.TransportError{Op: "ssh: stdin", Retryable: true, Err: err}
	}
	if err := s.Start(commandLine); err != nil {
		c.drop(conn)
		return 0, &runner.TransportError{Op: "ssh: starting the command on " + c.addr, Retryable: true, Err: err}
	}
	// stdin is copied apart from Wait: a command that exits without reading all of it must not wait for it.
	go func() {
		if stdin != nil {
			_, _ = io.Copy(in, stdin)
		}
		_ = in.Close()
	}()
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()
	select {
	case <-ctx.Done():
		// Closing the channel ends the process on Windows (sshd's job object), then the connection
		// stays usable.
		_ = s.Signal(ssh.SIGKILL)
		_ = s.Close()
		<-done //nolint:errcheck // Wait reports the close just made; the context's error is the one to return
		return 0, fmt.Errorf("ssh: running a command on %s: %w", c.addr, ctx.Err())
	case err = <-done:
	}
	var exit *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return int(uint32(exit.ExitStatus())), nil //nolint:gosec // Windows exit codes are 32-bit unsigned; int holds them
	case errors.As(err, &missing):
		c.drop(conn)
		return 0, &runner.TransportError{Op: "ssh: running a command on " + c.addr, Retryable: true,
			Err: errors.New("the connection ended before the command reported its exit code (the host restarting, or the network)")}
	default:
		c.drop(conn)
		return 0, &runner.TransportError{Op: "ssh: running a command on " + c.addr, Retryable: isTransient(err), Err: err}
	}
}

func isTransient(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, net.ErrClosed) || (errors.As(err, &ne) && ne.Timeout())
}

// Close closes the connection. Closing twice is harmless.
func (c *Client) Close() error {
	c.mu.Lock()
	conn := c.conn
	c.conn = nil
	c.mu.Unlock()
	if conn == nil {
		return nil
	}
	if err := conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("ssh: closing the connection to %s: %w", c.addr, err)
	}
	return nil
}

// Output runs a command and returns its stdout (tests, diagnostics).
func (c *Client) Output(ctx context.Context, commandLine string) (string, int, error) {
	var out bytes.Buffer
	code, err := c.Exec(ctx, commandLine, nil, &out, io.Discard)
	return out.String(), code, err
}
