package lane

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// TestWindowsLane is `make testwindows`: the lane against the host named by WINDOWS_HOST (a real
// Windows machine, or the winsim host scripts/testwindows starts when none is named).
func TestWindowsLane(t *testing.T) {
	cfg, ok, err := fromEnv(os.Getenv)
	if !ok {
		t.Skip("no Windows host named: set " + envHost + " and the others docs/testing-on-windows.md lists, or run make testwindows")
	}
	if err != nil {
		t.Fatal(err)
	}
	conn, err := open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Hour)
	defer cancel()
	results, err := run(ctx, conn, cfg, func(s string) { t.Log(s) })
	for _, r := range results {
		t.Logf("%s: %d steps %v, %d restart(s), %s", r.Mode, len(r.Steps), r.Steps, r.Reboots, r.Took.Round(time.Millisecond))
		for _, p := range r.Problems {
			t.Errorf("%s: %s", r.Mode, p)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(cfg.Modes) {
		t.Fatalf("%d modes ran of %v", len(results), cfg.Modes)
	}
}

func TestFromEnv(t *testing.T) {
	ca := t.TempDir() + "/ca.pem"
	if err := os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{envHost: "10.0.0.5", envPassword: "p", envCACert: ca}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name    string
		env     map[string]string
		ok      bool
		wantErr string
		check   func(config) bool
	}{
		{"no host", map[string]string{}, false, "", nil},
		{"defaults", base, true, "", func(c config) bool {
			return c.Port == 5986 && c.User == "Administrator" && len(c.Modes) == 1 && c.Modes[0] == "process" && !c.Pull && c.RebootTimeout == 15*time.Minute
		}},
		{"modes and port", with(envModes, "process,hyperv,lcow", envPort, "15986", envPull, "1"), true, "", func(c config) bool {
			return c.Port == 15986 && len(c.Modes) == 3 && c.Pull
		}},
		{"bad mode", with(envModes, "process,wsl"), true, `lists "wsl"`, nil},
		{"bad port", with(envPort, "70000"), true, "is not a TCP port", nil},
		{"no password", with(envPassword, ""), true, "WINDOWS_PASSWORD is empty", nil},
		{"no trust", with(envCACert, ""), true, "neither WINDOWS_CA_CERT", nil},
		{"insecure", with(envCACert, "", envInsecure, "1"), true, "", func(c config) bool { return c.Insecure }},
		{"bad timeout", with(envRebootTimeout, "soon"), true, "WINDOWS_REBOOT_TIMEOUT", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, ok, err := fromEnv(func(k string) string { return c.env[k] })
			if ok != c.ok {
				t.Fatalf("ok %v", ok)
			}
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatal(err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("error %v, want %q", err, c.wantErr)
			}
			if c.check != nil && !c.check(cfg) {
				t.Errorf("config %+v", cfg)
			}
		})
	}
}

// The checks themselves must be able to fail: a host that lacks what the mode needs is reported.
func TestConvergedChecks(t *testing.T) {
	want, d := spec.Validate(spec.Spec{Mode: "hyperv"}, compat.D(2026, 12, 1))
	if d.HasErrors() {
		t.Fatal(d)
	}
	good := facts.Facts{
		Features: map[string]string{"Containers": "Installed", "Hyper-V": "Installed"},
		Engine: facts.Engine{Type: "docker", Service: facts.Service{Name: "docker", State: "Running", StartType: "Automatic"},
			DaemonConfig: json.RawMessage(`{"exec-opts":["isolation=hyperv"]}`)},
		Verified: &facts.Verified{SpecHash: plan.SpecHash(want)},
	}
	if p := converged(good, want); len(p) != 0 {
		t.Fatalf("a converged host reported %v", p)
	}
	for name, break_ := range map[string]func(*facts.Facts){
		"engine stopped": func(f *facts.Facts) { f.Engine.Service.State = "Stopped" },
		"not verified":   func(f *facts.Facts) { f.Verified = nil },
		"another spec":   func(f *facts.Facts) { f.Verified = &facts.Verified{SpecHash: "other"} },
		"hyper-v pending": func(f *facts.Facts) {
			f.Features = map[string]string{"Containers": "Installed", "Hyper-V": "InstallPending"}
		},
		"process default":  func(f *facts.Facts) { f.Engine.DaemonConfig = json.RawMessage(`{}`) },
		"containerd found": func(f *facts.Facts) { f.Engine.Type = "containerd" },
	} {
		f := good
		break_(&f)
		if p := converged(f, want); len(p) == 0 {
			t.Errorf("%s: not reported", name)
		}
	}
	if p := uninstalled(facts.Facts{Engine: facts.Engine{Type: "docker"}, LCOW: facts.LCOWFiles{Files: map[string]string{"kernel": "x"}}}, config{}); len(p) != 2 {
		t.Errorf("uninstall leftovers reported as %v", p)
	}
}
