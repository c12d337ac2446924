package pshost

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// shutdown.exe (learn.microsoft.com windows-server/administration/windows-commands/shutdown): /r
// restarts, /a aborts, /t N delays (0 to 315360000 seconds, default 30), /f, /d [p|u:]xx:yy and /c
// "comment" are taken. The schedule is machine.Windows' (the same semantics as winsim's host): a
// second /r while one is scheduled fails with "A system shutdown has already been scheduled.(1190)" on
// stderr and exit code 1190 (MicrosoftDocs/win32 System Error Codes 1000-1299,
// ERROR_SHUTDOWN_IS_SCHEDULED). Other options are not modelled.

func runShutdown(_ context.Context, h *host, path string, args []string) engine.NativeResult {
	restart, abort, delay := false, false, 30*time.Second
	for i := 0; i < len(args); i++ {
		switch strings.ToLower(strings.Replace(args[i], "-", "/", 1)) {
		case "/r":
			restart = true
		case "/a":
			abort = true
		case "/f":
		case "/t":
			if i+1 >= len(args) {
				return engine.NativeResult{Stderr: crlfLines("The parameter is incorrect.(87)"), ExitCode: 87}
			}
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n < 0 || n > 315360000 {
				return engine.NativeResult{Stderr: crlfLines("The parameter is incorrect.(87)"), ExitCode: 87}
			}
			delay = time.Duration(n) * time.Second
			i++
		case "/d", "/c":
			i++
		default:
			return notModelledProgram(path, args)
		}
	}
	var err error
	switch {
	case abort && !restart:
		err = h.w.AbortShutdown()
	case restart && !abort:
		err = h.w.ScheduleRestart(delay)
	default:
		return notModelledProgram(path, args)
	}
	var se *machine.ShutdownError
	switch {
	case err == nil:
		return engine.NativeResult{}
	case errors.As(err, &se):
		return engine.NativeResult{Stderr: crlfLines(se.Error()), ExitCode: se.Code}
	}
	return engine.NativeResult{Stderr: crlfLines(err.Error()), ExitCode: 1}
}
