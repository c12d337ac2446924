package conformance

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/control"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
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
	check func(t *testing.T, before, after winsim.State, limited bool)
}

// caseList is the suite: the same cases, in this order, for every client and transport.
var caseList = []Case{
	{Name: "stdout-stderr", Command: "echo out& echo err 1>&2", Stdout: "out\r\n", Stderr: "err \r\n", Codes: []uint32{0}},
	{Name: "exit-codes", Commands: []string{"cmd /c exit 0", "cmd /c exit 1", "cmd /c exit 3010", "cmd /c exit -1"},
		Codes: []uint32{0, 1, 3010, 4294967295}},
	{Name: "stdin", Command: "more", Stdin: stdinText(), Stdout: stdinText(), Codes: []uint32{0},
		check: func(t *testing.T, _, after winsim.State, _ bool) {
			if n := after.Requests.ByAction["Send"]; n < 1 {
				t.Errorf("stdin: the host saw %d Send requests", n)
			}
		}},
	{Name: "long-output", Command: "for /L %i in (1,1,30000) do @echo line %i", Lines: 30000, Codes: []uint32{0},
		check: func(t *testing.T, _, after winsim.State, _ bool) {
			if n := after.Requests.ByAction["Receive"]; n < 2 {
				t.Errorf("long output: %d Receives, want several", n)
			}
		}},
	{Name: "operation-timeout", Command: "ping -n 4 127.0.0.1 >nul", OperationTimeout: 1, MinSeconds: 2.5, Codes: []uint32{0},
		check: func(t *testing.T, _, after winsim.State, limited bool) {
			n := after.Requests.ByAction["Receive"]
			switch {
			case !limited && n < 2:
				t.Errorf("operation timeout: %d Receives; a client must re-issue the Receive after w:TimedOut", n)
			case limited && n < 1:
				t.Errorf("operation timeout: %d Receives", n)
			}
		}},
	{Name: "fault", Command: "echo never runs", FaultCode: "2150858843",
		check: func(t *testing.T, _, after winsim.State, _ bool) {
			if after.Requests.ByAction["Create"] < 1 || after.Requests.ByAction["Delete"] < 1 || after.Requests.ByAction["Command"] < 1 {
				t.Errorf("fault: requests %v, want a Create, a Delete and a Command", after.Requests.ByAction)
			}
		}},
	{Name: "auth-rejected", Command: "echo never runs",
		check: func(t *testing.T, _, after winsim.State, _ bool) {
			if after.Requests.Total != 0 {
				t.Errorf("auth rejected: %d WS-Man requests got past authentication", after.Requests.Total)
			}
		}},
	{Name: "reboot", Command: "ping -n 60 127.0.0.1 >nul", Restart: "shutdown /r /t 0", After: "echo back", Stdout: "back\r\n",
		check: func(t *testing.T, before, after winsim.State, _ bool) {
			if after.BootID == before.BootID || after.Reboots != before.Reboots+1 || !after.Up {
				t.Errorf("reboot: boot id %s -> %s, reboots %d -> %d, up %v", before.BootID, after.BootID, before.Reboots, after.Reboots, after.Up)
			}
		}},
	{Name: "untrusted-ca", Command: "echo never runs", httpsOnly: true,
		check: func(t *testing.T, _, after winsim.State, _ bool) {
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

// Target is where a client connects, as the scripts read it (JSON).
type Target struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	HTTPS    bool   `json:"https"`
	Endpoint string `json:"endpoint"`
	User     string `json:"user"`
	Password string `json:"password"`
	// CAFile is the host's CA certificate to trust ("" over HTTP, and for the untrusted-ca case).
	CAFile string `json:"ca"`
	// WrongPassword is the password the auth-rejected case uses.
	WrongPassword string `json:"wrong_password"`
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
	run    func(ctx context.Context, t *testing.T, target Target, c Case) (outcome, error)
}

var clients = []client{masterzenClient, pywinrmClient, nodeClient}

// TestConformance runs every case for every client over HTTPS and over HTTP, each client and transport
// against its own host.
func TestConformance(t *testing.T) {
	for _, cl := range clients {
		t.Run(cl.name, func(t *testing.T) {
			if why := cl.missing(); why != "" {
				if os.Getenv("CI") != "" {
					t.Fatalf("%s is missing in CI: %s", cl.name, why)
				}
				t.Skipf("SKIPPING the %s conformance cases: %s", cl.name, why)
			}
			for _, https := range []bool{true, false} {
				transport := map[bool]string{true: "https", false: "http"}[https]
				t.Run(transport, func(t *testing.T) {
					t.Parallel()
					runCases(t, cl, https)
				})
			}
		})
	}
}

func runCases(t *testing.T, cl client, https bool) {
	// Over HTTP, Basic needs AllowUnencrypted, as on Windows.
	o := winsim.Options{Profile: "ws2022", User: user, Password: password, HTTPS: https, AllowUnencrypted: !https, RebootTime: 500 * time.Millisecond}
	if https {
		o.StateDir = t.TempDir()
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
		User: user, Password: password, CAFile: h.CAFile, WrongPassword: wrongPassword, ca: h.CA}
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
				t.Fatalf("%s %s %s: %v", cl.name, scheme, c.Name, err)
			}
			t.Logf("%s %s (%.1f s): %s", res.Status, c.Name, time.Since(start).Seconds(), res.Detail)
			why, declared := cl.limits[c.Name]
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
				c.check(t, before, after, declared)
			}
		})
	}
}
