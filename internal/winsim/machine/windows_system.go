package machine

import (
	"sync"
	"time"
)

// Windows is the part of a simulated Windows host that Machine does not keep: the OS and hardware
// description the CIM classes report, the WinRM configuration, the certificate store, the firewall
// rules, the containers that run detached (and so the host's process table), and shutdown.exe's
// schedule. winsim keeps one per Machine for as long as the host lives (restarts included); winsim's
// PowerShell host (internal/winsim/pshost) reads and changes it.
type Windows struct {
	m    *Machine
	info OSInfo

	mu         sync.Mutex
	created    time.Time
	listeners  []*Listener
	stores     map[string]map[string]Certificate // store (lower case) -> thumbprint -> certificate
	rules      []*FirewallRule
	containers []*Container
	nextPID    int
	shutdown   shutdownState
	restart    func()
}

// NewWindows returns the Windows state of a freshly installed machine: on Windows Server the HTTP
// WinRM listener and its firewall rules, which Windows Server enables out of the box (inferred: Server
// 2012 and later have remote management on by default; clients have no listener until
// Enable-PSRemoting or winrm quickconfig), an empty LocalMachine\My store, no containers.
func NewWindows(m *Machine, info OSInfo) *Windows {
	w := &Windows{m: m, info: info.WithDefaults(), created: m.cfg.Clock().UTC(), nextPID: 4000,
		stores: map[string]map[string]Certificate{}}
	for _, s := range CertStores() {
		w.stores[lowerStore(s)] = map[string]Certificate{}
	}
	if !info.Client {
		w.listeners = append(w.listeners, &Listener{Address: "*", Transport: "HTTP", Port: 5985, Enabled: true, URLPrefix: "wsman"})
		w.rules = append(w.rules, builtinWinRMRules()...)
	}
	return w
}

// Machine is the machine this Windows runs on.
func (w *Windows) Machine() *Machine { return w.m }

// OS is the OS and hardware description, defaults filled.
func (w *Windows) OS() OSInfo { return w.info }

// BootTime is the current boot's LastBootUpTime in UTC: OSInfo.BootTime when given, else the
// machine's last Boot, else when this Windows was created.
func (w *Windows) BootTime() time.Time {
	if w.info.BootTime != nil {
		return w.info.BootTime().UTC()
	}
	if booted := w.m.LastBoot(); !booted.IsZero() {
		return booted
	}
	return w.created
}

// Now is the machine's clock, in UTC.
func (w *Windows) Now() time.Time { return w.m.cfg.Clock().UTC() }
