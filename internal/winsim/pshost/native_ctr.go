package pshost

import (
	"context"
	"sort"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// ctr.exe, containerd's own client: `images ls -q`, `images pull --platform ... --snapshotter ...` and
// `run --rm --runtime io.containerd.runhcs.v1 ...` (what verify.ps1 runs for LCOW on containerd). ctr
// takes full references (docker.io/library/busybox:latest) and does not pull on run. Its errors are
// "ctr: <error>" on stderr with exit 1 (urfave/cli; inferred: the texts beyond the engine's own).

func ctrFail(msg string) engine.NativeResult {
	return engine.NativeResult{Stderr: crlfLines("ctr: " + msg), ExitCode: 1}
}

func runCtr(_ context.Context, h *host, path string, args []string) engine.NativeResult {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch a := args[0]; {
		case (a == "--address" || a == "-a") && len(args) > 1:
			if !strings.EqualFold(args[1], `\\.\pipe\containerd-containerd`) {
				return ctrFail(`failed to dial "` + args[1] + `": context deadline exceeded`)
			}
			args = args[2:]
		default:
			return notModelledProgram(path, args)
		}
	}
	if len(args) < 2 {
		return notModelledProgram(path, args)
	}
	if _, err := h.m.Info("containerd"); err != nil {
		// inferred: ctr's dial failure when containerd does not listen.
		return ctrFail(`failed to dial "\\.\pipe\containerd-containerd": context deadline exceeded`)
	}
	sub := args[0]
	switch {
	case (sub == "images" || sub == "image" || sub == "i") && (args[1] == "ls" || args[1] == "list"):
		if len(args) != 3 || (args[2] != "-q" && args[2] != "--quiet") {
			return notModelledProgram(path, args)
		}
		var refs []string
		for _, ref := range h.m.Images() {
			refs = append(refs, fullRef(ref))
		}
		sort.Strings(refs)
		return engine.NativeResult{Stdout: crlfLines(refs...)}
	case (sub == "images" || sub == "image" || sub == "i") && args[1] == "pull":
		return ctrPull(h, path, args[2:])
	case sub == "run":
		return ctrRun(h, path, args[1:])
	}
	return notModelledProgram(path, args)
}

// ctrOptions reads ctr's --platform, --snapshotter, --runtime and --rm flags.
func ctrOptions(args []string) (platform string, rest []string, ok bool) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--rm":
		case (a == "--platform" || a == "--snapshotter" || a == "--runtime") && i+1 < len(args):
			if a == "--platform" {
				platform = args[i+1]
			}
			i++
		case strings.HasPrefix(a, "-"):
			return "", nil, false
		default:
			rest = append(rest, a)
		}
	}
	return platform, rest, true
}

func ctrPull(h *host, path string, args []string) engine.NativeResult {
	platform, rest, ok := ctrOptions(args)
	if !ok || len(rest) != 1 {
		return notModelledProgram(path, args)
	}
	if _, err := h.m.PullPlatform("containerd", rest[0], platform); err != nil {
		return ctrFail(err.Error())
	}
	// inferred: the last lines of ctr's progress table.
	return engine.NativeResult{Stdout: crlfLines(rest[0]+": resolved       |++++++++++++++++++++++++++++++++++++++|", "elapsed: 2.1 s                    total:   0.0 B (0.0 B/s)")}
}

func ctrRun(h *host, path string, args []string) engine.NativeResult {
	platform, rest, ok := ctrOptions(args)
	if !ok || len(rest) < 3 {
		return notModelledProgram(path, args)
	}
	ref, cmd := rest[0], strings.Join(rest[2:], " ")
	if cmd != "uname" || !strings.HasPrefix(strings.ToLower(platform), "linux") {
		return notModelledProgram(path, args)
	}
	if !h.m.HasImage(ref) {
		return ctrFail(`image "` + ref + `": not found`)
	}
	res, err := h.m.Run(machine.RunOptions{Engine: "containerd", Image: ref, Platform: "linux"})
	if err != nil {
		return ctrFail(strings.TrimPrefix(err.Error(), "docker: "))
	}
	return engine.NativeResult{Stdout: strings.ReplaceAll(strings.ReplaceAll(res.Output, "\r\n", "\n"), "\n", "\r\n")}
}
