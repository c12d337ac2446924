package wincontainers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hcldec"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/converge"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
)

var _ packersdk.Provisioner = (*Provisioner)(nil)

// Provisioner is the `wincontainers` provisioner.
type Provisioner struct {
	config   Config
	resolved spec.Resolved
	warnings []string

	// now is the clock for lifecycle checks; tests pin it.
	now func() time.Time
	// reboot tunes restart polling; tests shorten it for simulated hosts that restart in milliseconds.
	reboot runner.RebootOptions
}

// ConfigSpec implements packersdk.HCL2Speccer.
func (p *Provisioner) ConfigSpec() hcldec.ObjectSpec { return p.config.FlatMapstructure().HCL2Spec() }

func (p *Provisioner) today() compat.Date {
	if p.now == nil {
		return compat.DateOf(time.Now())
	}
	return compat.DateOf(p.now())
}

// Prepare implements packersdk.Provisioner: every check that needs no machine, so that
// `packer validate` and the start of `packer build` catch impossible combinations.
func (p *Provisioner) Prepare(raws ...interface{}) error {
	p.config = Config{}
	resolved, warnings, err := decode(&p.config, p.today(), raws...)
	if err != nil {
		return err
	}
	p.resolved, p.warnings = resolved, warnings
	return nil
}

// Provision implements packersdk.Provisioner.
func (p *Provisioner) Provision(ctx context.Context, ui packersdk.Ui, comm packersdk.Communicator, generatedData map[string]interface{}) error {
	c := &p.config
	if p.resolved.Mode == "" {
		return fmt.Errorf("wincontainers: the configuration still holds values Packer did not know when it was prepared (%s); this is a bug, please report it", unknownValue)
	}
	say := func(format string, args ...any) { ui.Say(fmt.Sprintf(format, args...)) }
	say("wincontainers: making this machine a %s container host with %s %s", p.resolved.Mode, p.resolved.EngineType, p.resolved.EngineVersion)
	for _, w := range p.warnings {
		ui.Error("wincontainers: warning: " + w)
	}
	reboot := p.reboot
	reboot.Timeout = c.RestartTimeout
	reboot.OnEvent = func(line string) { ui.Say("    " + line) }
	var conn hostconn.Config
	if c.WinRM != nil {
		if c.WinRM.hasUnknown() {
			return fmt.Errorf("wincontainers: the winrm block still holds a value Packer did not know when it was prepared (%s); this is a bug, please report it", unknownValue)
		}
		conn = c.WinRM.connection(reboot)
		say("wincontainers: connecting to %s over WinRM (%s) with wincontainers' own client, not Packer's communicator", conn.Target(), c.WinRM.describe())
	} else {
		connType, _ := generatedData["ConnType"].(string)
		var err error
		if conn, err = communicatorConnection(connType, comm, reboot); err != nil {
			return fmt.Errorf("wincontainers: %w", err)
		}
	}
	opt := executor.Options{Progress: uiProgress(ui)}
	if c.NoRestart {
		opt.MaxReboots = -1
	}
	start := time.Now()
	out, err := converge.Run(ctx, converge.Request{Spec: c.spec(), Today: p.today(), Connect: conn, Options: opt,
		Then: func(ctx context.Context, h executor.Conn, out converge.Outcome) error {
			p.reportObserved(ui, out.Observed)
			say("wincontainers: verified %s in %s: %d step(s), %d restart(s)", out.Resolved.Mode, time.Since(start).Round(time.Second),
				len(out.Result.StepsRun), out.Result.Reboots)
			return p.prepareImage(ctx, ui, h, out.Result)
		}})
	switch converge.StageOf(err) {
	case "", converge.StageThen:
		return errors.Unwrap(err) // prepareImage's error names itself; nil when converged
	case converge.StageApply:
		return fmt.Errorf("wincontainers: the machine did not become a verified %s container host: %w", out.Resolved.Mode, errors.Unwrap(err))
	default:
		return fmt.Errorf("wincontainers: %w", errors.Unwrap(err))
	}
}

// reportObserved warns about each download or upload nothing pinned, with the hash the machine saw.
func (p *Provisioner) reportObserved(ui packersdk.Ui, observed []executor.Observation) {
	for _, o := range observed {
		if o.Pushed {
			ui.Error(fmt.Sprintf("wincontainers: warning: %s (%s, uploaded from this machine) has no pinned checksum; the machine verified the upload "+
				"against its SHA-256 %s, but nothing says it is the file its publisher released. %s", o.URL, o.What, o.SHA256, pinAdvice(o)))
			continue
		}
		ui.Error(fmt.Sprintf("wincontainers: warning: %s (%s) has no pinned or published checksum; its SHA-256 was %s. %s",
			o.URL, o.What, o.SHA256, pinAdvice(o)))
	}
}

// pinAdvice says which argument pins an observed download, where one does.
func pinAdvice(o executor.Observation) string {
	switch o.What {
	case "docker", "containerd":
		return fmt.Sprintf("Pin it (engine { sha256 = %q }) so that a changed download fails the build.", o.SHA256)
	case "lcow":
		return fmt.Sprintf("Pin it (lcow { sha256 = %q }) so that a changed download fails the build.", o.SHA256)
	default:
		return "wincontainers has no argument to pin it; check the hash against the publisher's release page."
	}
}

// uiProgress turns the executor's events into readable lines.
func uiProgress(ui packersdk.Ui) func(executor.Event) {
	return func(e executor.Event) {
		switch e.Kind {
		case executor.EventPlanned:
			ui.Say("wincontainers: " + e.Message)
		case executor.EventStepStart:
			ui.Say(fmt.Sprintf("wincontainers: %s: %s", e.Step, e.Message))
		case executor.EventProgress:
			ui.Say("    " + strings.TrimSpace(e.Message))
		case executor.EventReboot:
			ui.Say("wincontainers: " + e.Message)
		case executor.EventWarning:
			ui.Error("wincontainers: warning: " + e.Message)
		case executor.EventConverged:
			ui.Say("wincontainers: " + e.Message)
		case executor.EventStepDone:
		}
	}
}
