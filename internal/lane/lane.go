// Package lane is the convergence lane for a real Windows host: it connects the way both front doors do,
// converges each container mode the host's hardware allows, proves the result through the library's own
// facts script (never winsim's control API), converges again to show there is nothing left to do, and
// uninstalls. `make testwindows` runs it against the host a maintainer names, and CI runs the same code
// against a winsim host (scripts/testwindows), so the lane cannot rot unnoticed. docs/testing-on-windows.md
// says how to point it at a VM and what each check means.
package lane

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winrm"
)

// config names the host and what to run on it.
type config struct {
	Host     string
	Port     int
	User     string
	Password string
	// CACert is the PEM of the CA that signed the host's HTTPS certificate; Insecure skips verification
	// (a lab VM with a self-signed certificate nobody exported).
	CACert   []byte
	Insecure bool
	// Modes are the container modes to converge, in order (process, hyperv, lcow): only those the host's
	// hardware allows (hyperv and lcow need virtualization extensions, nested virtualization in a VM).
	Modes []string
	// Engine is docker (default) or containerd; OSVersion, when set, is checked against the host.
	Engine    string
	OSVersion string
	// Pull lets verification pull the build-matched base image (minutes on a real host, and disk).
	Pull bool
	// RemoveFeatures uninstalls the Containers and Hyper-V features at the end (another restart).
	RemoveFeatures bool
	// RebootTimeout bounds each restart wait.
	RebootTimeout time.Duration
}

// Env names the variables fromEnv reads.
const (
	envHost           = "WINDOWS_HOST"
	envPort           = "WINDOWS_PORT"
	envUser           = "WINDOWS_USER"
	envPassword       = "WINDOWS_PASSWORD"
	envCACert         = "WINDOWS_CA_CERT"
	envInsecure       = "WINDOWS_INSECURE"
	envModes          = "WINDOWS_MODES"
	envEngine         = "WINDOWS_ENGINE"
	envOSVersion      = "WINDOWS_OS_VERSION"
	envPull           = "WINDOWS_PULL"
	envRemoveFeatures = "WINDOWS_REMOVE_FEATURES"
	envRebootTimeout  = "WINDOWS_REBOOT_TIMEOUT"
)

// fromEnv reads the configuration from the environment (see the Env constants and
// docs/testing-on-windows.md). ok is false when no host is named.
func fromEnv(getenv func(string) string) (cfg config, ok bool, err error) {
	cfg.Host = getenv(envHost)
	if cfg.Host == "" {
		return cfg, false, nil
	}
	cfg.Port = 5986
	if v := getenv(envPort); v != "" {
		if cfg.Port, err = strconv.Atoi(v); err != nil || cfg.Port < 1 || cfg.Port > 65535 {
			return cfg, true, fmt.Errorf("%s=%q is not a TCP port (1-65535)", envPort, v)
		}
	}
	cfg.User, cfg.Password = getenv(envUser), getenv(envPassword)
	if cfg.User == "" {
		cfg.User = "Administrator"
	}
	if cfg.Password == "" {
		return cfg, true, fmt.Errorf("%s is empty: give the password of %s on %s", envPassword, cfg.User, cfg.Host)
	}
	if p := getenv(envCACert); p != "" {
		if cfg.CACert, err = os.ReadFile(p); err != nil {
			return cfg, true, fmt.Errorf("reading %s: %w", envCACert, err)
		}
	}
	cfg.Insecure = getenv(envInsecure) == "1"
	if cfg.CACert == nil && !cfg.Insecure {
		return cfg, true, fmt.Errorf("neither %s (the PEM of the CA of the host's HTTPS certificate) nor %s=1 is set", envCACert, envInsecure)
	}
	cfg.Modes = []string{string(compat.ModeProcess)}
	if v := getenv(envModes); v != "" {
		cfg.Modes = strings.Split(v, ",")
	}
	for _, m := range cfg.Modes {
		if !slices.Contains(compat.Modes(), compat.Mode(m)) {
			return cfg, true, fmt.Errorf("%s lists %q: the modes are process, hyperv and lcow", envModes, m)
		}
	}
	cfg.Engine, cfg.OSVersion = getenv(envEngine), getenv(envOSVersion)
	cfg.Pull = getenv(envPull) == "1"
	cfg.RemoveFeatures = getenv(envRemoveFeatures) == "1"
	cfg.RebootTimeout = 15 * time.Minute
	if v := getenv(envRebootTimeout); v != "" {
		if cfg.RebootTimeout, err = time.ParseDuration(v); err != nil {
			return cfg, true, fmt.Errorf("%s=%q: %w", envRebootTimeout, v, err)
		}
	}
	return cfg, true, nil
}

// open connects the way the provider and the Packer plugin do (hostconn), over HTTPS.
func open(cfg config) (*hostconn.Conn, error) {
	c, err := hostconn.Open(hostconn.Config{
		WinRM: winrm.Options{Host: cfg.Host, Port: cfg.Port, User: cfg.User, Password: cfg.Password,
			CACert: cfg.CACert, Insecure: cfg.Insecure},
		Reboot: runner.RebootOptions{Timeout: cfg.RebootTimeout},
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	return c, nil
}

// modeResult is what one mode's run did and found.
type modeResult struct {
	Mode     string
	Steps    []plan.StepKind
	Reboots  int
	Took     time.Duration
	Problems []string
}

// run converges each mode in turn, checks it through the facts script, converges again, and finally
// uninstalls. It returns one result per mode; an error means the lane could not go on (a failed
// apply, a host that went away). Problems found by the checks are in the results.
func run(ctx context.Context, h executor.Conn, cfg config, log func(string)) ([]modeResult, error) {
	var out []modeResult
	for _, mode := range cfg.Modes {
		r, err := runMode(ctx, h, cfg, mode, log)
		out = append(out, r)
		if err != nil {
			return out, fmt.Errorf("mode %s: %w", mode, err)
		}
	}
	log("uninstalling")
	if _, err := executor.Uninstall(ctx, h, executor.UninstallOptions{RemoveFeatures: cfg.RemoveFeatures, RemoveLCOW: true}); err != nil {
		return out, fmt.Errorf("uninstall: %w", err)
	}
	f, err := h.Facts(ctx)
	if err != nil {
		return out, fmt.Errorf("reading the facts after uninstall: %w", err)
	}
	if p := uninstalled(f, cfg); len(p) > 0 {
		return out, fmt.Errorf("after uninstall: %s", strings.Join(p, "; "))
	}
	return out, nil
}

func runMode(ctx context.Context, h executor.Conn, cfg config, mode string, log func(string)) (modeResult, error) {
	res := modeResult{Mode: mode}
	want, d := spec.Validate(spec.Spec{Mode: mode, OSVersion: cfg.OSVersion, PullImages: cfg.Pull, Engine: spec.Engine{Type: cfg.Engine}},
		compat.DateOf(time.Now()))
	if d.HasErrors() {
		return res, fmt.Errorf("the specification is refused before contacting the host: %v", d)
	}
	start := time.Now()
	log(fmt.Sprintf("converging %s", mode))
	applied, err := executor.Apply(ctx, h, want, executor.Options{Progress: func(e executor.Event) {
		if e.Kind != executor.EventProgress {
			log(fmt.Sprintf("  %s %s %s", e.Kind, e.Step, e.Message))
		}
	}})
	res.Steps, res.Reboots, res.Took = applied.StepsRun, applied.Reboots, time.Since(start)
	if err != nil {
		return res, err
	}
	f, err := h.Facts(ctx)
	if err != nil {
		return res, fmt.Errorf("reading the facts after converging: %w", err)
	}
	res.Problems = converged(f, want)
	again, err := executor.Apply(ctx, h, want, executor.Options{})
	if err != nil {
		return res, fmt.Errorf("converging again: %w", err)
	}
	if len(again.StepsRun) != 0 {
		res.Problems = append(res.Problems, fmt.Sprintf("a second apply ran %v; a converged host needs none", again.StepsRun))
	}
	return res, nil
}

// converged lists what the facts say is not as the specification wants.
func converged(f facts.Facts, want spec.Resolved) []string {
	var p []string
	engine := string(want.EngineType)
	f = f.ForEngine(engine) // another engine may be installed beside it (an earlier mode's default)
	if f.Engine.Type != engine || f.Engine.Service.State != "Running" || f.Engine.Service.StartType != "Automatic" {
		p = append(p, fmt.Sprintf("engine %q with service %+v; want %s running and Automatic", f.Engine.Type, f.Engine.Service, engine))
	}
	if f.Verified == nil || f.Verified.SpecHash != plan.SpecHash(want) {
		p = append(p, fmt.Sprintf("verification marker %+v; want spec hash %s", f.Verified, plan.SpecHash(want)))
	}
	mode := want.Mode
	client := f.IsClient()
	needs := []string{facts.FeatureName("Containers", client)}
	if mode != compat.ModeProcess {
		needs = append(needs, facts.FeatureName("Hyper-V", client))
	}
	for _, name := range needs {
		if st := f.Features[name]; st != "Installed" && st != "Enabled" {
			p = append(p, fmt.Sprintf("feature %s is %q", name, st))
		}
	}
	if mode == compat.ModeHyperV && want.EngineType == compat.Docker {
		var cfg struct {
			ExecOpts []string `json:"exec-opts"`
		}
		if err := json.Unmarshal(f.Engine.DaemonConfig, &cfg); err != nil || !slices.Contains(cfg.ExecOpts, "isolation=hyperv") {
			p = append(p, fmt.Sprintf("daemon.json %s does not set exec-opts isolation=hyperv", f.Engine.DaemonConfig))
		}
	}
	if mode == compat.ModeLCOW {
		for _, name := range []string{"kernel", "initrd.img"} {
			if f.LCOW.Files[name] == "" {
				p = append(p, fmt.Sprintf("the LCOW boot file %s is missing from %s", name, f.LCOW.Path))
			}
		}
	}
	return p
}

// uninstalled lists what uninstall left behind.
func uninstalled(f facts.Facts, cfg config) []string {
	var p []string
	if f.Engine.Type != "" {
		p = append(p, fmt.Sprintf("the %s engine is still installed (service %+v)", f.Engine.Type, f.Engine.Service))
	}
	if f.Verified != nil {
		p = append(p, fmt.Sprintf("the verification marker is still there: %+v", f.Verified))
	}
	if len(f.LCOW.Files) > 0 {
		p = append(p, fmt.Sprintf("LCOW boot files are still there: %v", f.LCOW.Files))
	}
	if cfg.RemoveFeatures {
		for name, st := range f.Features {
			if st == "Installed" || st == "Enabled" {
				p = append(p, fmt.Sprintf("feature %s is still %s", name, st))
			}
		}
	}
	return p
}
