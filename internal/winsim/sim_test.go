package winsim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winrm"
)

func TestOptionsValidation(t *testing.T) {
	cases := []struct {
		o    Options
		says string
	}{
		{Options{Profile: "ws2008", User: "u", Password: "p"}, "unknown profile"},
		{Options{Profile: "ws23h2", User: "u", Password: "p", Installation: "desktop"}, "cannot be installed as \"desktop\""},
		{Options{Profile: "ws20h2", User: "u", Password: "p", Installation: "desktop"}, "installation options: core"},
		{Options{Profile: "ws23h2", User: "u", Password: "p", Edition: "standard"}, "no standard edition"},
		{Options{Profile: "ws2022", User: "u", Password: "p", Auth: "digest"}, "use basic"},
		{Options{Profile: "ws2022", User: "u", Password: "p", Auth: "kerberos"}, "needs --keytab"},
		{Options{Profile: "ws2022", User: "u", Password: "p", Auth: "kerberos", Keytab: "/nonexistent/keytab"}, "--keytab /nonexistent/keytab"},
		{Options{Profile: "ws2022", User: "u", Password: "p", WhileDown: "maybe"}, "use reset or drop"},
		{Options{Profile: "ws2022", User: "u", Password: "p", Virtualization: "maybe"}, "none or exposed"},
		{Options{Profile: "ws2022", User: "u"}, "--password"},
		{Options{Profile: "ws2022", User: "u", Password: "p", HTTPS: true}, "--state-dir"},
	}
	for _, c := range cases {
		if _, err := New(c.o); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: want %q, got %v", c.o, c.says, err)
		}
	}
}

type env struct {
	sim    *Sim
	url    string
	runner *runner.ScriptRunner
}

func start(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	sim, err := New(Options{Profile: "ws2025", User: "Administrator", Password: "Sim-P@ss", HTTPS: true, StateDir: dir, RebootTime: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	url, stop, err := sim.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop() })
	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(url, "https://"))
	p, _ := strconv.Atoi(port)
	c, err := winrm.New(winrm.Options{Host: host, Port: p, CACert: ca, User: "Administrator", Password: "Sim-P@ss", OperationTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &env{sim: sim, url: url, runner: &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}}
}

func (e *env) control(t *testing.T, method, path, body, user string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), method, e.url+path, strings.NewReader(body))
	req.SetBasicAuth(user, "Sim-P@ss")
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: e.sim.TLS.Clone()}}
	client.Transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the test talks to its own loopback server
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestHTTPSWithGeneratedCA(t *testing.T) {
	e := start(t)
	p, err := runner.Probe(context.Background(), e.runner)
	if err != nil {
		t.Fatal(err)
	}
	if p.OSBuild != 26100 || p.BootID != e.sim.Host.BootID() {
		t.Errorf("probe %+v", p)
	}
}

func TestControlAPI(t *testing.T) {
	e := start(t)
	if resp, _ := e.control(t, "GET", "/winsim/v1/state", "", "intruder"); resp.StatusCode != 401 {
		t.Errorf("state without the credentials: %d", resp.StatusCode)
	}
	if _, err := runner.Probe(context.Background(), e.runner); err != nil {
		t.Fatal(err)
	}
	resp, b := e.control(t, "GET", "/winsim/v1/state", "", "Administrator")
	var st State
	if resp.StatusCode != 200 || json.Unmarshal(b, &st) != nil {
		t.Fatalf("state: %d %s", resp.StatusCode, b)
	}
	if st.OS.Profile != "ws2025" || st.OS.Build != 26100 || st.OS.Channel != "ltsc" || st.OS.Edition != "datacenter" || st.OS.Installation != "core" ||
		st.OS.ProductName != "Windows Server 2025 Datacenter" || st.Requests.ByAction["Command"] != 1 || st.Requests.Total < 4 || st.Requests.BytesIn == 0 {
		t.Errorf("state %+v", st)
	}
	if resp, _ := e.control(t, "POST", "/winsim/v1/reset-counters", "", "Administrator"); resp.StatusCode != 204 {
		t.Errorf("reset-counters %d", resp.StatusCode)
	}
	if st := e.sim.Snapshot(); st.Requests.Total != 0 {
		t.Errorf("counters not reset: %+v", st.Requests)
	}

	// reject_auth: the client sees a 401, explained.
	e.control(t, "POST", "/winsim/v1/faults", `{"kind":"reject_auth"}`, "Administrator")
	_, err := runner.Probe(context.Background(), e.runner)
	if err == nil || !strings.Contains(err.Error(), "rejected the credentials") {
		t.Errorf("reject_auth: %v", err)
	}
	e.control(t, "POST", "/winsim/v1/faults", `{"kind":"allow_auth"}`, "Administrator")

	// reset_connections: the next request is cut; the error is retryable.
	e.control(t, "POST", "/winsim/v1/faults", `{"kind":"reset_connections","count":1}`, "Administrator")
	_, err = runner.Probe(context.Background(), e.runner)
	if !runner.IsRetryable(err) {
		t.Errorf("reset: want a retryable error, got %v", err)
	}
	if _, err := runner.Probe(context.Background(), e.runner); err != nil {
		t.Errorf("after the reset: %v", err)
	}

	// reboot_now: a new boot id, one reboot counted.
	before := e.sim.Host.BootID()
	e.control(t, "POST", "/winsim/v1/faults", `{"kind":"reboot_now"}`, "Administrator")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (e.sim.Host.BootID() == before || !e.sim.Host.Up()) {
		time.Sleep(20 * time.Millisecond)
	}
	if st := e.sim.Snapshot(); st.Reboots != 1 || st.BootID == before || !st.Up {
		t.Errorf("after reboot_now: %+v", st)
	}

	if resp, b := e.control(t, "POST", "/winsim/v1/faults", `{"kind":"meteor"}`, "Administrator"); resp.StatusCode != 400 || !strings.Contains(string(b), "unknown fault kind") {
		t.Errorf("unknown fault: %d %s", resp.StatusCode, b)
	}
	if resp, _ := e.control(t, "POST", "/winsim/v1/faults", `{"kind":"latency","delay":"2h"}`, "Administrator"); resp.StatusCode != 400 {
		t.Errorf("latency bound: %d", resp.StatusCode)
	}
}

// A SOAP fault on each action: the client reports an error instead of spinning (Receive) or using an
// empty shell id (Create). masterzen ignores errors of the cleanup verbs (Signal, Delete), as every
// client does, so those runs succeed.
func TestFaultOnEachAction(t *testing.T) {
	e := start(t)
	for _, action := range []string{"Create", "Command", "Send", "Receive", "Signal", "Delete"} {
		if err := e.sim.Inject(Fault{Kind: "soap_fault", Action: action}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := runner.Probe(ctx, e.runner)
		cancel()
		switch action {
		case "Signal", "Delete":
			if err != nil {
				t.Errorf("%s fault: the command itself succeeded, got %v", action, err)
			}
		default:
			if err == nil || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s fault: want a prompt error, got %v", action, err)
			}
		}
	}
	if _, err := runner.Probe(context.Background(), e.runner); err != nil {
		t.Errorf("after the faults: %v", err)
	}
}

// A reboot while a script runs: the connection is reset and the error is a retryable transport error.
func TestRebootInTheMiddleOfAScript(t *testing.T) {
	e := start(t)
	// powershell.exe is replaced by a Go function that blocks until the connection goes, as a script
	// waiting on a slow command would.
	started := make(chan struct{})
	e.sim.Host.PowerShell = func(ctx context.Context, _ string, _ io.Reader, stdout, _ io.Writer) uint32 {
		_, _ = io.WriteString(stdout, "##wincontainers:progress {\"step\":\"facts\",\"message\":\"reading\"}\r\n")
		close(started)
		<-ctx.Done()
		return 0xC000013A
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.runner.Run(context.Background(), "facts", nil, nil)
		done <- err
	}()
	<-started
	if err := e.sim.Inject(Fault{Kind: "reboot_now"}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !runner.IsRetryable(err) {
			t.Errorf("want a retryable transport error, got %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the client did not notice the reboot")
	}
}

// POST /winsim/v1/drift changes the host behind the tool's back, and the state document shows it.
func TestDriftAndStateDocument(t *testing.T) {
	e := start(t)
	m := e.sim.Machine
	if _, err := m.InstallFeature("Containers"); err != nil {
		t.Fatal(err)
	}
	m.Boot()
	if err := m.InstallEngine("docker", "29.2.1"); err != nil {
		t.Fatal(err)
	}
	if err := m.RegisterService("docker"); err != nil {
		t.Fatal(err)
	}
	m.WriteFile(`C:\ProgramData\docker\config\daemon.json`, []byte(`{"debug": true}`))
	if err := m.StartService("docker"); err != nil {
		t.Fatal(err)
	}
	var st State
	_, b := e.control(t, "GET", "/winsim/v1/state", "", "Administrator")
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if st.Features["Containers"] != "Installed" || st.Services["docker"].State != "Running" || st.Engine.Type != "docker" ||
		st.Engine.Version != "29.2.1" || st.DaemonConfig["debug"] != true || st.LCOWBootFiles == nil {
		t.Fatalf("state %s", b)
	}
	for _, c := range []struct{ body, check string }{
		{`{"stop_service":"docker"}`, "docker stopped"},
		{`{"remove_feature":"Containers"}`, "Containers removed"},
		{`{"delete_file":"C:\\ProgramData\\docker\\config\\daemon.json"}`, "daemon.json deleted"},
	} {
		if resp, b := e.control(t, "POST", "/winsim/v1/drift", c.body, "Administrator"); resp.StatusCode != 204 {
			t.Fatalf("%s: %d %s", c.body, resp.StatusCode, b)
		}
	}
	st = e.sim.Snapshot()
	if st.Services["docker"].State != "Stopped" || st.Features["Containers"] != "Available" || st.DaemonConfig != nil {
		t.Errorf("after drift: %+v", st)
	}
	for _, bad := range []string{`{}`, `{"stop_service":"nosuch"}`, `{"remove_feature":"Foo"}`, `{"unknown":1}`} {
		if resp, _ := e.control(t, "POST", "/winsim/v1/drift", bad, "Administrator"); resp.StatusCode != 400 {
			t.Errorf("drift %s: %d, want 400", bad, resp.StatusCode)
		}
	}
	if resp, _ := e.control(t, "POST", "/winsim/v1/faults", `{"kind":"fail_download","url_contains":"docker-"}`, "Administrator"); resp.StatusCode != 204 {
		t.Errorf("fail_download: %d", resp.StatusCode)
	}
	if _, err := m.Download("https://download.docker.com/win/static/stable/x86_64/docker-29.2.1.zip", `C:\x.zip`); err == nil {
		t.Error("fail_download did not fail the download")
	}
}
