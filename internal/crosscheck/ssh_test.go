package crosscheck

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/sshconn"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// The scenarios converge over SSH as over WinRM: the connection hostconn assembles for an ssh block
// (the same scripts through cmd.exe and powershell.exe with the body on stdin, the restart by boot id
// over a connection the restart drops) leaves each host exactly as testdata/scenarios.golden.json
// records for WinRM, and a second apply is one facts read.
func TestScenariosOverSSH(t *testing.T) {
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]hostSummary
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		profile, mode, engine string
		client                bool
	}{
		{profile: "ws2019", mode: "process", engine: "docker"},
		{profile: "ws2022", mode: "hyperv", engine: "containerd"},
		{profile: "ws2025", mode: "lcow", engine: "docker"},
		{profile: "ws2025", mode: "lcow", engine: "containerd"},
		{profile: "win11-24h2", mode: "hyperv", engine: "docker", client: true},
		{profile: "ws2016", mode: "lcow", engine: "docker"}, // refused before any change
	}
	for _, c := range cases {
		name := c.profile + "/" + c.mode + "/" + c.engine
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			o := winsim.Options{Profile: c.profile, Virtualization: "exposed", User: "Administrator", Password: "Crosscheck-P@ss",
				StateDir: t.TempDir(), SSH: true, RebootTime: 50 * time.Millisecond, Internet: sharedInternet()}
			if c.client {
				o.Edition = "enterprise"
			}
			h := winsimtest.Start(t, o)
			conn, err := hostconn.Open(hostconn.Config{
				SSH:          &sshconn.Options{Host: h.Addr, Port: h.SSHPort, User: o.User, Password: o.Password, KnownHostsFiles: []string{h.KnownHosts}},
				Reboot:       runner.RebootOptions{DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1, Timeout: 30 * time.Second},
				RetryBackoff: 10 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = conn.Close() })
			resolved, d := spec.Validate(spec.Spec{Mode: c.mode, Engine: spec.Engine{Type: c.engine}, PullImages: true}, compat.D(2026, 11, 22))
			if d.HasErrors() {
				t.Fatalf("spec: %v", d)
			}
			res, err := executor.Apply(context.Background(), conn, resolved, executor.Options{})
			st := h.Sim.Snapshot()
			got, serr := summarize(st, res, err)
			if serr != nil {
				t.Fatalf("apply over SSH: %v", serr)
			}
			a, _ := json.Marshal(want[name])
			g, _ := json.Marshal(got)
			if _, ok := want[name]; !ok || string(a) != string(g) {
				t.Fatalf("over SSH the host differs from %s:\n  want: %s\n  got:  %s", goldenFile, a, g)
			}
			if st.Requests.Total != 0 || st.SSH == nil || st.SSH.Execs == 0 {
				t.Errorf("the apply went through %d WS-Man requests and %+v over SSH; want SSH alone", st.Requests.Total, st.SSH)
			}
			var refusal *plan.RefusalError
			if errors.As(err, &refusal) {
				if st.SSH.Execs != 1 || st.Reboots != 0 {
					t.Errorf("refused, but the host ran %d commands and restarted %d times", st.SSH.Execs, st.Reboots)
				}
				return
			}
			assertConverged(t, st, resolved, res)
			if st.Reboots > 0 && st.SSH.Connections < 2 {
				t.Errorf("%d restart(s) but %d SSH connection(s): the restart must have dropped the first", st.Reboots, st.SSH.Connections)
			}
			h.Sim.ResetCounts()
			again, err := executor.Apply(context.Background(), conn, resolved, executor.Options{})
			if err != nil {
				t.Fatalf("second apply over SSH: %v", err)
			}
			if st2 := h.Sim.Snapshot(); len(again.StepsRun) != 0 || again.FactsReads != 1 || st2.SSH.Execs != 1 {
				t.Errorf("second apply ran %v with %d facts reads and %d commands", again.StepsRun, again.FactsReads, st2.SSH.Execs)
			}
			t.Logf("%s converged over SSH: %d steps, %d reboot(s), %d connections, %d commands, %d bytes in, %d out",
				name, len(res.StepsRun), st.Reboots, st.SSH.Connections, st.SSH.Execs, st.SSH.BytesIn, st.SSH.BytesOut)
		})
	}
}
