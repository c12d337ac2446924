package crosscheck

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// startHost serves one winsim host over HTTPS and returns a Runner connected to it through WinRM.
func startHost(t testing.TB, o winsim.Options) (*winsim.Sim, *runner.ScriptRunner) {
	t.Helper()
	o.User, o.Password, o.HTTPS, o.StateDir = "Administrator", "Crosscheck-P@ss", true, t.TempDir()
	h := winsimtest.Start(t, o)
	c, err := winrm.New(winrm.Options{Host: h.Addr, Port: h.Port, CACert: h.CA, User: o.User, Password: o.Password, OperationTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return h.Sim, &runner.ScriptRunner{Exec: c, Library: powershell.MustLoad()}
}

// The refusals of issue 5, through the whole stack: the executor reads the facts of a simulated host
// over WinRM in one script run, the planner refuses, and nothing else is sent to the host.
func TestRefusedBeforeAnyChange(t *testing.T) {
	cases := []struct {
		name string
		host winsim.Options
		spec spec.Spec
		code string
		says []string
	}{
		{"ws2016 lcow", winsim.Options{Profile: "ws2016", Virtualization: "exposed"}, spec.Spec{Mode: "lcow"},
			"lcow_host_too_old", []string{"14393", "1709", "containerd"}},
		{"ws2016 docker 27", winsim.Options{Profile: "ws2016"}, spec.Spec{Mode: "process", Engine: spec.Engine{Version: "27.3.1"}},
			"docker_23_needs_17763", []string{"17763", "20.10.24"}},
		{"no virtualization, hyperv", winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "hyperv"},
			"no_virtualization", []string{"nested virtualization", "ExposeVirtualizationExtensions", "Virtual Machine"}},
		{"annual recognised by build", winsim.Options{Profile: "ws23h2"}, spec.Spec{Mode: "process", Channel: "ltsc"},
			"channel_mismatch", []string{"25398", "Windows Server 2022"}},
		{"standard annual", winsim.Options{Profile: "ws2022", Edition: "standard"}, spec.Spec{Mode: "process", OSVersion: "23H2"},
			"os_version_mismatch", []string{"25398", "20348"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sim, r := startHost(t, c.host)
			want, d := spec.Validate(c.spec, compat.D(2026, 11, 22))
			if d.HasErrors() {
				t.Fatalf("spec: %v", d)
			}
			_, err := executor.Apply(context.Background(), executor.ScriptConn{Runner: r}, want, executor.Options{})
			var re *plan.RefusalError
			if !errors.As(err, &re) || !compat.HasCode(re.Findings, c.code) {
				t.Fatalf("want refusal %s, got %v", c.code, err)
			}
			for _, s := range c.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("refusal lacks %q:\n%s", s, err)
				}
			}
			// One script ran: the facts read. Nothing changed.
			if n := sim.Snapshot().Requests.ByAction; n["Command"] != 1 || sim.Snapshot().Reboots != 0 {
				t.Errorf("requests %v, reboots %d", n, sim.Snapshot().Reboots)
			}
		})
	}
}

// A Standard edition with hyperv is allowed with a warning; the facts read decodes a winsim host.
func TestStandardHyperVWarnsOverTheWire(t *testing.T) {
	_, r := startHost(t, winsim.Options{Profile: "ws2022", Edition: "standard", Virtualization: "exposed"})
	f, err := executor.ScriptConn{Runner: r}.Facts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := spec.Validate(spec.Spec{Mode: "hyperv"}, compat.D(2026, 11, 22))
	p, err := plan.Build(f, want)
	if err != nil {
		t.Fatal(err)
	}
	if !compat.HasCode(p.Warnings, "standard_hyperv_limit") || p.Host.Build != 20348 || p.Kinds()[0] != plan.StepFeatures {
		t.Errorf("plan %v warnings %v", p.Kinds(), p.Warnings)
	}
}
