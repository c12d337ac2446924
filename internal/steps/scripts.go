package steps

import "github.com/wincontainers/wincontainers/internal/facts"

// What each script does, its errors and the Windows facts behind it are in
// internal/powershell/scripts/README.md under the script's name; the types below are its documents.

// InstallFeatures installs the missing Windows features (install-features; exit 3010 when Windows
// needs a restart).
type InstallFeatures struct {
	// Features are server names (Containers, Hyper-V) or client names (Containers, Microsoft-Hyper-V).
	Features []string `json:"features"`
	// Client is true on client editions (Windows 10/11): optional features instead of server roles.
	Client bool `json:"client"`
}

// InstallFeaturesResult is each feature's state after the step, and whether a restart is needed.
type InstallFeaturesResult struct {
	Features      map[string]string `json:"features"`
	RestartNeeded bool              `json:"restart_needed"`
}

// InstallDocker installs, upgrades or downgrades the Docker static binaries and registers the docker
// service (install-docker).
type InstallDocker struct {
	Version string `json:"version"`
	Archive
	// PreviousVersion is the installed version the facts reported ("" when none), for the messages.
	PreviousVersion string `json:"previous_version"`
}

// InstallDockerResult says what was installed and how its archive was verified.
type InstallDockerResult struct {
	Version       string `json:"version"`
	ArchiveSHA256 string `json:"archive_sha256"`
	// SHA256Source is SourcePinned or SourceObserved (Docker publishes no checksum).
	SHA256Source    string `json:"sha256_source"`
	PreviousVersion string `json:"previous_version"`
	// Reregistered is true when the existing service's command line carried flags and was registered again.
	Reregistered bool `json:"reregistered"`
	Changed      bool `json:"changed"`
}

// InstallContainerd installs containerd with nerdctl and the Windows CNI plugins, and writes the NAT
// network's CNI configuration (install-containerd). Each archive is downloaded or pushed on its own.
type InstallContainerd struct {
	Version string `json:"version"`
	CheckedArchive
	Nerdctl CheckedArchive `json:"nerdctl"`
	// CNI is the Windows CNI plugins' zip, which publishes no checksum.
	CNI Archive `json:"cni"`
	NAT NAT     `json:"nat"`
}

// NAT is the network the CNI configuration describes; the CNI nat plugin creates it at the first container.
type NAT struct {
	Name    string `json:"name"`
	Subnet  string `json:"subnet"`
	Gateway string `json:"gateway"`
}

// InstallContainerdResult says what was installed and how each archive was verified.
type InstallContainerdResult struct {
	Version    string             `json:"version"`
	Archives   ContainerdArchives `json:"archives"`
	NATNetwork string             `json:"nat_network"`
	Changed    bool               `json:"changed"`
}

// ContainerdArchives are install-containerd's three verifications.
type ContainerdArchives struct {
	Containerd ArchiveCheck `json:"containerd"`
	Nerdctl    ArchiveCheck `json:"nerdctl"`
	CNI        ArchiveCheck `json:"cni"`
}

// ConfigureDaemon sets the managed keys in Docker's daemon.json and keeps every other key
// (configure-daemon).
type ConfigureDaemon struct {
	// Engine is "docker": containerd has no daemon.json.
	Engine string `json:"engine"`
	// Managed are the keys to set: strings, booleans or lists of strings (a list replaces the file's).
	Managed map[string]any `json:"managed"`
}

// ConfigureDaemonResult says whether daemon.json changed and docker was restarted to read it.
type ConfigureDaemonResult struct {
	Changed   bool   `json:"changed"`
	Restarted bool   `json:"restarted"`
	Path      string `json:"path"`
	// Backup is the previous file's copy, "" when there was none.
	Backup string         `json:"backup"`
	Config map[string]any `json:"config"`
}

// StartService sets the engine's service to Automatic, starts it and waits until the engine answers
// (start-service).
type StartService struct {
	Service string `json:"service"`
}

// StartServiceResult is the service's state and the engine's answer.
type StartServiceResult struct {
	Service       string `json:"service"`
	State         string `json:"state"`
	StartType     string `json:"start_type"`
	ServerVersion string `json:"server_version"`
	OSArch        string `json:"os_arch"`
}

// InstallLCOW installs the LinuxKit boot files LCOW needs (install-lcow).
type InstallLCOW struct {
	Archive
	Release string `json:"release"`
	// Files are the boot files taken from the archive.
	Files []string `json:"files"`
}

// InstallLCOWResult is each boot file's SHA-256 and how the archive was verified.
type InstallLCOWResult struct {
	Files         map[string]string `json:"files"`
	ArchiveSHA256 string            `json:"archive_sha256"`
	SHA256Source  string            `json:"sha256_source"`
	Changed       bool              `json:"changed"`
}

// InstallCompose installs the Docker Compose CLI plugin, and its standalone name when asked
// (install-compose).
type InstallCompose struct {
	Version string `json:"version"`
	CheckedArchive
	// Standalone also installs docker-compose.exe on the PATH (and removes one the step installed
	// otherwise).
	Standalone bool `json:"standalone"`
}

// InstallComposeResult says what was installed where, and how the binary was verified.
type InstallComposeResult struct {
	Version        string   `json:"version"`
	ArchiveSHA256  string   `json:"archive_sha256"`
	SHA256Source   string   `json:"sha256_source"`
	PluginPath     string   `json:"plugin_path"`
	StandalonePath string   `json:"standalone_path"`
	Changed        bool     `json:"changed"`
	Removed        []string `json:"removed"`
}

// Verify proves the host runs the wanted containers and records SpecHash in the marker (verify).
type Verify struct {
	Mode   string `json:"mode"`
	Engine string `json:"engine"`
	// Image is the build-matched Windows image to run ("" when none is known).
	Image string `json:"image"`
	// LinuxImage is the image the LCOW check runs.
	LinuxImage string `json:"linux_image"`
	// Pull allows pulling the images; without it a missing image skips its checks.
	Pull     bool   `json:"pull"`
	SpecHash string `json:"spec_hash"`
	// Compose, when set, runs a compose project too.
	Compose *VerifyCompose `json:"compose,omitempty"`
}

// VerifyCompose is the compose project verification brings up and takes down.
type VerifyCompose struct {
	Project string `json:"project"`
	// Network is "nat" (the engine's default network) or "project" (one the project creates).
	Network string `json:"network"`
}

// VerifyResult lists the checks; a failed check also fails the script (verify_failed) with the same
// document beside the error.
type VerifyResult struct {
	Checks    []Check `json:"checks"`
	OSArch    string  `json:"os_arch"`
	Isolation string  `json:"isolation"`
}

// Check is one verification.
type Check struct {
	Name string `json:"name"`
	// Status is "passed", "failed" or "skipped" (never passed without running).
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// Uninstall removes what wincontainers installed for one engine (uninstall).
type Uninstall struct {
	Engine         string   `json:"engine"`
	RemoveFeatures bool     `json:"remove_features"`
	Features       []string `json:"features"`
	Client         bool     `json:"client"`
	RemoveLCOW     bool     `json:"remove_lcow"`
}

// UninstallResult lists what was removed.
type UninstallResult struct {
	Removed       []string `json:"removed"`
	RestartNeeded bool     `json:"restart_needed"`
}

// PullImages pulls the images the engine does not have yet (pull-images).
type PullImages struct {
	Engine string   `json:"engine"`
	Images []string `json:"images"`
}

// PullImagesResult lists the images pulled now and those already present.
type PullImagesResult struct {
	Engine  string   `json:"engine"`
	Pulled  []string `json:"pulled"`
	Present []string `json:"present"`
}

// PrepareImage stops the engine and removes its per-machine state before generalization (prepare-image).
type PrepareImage struct {
	Engine string `json:"engine"`
	// NATNetwork is the HNS network install-containerd's CNI configuration names.
	NATNetwork string `json:"nat_network"`
}

// PrepareImageResult is the service as left and what was removed.
type PrepareImageResult struct {
	Engine   string          `json:"engine"`
	Service  PreparedService `json:"service"`
	DataRoot string          `json:"data_root"`
	Removed  []string        `json:"removed"`
}

// PreparedService is the engine's service after prepare-image: stopped, start type Automatic.
type PreparedService struct {
	Name      string `json:"name"`
	State     string `json:"state"`
	StartType string `json:"start_type"`
}

// WriteManifest writes the image manifest (write-manifest); its keys are facts.Manifest's, checked
// by internal/facts' TestManifestScripts.
type WriteManifest struct {
	Manifest facts.Manifest `json:"manifest"`
}

// WriteManifestResult is the file written and its content.
type WriteManifestResult struct {
	Path     string         `json:"path"`
	Changed  bool           `json:"changed"`
	Manifest facts.Manifest `json:"manifest"`
}

// FinishUpload moves a staged upload into place once its size and SHA-256 match, or, with nothing
// staged, succeeds only when Path already holds that hash (finish-upload).
type FinishUpload struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	// Size is checked when > 0.
	Size int64 `json:"size"`
}

// UploadResult is the file that arrived (finish-upload).
type UploadResult struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// ReceiveFile writes the bytes that follow the script on stdin to Path and checks their size and SHA-256
// (receive-file: the upload channel of transports with stdin, internal/runner's Upload). Its result is
// UploadResult.
type ReceiveFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	// Size is the byte count the script expects on stdin.
	Size int64 `json:"size"`
}

// Restart schedules a restart DelaySeconds ahead (restart; internal/runner's RebootAndWait waits for the
// new boot id).
type Restart struct {
	// DelaySeconds is shutdown.exe's /t; 0 restarts at once.
	DelaySeconds int `json:"delay_seconds"`
	// Reason is shutdown.exe's /c comment, shown in the System event log.
	Reason string `json:"reason"`
}

// RestartResult says the restart is scheduled (AlreadyScheduled: another one was, shutdown.exe's 1190)
// and the boot it ends.
type RestartResult struct {
	Scheduled        bool   `json:"scheduled"`
	AlreadyScheduled bool   `json:"already_scheduled"`
	BootID           string `json:"boot_id"`
	DelaySeconds     int    `json:"delay_seconds"`
}

// WinRMListener makes, reads or removes the WinRM HTTPS listener with a self-signed certificate
// (winrm-listener, run through Azure Run Command by internal/azure). Mode is "ensure" (default),
// "report" or "remove"; the listener's settings are for ensure, Thumbprint for remove.
type WinRMListener struct {
	Mode string `json:"mode,omitempty"`
	// Thumbprint is the certificate remove takes the listener down for ("" for any HTTPS listener).
	Thumbprint string `json:"thumbprint,omitempty"`
	// Port defaults to 5986, ValidDays to 365 (the script's defaults for 0).
	Port      int `json:"port,omitempty"`
	ValidDays int `json:"valid_days,omitempty"`
	// DNSNames and IPAddresses go into the certificate's subject alternative names beside the computer name.
	DNSNames    []string `json:"dns_names,omitempty"`
	IPAddresses []string `json:"ip_addresses,omitempty"`
}

// WinRMListenerResult is the listener ensure made or report found.
type WinRMListenerResult struct {
	Port              int      `json:"port"`
	Thumbprint        string   `json:"thumbprint"`
	FingerprintSHA256 string   `json:"fingerprint_sha256"`
	CertPEM           string   `json:"cert_pem"`
	Names             []string `json:"names"`
	Changed           bool     `json:"changed"`
	Present           bool     `json:"present"`
}

// WinRMListenerRemoved is remove's result: Removed is false when nothing of ours was there; Present
// when a listener someone moved to another certificate was left.
type WinRMListenerRemoved struct {
	Removed bool `json:"removed"`
	Present bool `json:"present"`
}

// WinRMListenerAbsent is report's result when there is no HTTPS listener.
type WinRMListenerAbsent struct {
	Present bool `json:"present"`
}

// Script implements Params.
func (InstallFeatures) Script() string   { return "install-features" }
func (InstallDocker) Script() string     { return "install-docker" }
func (InstallContainerd) Script() string { return "install-containerd" }
func (ConfigureDaemon) Script() string   { return "configure-daemon" }
func (StartService) Script() string      { return "start-service" }
func (InstallLCOW) Script() string       { return "install-lcow" }
func (InstallCompose) Script() string    { return "install-compose" }
func (Verify) Script() string            { return "verify" }
func (Uninstall) Script() string         { return "uninstall" }
func (PullImages) Script() string        { return "pull-images" }
func (PrepareImage) Script() string      { return "prepare-image" }
func (WriteManifest) Script() string     { return "write-manifest" }
func (FinishUpload) Script() string      { return "finish-upload" }
func (ReceiveFile) Script() string       { return "receive-file" }
func (Restart) Script() string           { return "restart" }
func (WinRMListener) Script() string     { return "winrm-listener" }

func (InstallFeatures) result() any   { return &InstallFeaturesResult{} }
func (InstallDocker) result() any     { return &InstallDockerResult{} }
func (InstallContainerd) result() any { return &InstallContainerdResult{} }
func (ConfigureDaemon) result() any   { return &ConfigureDaemonResult{} }
func (StartService) result() any      { return &StartServiceResult{} }
func (InstallLCOW) result() any       { return &InstallLCOWResult{} }
func (InstallCompose) result() any    { return &InstallComposeResult{} }
func (Verify) result() any            { return &VerifyResult{} }
func (Uninstall) result() any         { return &UninstallResult{} }
func (PullImages) result() any        { return &PullImagesResult{} }
func (PrepareImage) result() any      { return &PrepareImageResult{} }
func (WriteManifest) result() any     { return &WriteManifestResult{} }
func (FinishUpload) result() any      { return &UploadResult{} }
func (ReceiveFile) result() any       { return &UploadResult{} }
func (Restart) result() any           { return &RestartResult{} }
func (WinRMListener) result() any     { return &WinRMListenerResult{} }

// results are winrm-listener's result shapes: each Write-WcResult it makes writes exactly one of them.
func (WinRMListener) results() []any {
	return []any{&WinRMListenerResult{}, &WinRMListenerRemoved{}, &WinRMListenerAbsent{}}
}
