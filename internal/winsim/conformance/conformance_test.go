package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/testkdc"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/control"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

const (
	user          = "Administrator"
	password      = "C0nformance!P@ss"
	wrongPassword = "not-the-password"
)

// Case is one conformance case, as every client gets it (the scripts read it as JSON): the command lines
// and what the client must report.
type Case struct {
	Name string `json:"name"`
	// Command is the command line; Commands several, with Codes their exit codes.
	Command  string   `json:"command,omitempty"`
	Commands []string `json:"commands,omitempty"`
	Codes    []uint32 `json:"codes,omitempty"`
	Stdin    string   `json:"stdin,omitempty"`
	Stdout   string   `json:"stdout,omitempty"`
	Stderr   string   `json:"stderr,omitempty"`
	// Lines: the output is "line 1" to "line <Lines>", one per line.
	Lines int `json:"lines,omitempty"`
	// OperationTimeout is the w:OperationTimeout the client asks for, in seconds; MinSeconds how long the
	// command takes at least.
	OperationTimeout int     `json:"operation_timeout,omitempty"`
	MinSeconds       float64 `json:"min_seconds,omitempty"`
	// FaultCode is the WSManFault code the client must report.
	FaultCode string `json:"fault_code,omitempty"`
	// Restart is run from a second shell while Command runs; After must work once the host is back.
	Restart string `json:"restart,omitempty"`
	After   string `json:"after,omitempty"`

	httpsOnly bool
	// check reads the host's state document after the client ran the case (counters reset before it);
	// limited is true when the client declares it cannot express the case.
	check func(t *testing.T, tr transport, before, after winsim.State, limited bool)
}

// caseList is the suite: the same cases, in this order, for every client and transport.
var caseList = []Case{
	{Name: "stdout-stderr", Command: "echo out& echo err 1>&2", Stdout: "out\r\n", Stderr: "err \r\n", Codes: []uint32{0}},
	{Name: "exit-codes", Commands: []string{"cmd /c exit 0", "cmd /c exit 1", "cmd /c exit 3010", "cmd /c exit -1"},
		Codes: []uint32{0, 1, 3010, 4294967295}},
	{Name: "stdin", Command: "more", Stdin: stdinText(), Stdout: stdinText(), Codes: []uint32{0},
		check: func(t *testing.T, _ transport, _, after winsim.State, _ bool) {
			if n := after.Requests.ByAction["Send"]; n < 1 {
				t.Errorf("stdin: the host saw %d Send requests", n)
			}
		}},
	{Name: "long-output", Command: "for /L %i in (1,1,30000) do @echo line %i", Lines: 30000, Codes: []uint32{0},
		check: func(t *testing.T, _ transport, _, after winsim.State, _ bool) {
			if n := after.Requests.ByAction["Receive"]; n < 2 {
				t.Errorf("long output: %d Receives, want several", n)
			}
		}},
	{Name: "operation-timeout", Command: "ping -n 4 127.0.0.1 >nul", OperationTimeout: 1, MinSeconds: 2.5, Codes: []uint32{0},
		check: func(t *testing.T, _ transport, _, after winsim.State, limited bool) {
			n := after.Requests.ByAction["Receive"]
			switch {
			case !limited && n < 2:
				t.Errorf("operation timeout: %d Receives; a client must re-issue the Receive after w:TimedOut", n)
			case limited && n < 1:
				t.Errorf("operation timeout: %d Receives", n)
			}
		}},
	{Name: "fault", Command: "echo never runs", FaultCode: "2150858843",
		check: func(t *testing.T, _ transport, _, after winsim.State, _ bool) {
			if after.Requests.ByAction["Create"] < 1 || after.Requests.ByAction["Delete"] < 1 || after.Requests.ByAction["Command"] < 1 {
				t.Errorf("fault: requests %v, want a Create, a Delete and a Command", after.Requests.ByAction)
			}
		}},
	{Name: "auth-rejected", Command: "echo never runs",
		check: func(t *testing.T, tr transport, _, after winsim.State, _ bool) {
			if after.Requests.Total != 0 {
				t.Errorf("auth rejected: %d WS-Man requests got past authentication", after.Requests.Total)
			}
			// With NTLM the refusal comes after the handshake: a 401 carrying the CHALLENGE_MESSAGE, then
			// the 401 that refuses the AUTHENTICATE_MESSAGE.
			if n := after.Requests.AuthChallenges; tr.auth == "ntlm" && n < 2 {
				t.Errorf("auth rejected over NTLM: %d 401 answers, want the challenge and the refusal", n)
			}
		}},
	{Name: "reboot", Command: "ping -n 60 127.0.0.1 >nul", Restart: "shutdown /r /t 0", After: "echo back", Stdout: "back\r\n",
		check: func(t *testing.T, _ transport, before, after winsim.State, _ bool) {
			if after.BootID == before.BootID || after.Reboots != before.Reboots+1 || !after.Up {
				t.Errorf("reboot: boot id %s -> %s, reboots %d -> %d, up %v", before.BootID, after.BootID, before.Reboots, after.Reboots, after.Up)
			}
		}},
	{Name: "untrusted-ca", Command: "echo never runs", httpsOnly: true,
		check: func(t *testing.T, _ transport, _, after winsim.State, _ bool) {
			if after.Requests.Total != 0 {
				t.Errorf("untrusted CA: %d WS-Man requests reached the host", after.Requests.Total)
			}
		}},
}

// stdinText is a few hundred lines: more than one TCP segment, well under one Send.
func stdinText() string {
	var b strings.Builder
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&b, "stdin line %d of 300\r\n", i)
	}
	return b.String()
}

// transport is one way a client reaches a host: the scheme, the WinRM service's auth setting, and whether
// the client seals its messages (NTLM session security, multipart/encrypted).
type transport struct {
	name  string
	https bool
	// auth is the host's auth setting and what the client uses: basic (the host enables Basic and
	// Negotiate, the client uses Basic) or ntlm (the host enables Negotiate only, so a client that fell
	// back to Basic would be refused).
	auth string
	// seal: the client seals every SOAP message (NTLM session security, multipart/encrypted), over HTTP
	// against a host that keeps Windows' out-of-box AllowUnencrypted=false, so an unsealed message would
	// be refused. Only clients that can seal (client.seals) run it.
	seal bool
}

// transports are the ways every client runs the case list. Over HTTP the hosts set AllowUnencrypted:
// Basic and unsealed NTLM need it, as on Windows.
var transports = []transport{
	{name: "https-basic", https: true, auth: "basic"},
	{name: "http-basic", auth: "basic"},
	{name: "https-ntlm", https: true, auth: "ntlm"},
	{name: "http-ntlm", auth: "ntlm"},
	{name: "http-ntlm-sealed", auth: "ntlm", seal: true},
	// Kerberos against a real MIT KDC (internal/testkdc): the host has the realm's HTTP/<host> keytab, the
	// client a ticket cache kinit filled. Only clients that speak Kerberos (client.kerberos) run these.
	{name: "https-kerberos", https: true, auth: "kerberos"},
	{name: "http-kerberos", auth: "kerberos"},
	{name: "http-kerberos-sealed", auth: "kerberos", seal: true},
	// Certificate authentication: a client certificate from a CA the host trusts, with the Client
	// Authentication EKU and the user's UPN, mapped to the local user (WSMan:\localhost\ClientCertificate).
	// Only clients that present certificates (client.certificate) run it.
	{name: "https-certificate", https: true, auth: "certificate"},
}

// spnHost is the name Kerberos clients ask a ticket for (HTTP/spnHost); they connect to the loopback
// address and name the SPN's host explicitly (pywinrm's kerberos_hostname_override).
const spnHost = "winsim.example.test"

// computerName is the hosts' name: NTLM clients log on as computerName\user, a local account.
const computerName = "CONFORMANCE"

// Target is where a client connects, as the scripts read it (JSON).
type Target struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	HTTPS    bool   `json:"https"`
	Endpoint string `json:"endpoint"`
	// Auth is basic or ntlm; with ntlm, User is DOMAIN\user (winrm-client picks NTLM from the domain).
	Auth string `json:"auth"`
	// Seal: the client must seal its messages (pywinrm: message_encryption='auto' over HTTP).
	Seal     bool   `json:"seal"`
	User     string `json:"user"`
	Password string `json:"password"`
	// CAFile is the host's CA certificate to trust ("" over HTTP, and for the untrusted-ca case).
	CAFile string `json:"ca"`
	// WrongPassword is the password the auth-rejected case uses.
	WrongPassword string `json:"wrong_password"`
	// Kerberos: the realm's krb5.conf, the user's ticket cache, the cache of a principal the host does
	// not admit (auth-rejected), and the host name of the SPN.
	Krb5Conf    string `json:"krb5_conf,omitempty"`
	CCache      string `json:"ccache,omitempty"`
	WrongCCache string `json:"wrong_ccache,omitempty"`
	SPNHost     string `json:"spn_host,omitempty"`
	// Certificate: the client certificate and key (PEM files) mapped to the user, and a certificate from
	// the same CA whose UPN no mapping names (auth-rejected).
	CertFile      string `json:"cert,omitempty"`
	KeyFile       string `json:"key,omitempty"`
	WrongCertFile string `json:"wrong_cert,omitempty"`
	WrongKeyFile  string `json:"wrong_key,omitempty"`
	ca            []byte
}

// outcome is what a client reported for a case: ok, or limit (it cannot express the case; Detail says
// why and what it did instead).
type outcome struct {
	Status, Detail string
}

// client is one independent WinRM client.
type client struct {
	name string
	// missing says why the client cannot run here ("" when it can).
	missing func() string
	// limits are the cases the client cannot express, with the reason; the client must report exactly
	// these as limits.
	limits map[string]string
	// ntlmLimits, when set, replaces limits for the NTLM transports.
	ntlmLimits map[string]string
	// seals: the client can seal messages and runs the sealed transports.
	seals bool
	// kerberos: the client speaks Kerberos and runs the Kerberos transports.
	kerberos bool
	// certificate: the client authenticates with a client certificate and runs the certificate transport.
	certificate bool
	run         func(ctx context.Context, t *testing.T, target Target, c Case) (outcome, error)
}

var clients = []client{masterzenClient, pywinrmClient, nodeClient}

// concurrentHosts is how many client-and-transport runs go at once. Most of their time is spent waiting
// (OperationTimeout, restarts), so more than the cores; the cap keeps the client processes' start-up
// from starving the hosts on a 2-core runner.
const concurrentHosts = 6

// TestConformance runs every case for every client over every transport, each client and transport
// against its own host. The runs go concurrently (at most concurrentHosts at a time) as subtests started
// from goroutines, which go test's -parallel (GOMAXPROCS by default) does not cap.
func TestConformance(t *testing.T) {
	sem := make(chan struct{}, concurrentHosts)
	var all sync.WaitGroup
	for _, cl := range clients {
		all.Add(1)
		go func() {
			defer all.Done()
			t.Run(cl.name, func(t *testing.T) {
				if why := cl.missing(); why != "" {
					if os.Getenv("CI") != "" {
						t.Fatalf("%s is missing in CI: %s", cl.name, why)
					}
					t.Skipf("SKIPPING the %s conformance cases: %s", cl.name, why)
				}
				var runs sync.WaitGroup
				for _, tr := range transports {
					if (tr.seal && !cl.seals) || (tr.auth == "kerberos" && !cl.kerberos) || (tr.auth == "certificate" && !cl.certificate) {
						continue
					}
					runs.Add(1)
					go func() {
						defer runs.Done()
						sem <- struct{}{}
						defer func() { <-sem }()
						t.Run(tr.name, func(t *testing.T) { runCases(t, cl, tr) })
					}()
				}
				runs.Wait()
			})
		}()
	}
	all.Wait()
}

func runCases(t *testing.T, cl client, tr transport) {
	https := tr.https
	o := winsim.Options{Profile: "ws2022", User: user, Password: password, HTTPS: https, AllowUnencrypted: !https && !tr.seal,
		RequireEncryption: tr.seal, RebootTime: 500 * time.Millisecond, Auth: tr.auth, ComputerName: computerName}
	if https {
		o.StateDir = t.TempDir()
	}
	var certs *clientCerts
	if tr.auth == "certificate" {
		// Basic off, as on Windows: a client that fell back to the password would be refused.
		certs = newClientCerts(t)
		o.Auth, o.CertificateAuth, o.TrustedRoots, o.CertMappings = "ntlm", true, certs.ca.PEM, []wsman.CertMapping{certs.ca.Mapping(certUPN, user)}
	}
	var kdc *testkdc.KDC
	if tr.auth == "kerberos" {
		kdc = testkdc.Start(t, testkdc.Options{User: user, Password: password, ServiceHosts: []string{spnHost}})
		o.Keytab = kdc.Keytab
	}
	sim, err := winsim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	sim.Host.ShutdownTime = 300 * time.Millisecond // before serving: how long WinRM answers after shutdown /r /t 0
	h := winsimtest.Serve(t, sim, o.StateDir)
	api, err := control.New(h.URL, h.CAFile, user, password)
	if err != nil {
		t.Fatal(err)
	}
	scheme := map[bool]string{true: "https", false: "http"}[https]
	target := Target{Host: h.Addr, Port: h.Port, HTTPS: https, Endpoint: fmt.Sprintf("%s://%s:%d/wsman", scheme, h.Addr, h.Port),
		Auth: tr.auth, Seal: tr.seal, User: user, Password: password, CAFile: h.CAFile, WrongPassword: wrongPassword, ca: h.CA}
	if tr.auth == "ntlm" {
		target.User = computerName + `\` + user
	}
	if kdc != nil {
		// A principal of the realm with a valid ticket, but not a user the host admits.
		kdc.AddPrincipal(t, "intruder", wrongPassword)
		intruder := *kdc
		intruder.User, intruder.Password = "intruder", wrongPassword
		target.Krb5Conf, target.CCache, target.WrongCCache, target.SPNHost = kdc.Krb5Conf, kdc.Kinit(t), intruder.Kinit(t), spnHost
	}
	if certs != nil {
		target.CertFile, target.KeyFile, target.WrongCertFile, target.WrongKeyFile = certs.cert, certs.key, certs.wrongCert, certs.wrongKey
	}
	for _, c := range caseList {
		if c.httpsOnly && !https {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			if err := api.ResetCounters(ctx); err != nil {
				t.Fatal(err)
			}
			before, err := api.State(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tg := target
			if c.Name == "untrusted-ca" {
				tg.CAFile, tg.ca = "", nil
			}
			start := time.Now()
			res, err := cl.run(ctx, t, tg, c)
			if err != nil {
				t.Fatalf("%s %s %s: %v", cl.name, tr.name, c.Name, err)
			}
			t.Logf("%s %s (%.1f s): %s", res.Status, c.Name, time.Since(start).Seconds(), res.Detail)
			limits := cl.limits
			if tr.auth == "ntlm" && cl.ntlmLimits != nil {
				limits = cl.ntlmLimits
			}
			why, declared := limits[c.Name]
			switch {
			case res.Status == "limit" && !declared:
				t.Errorf("%s reports a limit on %s that the suite does not declare: %s", cl.name, c.Name, res.Detail)
			case res.Status == "ok" && declared:
				t.Errorf("%s passed %s in full, but the suite declares it cannot (%s): remove the declaration", cl.name, c.Name, why)
			case res.Status != "ok" && res.Status != "limit":
				t.Errorf("%s %s: status %q", cl.name, c.Name, res.Status)
			}
			after, err := api.State(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c.check != nil {
				c.check(t, tr, before, after, declared)
			}
			// Every SOAP message of a sealed run came sealed (the host would have refused an unsealed one
			// anyway), and none of the others did.
			if sealed := after.Requests.Sealed; (tr.seal && sealed != after.Requests.Total) || (!tr.seal && sealed != 0) {
				t.Errorf("%d of %d SOAP requests came sealed", sealed, after.Requests.Total)
			}
		})
	}
}

// certUPN is the UPN of the conformance clients' certificate: the local Administrator's.
const certUPN = "administrator@localhost"

// clientCerts are the certificate transport's files: a CA, a certificate it issued for certUPN (mapped)
// and one for another UPN (not mapped), with their keys, in PEM.
type clientCerts struct {
	ca                             *winsimtest.ClientCA
	cert, key, wrongCert, wrongKey string
}

func newClientCerts(t *testing.T) *clientCerts {
	t.Helper()
	dir := t.TempDir()
	c := &clientCerts{ca: winsimtest.NewClientCA(t, "conformance client CA")}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cert, key := c.ca.Issue(t, certUPN, true)
	wrong, wrongKey := c.ca.Issue(t, "intruder@localhost", true)
	c.cert, c.key, c.wrongCert, c.wrongKey = write("cert.pem", cert), write("key.pem", key), write("wrong-cert.pem", wrong), write("wrong-key.pem", wrongKey)
	return c
}
