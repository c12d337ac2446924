package wsman

import (
	"fmt"
	"strings"
	"time"
)

// Quotas are the WinRM service's per-user limits winsim enforces (docs/knowledge/winrm.md#commands-and-the-operations-quota,
// #fault-catalogue, #quota-defaults). A zero field takes the Modern value. MaxProcessesPerShell and MaxMemoryPerShellMB are not
// modelled: no source documents a fault code or text for the first, and winsim has no processes.
type Quotas struct {
	// MaxShellsPerUser (winrm/config/winrs): a Create beyond it gets w:QuotaLimit 2150859173.
	MaxShellsPerUser int
	// MaxConcurrentUsers (winrm/config/winrs): users holding shells at once; a Create by one more user
	// gets w:QuotaLimit 2150859179.
	MaxConcurrentUsers int
	// MaxConcurrentOperationsPerUser (winrm/config/service): every Command counts against its shell's user
	// until the shell is deleted, whatever Signal says (<118>); a Command beyond it gets 2150859174.
	MaxConcurrentOperationsPerUser int
	// IdleTimeout (winrm/config/winrs, ms on Windows): a shell with no request for this long is deleted
	// (MS-WSMV 3.1.5.3); any request to the shell restarts the timer (3.1.4.1.31.5).
	IdleTimeout time.Duration
}

const unlimited = 2147483647

// The quota presets (the table of docs/knowledge/winrm.md#quota-defaults).
var (
	// ModernQuotas is what Windows 8 / Server 2012 and later report (the captured Windows Server
	// config): shells, users and processes effectively unlimited, 1500 operations, 2 h idle. Every winsim
	// OS profile (Server 2016 and later, Windows 10 and 11) is such a host.
	ModernQuotas = Quotas{MaxShellsPerUser: unlimited, MaxConcurrentUsers: unlimited, MaxConcurrentOperationsPerUser: 1500,
		IdleTimeout: 7200 * time.Second}
	// SpecQuotas is MS-WSMV's documented defaults (2.2.4.10/36/42); a third-party changelog reports
	// hitting 30 shells on live Server 2012 R2 and 2025 hosts.
	SpecQuotas = Quotas{MaxShellsPerUser: 30, MaxConcurrentUsers: 10, MaxConcurrentOperationsPerUser: 1500,
		IdleTimeout: 180 * time.Second}
	// LegacyQuotas is the old-Windows column (MS-WSMV footnotes: 15 operations on 2008 R2 and earlier,
	// <19>), for regression tests of clients' shell recycling.
	LegacyQuotas = Quotas{MaxShellsPerUser: 2, MaxConcurrentUsers: 5, MaxConcurrentOperationsPerUser: 15,
		IdleTimeout: 900 * time.Second}
)

// QuotaPreset returns a preset by name: modern (also ""), spec or legacy.
func QuotaPreset(name string) (Quotas, error) {
	switch strings.ToLower(name) {
	case "", "modern":
		return ModernQuotas, nil
	case "spec":
		return SpecQuotas, nil
	case "legacy", "2008r2":
		return LegacyQuotas, nil
	}
	return Quotas{}, fmt.Errorf("quota preset %q: use modern, spec or legacy", name)
}

func (q Quotas) withDefaults() Quotas {
	if q.MaxShellsPerUser <= 0 {
		q.MaxShellsPerUser = ModernQuotas.MaxShellsPerUser
	}
	if q.MaxConcurrentUsers <= 0 {
		q.MaxConcurrentUsers = ModernQuotas.MaxConcurrentUsers
	}
	if q.MaxConcurrentOperationsPerUser <= 0 {
		q.MaxConcurrentOperationsPerUser = ModernQuotas.MaxConcurrentOperationsPerUser
	}
	if q.IdleTimeout <= 0 {
		q.IdleTimeout = ModernQuotas.IdleTimeout
	}
	return q
}

// Quota names, the keys of QuotaFaults.
const (
	quotaShells     = "MaxShellsPerUser"
	quotaUsers      = "MaxConcurrentUsers"
	quotaOperations = "MaxConcurrentOperationsPerUser"
)

// faultMaxShells: code and subcode from docs/knowledge/winrm.md#fault-catalogue (MS-WSMV 3.1.4.5.2.1); the Reason is MS-WSMV's
// text (<111>), the f:Message the numbered text PowerShell shows (PowerShell team blog, "Configuring
// WSMAN Limits"), split the way the operations capture below splits its two texts.
func faultMaxShells(limit int) *Fault {
	return &Fault{Receiver: true, Subcode: "w:QuotaLimit", Code: 2150859173,
		Reason: "The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. " +
			"Close existing shells or raise the quota for this user.",
		Message: fmt.Sprintf("The WS-Management service cannot process the request. This user is allowed a maximum number of %d concurrent shells, "+
			"which has been exceeded. Close existing shells or raise the quota for this user.", limit)}
}

// faultMaxUsers: code from docs/knowledge/winrm.md#fault-catalogue, text MS-WSMV 3.1.4.5.2.1's.
func faultMaxUsers() *Fault {
	return &Fault{Receiver: true, Subcode: "w:QuotaLimit", Code: 2150859179,
		Message: "The Windows Remote Shell cannot process the request. The server exceeded the maximum number of users concurrently performing " +
			"remote operations on the same system. Retry later."}
}

// faultMaxOperations is a real Windows capture (zenoss txwinrm test/data_error/max_concurrent.xml, a host
// with the old limit of 15): s:Receiver, w:InternalError (MS-WSMV 3.1.4.11 names w:QuotaLimit; the capture wins,
// docs/knowledge/winrm.md#fault-catalogue), WSManFault 2150859174, a generic Reason and a numbered f:Message.
func faultMaxOperations(limit int) *Fault {
	return &Fault{Receiver: true, Subcode: "w:InternalError", Code: 2150859174,
		Reason: "The WS-Management service cannot process the request. The maximum number of concurrent operations for this user has been exceeded. " +
			"Close existing operations for this user, or raise the quota for this user.",
		Message: fmt.Sprintf("The WS-Management service cannot process the request. This user is allowed a maximum number of %d concurrent operations, "+
			"which has been exceeded. Close existing operations for this user, or raise the quota for this user.", limit)}
}

// idleTimeOut is the Create response's rsp:IdleTimeOut (PT7200.000S for the default).
func idleTimeOut(d time.Duration) string {
	return fmt.Sprintf("PT%.3fS", d.Seconds())
}
