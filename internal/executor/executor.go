// Package executor runs a plan on a host: it reads the facts, asks the planner (internal/plan) for the
// steps, runs them through a connection (Conn; ScriptConn over internal/runner: pushed archives included),
// restarts when a barrier asks for it, plans again from the host's real state after each restart, and
// records what ran. Uninstall and image preparation run through the same seam.
package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/steps"
)

// Conn is the executor's connection to a host, what it needs from a transport: the facts in one round
// trip, one step run as a script, and a reboot that returns once the host is back. ScriptConn, over
// the Runner, implements it.
type Conn interface {
	Facts(ctx context.Context) (facts.Facts, error)
	RunStep(ctx context.Context, step plan.Step, progress func(Event)) (StepOutcome, error)
	Reboot(ctx context.Context) error
}

// StepOutcome is what a step reported.
type StepOutcome struct {
	// RebootRequired is true when the script exited 3010.
	RebootRequired bool
	// Result is the script's result document (JSON), for what the caller records: the archive hashes
	// observed for trust on first use, the verification checks.
	Result json.RawMessage
}

// StepRecord is one completed step and what it reported. Params are the planner's (a pushed archive's
// SHA256 is the user's pin, not the hash the executor sent); Result decodes into the script's result
// type (steps.Decode).
type StepRecord struct {
	Kind   plan.StepKind
	Params steps.Params
	Result json.RawMessage
}

// EventKind classifies progress events.
type EventKind string

// Event kinds.
const (
	EventPlanned   EventKind = "planned"
	EventStepStart EventKind = "step_start"
	EventStepDone  EventKind = "step_done"
	EventProgress  EventKind = "progress"
	EventReboot    EventKind = "reboot"
	EventConverged EventKind = "converged"
	EventWarning   EventKind = "warning"
)

// Event is one progress report, for TF_LOG, packer.Ui and tests.
type Event struct {
	Kind    EventKind
	Step    plan.StepKind
	Message string
}

// Options bound the executor.
type Options struct {
	// MaxReboots is how many reboots one Apply may cause; a host that keeps asking for more is
	// reported, not rebooted forever. Default 2 (one for features, one spare for a pending reboot found
	// on arrival). A negative value allows none: an apply that needs a restart stops before it and says
	// so, for hosts whose owners restart them themselves.
	MaxReboots int
	// MaxRounds bounds the facts -> plan -> run loop. Default 6.
	MaxRounds int
	Progress  func(Event)
}

// Result is what Apply did.
type Result struct {
	// Facts are the host's facts as last read: after a successful Apply, those of a converged host.
	Facts facts.Facts
	// Plan is the last plan: empty after a successful Apply.
	Plan plan.Plan
	// StepLog holds the steps that ran, in order, across rounds (reboots included in StepsRun).
	StepLog
	Reboots int
	// FactsReads counts facts round trips.
	FactsReads int
}

// StepLog is what ran on a host: the step kinds in order, and the completed steps with their results.
type StepLog struct {
	StepsRun []plan.StepKind
	Records  []StepRecord
}

// run runs one step between its start and done events and logs it; a failure comes back as a
// *StepError and is not logged.
func (l *StepLog) run(ctx context.Context, h Conn, s plan.Step, emit func(Event)) (StepOutcome, error) {
	emit(Event{Kind: EventStepStart, Step: s.Kind, Message: s.Reason})
	out, err := h.RunStep(ctx, s, emit)
	if err != nil {
		return out, &StepError{Step: s, Err: err}
	}
	l.StepsRun = append(l.StepsRun, s.Kind)
	l.Records = append(l.Records, StepRecord{Kind: s.Kind, Params: s.Params, Result: out.Result})
	emit(Event{Kind: EventStepDone, Step: s.Kind})
	return out, nil
}

// StepError reports a step that failed; nothing after it ran. The next Apply resumes from the host's
// real state, so completed steps are not repeated.
type StepError struct {
	Step plan.Step
	Err  error
}

func (e *StepError) Error() string {
	msg := fmt.Sprintf("step %s failed (%s): %v", e.Step.Kind, e.Step.Reason, e.Err)
	if why := compat.Explain(e.Err.Error()); why != "" {
		msg += "\n  known error: " + why
	}
	return msg + "\n  completed steps are kept and the next apply resumes from the host's state"
}

func (e *StepError) Unwrap() error { return e.Err }

// ErrRebootNotAllowed is returned (wrapped) when the host needs a restart and Options forbid one. The
// steps before the restart are done; the next Apply continues after it.
var ErrRebootNotAllowed = errors.New("restart needed")

// ErrNotConverging is returned (wrapped) when the host does not converge within the bounds.
var ErrNotConverging = errors.New("the host did not converge")

// Apply converges the host: read facts, plan, run steps up to a reboot barrier, reboot when Windows
// needs it, and read facts again, until a plan comes back empty. Every round starts from the host's real
// state, which is what makes an interrupted apply resumable.
func Apply(ctx context.Context, h Conn, want spec.Resolved, opt Options) (Result, error) {
	switch {
	case opt.MaxReboots == 0:
		opt.MaxReboots = 2
	case opt.MaxReboots < 0:
		opt.MaxReboots = 0
	}
	if opt.MaxRounds == 0 {
		opt.MaxRounds = 6
	}
	emit := func(e Event) {
		if opt.Progress != nil {
			opt.Progress(e)
		}
	}
	var res Result
	var prevRan []plan.StepKind
	prevRebooted := true
	for round := 0; round < opt.MaxRounds; round++ {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("apply cancelled: %w", err)
		}
		f, err := h.Facts(ctx)
		res.FactsReads++
		if err != nil {
			return res, fmt.Errorf("reading host facts: %w", err)
		}
		res.Facts = f
		p, err := plan.Replan(f, want, changedSinceVerify(res.StepsRun))
		if err != nil {
			return res, err
		}
		res.Plan = p
		if p.Empty() {
			emit(Event{Kind: EventConverged, Message: fmt.Sprintf("%s is converged", p.Host)})
			return res, nil
		}
		emit(Event{Kind: EventPlanned, Message: fmt.Sprintf("%d step(s) on %s: %s", len(p.Steps), p.Host, kindsString(p.Kinds()))})
		for _, w := range p.Warnings {
			emit(Event{Kind: EventWarning, Message: w.Summary + ": " + w.Detail})
		}
		if !prevRebooted && slices.Equal(work(p.Kinds()), prevRan) {
			return res, fmt.Errorf("%w: the same steps (%s) were planned again right after they ran; the host does not keep their effect",
				ErrNotConverging, kindsString(prevRan))
		}
		before := len(res.StepsRun)
		rebooted, err := runUntilBarrier(ctx, h, p, &res, opt, emit)
		if err != nil {
			return res, err
		}
		prevRan, prevRebooted = work(res.StepsRun[before:]), rebooted
	}
	return res, fmt.Errorf("%w after %d rounds; last plan: %s", ErrNotConverging, opt.MaxRounds, kindsString(res.Plan.Kinds()))
}

// runUntilBarrier runs the plan's steps in order and stops after a reboot, because the plan after a
// reboot must be made from new facts.
func runUntilBarrier(ctx context.Context, h Conn, p plan.Plan, res *Result, opt Options, emit func(Event)) (rebooted bool, err error) {
	var last StepOutcome
	for _, s := range p.Steps {
		switch s.Kind {
		case plan.StepReboot, plan.StepRebootIfRequired:
			if s.Kind == plan.StepRebootIfRequired && !last.RebootRequired {
				continue
			}
			if opt.MaxReboots == 0 {
				return false, fmt.Errorf("%w: the host needs a restart (%s) and restarts are not allowed; restart it yourself and apply again, or allow restarts",
					ErrRebootNotAllowed, s.Reason)
			}
			if res.Reboots >= opt.MaxReboots {
				return false, fmt.Errorf("%w: the host asks for reboot number %d (%s), over the limit of %d; check for a pending Windows Update or a feature that does not finish installing",
					ErrNotConverging, res.Reboots+1, s.Reason, opt.MaxReboots)
			}
			emit(Event{Kind: EventReboot, Step: s.Kind, Message: "restarting: " + s.Reason})
			if err := h.Reboot(ctx); err != nil {
				return false, &StepError{Step: s, Err: err}
			}
			res.Reboots++
			res.StepsRun = append(res.StepsRun, s.Kind)
			return true, nil
		default:
			out, err := res.run(ctx, h, s, emit)
			if err != nil {
				return false, err
			}
			last = out
		}
	}
	return false, nil
}

// changedSinceVerify reports whether a step that changes the host ran after the last verification (a
// plan's verify step is cut off by a reboot barrier, and the plan after the reboot may be empty).
func changedSinceVerify(ran []plan.StepKind) bool {
	for i := len(ran) - 1; i >= 0; i-- {
		switch ran[i] {
		case plan.StepVerify:
			return false
		case plan.StepReboot, plan.StepRebootIfRequired:
		default:
			return true
		}
	}
	return false
}

// work drops the reboot barriers from a list of step kinds.
func work(ks []plan.StepKind) []plan.StepKind {
	var out []plan.StepKind
	for _, k := range ks {
		if k != plan.StepReboot && k != plan.StepRebootIfRequired {
			out = append(out, k)
		}
	}
	return out
}

func kindsString(ks []plan.StepKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// UninstallOptions say what destroy removes besides the engine and its configuration.
type UninstallOptions struct {
	// RemoveFeatures also removes the Containers and Hyper-V features (a restart follows when Windows
	// asks for one).
	RemoveFeatures bool
	// RemoveLCOW removes the LCOW boot files.
	RemoveLCOW bool
}

// Uninstall removes the engine found on the host (service, binaries, configuration, PATH entries,
// downloads and the verification marker), and optionally the features. It reads the facts once, runs
// the uninstall script, and restarts only if features were removed and Windows asks for it. Running it
// again finds nothing to remove.
func Uninstall(ctx context.Context, h Conn, opt UninstallOptions) (Result, error) {
	var res Result
	f, err := h.Facts(ctx)
	res.FactsReads++
	if err != nil {
		return res, fmt.Errorf("reading host facts: %w", err)
	}
	res.Facts = f
	// Every engine found goes (Docker and containerd can be side by side); with none, the script still
	// removes what a half-finished install left. The features and the LCOW files go with the last one.
	engines := []string{string(compat.Docker)}
	if installed := f.InstalledEngines(); len(installed) > 0 {
		engines = nil
		for _, e := range installed {
			engines = append(engines, e.Type)
		}
	}
	client := f.IsClient()
	var out StepOutcome
	for i, engine := range engines {
		last := i == len(engines)-1
		s := plan.Step{Kind: plan.StepUninstall, Reason: "destroy", Params: steps.Uninstall{
			Engine: engine, RemoveFeatures: opt.RemoveFeatures && last, Client: client, RemoveLCOW: opt.RemoveLCOW && last,
			Features: []string{facts.FeatureName("Containers", client), facts.FeatureName("Hyper-V", client)},
		}}
		if out, err = res.run(ctx, h, s, func(Event) {}); err != nil {
			return res, err
		}
	}
	if out.RebootRequired && opt.RemoveFeatures {
		if err := h.Reboot(ctx); err != nil {
			return res, &StepError{Step: plan.Step{Kind: plan.StepRebootIfRequired, Reason: "removed features take effect after a restart"}, Err: err}
		}
		res.Reboots++
		res.StepsRun = append(res.StepsRun, plan.StepRebootIfRequired)
	}
	return res, nil
}

// Observation is an archive whose hash was observed rather than pinned or published: trust on first use.
type Observation struct {
	What string // docker, containerd, nerdctl, cni, lcow
	// URL is where the host downloaded the archive from, or for an archive pushed from the controller
	// its path there (as the configuration gives it).
	URL    string
	SHA256 string
	// Pushed is true for an archive pushed from the controller without a pin: the controller hashed it
	// and the host verified that hash, but nothing says it is the file its publisher released.
	Pushed bool
}

// Observed lists the archives whose hashes the steps observed (no pin, no published checksum), and
// those pushed from the controller without a pin, so the caller can record them and flag any later
// change. A result that does not decode records nothing.
func (r Result) Observed() []Observation {
	var out []Observation
	for _, rec := range r.Records {
		switch p := rec.Params.(type) {
		case steps.InstallDocker:
			if res, err := steps.Decode[steps.InstallDockerResult](p.Script(), rec.Result); err == nil {
				out = append(out, observe(string(compat.Docker), p.Archive, steps.ArchiveCheck{SHA256: res.ArchiveSHA256, Source: res.SHA256Source})...)
			}
		case steps.InstallContainerd:
			if res, err := steps.Decode[steps.InstallContainerdResult](p.Script(), rec.Result); err == nil {
				out = append(out, observe(string(compat.Containerd), p.Archive, res.Archives.Containerd)...)
				out = append(out, observe("nerdctl", p.Nerdctl.Archive, res.Archives.Nerdctl)...)
				out = append(out, observe("cni", p.CNI, res.Archives.CNI)...)
			}
		case steps.InstallLCOW:
			if res, err := steps.Decode[steps.InstallLCOWResult](p.Script(), rec.Result); err == nil {
				out = append(out, observe("lcow", p.Archive, steps.ArchiveCheck{SHA256: res.ArchiveSHA256, Source: res.SHA256Source})...)
			}
		case steps.InstallCompose:
			if res, err := steps.Decode[steps.InstallComposeResult](p.Script(), rec.Result); err == nil {
				out = append(out, observe("compose", p.Archive, steps.ArchiveCheck{SHA256: res.ArchiveSHA256, Source: res.SHA256Source})...)
			}
		}
	}
	return out
}

// observe is one archive's observation, if any: pushed without a pin (the controller hashed it for the
// host to verify, so the host reports it as pinned), or downloaded with nothing to check it against.
func observe(what string, a steps.Archive, got steps.ArchiveCheck) []Observation {
	switch {
	case got.SHA256 == "":
		return nil
	case a.Push != nil && a.SHA256 == "":
		return []Observation{{What: what, URL: a.Push.File, SHA256: got.SHA256, Pushed: true}}
	case a.Push == nil && got.Source == steps.SourceObserved:
		return []Observation{{What: what, URL: a.URL, SHA256: got.SHA256}}
	}
	return nil
}
