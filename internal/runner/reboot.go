package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/steps"
)

// RebootOptions bound a reboot-and-wait.
type RebootOptions struct {
	// Timeout is how long the host may take to come back (Packer's restart_timeout). Default 15m.
	Timeout time.Duration
	// PollInterval is the pause between probes while the host is down or still on the old boot.
	// Default 5s.
	PollInterval time.Duration
	// ConfirmInterval is the pause between the probes that confirm a new boot (ReadyProbes in a row):
	// once the host answers on a new boot, waiting a whole PollInterval between confirmations only adds
	// latency. Default 1s, or PollInterval when that is shorter.
	ConfirmInterval time.Duration
	// ProbeTimeout bounds one probe. Default 30s.
	ProbeTimeout time.Duration
	// ReadyProbes is how many probes in a row must see the new boot before the host counts as ready:
	// right after boot some services are still starting. Default 3.
	ReadyProbes int
	// DelaySeconds is how far ahead the restart is scheduled, so the restart command returns first.
	// Default 5; a negative value schedules it at once.
	DelaySeconds int
	// Now and Sleep are the clock; tests replace them.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// OnEvent receives readable progress lines.
	OnEvent func(string)
}

func (o *RebootOptions) defaults() {
	if o.Timeout == 0 {
		o.Timeout = 15 * time.Minute
	}
	if o.PollInterval == 0 {
		o.PollInterval = 5 * time.Second
	}
	if o.ConfirmInterval == 0 {
		o.ConfirmInterval = min(time.Second, o.PollInterval)
	}
	if o.ProbeTimeout == 0 {
		o.ProbeTimeout = 30 * time.Second
	}
	if o.ReadyProbes == 0 {
		o.ReadyProbes = 3
	}
	if o.DelaySeconds == 0 {
		o.DelaySeconds = 5
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.OnEvent == nil {
		o.OnEvent = func(string) {}
	}
}

// ProbeResult is what the probe script reports.
type ProbeResult struct {
	BootID         string `json:"boot_id"`
	LastBootUpTime string `json:"last_boot_up_time"`
	ComputerName   string `json:"computer_name"`
	PSVersion      string `json:"ps_version"`
	OSBuild        int    `json:"os_build"`
}

// Probe runs the probe script.
func Probe(ctx context.Context, r Runner) (ProbeResult, error) {
	o, err := r.Run(ctx, "probe", nil, nil)
	if err != nil {
		return ProbeResult{}, err
	}
	var p ProbeResult
	if err := json.Unmarshal(o.Result, &p); err != nil || p.BootID == "" {
		return ProbeResult{}, fmt.Errorf("probe returned no boot id: %s", string(o.Result))
	}
	return p, nil
}

// ErrHostNotBack is returned (wrapped) when the host does not come back in time.
var ErrHostNotBack = errors.New("the host did not come back after the restart")

// RebootAndWait restarts the host the robust way: record the boot id, schedule the restart a few
// seconds ahead, then probe until the boot id has changed and ReadyProbes probes in a row succeeded.
// Connection resets and refusals while the host is down are expected. The error, if any, says what was
// seen: whether the host ever went down, came back, or answered at all.
func RebootAndWait(ctx context.Context, r Runner, opt RebootOptions) error {
	opt.defaults()
	before, err := probeOnce(ctx, r, opt)
	if err != nil {
		return fmt.Errorf("before the restart, the host did not answer the probe: %w", err)
	}
	opt.OnEvent(fmt.Sprintf("restarting %s (boot %s, up since %s)", before.ComputerName, before.BootID, before.LastBootUpTime))
	if _, err := r.Run(ctx, "restart", steps.Restart{DelaySeconds: max(0, opt.DelaySeconds), Reason: "wincontainers: Windows features need a restart"}, nil); err != nil {
		var se *powershell.ScriptError
		if errors.As(err, &se) {
			return fmt.Errorf("the restart could not be scheduled: %w", err)
		}
		// The connection may drop as the host goes down: keep waiting and let the boot id decide.
		opt.OnEvent("the restart command's connection ended early (" + err.Error() + "); waiting for the host")
	}
	deadline := opt.Now().Add(opt.Timeout)
	var (
		consecutive, failures, sameBoot int
		lastErr                         error
		wentDown                        bool
	)
	for opt.Now().Before(deadline) {
		pause := opt.PollInterval
		if consecutive > 0 {
			pause = opt.ConfirmInterval
		}
		if err := opt.Sleep(ctx, pause); err != nil {
			return fmt.Errorf("waiting for the restart: %w", err)
		}
		p, err := probeOnce(ctx, r, opt)
		switch {
		case err != nil:
			failures++
			lastErr = err
			wentDown = true
			consecutive = 0
		case p.BootID == before.BootID:
			sameBoot++
			consecutive = 0
		default:
			consecutive++
			if consecutive >= opt.ReadyProbes {
				opt.OnEvent(fmt.Sprintf("%s is back (boot %s, up since %s)", p.ComputerName, p.BootID, p.LastBootUpTime))
				return nil
			}
		}
	}
	seen := fmt.Sprintf("%d probe(s) failed", failures)
	if lastErr != nil {
		seen += " (last: " + lastErr.Error() + ")"
	}
	switch {
	case !wentDown && sameBoot > 0:
		seen = fmt.Sprintf("the host kept answering on the same boot %s for %s: the restart never happened (a pending Windows Update or a blocked shutdown?)", before.BootID, opt.Timeout)
	case consecutive > 0:
		seen += fmt.Sprintf("; the host came back on a new boot but answered only %d of %d probes in a row", consecutive, opt.ReadyProbes)
	case wentDown:
		seen += "; it went down and never answered again: check its console, and the network path to the WinRM listener"
	}
	return fmt.Errorf("%w within %s: %s", ErrHostNotBack, opt.Timeout, seen)
}

func probeOnce(ctx context.Context, r Runner, opt RebootOptions) (ProbeResult, error) {
	pctx, cancel := context.WithTimeout(ctx, opt.ProbeTimeout)
	defer cancel()
	return Probe(pctx, r)
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err() //nolint:wrapcheck // callers match context.Canceled/DeadlineExceeded with errors.Is
	case <-t.C:
		return nil
	}
}

// ScriptRebooter is a Rebooter for any Runner: the restart script, then probes until the host is back
// on a new boot (RebootAndWait).
type ScriptRebooter struct {
	Runner  Runner
	Options RebootOptions
}

var _ Rebooter = ScriptRebooter{}

// Reboot implements Rebooter.
func (r ScriptRebooter) Reboot(ctx context.Context) error {
	return RebootAndWait(ctx, r.Runner, r.Options)
}
