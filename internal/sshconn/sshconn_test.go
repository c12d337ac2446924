package sshconn_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/sshconn"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

const (
	user     = "Administrator"
	password = "Ssh-Test!P@ss"
)

func newKey(t *testing.T) (privPEM []byte, pub ssh.PublicKey) {
	t.Helper()
	return winsimtest.NewSSHKey(t)
}

func startHost(t *testing.T, authorized []byte) *winsimtest.Server {
	t.Helper()
	return winsimtest.Start(t, winsim.Options{Profile: "ws2025", User: user, Password: password, StateDir: t.TempDir(),
		SSH: true, SSHAuthorizedKeys: authorized, RebootTime: 200 * time.Millisecond})
}

func client(t *testing.T, o sshconn.Options) *sshconn.Client {
	t.Helper()
	c, err := sshconn.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// Commands go through cmd.exe: output, the 32-bit exit codes, stdin streamed to the process.
func TestExec(t *testing.T) {
	h := startHost(t, nil)
	c := client(t, sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: user, Password: password, KnownHostsFiles: []string{h.KnownHosts}})
	cases := []struct {
		line, stdin, out string
		code             int
	}{
		{line: "echo hello", out: "hello\r\n"},
		{line: "cmd /c exit 3010", code: 3010},
		{line: "cmd /c exit -1", code: 4294967295},
		{line: "more", stdin: "one\r\ntwo\r\n", out: "one\r\ntwo\r\n"},
		{line: "nosuchprogram", code: 1},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		code, err := c.Exec(ctx(t), tc.line, strings.NewReader(tc.stdin), &out, &errOut)
		if err != nil {
			t.Fatalf("%s: %v", tc.line, err)
		}
		if code != tc.code || (tc.out != "" && out.String() != tc.out) {
			t.Errorf("%s: exit %d, stdout %q (stderr %q); want %d, %q", tc.line, code, out.String(), errOut.String(), tc.code, tc.out)
		}
	}
	if n := c.Dials(); n != 1 {
		t.Errorf("%d connections for %d commands, want one kept open", n, len(cases))
	}
	st := h.Sim.Snapshot()
	if st.SSH == nil || st.SSH.Execs != len(cases) || st.SSH.Sessions != len(cases) {
		t.Errorf("the host saw %+v, want %d sessions and execs", st.SSH, len(cases))
	}
}

// Scripts run as over WinRM: the bootstrap as the command line, the script and parameters on stdin.
func TestScriptRunnerOverSSH(t *testing.T) {
	h := startHost(t, nil)
	lib, err := powershell.Load()
	if err != nil {
		t.Fatal(err)
	}
	sr := &runner.ScriptRunner{Exec: client(t, sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: user, Password: password,
		KnownHostsFiles: []string{h.KnownHosts}}), Library: lib}
	p, err := runner.Probe(ctx(t), sr)
	if err != nil {
		t.Fatal(err)
	}
	if p.BootID != h.Sim.Host.BootID() {
		t.Errorf("probe boot id %s, host %s", p.BootID, h.Sim.Host.BootID())
	}
	for _, line := range h.Sim.Host.CommandLines() {
		if strings.Contains(line, password) || len(line) > 8191 {
			t.Errorf("command line carries a secret or is over cmd.exe's limit: %.80s", line)
		}
	}
	// An upload is streamed on stdin and checked on the host.
	data := bytes.Repeat([]byte("wincontainers over ssh\n"), 20000)
	sum := sha256Hex(data)
	dest := `C:\ProgramData\wincontainers\upload.bin`
	if err := sr.Upload(ctx(t), bytes.NewReader(data), int64(len(data)), sum, dest, nil); err != nil {
		t.Fatal(err)
	}
	if f, ok := h.Sim.Host.File(dest); !ok || f.SHA256 != sum {
		t.Errorf("uploaded file %v %+v", ok, f.SHA256)
	}
}

// Public keys come from administrators_authorized_keys for the administrator; a key not there, a wrong
// password, an unknown or changed host key are refused with what to do.
func TestAuthAndHostKey(t *testing.T) {
	keyPEM, pub := newKey(t)
	otherPEM, _ := newKey(t)
	h := startHost(t, ssh.MarshalAuthorizedKey(pub))
	base := sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: user, KnownHostsFiles: []string{h.KnownHosts}}
	ok := func(o sshconn.Options) {
		t.Helper()
		if out, code, err := client(t, o).Output(ctx(t), "echo %USERNAME%"); err != nil || code != 0 || !strings.Contains(out, user) {
			t.Errorf("%q %d %v", out, code, err)
		}
	}
	withKey := base
	withKey.PrivateKey = keyPEM
	ok(withKey)
	pinned := base
	pinned.KnownHostsFiles, pinned.HostKey, pinned.Password = nil, string(ssh.MarshalAuthorizedKey(h.Sim.SSHHostKey())), password
	ok(pinned)
	lower := base
	lower.User, lower.Password = strings.ToLower(user), password
	ok(lower)

	refused := func(o sshconn.Options, says ...string) {
		t.Helper()
		_, _, err := client(t, o).Output(ctx(t), "echo never")
		if err == nil {
			t.Fatalf("%+v connected", o.User)
		}
		if runner.IsRetryable(err) {
			t.Errorf("a refusal is not worth retrying: %v", err)
		}
		for _, s := range says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%v: lacks %q", err, s)
			}
		}
		if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "PRIVATE KEY") {
			t.Errorf("a secret is in the error: %v", err)
		}
	}
	otherKey := base
	otherKey.PrivateKey = otherPEM
	refused(otherKey, "administrators_authorized_keys", "private key")
	wrongPW := base
	wrongPW.Password = "wrong"
	refused(wrongPW, "refused the password")

	empty := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	unknown := base
	unknown.Password, unknown.KnownHostsFiles = password, []string{empty}
	refused(unknown, "is not in", "SHA256:")
	_, otherPub := newKey(t)
	changed := base
	changed.Password, changed.KnownHostsFiles = password, nil
	changed.HostKey = string(ssh.MarshalAuthorizedKey(otherPub))
	refused(changed, "not SHA256:", "ssh.host_key")

	var hk *sshconn.HostKeyError
	changedFile := filepath.Join(t.TempDir(), "known_hosts")
	line := strings.Replace(strings.TrimSpace(string(mustRead(t, h.KnownHosts))), strings.Fields(string(mustRead(t, h.KnownHosts)))[2],
		strings.Fields(string(ssh.MarshalAuthorizedKey(otherPub)))[1], 1)
	if err := os.WriteFile(changedFile, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	changed.HostKey, changed.KnownHostsFiles = "", []string{changedFile}
	_, _, err := client(t, changed).Output(ctx(t), "echo never")
	if !errors.As(err, &hk) || !hk.Changed || !strings.Contains(err.Error(), "changed") {
		t.Errorf("a changed host key: %v", err)
	}
	if n := h.Sim.Snapshot().SSH.Execs; n != 3 {
		t.Errorf("%d commands ran, want the 3 of the accepted logons", n)
	}
}

// A restart drops the connection: the command in flight fails with a retryable transport error, and a
// later command connects again once the host is back.
func TestRestartDropsTheConnection(t *testing.T) {
	h := startHost(t, nil)
	c := client(t, sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: user, Password: password, KnownHostsFiles: []string{h.KnownHosts}})
	boot := h.Sim.Host.BootID()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Exec(ctx(t), "ping -n 30 127.0.0.1 >nul", nil, &bytes.Buffer{}, &bytes.Buffer{})
		errc <- err
	}()
	time.Sleep(300 * time.Millisecond)
	h.Sim.Host.Reboot(0)
	select {
	case err := <-errc:
		if !runner.IsRetryable(err) {
			t.Fatalf("the dropped command: %v, want a retryable transport error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not end when the host went down")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _, err := c.Output(ctx(t), "echo back")
		if err == nil {
			if out != "back\r\n" {
				t.Errorf("after the restart: %q", out)
			}
			break
		}
		if !runner.IsRetryable(err) || time.Now().After(deadline) {
			t.Fatalf("after the restart: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if h.Sim.Host.BootID() == boot || c.Dials() < 2 {
		t.Errorf("boot %s -> %s, %d connections", boot, h.Sim.Host.BootID(), c.Dials())
	}
}

// A cancelled context ends the command and the call at once.
func TestContextCancels(t *testing.T) {
	h := startHost(t, nil)
	c := client(t, sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: user, Password: password, KnownHostsFiles: []string{h.KnownHosts}})
	cctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Exec(cctx, "ping -n 30 127.0.0.1 >nul", nil, &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("%v after %s", err, time.Since(start))
	}
	if out, _, err := c.Output(ctx(t), "echo still"); err != nil || out != "still\r\n" {
		t.Errorf("the connection after a cancelled command: %q %v", out, err)
	}
}

func TestOptionsErrors(t *testing.T) {
	cases := []struct {
		o    sshconn.Options
		says string
	}{
		{sshconn.Options{User: "u", Password: "p", HostKey: "x"}, "no host"},
		{sshconn.Options{Host: "h", Password: "p", HostKey: "x"}, "no user name"},
		{sshconn.Options{Host: "h", User: "u", HostKey: "x"}, "no credentials"},
		{sshconn.Options{Host: "h", User: "u", Password: "p", HostKey: "not a key"}, "neither a public key"},
		{sshconn.Options{Host: "h", User: "u", PrivateKey: []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"), HostKey: "x"}, "does not parse"},
		{sshconn.Options{Host: "h", User: "u", Password: "p", KnownHostsFiles: []string{"/nonexistent/known_hosts"}}, "reading known_hosts"},
		{sshconn.Options{Host: "h", Port: 70000, User: "u", Password: "p", HostKey: "x"}, "port 70000"},
	}
	for _, c := range cases {
		if _, err := sshconn.New(c.o); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: want %q, got %v", c.o.Host, c.says, err)
		}
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// winsim's latency fault reaches SSH: on a connection accepted while it is set, everything the host
// sends arrives that much later, so a command on a kept connection (channel open, exec, exit status)
// takes at least two round trips; without it, the same command takes far less than one.
func TestLatencyFault(t *testing.T) {
	const delay = 150 * time.Millisecond
	for _, tc := range []struct {
		name     string
		latency  bool
		min, max time.Duration
	}{
		{name: "none", max: delay},
		{name: "150ms", latency: true, min: 2 * delay, max: 20 * delay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startHost(t, nil)
			if tc.latency {
				if err := h.Sim.Inject(winsim.Fault{Kind: "latency", Delay: delay.String()}); err != nil {
					t.Fatal(err)
				}
			}
			c := client(t, sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: user, Password: password, KnownHostsFiles: []string{h.KnownHosts}})
			if out, _, err := c.Output(ctx(t), "echo connect"); err != nil || out != "connect\r\n" {
				t.Fatalf("first command: %q, %v", out, err)
			}
			start := time.Now()
			out, code, err := c.Output(ctx(t), "echo again")
			took := time.Since(start)
			if err != nil || code != 0 || out != "again\r\n" {
				t.Fatalf("second command: %q, exit %d, %v", out, code, err)
			}
			if took < tc.min || took > tc.max {
				t.Errorf("a command on the kept connection took %v, want %v to %v", took, tc.min, tc.max)
			}
		})
	}
}
