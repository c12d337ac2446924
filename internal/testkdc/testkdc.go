// Package testkdc runs a real MIT Kerberos KDC (Debian's krb5-kdc, with kdb5_util and kadmin.local from
// krb5-admin-server) on loopback for the duration of a test: a realm of its own in a temporary directory,
// a user principal with a password, HTTP/<host> service principals with a keytab, and a krb5.conf that
// sends clients to it over TCP. Nothing outside the directory is touched (no /etc/krb5.conf, no
// /etc/hosts): clients get the krb5.conf path (KRB5_CONFIG for MIT's libraries, a path for gokrb5).
//
// The tools are Debian's: .ci/run installs them. A test that needs the KDC is skipped when they are
// missing, except under CI (CI set), where a missing tool fails the test.
package testkdc

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Realm is the test realm.
const Realm = "WINSIM.TEST"

// Tools are the programs a KDC needs, with the Debian package of each.
var tools = [][2]string{
	{"krb5kdc", "krb5-kdc"}, {"kdb5_util", "krb5-kdc"}, {"kadmin.local", "krb5-admin-server"}, {"kinit", "krb5-user"},
}

// Options shape the realm. Zero values take the defaults.
type Options struct {
	// User and Password are the user principal's name (without realm) and password. Default alice.
	User, Password string
	// ServiceHosts are the host names that get an HTTP/<host> principal in the keytab. Default
	// winsim.example.test and localhost.
	ServiceHosts []string
}

// KDC is a running KDC and its realm.
type KDC struct {
	Dir string
	// Realm, User (user@REALM is the principal) and Password of the user.
	Realm, User, Password string
	// Krb5Conf is the client configuration (KRB5_CONFIG), Keytab the service principals' keys.
	Krb5Conf, Keytab string
	// Addr is the KDC's TCP address.
	Addr string
	env  []string
}

// need returns the first missing tool and its package, or "" when all are there.
func need() (tool, pkg string) {
	for _, t := range tools {
		if _, err := lookPath(t[0]); err != nil {
			return t[0], t[1]
		}
	}
	return "", ""
}

// lookPath finds a tool on PATH or in /usr/sbin (not on every user's PATH).
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s is not installed", name)
}

// Start creates the realm and runs its KDC until the test ends.
func Start(tb testing.TB, o Options) *KDC {
	tb.Helper()
	if tool, pkg := need(); tool != "" {
		msg := fmt.Sprintf("testkdc: %s is not installed (Debian package %s; .ci/run installs it)", tool, pkg)
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	if o.User == "" {
		o.User, o.Password = "alice", "Kerb-Pass-1"
	}
	if len(o.ServiceHosts) == 0 {
		o.ServiceHosts = []string{"winsim.example.test", "localhost"}
	}
	dir := tb.TempDir()
	port, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	k := &KDC{Dir: dir, Realm: Realm, User: o.User, Password: o.Password, Krb5Conf: filepath.Join(dir, "krb5.conf"),
		Keytab: filepath.Join(dir, "http.keytab"), Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	k.env = append(os.Environ(), "KRB5_CONFIG="+k.Krb5Conf, "KRB5_KDC_PROFILE="+filepath.Join(dir, "kdc.conf"),
		"KRB5CCNAME=FILE:"+filepath.Join(dir, "default.ccache"))
	if err := k.writeConfig(port); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	steps := [][]string{{"kdb5_util", "create", "-s", "-r", Realm, "-P", "master-" + strconv.Itoa(port)}}
	steps = append(steps, []string{"kadmin.local", "-r", Realm, "-q", "addprinc -pw " + o.Password + " " + o.User})
	kt := []string{"ktadd", "-k", k.Keytab}
	for _, h := range o.ServiceHosts {
		steps = append(steps, []string{"kadmin.local", "-r", Realm, "-q", "addprinc -randkey HTTP/" + h})
		kt = append(kt, "HTTP/"+h)
	}
	steps = append(steps, []string{"kadmin.local", "-r", Realm, "-q", strings.Join(kt, " ")})
	for _, s := range steps {
		if out, err := k.run(ctx, nil, s...); err != nil {
			tb.Fatalf("testkdc: %s: %v\n%s", s[0], err, out)
		}
	}
	k.serve(tb, port)
	return k
}

func (k *KDC) writeConfig(port int) error {
	kdc := fmt.Sprintf(`[kdcdefaults]
 kdc_listen = 127.0.0.1:%[2]d
 kdc_tcp_listen = 127.0.0.1:%[2]d
[realms]
 %[1]s = {
  database_name = %[3]s/principal
  key_stash_file = %[3]s/stash
  acl_file = %[3]s/kadm5.acl
  kdc_listen = 127.0.0.1:%[2]d
  kdc_tcp_listen = 127.0.0.1:%[2]d
  max_life = 10h 0m 0s
  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
 }
[logging]
 kdc = FILE:%[3]s/kdc.log
 admin_server = FILE:%[3]s/kadmin.log
 default = FILE:%[3]s/krb5lib.log
`, Realm, port, k.Dir)
	// udp_preference_limit = 1: every request over TCP (one port to watch, no UDP retries). No DNS, no
	// reverse lookups, no canonicalisation: the SPN is HTTP/<the name the client was given>.
	client := fmt.Sprintf(`[libdefaults]
 default_realm = %[1]s
 dns_lookup_kdc = false
 dns_lookup_realm = false
 dns_canonicalize_hostname = false
 rdns = false
 udp_preference_limit = 1
 default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
 default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
 permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
[realms]
 %[1]s = {
  kdc = 127.0.0.1:%[2]d
 }
[domain_realm]
 .example.test = %[1]s
 localhost = %[1]s
`, Realm, port)
	if err := os.WriteFile(filepath.Join(k.Dir, "kdc.conf"), []byte(kdc), 0o600); err != nil {
		return fmt.Errorf("testkdc: %w", err)
	}
	if err := os.WriteFile(filepath.Join(k.Dir, "kadm5.acl"), nil, 0o600); err != nil {
		return fmt.Errorf("testkdc: %w", err)
	}
	if err := os.WriteFile(k.Krb5Conf, []byte(client), 0o600); err != nil {
		return fmt.Errorf("testkdc: %w", err)
	}
	return nil
}

func (k *KDC) run(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	p, err := lookPath(args[0])
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, p, args[1:]...)
	cmd.Env, cmd.Dir = k.env, k.Dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s: %w", strings.Join(args[:1], " "), err)
	}
	return out, nil
}

// serve starts krb5kdc in the foreground (-n) and waits until its TCP port answers.
func (k *KDC) serve(tb testing.TB, port int) {
	tb.Helper()
	p, _ := lookPath("krb5kdc")
	var out bytes.Buffer
	// The KDC runs until the test ends: its context is cancelled by the cleanup, which also kills it.
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, p, "-n", "-r", Realm, "-P", filepath.Join(k.Dir, "krb5kdc.pid"))
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = k.env, k.Dir, &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("testkdc: starting krb5kdc: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err == nil {
			tb.Log("testkdc: krb5kdc exited before the end of the test")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", k.Addr)
		if err == nil {
			_ = c.Close()
			return
		}
		select {
		case err := <-done:
			log, _ := os.ReadFile(filepath.Join(k.Dir, "kdc.log"))
			tb.Fatalf("testkdc: krb5kdc exited (%v) before listening on %s:\n%s\n%s", err, k.Addr, out.String(), log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tb.Fatalf("testkdc: krb5kdc does not listen on port %d after 20s: %v", port, err)
		}
	}
}

// Principal is the user's principal name, user@REALM.
func (k *KDC) Principal() string { return k.User + "@" + k.Realm }

// Env is the environment MIT's tools and libraries need for this realm (KRB5_CONFIG), plus
// KRB5CCNAME=ccache when ccache is not empty.
func (k *KDC) Env(ccache string) []string {
	env := []string{"KRB5_CONFIG=" + k.Krb5Conf}
	if ccache != "" {
		env = append(env, "KRB5CCNAME=FILE:"+ccache)
	}
	return env
}

// Kinit gets the user a TGT with MIT's kinit (the password on stdin) into a new credential cache file
// and returns its path.
func (k *KDC) Kinit(tb testing.TB) string {
	tb.Helper()
	cc := filepath.Join(tb.TempDir(), "krb5cc")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := k.run(ctx, []byte(k.Password+"\n"), "kinit", "-c", "FILE:"+cc, k.Principal()); err != nil {
		tb.Fatalf("testkdc: kinit: %v\n%s", err, out)
	}
	return cc
}

// AddPrincipal adds a principal with a password (tests of a principal the client should not find use
// names that were never added).
func (k *KDC) AddPrincipal(tb testing.TB, name, password string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := k.run(ctx, nil, "kadmin.local", "-r", Realm, "-q", "addprinc -pw "+password+" "+name); err != nil {
		tb.Fatalf("testkdc: %v\n%s", err, out)
	}
}

// freePort returns a port free for both TCP and UDP on 127.0.0.1.
func freePort() (int, error) {
	var lc net.ListenConfig
	ctx := context.Background()
	for range 20 {
		l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("testkdc: %w", err)
		}
		addr, _ := l.Addr().(*net.TCPAddr)
		port := addr.Port
		u, err := lc.ListenPacket(ctx, "udp", l.Addr().String())
		_ = l.Close()
		if err == nil {
			_ = u.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("testkdc: no port free for TCP and UDP on 127.0.0.1")
}
