package azure

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/wincontainers/wincontainers/internal/runner"
)

// Reboot implements runner.Rebooter through the API, never from inside a run command (Run Command
// does not re-run a script a restart interrupted, docs/knowledge/azure.md#run-command-limits): read the boot id with the probe
// script, restart the VM with VirtualMachinesClient.BeginRestart (a long-running operation), then
// wait until the VM agent reports Ready in the VM's instance view and the probe sees a new boot id,
// RebootOptions.ReadyProbes times in a row.
func (r *RunCommandRunner) Reboot(ctx context.Context) error {
	opt := r.RebootOptions
	if opt.Timeout == 0 {
		opt.Timeout = 20 * time.Minute
	}
	if opt.PollInterval == 0 {
		opt.PollInterval = 10 * time.Second
	}
	if opt.ReadyProbes == 0 {
		opt.ReadyProbes = 1 // each probe is a run command of ~20 s; one on a new boot with a Ready agent suffices
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case <-ctx.Done():
				return ctx.Err() //nolint:wrapcheck // matched with errors.Is by callers
			case <-time.After(d):
				return nil
			}
		}
	}
	say := func(s string) {
		if opt.OnEvent != nil {
			opt.OnEvent(s)
		}
		r.event(s)
	}
	before, err := runner.Probe(ctx, r)
	if err != nil {
		return fmt.Errorf("before the restart, VM %s did not answer the probe through Run Command: %w", r.VMName, err)
	}
	say(fmt.Sprintf("restarting VM %s through the Azure API (boot %s)", r.VMName, before.BootID))
	p, err := r.Clients.VirtualMachines.BeginRestart(ctx, r.ResourceGroup, r.VMName, nil)
	if err == nil {
		_, err = p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: r.pollFreq()})
	}
	if err != nil {
		return fmt.Errorf("restarting VM %s: %w", r.VMName, transportError("restart", err, false))
	}
	deadline := opt.Now().Add(opt.Timeout)
	var (
		agent, lastErr string
		sameBoot, ok   int
	)
	for opt.Now().Before(deadline) {
		ready, status, err := r.agentReady(ctx)
		switch {
		case err != nil:
			lastErr = err.Error()
		case !ready:
			agent = status
		default:
			agent = status
			pr, err := runner.Probe(ctx, r)
			switch {
			case err != nil:
				ok, lastErr = 0, err.Error()
			case pr.BootID == before.BootID:
				ok = 0
				sameBoot++
			default:
				ok++
				if ok >= opt.ReadyProbes {
					say(fmt.Sprintf("VM %s is back (boot %s, VM agent %s)", r.VMName, pr.BootID, status))
					return nil
				}
				continue
			}
		}
		if err := opt.Sleep(ctx, opt.PollInterval); err != nil {
			return fmt.Errorf("waiting for VM %s after the restart: %w", r.VMName, err)
		}
	}
	seen := fmt.Sprintf("VM agent status %q", agent)
	if sameBoot > 0 {
		seen += fmt.Sprintf("; the probe saw the old boot %s %d time(s): the restart the API reported did not restart Windows", before.BootID, sameBoot)
	}
	if lastErr != "" {
		seen += "; last error: " + lastErr
	}
	return fmt.Errorf("%w within %s (VM %s): %s", runner.ErrHostNotBack, opt.Timeout, r.VMName, seen)
}

// agentReady reads the VM's instance view and reports whether its VM agent is Ready (the agent runs
// Run Command; until it is Ready, a run command waits or fails).
func (r *RunCommandRunner) agentReady(ctx context.Context) (bool, string, error) {
	iv, err := r.Clients.VirtualMachines.InstanceView(ctx, r.ResourceGroup, r.VMName, nil)
	if err != nil {
		return false, "", transportError("reading the instance view of VM "+r.VMName, err, true)
	}
	if iv.VMAgent == nil {
		return false, "not reported", nil
	}
	var shown []string
	for _, s := range iv.VMAgent.Statuses {
		if s == nil {
			continue
		}
		shown = append(shown, deref(s.DisplayStatus))
		if strings.EqualFold(deref(s.DisplayStatus), "Ready") && (s.Level == nil || *s.Level != armcompute.StatusLevelTypesError) {
			return true, "Ready", nil
		}
	}
	if len(shown) == 0 {
		return false, "not reported", nil
	}
	return false, strings.Join(shown, ", "), nil
}
