package converge

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

const password = "C0nverge-$ecret"

var today = compat.Date{Year: 2026, Month: 1, Day: 15}

// served serves a winsim host of profile and returns it with the Config that reaches it over WinRM
// (HTTPS, the host's CA), with short restart and retry timings.
func served(t *testing.T, profile string) (*winsim.Sim, hostconn.Config) {
	t.Helper()
	h := winsimtest.Start(t, winsim.Options{Profile: profile, Virtualization: "exposed", User: "Administrator", Password: password,
		HTTPS: true, StateDir: t.TempDir(), RebootTime: 50 * time.Millisecond})
	return h.Sim, hostconn.Config{
		WinRM: winrm.Options{Host: h.Addr, Port: h.Port, CACert: h.CA, User: "Administrator", Password: password, OperationTimeout: 5 * time.Second},
		Reboot: runner.RebootOptions{DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1, ProbeTimeout: 2 * time.Second,
			Timeout: 5 * time.Second},
		RetryAttempts: 3, RetryBackoff: 20 * time.Millisecond,
	}
}

// counting counts the connections a Connector opened.
type counting struct {
	Connector
	opened int
}

func (c *counting) Open(ctx context.Context) (*hostconn.Conn, error) {
	c.opened++
	return c.Connector.Open(ctx) //nolint:wrapcheck // the test compares the connector's own error
}

func processDocker() spec.Spec {
	return spec.Spec{Mode: "process", Engine: spec.Engine{Type: "docker"}}
}

func TestRunConvergesObservesAndCloses(t *testing.T) {
	sim, cfg := served(t, "ws2022")
	conn := &counting{Connector: cfg}
	var thenSaw Outcome
	var thenFacts int
	out, err := Run(context.Background(), Request{Spec: processDocker(), Today: today, Connect: conn,
		Then: func(ctx context.Context, h executor.Conn, o Outcome) error {
			thenSaw = o
			f, err := h.Facts(ctx) // the connection is still open
			thenFacts = f.OS.Build
			return err //nolint:wrapcheck // compared as is
		}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if conn.opened != 1 {
		t.Errorf("opened %d connections, want 1", conn.opened)
	}
	if out.Resolved.Mode != compat.ModeProcess || len(out.Result.StepsRun) == 0 || out.Result.Facts.Engine.Type != "docker" {
		t.Errorf("outcome %+v: want a process-mode Docker host converged by some steps", out.Result)
	}
	if len(out.Observed) != len(out.Result.Observed()) {
		t.Errorf("observed %d, the result records %d", len(out.Observed), len(out.Result.Observed()))
	}
	if thenFacts != 20348 || len(thenSaw.Result.StepsRun) != len(out.Result.StepsRun) {
		t.Errorf("Then saw build %d and %d steps: want the open connection to ws2022 and the apply's outcome", thenFacts, len(thenSaw.Result.StepsRun))
	}
	if n := sim.Snapshot().OpenShells; n != 0 {
		t.Errorf("%d WinRM shell(s) left open: Run must close its connection", n)
	}
	if out.Nested != nil {
		t.Errorf("a nested preflight ran over WinRM: %+v", out.Nested)
	}
}

func TestRunStopsAtEachStage(t *testing.T) {
	_, cfg := served(t, "ws2022")
	refused := errors.New("no route to the test host")
	thenErr := errors.New("image preparation failed")
	cases := []struct {
		name    string
		req     Request
		stage   Stage
		opened  int
		matches func(error) bool
	}{
		{"an invalid spec is refused before connecting",
			Request{Spec: spec.Spec{Mode: "lcow", OSVersion: "2016", Engine: spec.Engine{Type: "docker"}}, Connect: cfg},
			StageValidate, 0, func(err error) bool {
				inv, ok := errors.AsType[*InvalidSpecError](err)
				return ok && inv.Diagnostics.HasErrors() && strings.Contains(err.Error(), "invalid host spec")
			}},
		{"a connection that cannot open",
			Request{Spec: processDocker(), Connect: ConnectorFunc(func(context.Context) (*hostconn.Conn, error) { return nil, refused })},
			StageConnect, 1, func(err error) bool { return errors.Is(err, refused) }},
		{"an apply that needs a restart it may not do",
			Request{Spec: processDocker(), Connect: cfg, Options: executor.Options{MaxReboots: -1}},
			StageApply, 1, func(err error) bool { return errors.Is(err, executor.ErrRebootNotAllowed) }},
		{"Then's error",
			Request{Spec: processDocker(), Connect: cfg, Then: func(context.Context, executor.Conn, Outcome) error { return thenErr }},
			StageThen, 1, func(err error) bool { return errors.Is(err, thenErr) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn := &counting{Connector: c.req.Connect}
			c.req.Connect, c.req.Today = conn, today
			_, err := Run(context.Background(), c.req)
			if StageOf(err) != c.stage || !c.matches(err) {
				t.Fatalf("error %v at stage %q: want stage %q and the cause", err, StageOf(err), c.stage)
			}
			if conn.opened != c.opened {
				t.Errorf("opened %d connections, want %d", conn.opened, c.opened)
			}
		})
	}
}

func TestFactsAndUninstall(t *testing.T) {
	sim, cfg := served(t, "ws2022")
	if _, err := Run(context.Background(), Request{Spec: processDocker(), Today: today, Connect: cfg}); err != nil {
		t.Fatal(err)
	}
	f, err := Facts(context.Background(), cfg)
	if err != nil || f.Engine.Type != "docker" {
		t.Fatalf("Facts: %v, engine %q: want the converged Docker host", err, f.Engine.Type)
	}
	if _, err := Uninstall(context.Background(), cfg, executor.UninstallOptions{RemoveLCOW: true}); err != nil {
		t.Fatalf("Uninstall: %v", err)
	}
	if f, err = Facts(context.Background(), cfg); err != nil || f.Engine.Type != "" {
		t.Errorf("after Uninstall: %v, engine %q: want none", err, f.Engine.Type)
	}
	if n := sim.Snapshot().OpenShells; n != 0 {
		t.Errorf("%d WinRM shell(s) left open", n)
	}
	bad := cfg
	bad.WinRM.Password = "wrong"
	if _, err := Facts(context.Background(), bad); StageOf(err) != StageFacts {
		t.Errorf("refused credentials: %v at stage %q, want %q (the connection opens; the first script fails)", err, StageOf(err), StageFacts)
	}
	if _, err := Uninstall(context.Background(), ConnectorFunc(func(context.Context) (*hostconn.Conn, error) {
		return hostconn.Open(hostconn.Config{WinRM: winrm.Options{Host: "h", HTTP: true, Auth: winrm.AuthBasic}})
	}), executor.UninstallOptions{}); StageOf(err) != StageConnect {
		t.Errorf("plain HTTP with Basic: %v at stage %q, want %q", err, StageOf(err), StageConnect)
	}
}
