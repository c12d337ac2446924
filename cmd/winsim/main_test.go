package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

func TestProfiles(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"profiles"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ws2016 ", "ws23h2", "25398", "annual", "Windows Server 2022", "win11-24h2", "26100"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("profiles lacks %q", want)
		}
	}
}

func TestServeErrors(t *testing.T) {
	for args, says := range map[string]string{
		"serve --os ws20h2 --installation desktop --password x": "installation options: core",
		"serve --os nope --password x":                          "unknown profile",
		"serve --count 0 --password x":                          "--count",
		"bogus":                                                 "unknown command",
		"serve --ssh 127.0.0.1:0 --password x":                  "--state-dir",
		"serve --ssh nope --password x":                         "host:port",
	} {
		var out bytes.Buffer
		err := run(strings.Fields(args), &out, &out)
		if err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: want %q, got %v", args, says, err)
		}
	}
}

// TestServeLine runs `winsim serve --count 2` in a child process and checks the line the design fixes.
func TestServeLine(t *testing.T) {
	if os.Getenv("WINSIM_CHILD") == "1" {
		if err := run([]string{"serve", "--os", "ws23h2", "--count", "2", "--password", "x"}, os.Stdout, os.Stderr); err != nil {
			os.Exit(2)
		}
		os.Exit(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestServeLine$")
	cmd.Env = append(os.Environ(), "WINSIM_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line := regexp.MustCompile(`^winsim: host (\d) listening on http://127\.0\.0\.1:\d+ os=ws23h2 build=25398$`)
	sc := bufio.NewScanner(out)
	for i := 0; i < 2; i++ {
		if !sc.Scan() {
			t.Fatalf("no line %d", i)
		}
		if m := line.FindStringSubmatch(sc.Text()); m == nil || m[1] != string(rune('0'+i)) {
			t.Errorf("line %q", sc.Text())
		}
	}
	_ = cmd.Process.Signal(os.Interrupt)
}

func TestParseCertMapping(t *testing.T) {
	ca := winsimtest.NewClientCA(t, "mapping CA")
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, append([]byte("junk before\n"), ca.PEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	lower := strings.ToLower(ca.Thumbprint)
	for _, tc := range []struct {
		in   string
		want wsman.CertMapping
		err  string
	}{
		{in: "issuer=" + lower + ",subject=administrator@localhost", want: ca.Mapping("administrator@localhost", "Administrator")},
		{in: "issuer=" + caFile + ",subject=*@corp.example,user=admin", want: ca.Mapping("*@corp.example", "admin")},
		{in: "subject=x@y,issuer=" + ca.Thumbprint, want: ca.Mapping("x@y", "Administrator")},
		{in: "issuer=" + ca.Thumbprint, err: "both required"},
		{in: "subject=x@y", err: "both required"},
		{in: "issuer=" + ca.Thumbprint + ",subject=x@y,url=*", err: `unknown key "url"`},
		{in: "issuer=" + ca.Thumbprint + ",subject", err: "key=value"},
		{in: "issuer=ABCD,subject=x@y", err: "neither a thumbprint"},
		{in: "issuer=" + notPEM + ",subject=x@y", err: "no PEM certificate"},
	} {
		got, err := parseCertMapping(tc.in, "Administrator")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %+v, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// Mappings Windows would refuse to create are refused by serve, before anything listens.
func TestServeCertErrors(t *testing.T) {
	dir := t.TempDir()
	tp := strings.Repeat("AB", 20)
	for _, tc := range []struct{ args, says string }{
		{"--cert-auth", "needs --https"},
		{"--https --state-dir " + dir + " --cert-mapping issuer=" + tp + ",subject=a*b*", "one \"*\" first or last"},
		{"--https --state-dir " + dir + " --cert-mapping issuer=" + tp + ",subject=x@y,user=nobody", `user "nobody" is not an account`},
		{"--https --state-dir " + dir + " --cert-mapping subject=x@y", "--cert-mapping"},
		{"--https --state-dir " + dir + " --trusted-roots " + filepath.Join(dir, "missing.pem"), "--trusted-roots"},
	} {
		// A serve that accepts its flags listens until a signal: give it a moment, then call that a failure.
		done := make(chan error, 1)
		go func() {
			var out bytes.Buffer
			done <- run(append([]string{"serve", "--password", "x"}, strings.Fields(tc.args)...), &out, &out)
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%s: want %q, got %v", tc.args, tc.says, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s: serve accepted the flags and is listening; want %q", tc.args, tc.says)
		}
	}
}

// `winsim serve --https --cert-auth --trusted-roots ca.pem --cert-mapping issuer=ca.pem,subject=...`
// serves certificate authentication: our WinRM client logs on with a certificate the CA issued for the
// mapped UPN (no password) and runs a command as the mapped account; a certificate for another UPN is
// refused.
func TestServeCertificateAuth(t *testing.T) {
	if args := os.Getenv("WINSIM_CHILD_ARGS"); args != "" {
		if err := run(strings.Split(args, "\n"), os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	ca := winsimtest.NewClientCA(t, "winsim serve client CA")
	caFile := filepath.Join(dir, "client-ca.pem")
	if err := os.WriteFile(caFile, ca.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	stateDir := filepath.Join(dir, "state")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestServeCertificateAuth$")
	cmd.Env = append(os.Environ(), "WINSIM_CHILD_ARGS="+strings.Join([]string{"serve", "--https", "--state-dir", stateDir, "--password", "unused-Pa55",
		"--cert-auth", "--trusted-roots", caFile, "--cert-mapping", "issuer=" + caFile + ",subject=administrator@localhost"}, "\n"))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatal("winsim serve printed no line")
	}
	m := regexp.MustCompile(`listening on https://127\.0\.0\.1:(\d+) `).FindStringSubmatch(sc.Text())
	if m == nil {
		t.Fatalf("line %q", sc.Text())
	}
	port, _ := strconv.Atoi(m[1])
	serverCA, err := os.ReadFile(filepath.Join(stateDir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	logon := func(upn string) (string, error) {
		cert, key := ca.Issue(t, upn, true)
		c, err := winrm.New(winrm.Options{Host: "127.0.0.1", Port: port, CACert: serverCA, Auth: winrm.AuthCertificate, Cert: cert, Key: key,
			OperationTimeout: 2 * time.Second})
		if err != nil {
			return "", err
		}
		defer c.Close()
		var stdout strings.Builder
		code, err := c.Exec(ctx, "hostname", nil, &stdout, io.Discard)
		if err == nil && code != 0 {
			err = fmt.Errorf("exit code %d", code)
		}
		return strings.TrimSpace(stdout.String()), err
	}
	if name, err := logon("administrator@localhost"); err != nil || name != "WINSIM-00" {
		t.Fatalf("the mapped certificate: %q, %v", name, err)
	}
	if name, err := logon("someone@localhost"); err == nil {
		t.Fatalf("a certificate for an unmapped UPN ran hostname (%q)", name)
	}
}
