package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
)

// RunnerHost adapts a Runner (and its transport's reboot) to the executor's Host: facts come from the
// facts script, each step runs the library script of the same name, and reboots go through Rebooter.
type RunnerHost struct {
	Runner   runner.Runner
	Rebooter runner.Rebooter
	// Uploader pushes controller-side archives (engine.archive) for hosts without internet access.
	Uploader runner.Uploader
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

// RunStep implements Host. A step that names a controller-side file (ParamPush) gets it uploaded to its
// archive_path first, verified by SHA-256 on both sides; the script then installs from there with that
// hash pinned.
func (h RunnerHost) RunStep(ctx context.Context, s Step, progress func(Event)) (StepOutcome, error) {
	params := s.Params
	if local, _ := s.Params[ParamPush].(string); local != "" {
		p, err := h.push(ctx, s, local, progress)
		if err != nil {
			return StepOutcome{}, fmt.Errorf("%s: %w", s.Kind, err)
		}
		params = p
	}
	o, err := h.Runner.Run(ctx, s.Script(), params, func(p powershell.Progress) {
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

func (h RunnerHost) push(ctx context.Context, s Step, local string, progress func(Event)) (map[string]any, error) {
	if h.Uploader == nil {
		return nil, errors.New("engine.archive needs a transport that can push files, and this one cannot")
	}
	dest, _ := s.Params["archive_path"].(string)
	sum, size, err := hashFile(local)
	if err != nil {
		return nil, err
	}
	if pinned, _ := s.Params["sha256"].(string); pinned != "" && !strings.EqualFold(pinned, sum) {
		return nil, fmt.Errorf("engine.archive %s has SHA-256 %s, but engine.sha256 pins %s: the file is not the one you pinned", local, sum, pinned)
	}
	f, err := os.Open(local) //nolint:gosec // the user names this file in the configuration
	if err != nil {
		return nil, fmt.Errorf("engine.archive: %w", err)
	}
	defer f.Close()
	err = h.Uploader.Upload(ctx, f, size, sum, dest, func(p powershell.Progress) {
		if progress != nil {
			progress(Event{Kind: EventProgress, Step: s.Kind, Message: "pushing " + local + ": " + p.Message})
		}
	})
	if err != nil {
		return nil, fmt.Errorf("pushing %s to %s: %w", local, dest, err)
	}
	out := make(map[string]any, len(s.Params))
	for k, v := range s.Params {
		if k != ParamPush {
			out[k] = v
		}
	}
	out["sha256"] = sum
	return out, nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path) //nolint:gosec // the user names this file in the configuration
	if err != nil {
		return "", 0, fmt.Errorf("engine.archive: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("reading engine.archive %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
