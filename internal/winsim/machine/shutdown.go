package machine

import (
	"fmt"
	"time"
)

// shutdown.exe's schedule (learn.microsoft.com windows-server/administration/windows-commands/shutdown;
// the error texts are the system error messages, MicrosoftDocs/win32 "System Error Codes (1000-1299)").
// A restart with /t 0 starts at once; /t N schedules it. While one is scheduled another fails with 1190,
// while one is in progress with 1115; an abort cancels a scheduled one and fails with 1116 when there is
// none. The same semantics as winsim's host (internal/winsim/host, `shutdown`), kept here so that
// winsim's PowerShell host and its cmd.exe can share one schedule.

type shutdownState struct {
	timer      *time.Timer
	inProgress bool
	boot       time.Time // the boot the state belongs to; a new boot clears it
}

// ShutdownError is shutdown.exe's failure: the Win32 error code and its message, as shutdown.exe prints
// it on stderr ("<message>(<code>)").
type ShutdownError struct {
	Code    int
	Message string
}

func (e *ShutdownError) Error() string { return fmt.Sprintf("%s(%d)", e.Message, e.Code) }

// The Win32 errors shutdown.exe reports.
const (
	errorShutdownInProgress   = 1115 // ERROR_SHUTDOWN_IN_PROGRESS
	errorNoShutdownInProgress = 1116 // ERROR_NO_SHUTDOWN_IN_PROGRESS
	errorShutdownIsScheduled  = 1190 // ERROR_SHUTDOWN_IS_SCHEDULED
)

func shutdownErr(code int) error {
	msg := map[int]string{
		errorShutdownInProgress:   "A system shutdown is in progress.",
		errorNoShutdownInProgress: "Unable to abort the system shutdown because no shutdown was in progress.",
		errorShutdownIsScheduled:  "A system shutdown has already been scheduled.",
	}[code]
	return &ShutdownError{Code: code, Message: msg}
}

// SetRestart sets what starts a restart: winsim wires it to its host's reboot (which goes down after
// its ShutdownTime and boots the machine). Without it a restart cannot be scheduled.
func (w *Windows) SetRestart(restart func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.restart = restart
}

// currentShutdownLocked drops the state of an earlier boot (the restart it scheduled happened).
func (w *Windows) currentShutdownLocked(boot time.Time) *shutdownState {
	if !w.shutdown.boot.Equal(boot) {
		w.shutdown = shutdownState{boot: boot}
	}
	return &w.shutdown
}

// ScheduleRestart is `shutdown /r /t <delay>`.
func (w *Windows) ScheduleRestart(delay time.Duration) error {
	boot := w.BootTime()
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.currentShutdownLocked(boot)
	switch {
	case st.inProgress:
		return shutdownErr(errorShutdownInProgress)
	case st.timer != nil:
		return shutdownErr(errorShutdownIsScheduled)
	case w.restart == nil:
		return fmt.Errorf("winsim: this machine has no restart wired to shutdown.exe")
	}
	restart := w.restart
	if delay <= 0 {
		st.inProgress = true
		go restart()
		return nil
	}
	st.timer = time.AfterFunc(delay, func() {
		w.mu.Lock()
		if !w.shutdown.boot.Equal(boot) || w.shutdown.timer == nil {
			w.mu.Unlock()
			return
		}
		w.shutdown.timer, w.shutdown.inProgress = nil, true
		w.mu.Unlock()
		restart()
	})
	return nil
}

// AbortShutdown is `shutdown /a`.
func (w *Windows) AbortShutdown() error {
	boot := w.BootTime()
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.currentShutdownLocked(boot)
	if st.timer != nil && st.timer.Stop() {
		st.timer = nil
		return nil
	}
	if st.inProgress {
		return shutdownErr(errorShutdownInProgress)
	}
	return shutdownErr(errorNoShutdownInProgress)
}

// ShutdownState reports whether a restart is scheduled or in progress in this boot.
func (w *Windows) ShutdownState() (scheduled, inProgress bool) {
	boot := w.BootTime()
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.currentShutdownLocked(boot)
	return st.timer != nil, st.inProgress
}
