package executor

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/steps"
)

// ScriptConn adapts a Runner (and its transport's reboot) to the executor's Conn: facts come from the
// facts script, each step runs the library script of the same name, and reboots go through Rebooter.
type ScriptConn struct {
	Runner   runner.Runner
	Rebooter runner.Rebooter
	// Uploader pushes controller-side archives (engine.archive, engine.nerdctl_archive,
	// engine.cni_archive, lcow.archive) for hosts without internet access.
	Uploader runner.Uploader
}

var _ Conn = ScriptConn{}

// Facts implements Conn: one script run, one JSON document.
func (h ScriptConn) Facts(ctx context.Context) (facts.Facts, error) {
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

// RunStep implements Conn: the step's parameters name the script. Each archive the controller pushes
// (steps.Archive.Push) is uploaded to its archive_path first, verified by SHA-256 on both sides; the
// script then installs from there with that hash pinned.
func (h ScriptConn) RunStep(ctx context.Context, s plan.Step, progress func(Event)) (StepOutcome, error) {
	if s.Params == nil {
		return StepOutcome{}, fmt.Errorf("%s: the step runs no script (a planner defect)", s.Kind)
	}
	params, err := steps.EachArchive(s.Params, func(a *steps.Archive) error { return h.push(ctx, s.Kind, a, progress) })
	if err != nil {
		return StepOutcome{}, fmt.Errorf("%s: %w", s.Kind, err)
	}
	o, err := h.Runner.Run(ctx, params.Script(), params, func(p powershell.Progress) {
		if progress != nil {
			progress(Event{Kind: EventProgress, Step: s.Kind, Message: p.Step + ": " + p.Message})
		}
	})
	if err != nil {
		return StepOutcome{}, fmt.Errorf("%s: %w", s.Kind, err)
	}
	return StepOutcome{RebootRequired: o.RebootRequired, Result: o.Result}, nil
}

// Reboot implements Conn.
func (h ScriptConn) Reboot(ctx context.Context) error {
	if h.Rebooter == nil {
		return fmt.Errorf("this transport cannot restart the host")
	}
	if err := h.Rebooter.Reboot(ctx); err != nil {
		return fmt.Errorf("reboot: %w", err)
	}
	return nil
}

// push uploads an archive the controller holds to its archive_path, unless the host already holds that
// file there (an earlier apply pushed it and stopped later): finish-upload, run without an upload,
// succeeds only when the destination has the file's SHA-256. The archive's SHA256 becomes the file's,
// for the script to verify. Archives the host downloads are left alone. Files go one after the other,
// and the script runs only once all arrived.
func (h ScriptConn) push(ctx context.Context, kind plan.StepKind, a *steps.Archive, progress func(Event)) error {
	if a.Push == nil {
		return nil
	}
	attr, local, dest := a.Push.Setting, a.Push.File, a.ArchivePath
	if h.Uploader == nil {
		return fmt.Errorf("%s needs a transport that can push files, and this one cannot", attr)
	}
	sum, size, err := spec.FileSHA256(local)
	if err != nil {
		return fmt.Errorf("%s: %w", attr, err)
	}
	if a.SHA256 != "" && !strings.EqualFold(a.SHA256, sum) {
		return fmt.Errorf("%s %s has SHA-256 %s, but %s pins %s: the file is not the one you pinned (nothing was pushed)", attr, local, sum, a.Push.PinSetting, a.SHA256)
	}
	say := func(msg string) {
		if progress != nil {
			progress(Event{Kind: EventProgress, Step: kind, Message: msg})
		}
	}
	held := steps.FinishUpload{Path: dest, SHA256: sum, Size: size}
	if _, err := h.Runner.Run(ctx, held.Script(), held, nil); err == nil {
		say(fmt.Sprintf("%s: %s is already on the host at %s (SHA-256 %s); not pushed again", attr, local, dest, sum))
	} else {
		f, err := os.Open(local) //nolint:gosec // the user names this file in the configuration
		if err != nil {
			return fmt.Errorf("%s: %w", attr, err)
		}
		defer f.Close()
		say(fmt.Sprintf("%s: pushing %s (%d bytes, SHA-256 %s) to %s", attr, local, size, sum, dest))
		err = h.Uploader.Upload(ctx, f, size, sum, dest, func(p powershell.Progress) { say("pushing " + local + ": " + p.Message) })
		if err != nil {
			return fmt.Errorf("%s: pushing %s to %s: %w", attr, local, dest, err)
		}
	}
	a.SHA256 = sum
	return nil
}
