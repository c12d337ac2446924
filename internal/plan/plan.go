// Package plan turns host facts and a resolved spec into an ordered list of steps with reboot barriers,
// or refuses, before anything on the host changes, when the knowledge base rules the combination out
// for the host that was actually detected.
package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/steps"
)

// StepKind names what a step does.
type StepKind string

// Step kinds, in the order a plan uses them.
const (
	// StepReboot restarts the host before anything else, because a reboot is already pending and the
	// steps after it depend on its outcome (a feature waiting for a restart).
	StepReboot StepKind = "reboot"
	// StepFeatures installs every missing Windows feature in one step, so at most one reboot follows.
	StepFeatures StepKind = "install-features"
	// StepRebootIfRequired restarts the host only if the step before it said Windows needs it (exit 3010).
	StepRebootIfRequired StepKind = "reboot-if-required"
	StepEngine           StepKind = "install-engine"
	StepService          StepKind = "start-service"
	StepDaemonConfig     StepKind = "configure-daemon"
	StepLCOWFiles        StepKind = "install-lcow"
	// StepCompose installs the Docker Compose CLI plugin (and its standalone name) on a Docker host.
	StepCompose StepKind = "install-compose"
	StepVerify  StepKind = "verify"
	// StepUninstall removes what wincontainers installed (destroy; see Uninstall).
	StepUninstall StepKind = "uninstall"
	// Image preparation after a verified apply (see PrepareImage): pull images into the engine's store,
	// leave the engine ready for generalization, write the image manifest.
	StepPullImages    StepKind = "pull-images"
	StepPrepareImage  StepKind = "prepare-image"
	StepWriteManifest StepKind = "write-manifest"
)

// Step is one unit of work. Params are the script's parameters, and their type names the script that
// performs the step (install-engine runs install-docker or install-containerd); a reboot has none.
type Step struct {
	Kind   StepKind
	Params steps.Params
	// Reason says which fact made the step necessary.
	Reason string
}

// IsBarrier reports whether the executor must re-read facts after the step (a reboot may happen).
func (s Step) IsBarrier() bool { return s.Kind == StepReboot || s.Kind == StepRebootIfRequired }

// Plan is the ordered work for one host.
type Plan struct {
	Host     compat.OS
	Edition  compat.Edition
	Steps    []Step
	Warnings []compat.Finding
	// SpecHash identifies the desired state; the verify step records it on the host.
	SpecHash string
}

// Empty reports whether the host is already converged.
func (p Plan) Empty() bool { return len(p.Steps) == 0 }

// Kinds lists the step kinds in order.
func (p Plan) Kinds() []StepKind {
	out := make([]StepKind, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.Kind
	}
	return out
}

// MaxReboots is the number of reboots the plan may cause.
func (p Plan) MaxReboots() int {
	n := 0
	for _, s := range p.Steps {
		if s.IsBarrier() {
			n++
		}
	}
	return n
}

// RefusalError says why the host cannot become what the spec asks, before anything was changed.
type RefusalError struct {
	// Host describes what was detected: release, build, channel, edition, installation, virtualization.
	Host     string
	Findings []compat.Finding
}

func (e *RefusalError) Error() string {
	lines := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		lines[i] = f.Summary + ": " + f.Detail
	}
	return fmt.Sprintf("nothing was changed on the host: %s cannot be made into the requested container host:\n  %s",
		e.Host, strings.Join(lines, "\n  "))
}

// Boot-file names hcsshim looks for in the LCOW boot-files directory [HCS].
var lcowBootFiles = []string{"kernel", "initrd.img"}

// NATNetwork is the HNS NAT network Docker creates and containerd's CNI configuration names.
const NATNetwork = "nat"

// Build plans the work. It returns a *RefusalError when the combination cannot work on this host.
func Build(f facts.Facts, want spec.Resolved) (Plan, error) { return build(f, want, false) }

// Replan plans again within one apply, after a restart: reverify forces the verify step (the executor
// changed the host earlier in this apply and has not verified since).
func Replan(f facts.Facts, want spec.Resolved, reverify bool) (Plan, error) {
	return build(f, want, reverify)
}

func build(f facts.Facts, want spec.Resolved, reverify bool) (Plan, error) {
	// With Docker and containerd side by side, the wanted one decides (facts.engines).
	f = f.ForEngine(string(want.EngineType))
	host, err := f.OSInfo()
	if err != nil {
		return Plan{}, &RefusalError{Host: describeRaw(f), Findings: []compat.Finding{{
			Severity: compat.SeverityError, Code: "unknown_host_release",
			Summary: "unknown Windows release", Detail: err.Error(),
		}}}
	}
	if want.VersionDefault {
		// No version was pinned: the default fits the detected host, not the one guessed at plan time
		// (a 2016 host gets the last Docker that runs there).
		want.EngineVersion = compat.MustVersion(compat.DefaultEngineVersion(want.EngineType, host.Build, want.Mode))
	}
	if want.Compose != nil {
		want.Compose = composeForHost(want)
	}
	p := Plan{Host: host, Edition: f.Edition(), SpecHash: SpecHash(want)}

	var refusals []compat.Finding
	refusals = append(refusals, declaredMismatch(host, want)...)
	for _, fd := range compat.CheckEngine(compat.Combination{OS: &host, Edition: p.Edition, Mode: want.Mode, Engine: want.EngineType, Version: want.EngineVersion}) {
		if fd.Severity == compat.SeverityError {
			refusals = append(refusals, fd)
		} else {
			p.Warnings = append(p.Warnings, fd)
		}
	}
	if want.Mode.NeedsHyperV() {
		refusals = append(refusals, virtualizationRefusals(f)...)
	}
	if want.Compose != nil {
		for _, fd := range compat.CheckCompose(want.ComposeSpec(&host)) {
			if fd.Severity == compat.SeverityError {
				refusals = append(refusals, fd)
			} else {
				p.Warnings = append(p.Warnings, fd)
			}
		}
	}
	if len(refusals) > 0 {
		return Plan{}, &RefusalError{Host: describe(f, host), Findings: refusals}
	}
	p.Warnings = append(p.Warnings, otherEngineWarning(f, want)...)

	features, featureReason, needReboot := missingFeatures(f, want.Mode)
	engineStep := engineStep(f, want)
	changes := len(features) > 0 || engineStep != nil || needReboot

	if needReboot || (changes && f.PendingReboot.Any()) {
		p.Steps = append(p.Steps, Step{Kind: StepReboot, Reason: "a reboot is pending: " + strings.Join(pendingReasons(f, needReboot), ", ")})
	}
	if len(features) > 0 {
		p.Steps = append(p.Steps,
			Step{Kind: StepFeatures, Reason: featureReason, Params: steps.InstallFeatures{Features: features, Client: f.IsClient()}},
			Step{Kind: StepRebootIfRequired, Reason: "Windows features take effect after a restart"},
		)
	}
	if engineStep != nil {
		p.Steps = append(p.Steps, *engineStep)
	}
	// The engine is installed stopped; its configuration is written before it first starts (a hosts or
	// isolation setting must be there then), and start-service starts it and waits until it answers.
	if cfg := daemonStep(f, want); cfg != nil {
		p.Steps = append(p.Steps, *cfg)
	}
	if s := serviceStep(f, want, engineStep != nil); s != nil {
		p.Steps = append(p.Steps, *s)
	}
	if want.Mode == compat.ModeLCOW {
		if s := lcowStep(f, want); s != nil {
			p.Steps = append(p.Steps, *s)
		}
	}
	if s := composeStep(f, want); s != nil {
		p.Steps = append(p.Steps, *s)
	}
	if reverify || len(p.Steps) > 0 || f.Verified == nil || f.Verified.SpecHash != p.SpecHash {
		p.Steps = append(p.Steps, verifyStep(f, want, host, p.SpecHash))
	}
	return p, nil
}

// declaredMismatch compares what the user declared (os_version, channel) with what was detected.
func declaredMismatch(host compat.OS, want spec.Resolved) []compat.Finding {
	var out []compat.Finding
	if want.OS != nil && (want.OS.Build != host.Build || want.OS.Release.Kind != host.Release.Kind ||
		(want.OS.Release.Channel != host.Release.Channel && !want.OS.FromBuild)) {
		out = append(out, compat.Finding{Severity: compat.SeverityError, Code: "os_version_mismatch",
			Summary: fmt.Sprintf("os_version declares %s, but the host is %s", want.OS.Release.Label(), host),
			Detail: "os_version describes the host you expect; correct it to " + quote(host.Release.Name) +
				" or point the resource at the intended host"})
	}
	if want.Channel != "" && want.Channel != host.Release.Channel {
		detail := fmt.Sprintf("the host is %s in the %q channel", host, host.Release.Channel)
		if host.Release.Channel == compat.Annual || want.Channel == compat.Annual {
			detail += "; the Annual Channel is recognised by build 25398 (it reports itself as \"Windows Server 2022\")"
		}
		out = append(out, compat.Finding{Severity: compat.SeverityError, Code: "channel_mismatch",
			Summary: fmt.Sprintf("channel %q does not match the host", want.Channel), Detail: detail + "; correct channel or the host"})
	}
	return out
}

// virtualizationRefusals: Hyper-V isolation and LCOW need the Hyper-V role and a running hypervisor;
// inside a VM that means nested virtualization [MS-SYSREQ][MS-NESTED] (docs/knowledge/windows.md#nested-virtualization).
func virtualizationRefusals(f facts.Facts) []compat.Finding {
	v := f.Virtualization
	hv := f.Feature("Hyper-V")
	nested := "Enable nested virtualization for this VM: on Hyper-V, Set-VMProcessor -VMName <vm> -ExposeVirtualizationExtensions $true " +
		"with the VM off; on VMware, vhv.enable = \"TRUE\"; on Azure, a size with nested virtualization and Security Type Standard " +
		"(not Trusted Launch); on AWS, C8i/M8i/R8i or bare metal. Or use container_mode = \"process\""
	found := fmt.Sprintf("found: hypervisor_present=%v, VirtualizationFirmwareEnabled=%v, SLAT=%v, VMMonitorModeExtensions=%v, machine %q %q",
		v.HypervisorPresent, v.FirmwareEnabled, v.SLAT, v.VMMonitorModeExtensions, v.Manufacturer, v.Model)
	switch {
	case strings.EqualFold(v.HypervisorLaunchType, "Off"):
		// Someone told the boot loader not to start the Windows hypervisor, usually to run another
		// hypervisor on this machine. Turning it back on would break that, so it is theirs to decide.
		return []compat.Finding{{Severity: compat.SeverityError, Code: "hypervisor_launch_off",
			Summary: "the boot configuration does not start the Windows hypervisor (hypervisorlaunchtype Off)",
			Detail: fmt.Sprintf("Hyper-V isolated containers and LCOW would fail with \"No hypervisor is present on this system. (0xc0351000)\" "+
				"whether or not the Hyper-V role is installed (it is %s); found: bcdedit /enum {current} lists hypervisorlaunchtype %s. "+
				"This is usually set to run another hypervisor (VirtualBox, VMware Workstation) on the same machine. "+
				"Run bcdedit /set hypervisorlaunchtype auto and restart the host (the other hypervisor then needs its Hyper-V compatibility mode), "+
				"or use container_mode = \"process\"", hv, v.HypervisorLaunchType),
			Sources: []string{"https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2008-R2-and-2008/dd581788(v=ws.10)"}}}
	case hv == facts.FeatureInstalled && !v.HypervisorPresent && !f.PendingReboot.Any():
		return []compat.Finding{{Severity: compat.SeverityError, Code: "no_hypervisor",
			Summary: "Hyper-V is installed but no hypervisor is running",
			Detail: "Hyper-V isolated containers would fail with \"No hypervisor is present on this system. (0xc0351000)\"; " + found + ". " +
				"The processor does not expose virtualization extensions to Windows (or the hypervisor is disabled in the boot configuration). " + nested,
			Sources: []string{"https://learn.microsoft.com/virtualization/hyper-v-on-windows/user-guide/enable-nested-virtualization"}}}
	case hv != facts.FeatureInstalled && hv != facts.FeatureInstallPending && !v.CanEnableHyperV():
		return []compat.Finding{{Severity: compat.SeverityError, Code: "no_virtualization",
			Summary: "this host cannot run Hyper-V, which Hyper-V isolation and LCOW need",
			Detail:  "the processor does not expose hardware virtualization with SLAT to Windows; " + found + ". " + nested,
			Sources: []string{"https://learn.microsoft.com/virtualization/hyper-v-on-windows/user-guide/enable-nested-virtualization"}}}
	}
	return nil
}

// missingFeatures lists the roles to install (Containers, plus Hyper-V for hyperv/lcow) and whether a
// reboot is needed before the engine can work (a feature already waiting for one).
func missingFeatures(f facts.Facts, mode compat.Mode) (missing []string, reason string, needReboot bool) {
	roles := []string{"Containers"}
	if mode.NeedsHyperV() {
		roles = append(roles, "Hyper-V")
	}
	var why []string
	for _, role := range roles {
		st := f.Feature(role)
		switch st {
		case facts.FeatureInstalled:
		case facts.FeatureInstallPending:
			needReboot = true
		default:
			missing = append(missing, facts.FeatureName(role, f.IsClient()))
			why = append(why, fmt.Sprintf("%s is %s", role, st))
		}
	}
	return missing, strings.Join(why, ", "), needReboot
}

func pendingReasons(f facts.Facts, featurePending bool) []string {
	r := f.PendingReboot.Reasons()
	if featurePending && !f.PendingReboot.FeatureRestartNeeded {
		r = append(r, "a Windows feature waiting for a restart")
	}
	return r
}

// engineStep installs, upgrades or downgrades the engine when the host's differs from the wanted one.
func engineStep(f facts.Facts, want spec.Resolved) *Step {
	e := f.Engine
	var why string
	switch {
	case e.Type != string(want.EngineType) || !e.Service.Exists():
		why = fmt.Sprintf("%s %s is not installed", want.EngineType, want.EngineVersion)
	case !sameVersion(e.Version, want.EngineVersion):
		why = fmt.Sprintf("%s %s is installed, %s is wanted", e.Type, e.Version, want.EngineVersion)
	default:
		// engine.sha256 pins the archive, not the installed binary, so a matching type and version is
		// converged here; a binary replaced behind our back shows as drift through facts.engine.binary_sha256.
		return nil
	}
	return &Step{Kind: StepEngine, Reason: why, Params: engineParams(want, e.Version)}
}

// pushDir is where pushed archives land on the host, beside the host's own downloads.
const pushDir = `C:\ProgramData\wincontainers\downloads`

// pushTo makes the archive the controller's file local, pushed to pushDir\name; "" leaves it a download.
func pushTo(a *steps.Archive, local, name, setting, pinSetting string) {
	if local == "" {
		return
	}
	a.Push = &steps.Push{File: local, Setting: setting, PinSetting: pinSetting}
	a.ArchivePath = pushDir + `\` + name
}

// pushChecked is pushTo for an archive with a published checksum, which a pushed file does not need.
func pushChecked(a *steps.CheckedArchive, local, name, setting, pinSetting string) {
	pushTo(&a.Archive, local, name, setting, pinSetting)
	if a.Push != nil {
		a.ChecksumURL = ""
	}
}

// engineParams are the install script's parameters: the archive's location and pinned hash, and for
// containerd its companions (nerdctl, the Windows CNI plugins, the HNS NAT network). Archives given on
// the controller (engine.archive, engine.nerdctl_archive, engine.cni_archive) are pushed, each on its
// own: the others are downloaded by the host.
func engineParams(want spec.Resolved, previous string) steps.Params {
	v := want.EngineVersion.String()
	url := EngineURL(want)
	if want.EngineType == compat.Containerd {
		checksum := ""
		if want.EngineURL == "" {
			checksum = url + ".sha256sum"
		}
		nerd, sums := compat.NerdctlURLs(compat.DefaultNerdctlVersion)
		cniURL := compat.CNIURL(compat.DefaultCNIVersion)
		p := steps.InstallContainerd{Version: v,
			CheckedArchive: steps.CheckedArchive{Archive: steps.Archive{URL: url, SHA256: want.EngineSHA256}, ChecksumURL: checksum},
			Nerdctl:        steps.CheckedArchive{Archive: steps.Archive{URL: nerd}, ChecksumURL: sums},
			CNI:            steps.Archive{URL: cniURL},
			NAT:            steps.NAT{Name: NATNetwork, Subnet: compat.DefaultNATSubnet, Gateway: compat.DefaultNATGateway},
		}
		// Pushed archives keep the published file names on the host.
		pushChecked(&p.CheckedArchive, want.EngineArchive, fileName(url), spec.PathEngineArchive, spec.PathEngineSHA256)
		pushChecked(&p.Nerdctl, want.NerdctlArchive, fileName(nerd), spec.PathNerdctlArchive, "")
		pushTo(&p.CNI, want.CNIArchive, fileName(cniURL), spec.PathCNIArchive, "")
		return p
	}
	p := steps.InstallDocker{Version: v, Archive: steps.Archive{URL: url, SHA256: want.EngineSHA256}, PreviousVersion: previous}
	// The executor pushes the controller's file here first (executor.ScriptConn), then the script installs it.
	pushTo(&p.Archive, want.EngineArchive, "docker-"+v+".zip", spec.PathEngineArchive, spec.PathEngineSHA256)
	return p
}

// EngineURL is where the host downloads the engine archive from: engine.url, else the publisher's
// release for the wanted type and version.
func EngineURL(want spec.Resolved) string {
	switch {
	case want.EngineURL != "":
		return want.EngineURL
	case want.EngineType == compat.Containerd:
		return compat.ContainerdURL(want.EngineVersion.String())
	}
	return compat.DockerURL(want.EngineVersion.String())
}

func fileName(url string) string { return url[strings.LastIndexByte(url, '/')+1:] }

func sameVersion(have string, want compat.Version) bool {
	v, err := compat.ParseVersion(have)
	return err == nil && v.Compare(want) == 0
}

func otherEngineWarning(f facts.Facts, want spec.Resolved) []compat.Finding {
	var out []compat.Finding
	for _, e := range f.InstalledEngines() {
		if e.Type == "" || e.Type == string(want.EngineType) {
			continue
		}
		out = append(out, compat.Finding{Severity: compat.SeverityWarning, Code: "other_engine_present",
			Summary: fmt.Sprintf("%s %s is already installed", e.Type, e.Version),
			Detail: fmt.Sprintf("wincontainers installs %s beside it and leaves %s untouched; remove it yourself if it should go",
				want.EngineType, e.Type)})
	}
	return out
}

// DesiredDaemonConfig returns the daemon.json keys wincontainers manages for the mode, engine and the
// user's daemon settings. Only these keys are managed: every other key in the host's daemon.json is
// kept as found, including a daemon setting the user did not set (or removed from the spec since), so
// a host's own registry-mirrors stay unless the spec gives its own list, which then replaces them.
// Hyper-V mode makes hyperv the default isolation ("exec-opts": ["isolation=hyperv"]); legacy Docker
// LCOW needs "experimental": true [MS-DOCKERD][LK-README]. The daemon block adds the keys of its
// settings written as given (spec.Daemon.DaemonJSON: "data-root", "registry-mirrors", "hosts", ... as the
// settings table names them), and "tlsverify" with "tlscacert", "tlscert" and "tlskey" ("tlsverify":
// false alone for a TCP endpoint the user allowed without TLS). Containerd has no daemon.json: nothing is managed.
func DesiredDaemonConfig(want spec.Resolved) map[string]any {
	if want.EngineType != compat.Docker {
		return map[string]any{}
	}
	cfg := map[string]any{}
	switch want.Mode {
	case compat.ModeHyperV:
		cfg["exec-opts"] = []any{"isolation=hyperv"}
	case compat.ModeLCOW:
		cfg["experimental"] = true
	case compat.ModeProcess:
		// Process isolation is the server default, but not a client's, and a host switched from hyperv
		// keeps "isolation=hyperv" unless it is replaced: the default is stated explicitly.
		cfg["exec-opts"] = []any{"isolation=process"}
	}
	if d := want.Daemon; d != nil {
		// The settings written as given, each under its daemon.json key (internal/settings).
		for k, v := range d.DaemonJSON() {
			cfg[k] = v
		}
		switch {
		case d.TLSVerify:
			cfg["tlsverify"] = true
			cfg["tlscacert"], cfg["tlscert"], cfg["tlskey"] = d.TLSCACert, d.TLSCert, d.TLSKey
		case d.AllowInsecureTCP && slices.ContainsFunc(d.Hosts, func(h string) bool { return strings.HasPrefix(strings.ToLower(h), "tcp://") }):
			// dockerd serves a TCP endpoint without TLS only when told so explicitly ("You can override this by
			// explicitly specifying '--tls=false' or '--tlsverify=false'"); later releases refuse to start otherwise.
			cfg["tlsverify"] = false
		}
	}
	return cfg
}

func daemonStep(f facts.Facts, want spec.Resolved) *Step {
	desired := DesiredDaemonConfig(want)
	if len(desired) == 0 {
		return nil
	}
	var have map[string]any
	if len(f.Engine.DaemonConfig) > 0 {
		_ = json.Unmarshal(f.Engine.DaemonConfig, &have) // unreadable config: treat as empty and rewrite the managed keys
	}
	var differing []string
	for k, v := range desired {
		if !jsonEqual(have[k], v) {
			differing = append(differing, k)
		}
	}
	if len(differing) == 0 {
		return nil
	}
	slices.Sort(differing)
	return &Step{Kind: StepDaemonConfig, Reason: "daemon.json differs in " + strings.Join(differing, ", "),
		Params: steps.ConfigureDaemon{Managed: desired, Engine: string(want.EngineType)}}
}

func serviceStep(f facts.Facts, want spec.Resolved, installing bool) *Step {
	s := f.Engine.Service
	reason := fmt.Sprintf("the %s service is %s (start type %s)", s.Name, s.State, s.StartType)
	if s.LastError != "" {
		// Why it is stopped, from the engine's own event log since the boot, and what that is known to mean.
		reason += "; its last error since the boot: " + strings.Join(strings.Fields(s.LastError), " ")
		if why := compat.Explain(s.LastError); why != "" {
			reason += " (" + why + ")"
		}
	}
	switch {
	case installing:
		reason = "start the engine after installing it"
	case s.State == "Running" && strings.EqualFold(s.StartType, "Automatic"):
		return nil
	}
	return &Step{Kind: StepService, Reason: reason, Params: steps.StartService{Service: string(want.EngineType)}}
}

func lcowStep(f facts.Facts, want spec.Resolved) *Step {
	wantSHA, url, archive := "", "", ""
	if want.LCOW != nil {
		wantSHA, url, archive = want.LCOW.SHA256, want.LCOW.URL, want.LCOW.Archive
	}
	var missing []string
	for _, name := range lcowBootFiles {
		if _, ok := f.LCOW.Files[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if url == "" {
		url = compat.LinuxKitURL(compat.DefaultLinuxKitRelease)
	}
	params := steps.InstallLCOW{Archive: steps.Archive{URL: url, SHA256: wantSHA}, Release: compat.DefaultLinuxKitRelease, Files: lcowBootFiles}
	pushTo(&params.Archive, archive, "lcow-"+compat.DefaultLinuxKitRelease+".zip", spec.PathLCOWArchive, spec.PathLCOWSHA256)
	return &Step{Kind: StepLCOWFiles, Reason: "LCOW boot files missing: " + strings.Join(missing, ", "), Params: params}
}

func verifyStep(f facts.Facts, want spec.Resolved, host compat.OS, hash string) Step {
	why := "the host has not been verified for this configuration"
	if f.Verified != nil && f.Verified.SpecHash == hash {
		why = "the host changed and must be verified again"
	}
	images := compat.ImagesFor(host, isolationFor(want.Mode), compat.Date{}, false)
	image := ""
	if len(images) > 0 {
		image = images[0].Image.Reference()
	}
	params := steps.Verify{Mode: string(want.Mode), Engine: string(want.EngineType), Image: image, SpecHash: hash,
		LinuxImage: linuxTestImage, Pull: want.PullImages}
	if want.Compose != nil {
		params.Compose = &steps.VerifyCompose{Project: composeProject, Network: want.Compose.Network}
	}
	return Step{Kind: StepVerify, Reason: why, Params: params}
}

// composeProject is the name of the compose project verification runs (and takes down again).
const composeProject = "wincontainers-verify"

// composeForHost resolves the Compose version for the engine the detected host gets: with no version
// pinned, the default follows the engine version (which itself may have been defaulted for the host).
func composeForHost(want spec.Resolved) *spec.ResolvedCompose {
	c := *want.Compose
	if want.EngineType != compat.Docker {
		c.Version = compat.Version{}
		return &c
	}
	if c.VersionDefault || c.Version.IsZero() {
		c.Version = compat.MustVersion(compat.DefaultComposeVersionFor(want.EngineVersion))
		c.VersionDefault = true
	}
	return &c
}

// composeStep installs Docker Compose on a Docker host when the plugin is missing, another version, not
// the pinned file, or its standalone name is missing or differs. containerd hosts use nerdctl compose,
// which comes with nerdctl.
func composeStep(f facts.Facts, want spec.Resolved) *Step {
	c := want.Compose
	if c == nil || want.EngineType != compat.Docker {
		return nil
	}
	have := f.Compose
	v := c.Version.String()
	var why string
	switch {
	case !have.Installed():
		why = fmt.Sprintf("Docker Compose %s is not installed (no docker-compose.exe in the docker CLI's plugin folders)", v)
	case !sameVersion(have.Version, c.Version):
		found := have.Version
		if found == "" {
			found = "a docker-compose.exe that does not report its version"
		} else {
			found = "Docker Compose " + found
		}
		why = fmt.Sprintf("%s is installed at %s, %s is wanted", found, have.PluginPath, v)
	case c.SHA256 != "" && have.SHA256 != c.SHA256:
		why = fmt.Sprintf("%s has SHA-256 %s, compose.sha256 pins %s", have.PluginPath, have.SHA256, c.SHA256)
	case c.Standalone && have.StandaloneSHA256 != have.SHA256:
		why = "the standalone docker-compose.exe is missing or is not the plugin's binary"
	default:
		return nil
	}
	url, checksum := c.URL, ""
	if url == "" {
		url, checksum = compat.ComposeURLs(v)
	}
	params := steps.InstallCompose{Version: v, CheckedArchive: steps.CheckedArchive{Archive: steps.Archive{URL: url, SHA256: c.SHA256}, ChecksumURL: checksum},
		Standalone: c.Standalone}
	pushChecked(&params.CheckedArchive, c.Archive, "docker-compose-"+v+"-windows-x86_64.exe", spec.PathComposeArchive, spec.PathComposeSHA256)
	return &Step{Kind: StepCompose, Reason: why, Params: params}
}

// linuxTestImage is the Linux image the LCOW check runs (`docker run --platform linux busybox uname`,
// as the LinuxKit README does [LK-README]).
const linuxTestImage = "busybox"

func isolationFor(m compat.Mode) compat.Isolation {
	if m == compat.ModeProcess {
		return compat.Process
	}
	return compat.HyperV
}

// SpecHash identifies the desired state that verification proves. It covers the managed daemon.json
// keys, so changing a daemon setting verifies the host again.
func SpecHash(want spec.Resolved) string {
	doc := map[string]any{
		"mode": want.Mode, "engine": want.EngineType, "version": want.EngineVersion.String(),
		"daemon": DesiredDaemonConfig(want),
	}
	if want.LCOW != nil {
		doc["lcow"] = map[string]string{"url": want.LCOW.URL, "sha256": want.LCOW.SHA256}
	}
	if c := want.Compose; c != nil {
		doc["compose"] = map[string]any{"version": c.Version.String(), "standalone": c.Standalone, "network": c.Network}
	}
	b, _ := json.Marshal(doc) // maps of strings, bools and lists of strings: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func jsonEqual(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

func describe(f facts.Facts, host compat.OS) string {
	inst := string(f.Installation())
	if inst == "" {
		inst = strings.ToLower(f.OS.InstallationType)
	}
	return fmt.Sprintf("%s, channel %s, edition %s, installation %s (product name %q, display version %q; hypervisor present: %v)",
		host, host.Release.Channel, f.Edition(), inst, f.OS.ProductName, f.OS.DisplayVersion, f.Virtualization.HypervisorPresent)
}

func describeRaw(f facts.Facts) string {
	return fmt.Sprintf("build %d.%d (product name %q, installation type %q)", f.OS.Build, f.OS.UBR, f.OS.ProductName, f.OS.InstallationType)
}

func quote(s string) string { return "\"" + s + "\"" }
