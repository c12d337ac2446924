package compat

import (
	"fmt"
	"strings"
)

// Mode is the container mode a host is made ready for.
type Mode string

// Container modes.
const (
	ModeProcess Mode = "process" // Windows Server containers, process isolation
	ModeHyperV  Mode = "hyperv"  // Hyper-V isolated Windows containers
	ModeLCOW    Mode = "lcow"    // Linux containers on Windows (LinuxKit/hcsshim utility VM)
)

// Modes lists the container modes.
func Modes() []Mode { return []Mode{ModeProcess, ModeHyperV, ModeLCOW} }

// NeedsHyperV reports whether the mode needs the Hyper-V role and hardware virtualization: Hyper-V
// isolation and LCOW both run a utility VM [MS-SYSREQ][MS-ISO][HCS].
func (m Mode) NeedsHyperV() bool { return m == ModeHyperV || m == ModeLCOW }

// EngineType is a container engine.
type EngineType string

// Engines.
const (
	Docker     EngineType = "docker"
	Containerd EngineType = "containerd"
)

// EngineTypes lists the engines.
func EngineTypes() []EngineType { return []EngineType{Docker, Containerd} }

// Severity of a finding.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Subject is the part of a combination a finding is about: what the user changes to act on it. Front
// doors attach the finding to the setting that carries that part.
type Subject string

// Subjects.
const (
	SubjectMode           Subject = "mode"            // the container mode
	SubjectHost           Subject = "host"            // the host's release, build or edition
	SubjectEngine         Subject = "engine"          // the engine type
	SubjectEngineVersion  Subject = "engine_version"  // the engine version
	SubjectLCOW           Subject = "lcow"            // the LCOW boot files
	SubjectCompose        Subject = "compose"         // Compose as a whole
	SubjectComposeVersion Subject = "compose_version" // the Compose version
	SubjectComposeNetwork Subject = "compose_network" // the Compose project's network
)

// Finding is one rule's verdict on a host/mode/engine combination.
type Finding struct {
	Severity Severity
	// Code is stable, for tests and for matching in front doors ("docker_23_needs_17763").
	Code string
	// Subject is what the finding is about (never empty for CheckEngine's and CheckCompose's findings).
	Subject Subject
	// Summary is a one-line statement; Detail says what was found, why it matters and what to do.
	Summary string
	Detail  string
	Sources []string
}

func (f Finding) String() string { return string(f.Severity) + ": " + f.Summary + ": " + f.Detail }

// Versions the rules are written against.
var (
	// Docker 23.0 requires Windows build 17763: moby commit 1b3fef5, first tag v23.0.0 [MOBY-SYS].
	docker23 = MustVersion("23.0.0")
	// LCOW timeline [MOBY-LCOW][CLI-DEP]: LCOW_SUPPORTED era from v17.07.0-ce (fe5b34b); experimental on
	// build >= 16299 from v18.02.0-ce (5b24976); experimental on build >= 17763 from v19.03.0 (e0b528f);
	// marked deprecated in 20.10; removed in 23.0 (moby#42451).
	dockerLCOWFirst        = MustVersion("17.07.0")
	dockerLCOWExperimental = MustVersion("18.02.0")
	dockerLCOWRS5          = MustVersion("19.03.0")
	dockerLCOWDeprecated   = MustVersion("20.10.0")
	// Process isolation on Windows 10/11 from Docker 18.09 on build 17763 [MS-FAQ][MS-ISO]; in moby the
	// change (c907c24) first shipped in v19.03.0 and in the docker-ce 18.09 branch (inference) [MOBY-C907].
	dockerClientProcess = MustVersion("18.09.0")
	// containerd's windows-lcow snapshotter is shown working on 1.7.13 [I-CTRD9822] and failing on 1.5.7
	// [I-CTRD6313]; 1.7 is the floor used here.
	containerdLCOW = MustVersion("1.7.0")
)

// Default engine versions, used when the user pins none.
//
//   - Docker for builds >= 17763: 29.2.1, the newest static zip version named in the sources
//     (Scoop's manifest hash for it) [P-SCOOP].
//   - Docker for builds < 17763, and for legacy LCOW: 20.10.24, the last 20.10 patch release. The
//     sources name 20.10.17 [SSP-2022] but not the final patch; 20.10.24 is the final 20.10 release
//     on download.docker.com (not in docs/knowledge/windows.md).
//   - containerd: 2.1.2, a published containerd 2.1 release; its release tarballs have .sha256sum
//     companions [P-SCOOPCTRD].
//   - LinuxKit LCOW boot files: release v4.14.35-v0.3.9 (2018-11-15), the last one; linuxkit/lcow is
//     archived [LK].
const (
	DefaultDockerVersion       = "29.2.1"
	DefaultLegacyDockerVersion = "20.10.24"
	DefaultContainerdVersion   = "2.1.2"
	DefaultLinuxKitRelease     = "v4.14.35-v0.3.9"
)

// DefaultEngineVersion returns the version used when none is pinned, for a host build (0 = unknown)
// and mode.
func DefaultEngineVersion(engine EngineType, build int, mode Mode) string {
	if engine == Containerd {
		return DefaultContainerdVersion
	}
	if mode == ModeLCOW || (build > 0 && build < build2019) {
		return DefaultLegacyDockerVersion
	}
	return DefaultDockerVersion
}

// DefaultEngine returns the engine used when none is declared: Docker, except for LCOW, which Docker no
// longer supports, so containerd (with runhcs and self-supplied boot files) [CLI-DEP][HCS].
func DefaultEngine(mode Mode) EngineType {
	if mode == ModeLCOW {
		return Containerd
	}
	return Docker
}

// Combination is what the engine rules check: the host's release and edition as far as they are known
// before touching it, and the isolation mode, engine and engine version asked for. A nil OS or build 0
// means unknown: only the host-independent rules apply then.
type Combination struct {
	OS         *OS
	Edition    Edition
	Mode       Mode
	Engine     EngineType
	Version    Version
	Experiment bool // legacy Docker LCOW: experimental enabled in daemon.json
}

// CheckEngine returns every finding for the combination. Errors make it impossible; warnings are
// things the user must know. It never reads anything but its arguments.
func CheckEngine(c Combination) []Finding {
	var out []Finding
	out = append(out, dockerBuildFloor(c)...)
	out = append(out, containerdBuildFloor(c)...)
	out = append(out, lcowRules(c)...)
	out = append(out, clientRules(c)...)
	out = append(out, editionRules(c)...)
	return out
}

// dockerBuildFloor: "this version of Windows does not support the docker daemon (Windows build 17763 or
// higher is required)" for Docker >= 23 [MOBY-SYS].
func dockerBuildFloor(c Combination) []Finding {
	if c.Engine != Docker || c.OS == nil || c.Version.IsZero() {
		return nil
	}
	if c.Version.AtLeast(docker23) && c.OS.Build < build2019 {
		return []Finding{{
			Severity: SeverityError, Code: "docker_23_needs_17763", Subject: SubjectEngineVersion,
			Summary: fmt.Sprintf("Docker %s cannot run on %s", c.Version, c.OS),
			Detail: fmt.Sprintf("Docker 23.0 and later refuse to start below build 17763 (\"this version of Windows does not support the docker daemon "+
				"(Windows build 17763 or higher is required)\"); the host is build %d. Use Docker %s (the last release line that runs there), "+
				"or move the host to Windows Server 2019 or later", c.OS.Build, DefaultLegacyDockerVersion),
			Sources: []string{"https://github.com/moby/moby/commit/1b3fef5"},
		}}
	}
	return nil
}

// containerdBuildFloor: containerd on Windows runs containers through hcsshim's runhcs shim and the HCS
// v2 schema, which Windows provides from build 17763; containerd documents Windows Server 2019 / Windows
// 10 1809 as its floor (containerd's own documentation; see docs/knowledge/windows.md#engine-limits).
func containerdBuildFloor(c Combination) []Finding {
	if c.Engine != Containerd || c.OS == nil || c.OS.Build >= build2019 || c.Mode == ModeLCOW {
		return nil // LCOW has its own, more specific rule
	}
	return []Finding{{
		Severity: SeverityError, Code: "containerd_needs_17763", Subject: SubjectEngine,
		Summary: fmt.Sprintf("containerd cannot run containers on %s", c.OS),
		Detail: fmt.Sprintf("containerd's Windows runtime (hcsshim runhcs, HCS schema v2) needs build 17763 or later; the host is build %d. "+
			"Use engine type \"docker\" with Docker %s, or a Windows Server 2019 or later host", c.OS.Build, DefaultLegacyDockerVersion),
		Sources: []string{"https://github.com/containerd/containerd/blob/main/docs/getting-started.md", "https://github.com/microsoft/hcsshim"},
	}}
}

func lcowRules(c Combination) []Finding {
	if c.Mode != ModeLCOW {
		return nil
	}
	deprecated := Finding{
		Severity: SeverityWarning, Code: "lcow_deprecated", Subject: SubjectMode,
		Summary: "LCOW is deprecated upstream",
		Detail: "Docker deprecated LCOW in 20.10 and removed it in 23.0, and linuxkit/lcow was archived in 2020; today only containerd with " +
			"hcsshim's runhcs shim and self-supplied boot files runs it. Prefer Linux hosts or WSL2 for Linux containers where you can",
		Sources: []string{"https://github.com/docker/cli/blob/master/docs/deprecated.md", "https://github.com/linuxkit/lcow"},
	}
	out := []Finding{deprecated}
	if c.OS != nil && c.OS.Build < build1709 {
		out = append(out, Finding{
			Severity: SeverityError, Code: "lcow_host_too_old", Subject: SubjectHost,
			Summary: fmt.Sprintf("%s can never run Linux containers (LCOW)", c.OS),
			Detail: fmt.Sprintf("LCOW arrived with Windows Server, version 1709 (build 16299); build %d has no LCOW support in any engine. "+
				"Use a Windows Server 2019 or later host (build 17763+) with containerd, or Docker 18.02-20.10 with experimental features, "+
				"or run Linux containers on a Linux host", c.OS.Build),
			Sources: []string{"https://github.com/moby/moby/commit/5b24976", "https://github.com/moby/moby/commit/e0b528f"},
		})
		return out
	}
	switch c.Engine {
	case Docker:
		out = append(out, dockerLCOW(c)...)
	case Containerd:
		out = append(out, containerdLCOWRules(c)...)
	}
	return out
}

// dockerLCOW encodes the Docker LCOW eras [MOBY-LCOW][CLI-DEP][LK-README].
func dockerLCOW(c Combination) []Finding {
	v := c.Version
	if v.IsZero() {
		return nil
	}
	lcowErr := func(code, summary, detail string, src ...string) []Finding {
		return []Finding{{Severity: SeverityError, Code: code, Subject: SubjectEngineVersion, Summary: summary, Detail: detail, Sources: src}}
	}
	switch {
	case v.AtLeast(docker23):
		return lcowErr("lcow_removed_from_docker", fmt.Sprintf("Docker %s has no LCOW", v),
			fmt.Sprintf("LCOW was removed from Docker in 23.0 (moby#42451). Use engine type \"containerd\" (LCOW through hcsshim's runhcs), "+
				"or Docker %s with experimental features on a build 17763+ host", DefaultLegacyDockerVersion),
			"https://github.com/docker/cli/blob/master/docs/deprecated.md")
	case v.Less(dockerLCOWFirst):
		return lcowErr("lcow_docker_too_old", fmt.Sprintf("Docker %s predates LCOW", v),
			"LCOW first appeared in Docker 17.07/17.09 behind LCOW_SUPPORTED; use Docker 19.03-20.10 with experimental features, or containerd",
			"https://github.com/moby/moby/commit/fe5b34b")
	}
	var out []Finding
	build := 0
	if c.OS != nil {
		build = c.OS.Build
	}
	switch {
	case v.Less(dockerLCOWExperimental):
		// dockerd 17.07-18.01 reads LCOW_SUPPORTED from its own process environment (pkg/system/init_windows.go,
		// os.Getenv; 17.10+ also needs experimental). No library script sets a service environment, so
		// the combination is refused rather than promised.
		return lcowErr("lcow_supported_env", fmt.Sprintf("Docker %s enables LCOW only with LCOW_SUPPORTED=1, which wincontainers does not set", v),
			fmt.Sprintf("Docker 17.07 to 18.01 turn LCOW on only when dockerd's own environment has LCOW_SUPPORTED=1 (moby fe5b34b, removed in "+
				"18.02 by 5b24976), and wincontainers does not change the docker service's environment. Use Docker %s or later "+
				"(LCOW with experimental features, which wincontainers configures; build 16299 or later), or engine type \"containerd\"",
				dockerLCOWExperimental), "https://github.com/moby/moby/commit/fe5b34b", "https://github.com/moby/moby/commit/5b24976")
	case v.Less(dockerLCOWRS5):
		if build > 0 && build < build1709 {
			return lcowErr("lcow_docker_needs_16299", fmt.Sprintf("Docker %s runs LCOW only on build 16299 or later", v),
				fmt.Sprintf("the host is build %d", build), "https://github.com/moby/moby/commit/5b24976")
		}
	default:
		if build > 0 && build < build2019 {
			return lcowErr("lcow_docker_needs_17763", fmt.Sprintf("Docker %s runs LCOW only on build 17763 or later", v),
				fmt.Sprintf("from Docker 19.03, LCOW requires build 17763 (Windows Server 2019/1809); the host is build %d. "+
					"Use Docker 18.02-18.09 on this host, or a Windows Server 2019+ host", build),
				"https://github.com/moby/moby/commit/e0b528f")
		}
	}
	if v.AtLeast(dockerLCOWDeprecated) {
		out = append(out, Finding{Severity: SeverityWarning, Code: "lcow_docker_deprecated", Subject: SubjectEngineVersion,
			Summary: fmt.Sprintf("LCOW in Docker %s is deprecated", v),
			Detail:  "Docker 20.10 is the last release with LCOW, which it marks deprecated; it will not receive LCOW fixes",
			Sources: []string{"https://github.com/docker/cli/pull/2798"}})
	}
	out = append(out, Finding{Severity: SeverityWarning, Code: "lcow_experimental", Subject: SubjectMode,
		Summary: "LCOW in Docker needs experimental features",
		Detail:  "wincontainers sets \"experimental\": true in daemon.json and installs the LinuxKit kernel and initrd.img under C:\\Program Files\\Linux Containers",
		Sources: []string{"https://github.com/linuxkit/lcow"}})
	return out
}

// containerdLCOWRules: containerd runs LCOW through hcsshim's runhcs shim and the windows-lcow snapshotter
// with self-supplied boot files [HCS][CTRD-LCOW]; containerd-shim-lcow-v2 needs build 26100 [HCS-README].
// The 17763 floor for runhcs LCOW is an inference: the sources show LCOW in containerd only on 2019+
// hosts, and Docker required RS5 for LCOW from 19.03 for the same platform reasons.
func containerdLCOWRules(c Combination) []Finding {
	var out []Finding
	if c.OS != nil && c.OS.Build < build2019 {
		out = append(out, Finding{Severity: SeverityError, Code: "lcow_containerd_needs_17763", Subject: SubjectHost,
			Summary: fmt.Sprintf("containerd LCOW needs build 17763 or later; the host is %s", c.OS),
			Detail:  "containerd runs LCOW through hcsshim, which needs Windows Server 2019 (build 17763) or later; use a 2019+ host",
			Sources: []string{"https://github.com/microsoft/hcsshim"}})
	}
	if !c.Version.IsZero() && c.Version.Less(containerdLCOW) {
		out = append(out, Finding{Severity: SeverityError, Code: "lcow_containerd_too_old", Subject: SubjectEngineVersion,
			Summary: fmt.Sprintf("containerd %s is too old for LCOW", c.Version),
			Detail:  "the windows-lcow snapshotter works from containerd 1.7 (reported failing on 1.5.7 with \"no match for platform in manifest\"); use 1.7 or later",
			Sources: []string{"https://github.com/containerd/containerd/issues/9822", "https://github.com/containerd/containerd/issues/6313"}})
	}
	out = append(out, Finding{Severity: SeverityWarning, Code: "lcow_boot_files", Subject: SubjectLCOW,
		Summary: "containerd LCOW needs self-supplied boot files",
		Detail: "Microsoft ships no LCOW kernel; wincontainers installs kernel and initrd.img from the pinned LinuxKit release " + DefaultLinuxKitRelease +
			" (or your own source) into C:\\Program Files\\Linux Containers. No checksum is published for it, so pin lcow.sha256",
		Sources: []string{"https://github.com/linuxkit/lcow", "https://github.com/microsoft/hcsshim"}})
	return out
}

// clientRules: process isolation on Windows 10/11 is for development and testing, from build 17763 with
// Docker 18.09+ [MS-FAQ][MS-ISO]; Docker Desktop is the documented client engine [MS-SETUP].
func clientRules(c Combination) []Finding {
	if c.OS == nil || c.OS.Release.Kind != Client {
		return nil
	}
	var out []Finding
	if c.Mode == ModeProcess {
		if c.OS.Build < build2019 {
			out = append(out, Finding{Severity: SeverityError, Code: "client_process_needs_1809", Subject: SubjectHost,
				Summary: fmt.Sprintf("%s can only run Hyper-V isolated containers", c.OS),
				Detail:  "Windows client releases before 1809 cannot run process-isolated containers; use container_mode = \"hyperv\" or update to 1809+",
				Sources: []string{srcMobyC907}})
		} else if c.Engine == Docker && !c.Version.IsZero() && c.Version.Less(dockerClientProcess) {
			out = append(out, Finding{Severity: SeverityError, Code: "client_process_docker_too_old", Subject: SubjectEngineVersion,
				Summary: fmt.Sprintf("Docker %s cannot run process isolation on a Windows client", c.Version),
				Detail:  "process isolation on Windows 10/11 needs Docker 18.09 or later",
				Sources: []string{srcFAQ}})
		}
		out = append(out, Finding{Severity: SeverityWarning, Code: "client_process_dev_only", Subject: SubjectMode,
			Summary: "process isolation on Windows 10/11 is for development and testing only",
			Detail:  "Microsoft supports process-isolated containers on Windows client for development and testing, not production",
			Sources: []string{srcFAQ}})
	}
	return out
}

// editionRules: licensing and edition limits [MS-FAQ][WSD-AC][MS-SYSREQ][MS-HVEN].
func editionRules(c Combination) []Finding {
	if c.Edition == "" {
		return nil
	}
	var out []Finding
	if c.OS != nil && !c.OS.Release.SupportsEdition(c.Edition) {
		out = append(out, Finding{Severity: SeverityError, Code: "edition_not_supported", Subject: SubjectHost,
			Summary: fmt.Sprintf("%s is not a supported container host edition of %s", title(string(c.Edition)), c.OS.Release.Title),
			Detail: fmt.Sprintf("supported editions of %s: %s", c.OS.Release.Title, joinEditions(c.OS.Release.Editions)) +
				editionWhy(c.OS.Release),
			Sources: []string{"https://learn.microsoft.com/virtualization/windowscontainers/deploy-containers/system-requirements"}})
	}
	if c.Edition == Standard && c.Mode.NeedsHyperV() {
		out = append(out, Finding{Severity: SeverityWarning, Code: "standard_hyperv_limit", Subject: SubjectMode,
			Summary: "Windows Server Standard is licensed for 2 Hyper-V isolated containers",
			Detail: "Standard edition licenses two Hyper-V isolated containers at a time (Datacenter: unlimited). The limit is a licensing rule, " +
				"not enforced by Windows; use Datacenter for more",
			Sources: []string{srcFAQ}})
	}
	return out
}

func editionWhy(r Release) string {
	switch r.Channel {
	case Annual:
		return " (the Annual Channel is activated with Datacenter keys only)"
	case ClientGA:
		return " (Home editions cannot run Hyper-V and are not container hosts)"
	default:
		return ""
	}
}

func joinEditions(es []Edition) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Errors returns only the error findings.
func Errors(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == SeverityError {
			out = append(out, f)
		}
	}
	return out
}

// HasCode reports whether a finding with the code is present.
func HasCode(fs []Finding, code string) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}
