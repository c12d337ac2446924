// Package facts is the one-round-trip host facts document: what the facts script reports about a
// Windows host (OS, features, pending reboots, virtualization, engine, LCOW boot files, disk, PowerShell,
// the image manifest), its decoder, and the interpretation of raw values (release and channel
// detection, edition, feature states) against the knowledge base.
package facts

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SchemaVersion is the version of the document the facts script writes.
const SchemaVersion = 1

// Facts is everything the planner needs, gathered in one script run.
type Facts struct {
	Schema         int               `json:"schema"`
	OS             OS                `json:"os"`
	Boot           Boot              `json:"boot"`
	Features       map[string]string `json:"features"`
	PendingReboot  PendingReboot     `json:"pending_reboot"`
	Virtualization Virtualization    `json:"virtualization"`
	// Engine is the first engine installed, Docker before containerd; Engines lists every one installed
	// (a host can have both side by side). ForEngine picks the one a specification wants.
	Engine     Engine     `json:"engine"`
	Engines    []Engine   `json:"engines"`
	LCOW       LCOWFiles  `json:"lcow"`
	Disk       Disk       `json:"disk"`
	PowerShell PowerShell `json:"powershell"`
	Verified   *Verified  `json:"verified,omitempty"`
	// Compose is Docker Compose as installed (the CLI plugin and the standalone name).
	Compose Compose `json:"compose"`
	// Manifest is C:\ProgramData\wincontainers\manifest.json, which an image build (or an apply) left;
	// nil when the host has none.
	Manifest *Manifest `json:"manifest"`
}

// OS is read from HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion and Win32_OperatingSystem.
type OS struct {
	Build int `json:"build"` // CurrentBuildNumber
	UBR   int `json:"ubr"`   // update build revision
	// ProductName is WindowsProductName / ProductName, e.g. "Windows Server 2022 Datacenter". It is not a
	// channel indicator: the Annual Channel reports "Windows Server 2022 Datacenter" too [WSD-SC].
	ProductName    string `json:"product_name"`
	DisplayVersion string `json:"display_version"` // DisplayVersion (2022+) or ReleaseId
	EditionID      string `json:"edition_id"`      // ServerDatacenter, ServerStandard, Professional, Enterprise, Core ...
	// InstallationType is "Server Core", "Server" (Desktop Experience), "Nano Server" or "Client".
	InstallationType string `json:"installation_type"`
	ComputerName     string `json:"computer_name"`
}

// Boot identifies the current boot, so reboots can be observed.
type Boot struct {
	ID             string `json:"boot_id"`
	LastBootUpTime string `json:"last_boot_up_time"`
}

// PendingReboot holds the registry signals of a pending reboot [XPR], plus what the feature cmdlets say.
type PendingReboot struct {
	ComponentBasedServicing bool `json:"component_based_servicing"`
	WindowsUpdate           bool `json:"windows_update"`
	PendingFileRename       bool `json:"pending_file_rename"`
	ComputerRename          bool `json:"computer_rename"`
	// FeatureRestartNeeded is true when a feature is in an *Pending state: a reboot caused by
	// Install-WindowsFeature is not always visible in the registry keys [I-PENDREBOOT4].
	FeatureRestartNeeded bool `json:"feature_restart_needed"`
}

// Any reports whether any signal says a reboot is pending.
func (p PendingReboot) Any() bool {
	return p.ComponentBasedServicing || p.WindowsUpdate || p.PendingFileRename || p.ComputerRename || p.FeatureRestartNeeded
}

// Reasons lists the signals that are set, for messages.
func (p PendingReboot) Reasons() []string {
	var out []string
	if p.ComponentBasedServicing {
		out = append(out, "Component Based Servicing\\RebootPending")
	}
	if p.WindowsUpdate {
		out = append(out, "WindowsUpdate\\Auto Update\\RebootRequired")
	}
	if p.PendingFileRename {
		out = append(out, "Session Manager\\PendingFileRenameOperations")
	}
	if p.ComputerRename {
		out = append(out, "a pending computer rename")
	}
	if p.FeatureRestartNeeded {
		out = append(out, "a Windows feature waiting for a restart")
	}
	return out
}

// Virtualization holds the signals of docs/knowledge/windows.md#detecting-virtualization-support.
type Virtualization struct {
	// HypervisorPresent is Win32_ComputerSystem.HypervisorPresent: a hypervisor is running (Hyper-V is on,
	// or this machine is a VM).
	HypervisorPresent bool `json:"hypervisor_present"`
	// FirmwareEnabled, SLAT and VMMonitorModeExtensions are Win32_Processor's
	// VirtualizationFirmwareEnabled, SecondLevelAddressTranslationExtensions and VMMonitorModeExtensions.
	// They are only meaningful while no hypervisor runs [P-GCI][I-SANDBOX21].
	FirmwareEnabled         bool   `json:"firmware_enabled"`
	SLAT                    bool   `json:"slat"`
	VMMonitorModeExtensions bool   `json:"vm_monitor_mode_extensions"`
	Manufacturer            string `json:"manufacturer"` // Win32_ComputerSystem.Manufacturer
	Model                   string `json:"model"`        // Win32_ComputerSystem.Model ("Virtual Machine" on Hyper-V)
	// HypervisorLaunchType is the current boot entry's hypervisorlaunchtype (`bcdedit /enum {current}`):
	// "Auto", "Off", or "" when the element is not set. With Off the Windows hypervisor does not start, so
	// Hyper-V isolation fails even with the role installed; inside a VM HypervisorPresent stays true (the
	// outer hypervisor), so only this tells.
	HypervisorLaunchType string `json:"hypervisor_launch_type,omitempty"`
}

// Engine is the container engine found on the host.
type Engine struct {
	Type    string `json:"type"` // docker, containerd, or "" when none
	Version string `json:"version"`
	// BinarySHA256 is the hash of dockerd.exe / containerd.exe as installed.
	BinarySHA256 string          `json:"binary_sha256"`
	Service      Service         `json:"service"`
	DaemonConfig json.RawMessage `json:"daemon_config,omitempty"` // daemon.json as found, or null
	DataRoot     string          `json:"data_root"`
}

// Service is a Windows service's state.
type Service struct {
	Name      string `json:"name"`
	State     string `json:"state"`      // Running, Stopped, ... ; "" when the service does not exist
	StartType string `json:"start_type"` // Automatic, Manual, Disabled
	// LastError is the engine's newest Application event log error since the last boot, read only while
	// the service is not Running: why it stopped, or why the start at boot failed.
	LastError string `json:"last_error,omitempty"`
}

// Exists reports whether the service is installed.
func (s Service) Exists() bool { return s.State != "" }

// Compose is Docker Compose on the host: the CLI plugin the docker CLI finds (the first of
// %ProgramData%\Docker\cli-plugins and %ProgramFiles%\Docker\cli-plugins holding docker-compose.exe, the
// order docker/cli searches the system folders) and the standalone docker-compose.exe beside docker.exe.
type Compose struct {
	// PluginPath is the docker-compose.exe the docker CLI runs for `docker compose`, "" when none.
	PluginPath string `json:"plugin_path"`
	// Version is what that binary reports (`docker-compose.exe version --short`), "" when it does not run.
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	// StandalonePath is %ProgramFiles%\Docker\docker-compose.exe when it exists.
	StandalonePath   string `json:"standalone_path"`
	StandaloneSHA256 string `json:"standalone_sha256"`
}

// Installed reports whether the docker CLI has a Compose plugin.
func (c Compose) Installed() bool { return c.PluginPath != "" }

// LCOWFiles are the LinuxKit boot files found in the boot-files directory, name -> SHA-256.
type LCOWFiles struct {
	Path  string            `json:"path"`
	Files map[string]string `json:"files"`
}

// Disk is the system drive's free space.
type Disk struct {
	SystemDrive string `json:"system_drive"`
	FreeBytes   int64  `json:"free_bytes"`
}

// PowerShell and .NET versions.
type PowerShell struct {
	Version       string `json:"version"`
	DotNetRelease int    `json:"dotnet_release"`
}

// Verified is the marker the verify step leaves when it has proven the mode: which desired state it
// proved, so that a converged host needs no new verification.
type Verified struct {
	SpecHash string `json:"spec_hash"`
	At       string `json:"at"`
}

// ManifestSchemaVersion is the version of the manifest document this wincontainers writes.
const ManifestSchemaVersion = 1

// Manifest records what a machine was made into and by what: the Packer provisioner writes it into the
// image (write-manifest), and the facts script reads it back on every host made from that image. It is
// the file's content as found; Unreadable is set instead when the file is not a manifest.
type Manifest struct {
	Schema      int    `json:"schema"`
	ToolVersion string `json:"tool_version"` // the wincontainers version that wrote it
	// BuiltBy is "packer" (an image build) or "terraform" (an apply).
	BuiltBy       string         `json:"built_by"`
	ContainerMode string         `json:"container_mode"` // process, hyperv or lcow
	Engine        ManifestEngine `json:"engine"`
	// SpecHash is the desired state the verification proved (the verification marker's).
	SpecHash string     `json:"spec_hash"`
	OS       ManifestOS `json:"os"`
	// Images were pulled into the image (pre-pulled base images), in order.
	Images []string `json:"images"`
	// Generalized is true when prepare-image left the engine stopped and without per-machine state.
	Generalized bool `json:"generalized"`
	// VerifiedAt is when the machine was verified (the marker's VerifiedAt, RFC 3339).
	VerifiedAt string `json:"verified_at"`
	// Unreadable says why manifest.json could not be read as a manifest ("" when it could).
	Unreadable string `json:"_unreadable,omitempty"`
}

// ManifestEngine is the engine the manifest records.
type ManifestEngine struct {
	Type    string `json:"type"` // docker or containerd
	Version string `json:"version"`
}

// ManifestOS is the Windows build the image was made on, with its update build revision.
type ManifestOS struct {
	Build int `json:"build"`
	UBR   int `json:"ubr"`
}

// UnmarshalJSON reads a manifest leniently: a file of the wrong shape (edited by hand, or from a
// wincontainers that wrote another schema) becomes a Manifest with Unreadable set rather than failing
// the whole facts document.
func (m *Manifest) UnmarshalJSON(b []byte) error {
	type plain Manifest
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		*m = Manifest{Unreadable: "manifest.json is not a wincontainers manifest: " + err.Error()}
		return nil //nolint:nilerr // reported in Unreadable: a bad manifest must not fail the facts
	}
	*m = Manifest(p)
	return nil
}

// ErrMalformed is returned (wrapped) for a document that cannot be facts.
var ErrMalformed = errors.New("malformed host facts")

// Decode parses and sanity-checks a facts document.
func Decode(b []byte) (Facts, error) {
	var f Facts
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&f); err != nil {
		return Facts{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if f.Schema != SchemaVersion {
		return Facts{}, fmt.Errorf("%w: schema %d, this wincontainers reads schema %d; use matching versions of the provider and its scripts",
			ErrMalformed, f.Schema, SchemaVersion)
	}
	if f.OS.Build <= 0 || f.OS.Build > 99999 {
		return Facts{}, fmt.Errorf("%w: os.build is %d", ErrMalformed, f.OS.Build)
	}
	if f.OS.UBR < 0 || f.Disk.FreeBytes < 0 {
		return Facts{}, fmt.Errorf("%w: negative ubr or free space", ErrMalformed)
	}
	if f.Features == nil {
		f.Features = map[string]string{}
	}
	f.Engines = f.InstalledEngines()
	return f, nil
}

// InstalledEngines lists the engines installed: Engines, or Engine alone in facts that have no list (a
// document from before the list, or facts built by hand).
func (f Facts) InstalledEngines() []Engine {
	if len(f.Engines) == 0 && f.Engine.Type != "" {
		return []Engine{f.Engine}
	}
	return f.Engines
}

// ForEngine returns the facts with Engine set to the installed engine of that type ("docker",
// "containerd") when there is one; otherwise the facts as they are (Engine is then the other engine, or
// none). With two engines installed, the one a specification wants is the one that decides its plan.
func (f Facts) ForEngine(engineType string) Facts {
	if f.Engine.Type == engineType {
		return f
	}
	for _, e := range f.InstalledEngines() {
		if e.Type == engineType {
			f.Engine = e
			return f
		}
	}
	return f
}
