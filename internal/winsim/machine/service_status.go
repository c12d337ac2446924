package machine

import (
	"slices"
	"strings"
	"time"
)

// What Win32_Service reports about a service's last exit, and the Application event log as
// Get-WinEvent reads it.

// The Win32 exit codes a stopped service reports (MicrosoftDocs/win32 System Error Codes).
const (
	// errorServiceSpecific is ERROR_SERVICE_SPECIFIC_ERROR (1066): the service stopped with its own code
	// in ServiceSpecificExitCode. dockerd's failed start ends that way, with 1 (moby
	// daemon/command/service_windows.go, Execute returns true, 1).
	errorServiceSpecific = 1066
	// errorProcessAborted is ERROR_PROCESS_ABORTED (1067), "The process terminated unexpectedly.": a
	// service process that exits without telling the Service Control Manager.
	errorProcessAborted = 1067
)

// crashText is how the Service Control Manager's event 7034 reads (machine logs it for a crashed
// engine under the engine's source; engine.go startLocked).
const crashText = "terminated unexpectedly"

// ServiceExitCodes are Win32_Service's ExitCode and ServiceSpecificExitCode. winsim does not record a
// service's exits; they are derived from the Application event log: a stopped service whose source
// logged since the boot stopped on that error (a failed start: 1066 with 1; a crash: 1067), otherwise
// 0. A clean stop after such an error still reports it (not modelled: Windows resets them at the next
// successful start).
func (m *Machine) ServiceExitCodes(name string) (exitCode, specific uint32) {
	s, ok := m.Service(name)
	if !ok || s.State == Running {
		return 0, 0
	}
	last := m.LastError(name)
	switch {
	case last == "":
		return 0, 0
	case strings.Contains(last, crashText):
		return errorProcessAborted, 0
	default:
		return errorServiceSpecific, 1
	}
}

// AllEvents returns the Application event log, oldest first.
func (m *Machine) AllEvents() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events)
}

// LastBoot is when the machine last booted (zero before its first Boot).
func (m *Machine) LastBoot() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bootedAt
}
