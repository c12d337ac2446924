package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/sshd"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// sshTarget is one winsim host's OpenSSH server as an SSH client gets it.
type sshTarget struct {
	host       string
	port       int
	user       string
	password   string
	keyFile    string // private key in administrators_authorized_keys ("" : log on with the password)
	knownHosts string
}

// sshResult is what a client reports for one command: its output, the exit-status (-1 when none came)
// and, when the connection or the logon failed or the connection dropped, why.
type sshResult struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Code   int64  `json:"code"`
	Error  string `json:"error"`
}

// sshClient is an independent SSH client.
type sshClient struct {
	name    string
	missing func() string
	run     func(ctx context.Context, t *testing.T, tg sshTarget, command, stdin string) sshResult
}

// openSSHClient is Debian's OpenSSH client (openssh-client, ssh 9.2p1). The password reaches it through
// SSH_ASKPASS with SSH_ASKPASS_REQUIRE=force, never on a command line. Its own exit code is the remote
// exit-status modulo 256 (a POSIX process exit code), so the full 32-bit status is read from its debug
// log (-E file, "Exit status N"), which it prints as a signed int.
var openSSHClient = sshClient{
	name: "openssh",
	missing: func() string {
		if _, err := exec.LookPath("ssh"); err != nil {
			return "the OpenSSH client is not installed (apt-get install -y openssh-client)"
		}
		return ""
	},
	run: func(ctx context.Context, t *testing.T, tg sshTarget, command, stdin string) sshResult {
		t.Helper()
		dir := t.TempDir()
		log := filepath.Join(dir, "ssh.log")
		args := []string{"-T", "-F", "none", "-E", log, "-v",
			"-o", "BatchMode=" + map[bool]string{true: "yes", false: "no"}[tg.keyFile != ""],
			"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + tg.knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
			"-o", "ConnectTimeout=30", "-o", "NumberOfPasswordPrompts=1", "-p", strconv.Itoa(tg.port), "-l", tg.user}
		env := append(os.Environ(), "SSH_ASKPASS_REQUIRE=never")
		if tg.keyFile != "" {
			args = append(args, "-i", tg.keyFile, "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey")
		} else {
			askpass := filepath.Join(dir, "askpass")
			if err := os.WriteFile(askpass, []byte("#!/bin/sh\nprintf '%s\\n' \"$CONFORMANCE_SSH_PASSWORD\"\n"), 0o700); err != nil { //nolint:gosec // the helper must be executable
				t.Fatal(err)
			}
			args = append(args, "-o", "PreferredAuthentications=password,keyboard-interactive", "-o", "PubkeyAuthentication=no")
			env = append(os.Environ(), "SSH_ASKPASS="+askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0", "CONFORMANCE_SSH_PASSWORD="+tg.password)
		}
		args = append(args, tg.host, command)
		cmd := exec.CommandContext(ctx, "ssh", args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		res := sshResult{Stdout: out.String(), Stderr: errOut.String(), Code: -1}
		logText, _ := os.ReadFile(log)
		// "Exit status -1" is also what it logs when no exit-status came (a dropped connection); the
		// exit-status request itself is logged as it arrives.
		if m := exitStatus.FindSubmatch(logText); m != nil && gotStatus.Match(logText) {
			n, _ := strconv.ParseInt(string(m[1]), 10, 64)
			res.Code = int64(uint32(n)) //nolint:gosec // the log prints the 32-bit status as a signed int
		}
		var ee *exec.ExitError
		if res.Code < 0 {
			switch {
			case errors.As(err, &ee):
				res.Error = fmt.Sprintf("ssh exited %d: %s", ee.ExitCode(), lastLines(string(logText)+errOut.String(), 4))
			case err != nil:
				res.Error = err.Error()
			default:
				res.Error = "ssh reported no exit status"
			}
		} else if ee != nil && res.Code%256 != int64(ee.ExitCode()) {
			res.Error = fmt.Sprintf("ssh exited %d, but its log says exit status %d", ee.ExitCode(), res.Code)
		}
		return res
	},
}

var (
	exitStatus = regexp.MustCompile(`(?m)Exit status (-?\d+)`)
	gotStatus  = regexp.MustCompile(`rtype exit-status`)
)

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}

// paramikoClient is Debian's paramiko 2.12 (python3-paramiko, run with /usr/bin/python3), through
// testdata/paramiko_exec.py: known_hosts with RejectPolicy, the password or the key file, the command
// with stdin and EOF, then the exit-status.
var paramikoClient = sshClient{
	name: "paramiko",
	missing: func() string {
		if err := exec.Command("/usr/bin/python3", "-c", "import paramiko").Run(); err != nil {
			return "python3-paramiko is not installed (apt-get install -y python3-paramiko; it runs with /usr/bin/python3)"
		}
		return ""
	},
	run: func(ctx context.Context, t *testing.T, tg sshTarget, command, stdin string) sshResult {
		t.Helper()
		req, _ := json.Marshal(map[string]any{"host": tg.host, "port": tg.port, "user": tg.user, "password": tg.password,
			"key_file": tg.keyFile, "known_hosts": tg.knownHosts, "command": command, "stdin": stdin})
		cmd := exec.CommandContext(ctx, "/usr/bin/python3", "testdata/paramiko_exec.py")
		cmd.Stdin = bytes.NewReader(req)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("paramiko_exec.py: %v: %s", err, errOut.String())
		}
		var res sshResult
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatalf("paramiko_exec.py printed %q: %v", out.String(), err)
		}
		return res
	},
}

var sshClients = []sshClient{openSSHClient, paramikoClient}

const sshPassword = "C0nformance!Ssh"

func newKeyFile(t *testing.T, dir, name string) (path string, pub ssh.PublicKey) {
	t.Helper()
	priv, pub := winsimtest.NewSSHKey(t)
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, priv, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, pub
}

// TestSSHConformance runs Debian's OpenSSH client and paramiko against winsim's OpenSSH server: output
// and exit codes through cmd.exe, stdin, long output, password and public-key logons (the key from
// administrators_authorized_keys), refused credentials, an unknown host key refused by the client
// before it logs on, and a restart that drops a running command's connection until the host is back on
// a new boot. The host's state document must agree with what the client saw.
func TestSSHConformance(t *testing.T) {
	for _, cl := range sshClients {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			if why := cl.missing(); why != "" {
				if os.Getenv("CI") != "" {
					t.Fatalf("%s is missing in CI: %s", cl.name, why)
				}
				t.Skipf("SKIPPING the %s SSH conformance cases: %s", cl.name, why)
			}
			runSSHCases(t, cl)
		})
	}
}

func runSSHCases(t *testing.T, cl sshClient) {
	dir := t.TempDir()
	keyFile, pub := newKeyFile(t, dir, "admin_key")
	strangerKey, _ := newKeyFile(t, dir, "stranger_key")
	h := winsimtest.Start(t, winsim.Options{Profile: "ws2025", User: user, Password: sshPassword, StateDir: filepath.Join(dir, "state"),
		SSH: true, SSHAuthorizedKeys: ssh.MarshalAuthorizedKey(pub), RebootTime: 500 * time.Millisecond})
	tg := sshTarget{host: "127.0.0.1", port: h.SSHPort, user: user, password: sshPassword, knownHosts: h.KnownHosts}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := func(tg sshTarget, command, stdin string) (sshResult, winsim.State) {
		t.Helper()
		h.Sim.ResetCounts()
		r := cl.run(ctx, t, tg, command, stdin)
		return r, h.Sim.Snapshot()
	}
	expect := func(name string, r sshResult, stdout, stderr string, code int64) {
		t.Helper()
		if r.Error != "" || r.Code != code || (stdout != "" && r.Stdout != stdout) || (stderr != "" && r.Stderr != stderr) {
			t.Errorf("%s: got code %d stdout %q stderr %q error %q; want %d %q %q", name, r.Code, truncate(r.Stdout), truncate(r.Stderr), r.Error, code, truncate(stdout), stderr)
		}
	}

	r, _ := run(tg, "echo out& echo err 1>&2", "")
	expect("stdout-stderr", r, "out\r\n", "err \r\n", 0)

	for _, c := range []struct {
		line string
		code int64
	}{{"cmd /c exit 0", 0}, {"cmd /c exit 1", 1}, {"cmd /c exit 3010", 3010}, {"cmd /c exit -1", 4294967295}} {
		r, _ := run(tg, c.line, "")
		expect("exit code of "+c.line, r, "", "", c.code)
	}

	r, st := run(tg, "more", stdinText())
	expect("stdin", r, stdinText(), "", 0)
	if st.SSH.Execs != 1 || st.SSH.BytesIn < int64(len(stdinText())) {
		t.Errorf("stdin: the host saw %+v", st.SSH)
	}

	r, _ = run(tg, "for /L %i in (1,1,30000) do @echo line %i", "")
	if r.Error != "" || r.Code != 0 || strings.Count(r.Stdout, "\r\n") != 30000 || !strings.HasSuffix(r.Stdout, "line 30000\r\n") {
		t.Errorf("long output: %d lines, code %d, error %q", strings.Count(r.Stdout, "\r\n"), r.Code, r.Error)
	}

	withKey := tg
	withKey.keyFile = keyFile
	r, st = run(withKey, "echo %USERNAME%", "")
	expect("public key", r, user+"\r\n", "", 0)
	if st.SSH.AuthFailures != 0 {
		t.Errorf("public key: %d failed checks", st.SSH.AuthFailures)
	}

	for name, bad := range map[string]sshTarget{
		"wrong password":       {host: tg.host, port: tg.port, user: user, password: "not-the-password", knownHosts: tg.knownHosts},
		"key not authorized":   {host: tg.host, port: tg.port, user: user, keyFile: strangerKey, knownHosts: tg.knownHosts},
		"unknown user":         {host: tg.host, port: tg.port, user: "Guest", password: sshPassword, knownHosts: tg.knownHosts},
		"another key for host": {host: tg.host, port: tg.port, user: user, password: sshPassword, knownHosts: otherKnownHosts(t, dir, h.SSHAddr)},
	} {
		r, st := run(bad, "echo never runs", "")
		if r.Error == "" || r.Code != -1 || strings.Contains(r.Stdout, "never") {
			t.Errorf("%s: the client reports %+v, want a refusal", name, r)
		}
		if st.SSH.Execs != 0 || st.SSH.Sessions != 0 {
			t.Errorf("%s: the host ran %d commands", name, st.SSH.Execs)
		}
		hostKeyCase := name == "another key for host"
		if hostKeyCase != (st.SSH.AuthFailures == 0) {
			t.Errorf("%s: %d failed credential checks on the host (a host key refusal comes before any logon)", name, st.SSH.AuthFailures)
		}
	}

	// A restart while a command runs: its connection drops (no exit-status), the host refuses
	// connections while down, and once back on a new boot a command runs.
	before := h.Sim.Snapshot()
	done := make(chan sshResult, 1)
	go func() { done <- cl.run(ctx, t, tg, "ping -n 60 127.0.0.1 >nul", "") }()
	waitFor(t, func() bool { return h.Sim.Snapshot().SSH.Open > 0 && h.Sim.Snapshot().SSH.Execs > 0 })
	if r := cl.run(ctx, t, tg, "shutdown /r /t 0", ""); r.Error != "" || r.Code != 0 {
		t.Fatalf("shutdown: %+v", r)
	}
	select {
	case r := <-done:
		if r.Error == "" || r.Code != -1 {
			t.Errorf("restart: the running command reports %+v, want a dropped connection", r)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("restart: the running command's connection did not drop")
	}
	waitFor(t, func() bool { return h.Sim.Host.Up() && h.Sim.Snapshot().BootID != before.BootID })
	r, _ = run(tg, "echo back", "")
	expect("after the restart", r, "back\r\n", "", 0)
	if after := h.Sim.Snapshot(); after.Reboots != before.Reboots+1 {
		t.Errorf("restart: reboots %d -> %d", before.Reboots, after.Reboots)
	}
}

// otherKnownHosts is a known_hosts file that records another key for the host's address.
func otherKnownHosts(t *testing.T, dir, addr string) string {
	t.Helper()
	_, pub := newKeyFile(t, dir, "impostor_host_key")
	p := filepath.Join(dir, "other_known_hosts")
	if err := os.WriteFile(p, []byte(knownHostsLine(addr, pub)), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func truncate(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

func knownHostsLine(addr string, key ssh.PublicKey) string { return sshd.KnownHostsLine(addr, key) }
