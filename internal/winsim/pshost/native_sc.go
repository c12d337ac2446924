package pshost

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// sc.exe delete <name> (learn.microsoft.com windows-server/administration/windows-commands/sc-delete):
// machine.DeleteService; sc.exe prints its result on stdout, "[SC] DeleteService SUCCESS", or the
// failed call with the Win32 error, whose code is its exit code ([SC] OpenService FAILED 1060: ...).

func runSC(_ context.Context, h *host, path string, args []string) engine.NativeResult {
	if len(args) != 2 || !strings.EqualFold(args[0], "delete") {
		return notModelledProgram(path, args)
	}
	if err := h.m.DeleteService(args[1]); err != nil {
		var ee *machine.EngineError
		if errors.As(err, &ee) {
			code := 1
			if i := strings.Index(ee.Message, "FAILED "); i >= 0 {
				if n, err := strconv.Atoi(strings.TrimRight(strings.Fields(ee.Message[i+7:])[0], ":")); err == nil {
					code = n
				}
			}
			return engine.NativeResult{Stdout: crlfLines(ee.Message, ""), ExitCode: code}
		}
		return engine.NativeResult{Stdout: crlfLines(err.Error()), ExitCode: 1}
	}
	return engine.NativeResult{Stdout: crlfLines("[SC] DeleteService SUCCESS")}
}
