package plan

import (
	"context"
	"fmt"

	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
)

// RunnerHost adapts a Runner (and its transport's reboot) to the executor's Host: facts come from the
// facts script, each step runs the library script of the same name, and reboots go through Rebooter.
type RunnerHost struct {
	Runner   runner.Runner
	Rebooter runner.Rebooter
}

var _ Host = RunnerHost{}

// Facts implements Host: one script run, one JSON document.
func (h RunnerHost) Facts(ctx context.Context) (facts.Facts, error) {
	o, err := h.Runner.Run(ctx, "facts", nil, nil)
	if err != nil {
		return facts.Facts{}, fmt.Errorf("facts: %w", err)
	}
	f, err := facts.Decode(o.Result)
	if err != nil {
		return facts.Facts{}, fmt.Errorf("facts: %w", err)
	}
	return f, nil
}

// RunStep implements Host.
func (h RunnerHost) RunStep(ctx context.Context, s Step, progress func(Event)) (StepOutcome, error) {
	o, err := h.Runner.Run(ctx, s.Script(), s.Params, func(p powershell.Progress) {
		if progress != nil {
			progress(Event{Kind: EventProgress, Step: s.Kind, Message: p.Step + ": " + p.Message})
		}
	})
	if err != nil {
		return StepOutcome{}, fmt.Errorf("%s: %w", s.Kind, err)
	}
	return StepOutcome{RebootRequired: o.RebootRequired, Result: o.Result}, nil
}

// Reboot implements Host.
func (h RunnerHost) Reboot(ctx context.Context) error {
	if h.Rebooter == nil {
		return fmt.Errorf("this transport cannot restart the host")
	}
	if err := h.Rebooter.Reboot(ctx); err != nil {
		return fmt.Errorf("reboot: %w", err)
	}
	return nil
}
