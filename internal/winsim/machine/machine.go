// Package machine is the state of a simulated Windows host and the behaviour of what runs on it: Windows
// features and their reboot requirements, pending-reboot signals, services, files, the machine PATH, the
// registry values wincontainers reads, the host's view of the internet, and the Docker and containerd
// engines with the checks and error texts the real ones have (docs/knowledge/windows.md).
//
// It is written from docs/knowledge/windows.md on its own and must not import internal/compat: winsim and the
// knowledge base cross-check each other.
package machine

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config describes the machine.
type Config struct {
	Build  int
	Client bool
	// Virtualization is "exposed" when the processor's virtualization extensions reach Windows (a physical
	// machine, or a VM with nested virtualization), otherwise "none".
	Virtualization string
	// Offline makes every download fail the way an air-gapped host does.
	Offline bool
	Clock   func() time.Time
	// Release is what the registry reports about the installed Windows (osinfo.go).
	Release WindowsRelease
}

// Feature states, as Get-WindowsFeature (server) and Get-WindowsOptionalFeature (client) report them.
const (
	Available        = "Available"
	Installed        = "Installed"
	InstallPending   = "InstallPending"
	UninstallPending = "UninstallPending"
	Disabled         = "Disabled"
	Enabled          = "Enabled"
	EnablePending    = "EnablePending"
	DisablePending   = "DisablePending"
)

// Service states and start types, as ServiceController names them.
const (
	Running   = "Running"
	Stopped   = "Stopped"
	Automatic = "Automatic"
	Manual    = "Manual"
)

// Service is a Windows service.
type Service struct {
	Name        string `json:"-"`
	DisplayName string `json:"display_name"`
	State       string `json:"state"`
	StartType   string `json:"start_type"`
	// PathName is the service's command line, as Win32_Service reports it.
	PathName string `json:"path_name"`
}

// File is a file on the simulated disk. Small text files keep their content; large ones only their
// size and hash (contents of synthetic artifacts can be regenerated from their origin).
type File struct {
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	Content []byte `json:"-"`
	// Origin is the URL of the synthetic artifact this file is, or was extracted from.
	Origin string `json:"-"`
	// Version is the product version of an executable (what `dockerd --version` prints).
	Version string `json:"-"`
	// Truncated marks a download that was cut short (the truncate_downloads fault): an archive that
	// does not expand.
	Truncated bool `json:"-"`
}

// Event is an Application event log entry.
type Event struct {
	Source  string    `json:"source"`
	Time    time.Time `json:"time"`
	Message string    `json:"message"`
}

// Machine is one simulated host's state. All methods are safe for concurrent use.
type Machine struct {
	mu       sync.Mutex
	cfg      Config
	features map[string]string
	services map[string]*Service
	files    map[string]File // key: lower-cased path
	// fs holds the folders, names and write times beside files (fs.go); reg is HKLM (registry.go),
	// which also holds the pending-reboot key, the machine PATH and the wincontainers marker.
	fs       fsState
	reg      registryState
	release  WindowsRelease
	networks map[string]string // HNS networks: name -> type
	// eventSources are the keys under HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application
	// that engines made for themselves (dockerd --register-service); they outlive sc.exe delete.
	eventSources map[string]bool
	images       map[string]bool
	events       []Event
	net          *Internet
	failures     []string // URL substrings whose downloads fail (the fail_download fault)
	downloads    []string // every URL a download was attempted from, in order
	engines      map[string]*engineState
	faults       Faults
	// bootedAt is when the last Boot happened (LastBootUpTime, for the event log reads since boot).
	bootedAt time.Time
	// bcdLaunchType is the boot entry's hypervisorlaunchtype ("" when the element is not set: Hyper-V's
	// installation sets Auto); hypervisorUp is whether the Windows hypervisor started at the last boot.
	bcdLaunchType string
	hypervisorUp  bool
	// createdAt is the write time of files whose time is not recorded (the installation's).
	createdAt time.Time
}

type engineState struct {
	// running is the daemon's view once the service started successfully: the configuration it read.
	experimental bool
	isolation    string
	dataRoot     string // docker's data-root (DockerRootDir), "" for containerd
	pidFile      string // dockerd's PID file, removed at a clean stop; "" for containerd
	panicLog     string // the engine's panic.log, removed at a clean stop when empty
}

// Paths the scripts and the engines use (internal/powershell/scripts/README.md).
const (
	ProgramFiles     = `C:\Program Files`
	ProgramData      = `C:\ProgramData`
	DockerDir        = ProgramFiles + `\Docker`
	Dockerd          = DockerDir + `\dockerd.exe`
	DockerCLI        = DockerDir + `\docker.exe`
	DaemonJSON       = ProgramData + `\docker\config\daemon.json`
	DaemonJSONBackup = DaemonJSON + `.wincontainers-backup` // configure-daemon's copy of the file it replaced
	DockerRoot       = ProgramData + `\docker`              // dockerd's data root when daemon.json sets no "data-root"
	ContainerdDir    = ProgramFiles + `\containerd`
	Containerd       = ContainerdDir + `\bin\containerd.exe`
	ContainerdConfig = ContainerdDir + `\config.toml`
	ContainerdRoot   = ProgramData + `\containerd\root` // containerd's default root (defaults_windows.go)
	NerdctlDir       = ProgramFiles + `\nerdctl`
	Nerdctl          = NerdctlDir + `\nerdctl.exe`
	CNIPlugin        = ContainerdDir + `\cni\bin\nat.exe`
	CNIConfig        = ContainerdDir + `\cni\conf\0-containerd-nat.conf`
	LCOWDir          = ProgramFiles + `\Linux Containers`
	Downloads        = ProgramData + `\wincontainers\downloads`
	Manifest         = ProgramData + `\wincontainers\manifest.json` // the image manifest (write-manifest)
)

// New returns a freshly installed machine: no container features, no engine.
func New(cfg Config) *Machine {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	m := &Machine{cfg: cfg, features: map[string]string{}, services: map[string]*Service{}, files: map[string]File{},
		fs: newFSState(), reg: newRegistryState(), release: cfg.Release.withDefaults(cfg), createdAt: cfg.Clock().UTC(),
		networks: map[string]string{}, eventSources: map[string]bool{}, images: map[string]bool{}, net: NewInternet(),
		engines: map[string]*engineState{}}
	for _, d := range systemDirs() {
		m.fs.dirs[strings.ToLower(d)] = d
	}
	m.seedRegistryLocked()
	for _, f := range m.featureNames() {
		m.features[f] = m.absent()
	}
	return m
}

// Config returns the machine's configuration.
func (m *Machine) Config() Config { return m.cfg }

// HyperVName is the Hyper-V feature's name on this machine: Hyper-V on Server, Microsoft-Hyper-V on clients.
func (m *Machine) HyperVName() string {
	if m.cfg.Client {
		return "Microsoft-Hyper-V"
	}
	return "Hyper-V"
}

func (m *Machine) featureNames() []string { return []string{"Containers", m.HyperVName()} }

func (m *Machine) absent() string {
	if m.cfg.Client {
		return Disabled
	}
	return Available
}

func (m *Machine) present() string {
	if m.cfg.Client {
		return Enabled
	}
	return Installed
}

func (m *Machine) pending() string {
	if m.cfg.Client {
		return EnablePending
	}
	return InstallPending
}

// FeatureError is a feature cmdlet's failure, with the text Windows prints.
type FeatureError struct{ Message string }

func (e *FeatureError) Error() string { return e.Message }

// Features returns every feature's state.
func (m *Machine) Features() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.features)
}

// Feature returns one feature's state ("" for a name Windows does not know).
func (m *Machine) Feature(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.features[canonical(m.features, name)]
}

func canonical(features map[string]string, name string) string {
	for k := range features {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// InstallFeature is Install-WindowsFeature (server) or Enable-WindowsOptionalFeature -NoRestart (client):
// the feature becomes pending until the next boot, and the return value is RestartNeeded. Installing an
// installed feature changes nothing and needs no restart.
func (m *Machine) InstallFeature(name string) (restartNeeded bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := canonical(m.features, name)
	state, ok := m.features[key]
	if !ok {
		if m.cfg.Client {
			return false, &FeatureError{fmt.Sprintf("Enable-WindowsOptionalFeature : Feature name %s is unknown.", name)}
		}
		return false, &FeatureError{fmt.Sprintf("Install-WindowsFeature : ArgumentNotValid: The role, role service, or feature name is not valid: '%s'. The name was not found.", name)}
	}
	switch state {
	case m.present():
		return false, nil
	case m.pending():
		return true, nil
	}
	if m.faults.DiskFull {
		return false, &FeatureError{"Install-WindowsFeature : Installation of one or more roles, role services, or features failed.\r\n" + DiskFullText + " Error: 0x80070070"}
	}
	if key == m.HyperVName() && m.cfg.Virtualization != "exposed" {
		if m.cfg.Client {
			// DISM refuses the hypervisor sub-feature when the processor lacks the extensions.
			return false, &FeatureError{"Enable-WindowsOptionalFeature : A prerequisite check for the Hyper-V feature failed.\r\n1. Hyper-V cannot be installed: The processor does not have required virtualization capabilities."}
		}
		return false, &FeatureError{"Install-WindowsFeature : A prerequisite check for the Hyper-V feature failed.\r\n1. Hyper-V cannot be installed: The processor does not have required virtualization capabilities."}
	}
	m.features[key] = m.pending()
	m.setRebootPendingLocked(true)
	return true, nil
}

// RemoveFeature is Uninstall-WindowsFeature / Disable-WindowsOptionalFeature -NoRestart.
func (m *Machine) RemoveFeature(name string) (restartNeeded bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := canonical(m.features, name)
	switch m.features[key] {
	case m.present():
		if m.cfg.Client {
			m.features[key] = DisablePending
		} else {
			m.features[key] = UninstallPending
		}
		m.setRebootPendingLocked(true)
		return true
	case m.pending():
		m.features[key] = m.absent()
		return false
	}
	return false
}

// PendingReboot reports the Component Based Servicing RebootPending key.
func (m *Machine) PendingReboot() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.reg.keys[strings.ToLower(RebootPendingKey)]
	return ok
}

// setRebootPendingLocked creates or deletes the Component Based Servicing RebootPending key, which
// servicing creates when an installation needs a restart and removes at the boot that completes it.
func (m *Machine) setRebootPendingLocked(on bool) {
	if on {
		m.createKeyLocked(RebootPendingKey)
		return
	}
	m.deleteKeyLocked(strings.ToLower(RebootPendingKey))
}

// Boot applies what a restart applies: pending features complete, the pending-reboot key goes, services
// with start type Automatic start (and an engine that cannot start stops again, logging why).
func (m *Machine) Boot() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range m.features {
		switch v {
		case InstallPending, EnablePending:
			m.features[k] = m.present()
		case UninstallPending, DisablePending:
			m.features[k] = m.absent()
		}
	}
	m.setRebootPendingLocked(false)
	m.syncSystemServices()
	for name, s := range m.services {
		// Shutdown stops every service cleanly (the engines accept SERVICE_CONTROL_SHUTDOWN).
		s.State = Stopped
		m.stopEngineLocked(name)
	}
	m.bootedAt = m.cfg.Clock().UTC()
	if m.features[m.HyperVName()] == m.present() && m.bcdLaunchType == "" {
		m.bcdLaunchType = "Auto" // the role's installation completes at this boot and sets the element
	}
	m.hypervisorUp = m.features[m.HyperVName()] == m.present() && m.bcdLaunchType != "Off" && m.cfg.Virtualization == "exposed"
	for _, name := range sortedKeys(m.services) {
		if s := m.services[name]; s.StartType == Automatic {
			_ = m.startLocked(name, true)
		}
	}
}

// syncSystemServices makes the services the Containers feature brings (hns, vmcompute) exist exactly
// when the feature is installed.
func (m *Machine) syncSystemServices() {
	on := m.features["Containers"] == m.present()
	for _, n := range []string{"hns", "vmcompute"} {
		if on && m.services[n] == nil {
			display := map[string]string{"hns": "Host Network Service", "vmcompute": "Hyper-V Host Compute Service"}[n]
			m.services[n] = &Service{Name: n, DisplayName: display, State: Stopped, StartType: Manual, PathName: `C:\Windows\system32\svchost.exe -k NetSvcs`}
		}
		if !on {
			delete(m.services, n)
		}
	}
}

// HypervisorLaunchType is the boot entry's hypervisorlaunchtype as `bcdedit /enum {current}` lists it:
// "Auto", "Off", or "" when the element is not set.
func (m *Machine) HypervisorLaunchType() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bcdLaunchType
}

// HypervisorRunning reports whether the Windows hypervisor started at the last boot: Hyper-V installed,
// the processor's extensions exposed, and the boot entry not saying Off.
func (m *Machine) HypervisorRunning() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hypervisorUp
}

// Drift changes the host behind the tool's back (POST /winsim/v1/drift).
type Drift struct {
	StopService   string `json:"stop_service,omitempty"`
	RemoveFeature string `json:"remove_feature,omitempty"`
	DeleteFile    string `json:"delete_file,omitempty"`
	// SetDaemonConfig replaces daemon.json with this text.
	SetDaemonConfig *string `json:"set_daemon_config,omitempty"`
	// PendingReboot sets the Component Based Servicing RebootPending key (a Windows Update waiting).
	PendingReboot bool `json:"pending_reboot,omitempty"`
	// HypervisorLaunchType is `bcdedit /set hypervisorlaunchtype <Auto|Off>`: whether the boot loader
	// starts the Windows hypervisor, from the next boot on. People turn it off to run another hypervisor
	// (VirtualBox, VMware Workstation) on a machine with Hyper-V installed.
	HypervisorLaunchType string `json:"hypervisor_launch_type,omitempty"`
}

// ApplyDrift applies one drift. A removed feature is gone at once (as after its uninstall and reboot).
func (m *Machine) ApplyDrift(d Drift) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	did := false
	if d.StopService != "" {
		s := m.services[strings.ToLower(d.StopService)]
		if s == nil {
			return fmt.Errorf("stop_service: no service %q on the host", d.StopService)
		}
		s.State = Stopped
		m.stopEngineLocked(s.Name)
		did = true
	}
	if d.RemoveFeature != "" {
		key := canonical(m.features, d.RemoveFeature)
		if _, ok := m.features[key]; !ok {
			return fmt.Errorf("remove_feature: no feature %q (have %s)", d.RemoveFeature, strings.Join(sortedKeys(m.features), ", "))
		}
		m.features[key] = m.absent()
		m.syncSystemServices()
		did = true
	}
	if d.DeleteFile != "" {
		key := fileKey(d.DeleteFile)
		if _, ok := m.files[key]; !ok {
			return fmt.Errorf("delete_file: no file %q on the host", d.DeleteFile)
		}
		m.adoptLocked() // the file's folder stays
		m.dropFileLocked(key)
		did = true
	}
	if d.SetDaemonConfig != nil {
		m.writeLocked(DaemonJSON, []byte(*d.SetDaemonConfig))
		did = true
	}
	if d.PendingReboot {
		m.setRebootPendingLocked(true)
		did = true
	}
	if d.HypervisorLaunchType != "" {
		switch strings.ToLower(d.HypervisorLaunchType) {
		case "auto":
			m.bcdLaunchType = "Auto"
		case "off":
			m.bcdLaunchType = "Off"
		default:
			// bcdedit's own refusal of a value it does not know.
			return fmt.Errorf("hypervisor_launch_type: The integer data is not valid as specified. (bcdedit takes Auto or Off, not %q)", d.HypervisorLaunchType)
		}
		did = true
	}
	if !did {
		return fmt.Errorf("drift: give one of stop_service, remove_feature, delete_file, set_daemon_config, pending_reboot, hypervisor_launch_type")
	}
	return nil
}

func sortedKeys[V any](mp map[string]V) []string {
	out := make([]string, 0, len(mp))
	for k := range mp {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
