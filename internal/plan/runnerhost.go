package plan

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// RunnerHost adapts a Runner (and its transport's reboot) to the executor's Host: facts come from the
// facts script, each step runs the library script of the same name, and reboots go through Rebooter.
type RunnerHost struct {
	Runner   runner.Runner
	Rebooter runner.Rebooter
	// Uploader pushes controller-side archives (engine.archive, engine.nerdctl_archive,
	// engine.cni_archive, lcow.archive) for hosts without internet access.
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

// RunStep implements Host. A step that names controller-side files (ParamPush, in its parameters or
// in one of their objects) gets each uploaded to its archive_path first, verified by SHA-256 on both
// sides; the script then installs from there with that hash pinned.
func (h RunnerHost) RunStep(ctx context.Context, s Step, progress func(Event)) (StepOutcome, error) {
	params, err := h.pushAll(ctx, s, progress)
	if err != nil {
		return StepOutcome{}, fmt.Errorf("%s: %w", s.Kind, err)
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

// pushAll uploads every file the step's parameters name and returns the parameters the script gets:
// without ParamPush, with each pushed archive's SHA-256 as its sha256. Files go one after the other, the
// step's own archive first, then its objects' in name order; the script runs only once all arrived.
func (h RunnerHost) pushAll(ctx context.Context, s Step, progress func(Event)) (map[string]any, error) {
	var keys []string
	if local, _ := s.Params[ParamPush].(string); local != "" {
		keys = append(keys, "")
	}
	for _, k := range slices.Sorted(maps.Keys(s.Params)) {
		if sub, ok := s.Params[k].(map[string]any); ok {
			if local, _ := sub[ParamPush].(string); local != "" {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return s.Params, nil
	}
	out := maps.Clone(s.Params)
	for _, k := range keys {
		if k == "" {
			p, err := h.push(ctx, s, k, out, progress)
			if err != nil {
				return nil, err
			}
			out = p
			continue
		}
		sub, _ := out[k].(map[string]any)
		p, err := h.push(ctx, s, k, sub, progress)
		if err != nil {
			return nil, err
		}
		out[k] = p
	}
	return out, nil
}

// PushedAttributes names the settings behind a push: the archive attribute and its pin, for messages.
func PushedAttributes(kind StepKind, key string) (archive, pin string) {
	switch {
	case kind == StepLCOWFiles:
		return spec.PathLCOWArchive, spec.PathLCOWSHA256
	case key == "nerdctl":
		return spec.PathNerdctlArchive, ""
	case key == "cni":
		return spec.PathCNIArchive, ""
	}
	return spec.PathEngineArchive, spec.PathEngineSHA256
}

// push uploads params' file to its archive_path, unless the host already holds that file there (an
// earlier apply pushed it and stopped later): finish-upload, run without an upload, succeeds only when
// the destination has the file's SHA-256.
func (h RunnerHost) push(ctx context.Context, s Step, key string, params map[string]any, progress func(Event)) (map[string]any, error) {
	attr, pinAttr := PushedAttributes(s.Kind, key)
	local, _ := params[ParamPush].(string)
	if h.Uploader == nil {
		return nil, fmt.Errorf("%s needs a transport that can push files, and this one cannot", attr)
	}
	dest, _ := params["archive_path"].(string)
	sum, size, err := spec.FileSHA256(local)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", attr, err)
	}
	if pinned, _ := params["sha256"].(string); pinned != "" && !strings.EqualFold(pinned, sum) {
		return nil, fmt.Errorf("%s %s has SHA-256 %s, but %s pins %s: the file is not the one you pinned (nothing was pushed)", attr, local, sum, pinAttr, pinned)
	}
	say := func(msg string) {
		if progress != nil {
			progress(Event{Kind: EventProgress, Step: s.Kind, Message: msg})
		}
	}
	if _, err := h.Runner.Run(ctx, "finish-upload", map[string]any{"path": dest, "sha256": sum, "size": size}, nil); err == nil {
		say(fmt.Sprintf("%s: %s is already on the host at %s (SHA-256 %s); not pushed again", attr, local, dest, sum))
	} else {
		f, err := os.Open(local) //nolint:gosec // the user names this file in the configuration
		if err != nil {
			return nil, fmt.Errorf("%s: %w", attr, err)
		}
		defer f.Close()
		say(fmt.Sprintf("%s: pushing %s (%d bytes, SHA-256 %s) to %s", attr, local, size, sum, dest))
		err = h.Uploader.Upload(ctx, f, size, sum, dest, func(p powershell.Progress) { say("pushing " + local + ": " + p.Message) })
		if err != nil {
			return nil, fmt.Errorf("%s: pushing %s to %s: %w", attr, local, dest, err)
		}
	}
	out := make(map[string]any, len(params))
	for k, v := range params {
		if k != ParamPush {
			out[k] = v
		}
	}
	out["sha256"] = sum
	return out, nil
}
