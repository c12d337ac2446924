// Package spec is the desired state of a container host, and every check that can be made without
// the host: plan-time validation for the Terraform resource and Prepare-time validation for the Packer
// provisioner. Its diagnostics carry an attribute path, so front doors attach them to the attribute
// the user wrote.
package spec

//go:generate go run ../settings/gen -spec settings_gen.go

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/wincontainers/wincontainers/internal/compat"
)

// Spec is the desired host state as the user wrote it. Empty strings mean "not set".
type Spec struct {
	// Mode is the container mode: process, hyperv or lcow. Required.
	Mode string
	// Channel is the declared servicing channel: ltsc, sac or annual. Optional; checked against the host.
	Channel string
	// OSVersion is the declared release ("2022", "23H2", "win11-24h2", a build number). Optional; when
	// given, impossible combinations fail before the host is touched.
	OSVersion string
	Engine    Engine
	// LCOW holds the LCOW boot-file settings; only valid with Mode "lcow".
	LCOW *LCOW
	// PullImages lets verification pull the build-matched base image (and busybox for LCOW) to run
	// containers. Real base images are gigabytes, so it is off by default: verification then runs
	// containers only from images already on the host and reports the rest as skipped.
	PullImages bool
	// Daemon holds daemon.json settings; Docker only. nil or empty means none are managed.
	Daemon *Daemon
	// Compose makes the host Compose-ready; nil or not Enabled means Compose is not managed.
	Compose *Compose
}

// DefaultDockerHost is dockerd's default endpoint on Windows, the named pipe the docker CLI uses.
const DefaultDockerHost = "npipe:////./pipe/docker_engine"

// Resolved is a validated spec with defaults applied.
type Resolved struct {
	Mode    compat.Mode
	Channel compat.Channel // "" when not declared
	// OS is the declared release, nil when os_version was not given.
	OS             *compat.OS
	EngineType     compat.EngineType
	EngineVersion  compat.Version
	VersionDefault bool // the engine version was not given and was chosen by wincontainers
	EngineSHA256   string
	EngineURL      string
	// EngineArchive is the controller-side archive to push (engine.archive), "" to download on the host.
	EngineArchive string
	// NerdctlArchive and CNIArchive are containerd's companions to push (engine.nerdctl_archive,
	// engine.cni_archive), "" to download on the host.
	NerdctlArchive string
	CNIArchive     string
	LCOW           *LCOW
	PullImages     bool
	// Daemon is the validated daemon.json settings, nil when none were given.
	Daemon *Daemon
	// Compose is the validated compose settings, nil when Compose is not managed.
	Compose *ResolvedCompose
}

// ResolvedCompose is a validated compose block with defaults applied.
type ResolvedCompose struct {
	// Version is the Compose release for Docker hosts (zero for containerd: nerdctl compose).
	Version        compat.Version
	VersionDefault bool
	SHA256         string
	URL            string
	Archive        string
	Standalone     bool
	Network        string
}

// Attribute paths used in diagnostics. Front doors map them onto their own schema.
const (
	PathMode           = "container_mode"
	PathChannel        = "channel"
	PathOSVersion      = "os_version"
	PathEngineType     = "engine.type"
	PathEngineVersion  = "engine.version"
	PathEngineSHA256   = "engine.sha256"
	PathEngineURL      = "engine.url"
	PathEngineArchive  = "engine.archive"
	PathNerdctlArchive = "engine.nerdctl_archive"
	PathCNIArchive     = "engine.cni_archive"
	PathLCOW           = "lcow"
	PathLCOWURL        = "lcow.url"
	PathLCOWSHA256     = "lcow.sha256"
	PathLCOWArchive    = "lcow.archive"

	PathCompose           = "compose"
	PathComposeVersion    = "compose.version"
	PathComposeSHA256     = "compose.sha256"
	PathComposeURL        = "compose.url"
	PathComposeArchive    = "compose.archive"
	PathComposeStandalone = "compose.standalone"
	PathComposeNetwork    = "compose.network"

	PathDaemon                   = "daemon"
	PathDaemonDataRoot           = "daemon.data_root"
	PathDaemonRegistryMirrors    = "daemon.registry_mirrors"
	PathDaemonInsecureRegistries = "daemon.insecure_registries"
	PathDaemonDNS                = "daemon.dns"
	PathDaemonGroup              = "daemon.group"
	PathDaemonHosts              = "daemon.hosts"
	PathDaemonTLSVerify          = "daemon.tls_verify"
	PathDaemonTLSCACert          = "daemon.tls_ca_cert"
	PathDaemonTLSCert            = "daemon.tls_cert"
	PathDaemonTLSKey             = "daemon.tls_key"
	PathDaemonAllowInsecureTCP   = "daemon.allow_insecure_tcp"
)

// Validate checks everything that can be known without the host, as of day (lifecycle warnings depend
// on it). It returns the resolved spec, which is meaningful only when diags has no errors.
func Validate(s Spec, day compat.Date) (Resolved, Diagnostics) {
	r := Resolved{PullImages: s.PullImages}
	var d Diagnostics
	if tooLong(s, &d) {
		return r, d
	}

	r.Mode = validateMode(s.Mode, &d)
	r.Channel = validateChannel(s.Channel, &d)
	r.OS = validateOS(s.OSVersion, r.Channel, day, &d)
	validateEngine(s.Engine, &r, &d)
	validateLCOW(s.LCOW, &r, &d)
	validateDaemon(s.Daemon, &r, &d)
	validateCompose(s.Compose, &r, &d)
	validateValues(s, &d)
	if !d.HasErrors() {
		warnPartlyOffline(r, &d)
	}

	if r.Mode != "" && r.EngineType != "" && !d.HasErrors() {
		combo := compat.Combination{OS: r.OS, Mode: r.Mode, Engine: r.EngineType, Version: r.EngineVersion}
		for _, f := range compat.CheckEngine(combo) {
			d.add(findingDiag(f, r))
		}
		if r.Compose != nil {
			for _, f := range compat.CheckCompose(r.ComposeSpec(r.OS)) {
				d.add(findingDiag(f, r))
			}
		}
	}
	return r, d
}

// ComposeSpec is what the Compose rules check for this spec on a host (os nil: not known yet).
func (r Resolved) ComposeSpec(host *compat.OS) compat.ComposeSpec {
	c := compat.ComposeSpec{OS: host, Mode: r.Mode, Engine: r.EngineType}
	if r.Compose != nil {
		c.Version, c.Network = r.Compose.Version, r.Compose.Network
	}
	if r.EngineType == compat.Docker {
		c.Docker = r.EngineVersion
	}
	return c
}

// maxValueLen bounds every string setting: no release, version, hash, URL, path or address needs more,
// and a longer value is refused before any other check, so no error repeats it.
const maxValueLen = 2048

// tooLong refuses string settings longer than maxValueLen, naming the setting and the length only
// (once per setting).
func tooLong(s Spec, d *Diagnostics) bool {
	reported := map[string]bool{}
	s.EachValue(func(path, v string) {
		if len(v) > maxValueLen && !reported[path] {
			reported[path] = true
			d.errorf(path, "Value too long", "%s is %d bytes long; the longest value accepted is %d bytes", path, len(v), maxValueLen)
		}
	})
	return d.HasErrors()
}

// EachValue calls f with every string setting of s, list entries one by one, with its attribute path.
func (s Spec) EachValue(f func(path, value string)) {
	each := func(path string, vs ...string) {
		for _, v := range vs {
			f(path, v)
		}
	}
	each(PathMode, s.Mode)
	each(PathChannel, s.Channel)
	each(PathOSVersion, s.OSVersion)
	// The blocks' settings, from the settings table (settings_gen.go).
	s.Engine.eachValue(f)
	s.LCOW.eachValue(f)
	s.Compose.eachValue(f)
	s.Daemon.eachValue(f)
}

func validateMode(mode string, d *Diagnostics) compat.Mode {
	m := compat.Mode(strings.ToLower(strings.TrimSpace(mode)))
	switch m {
	case compat.ModeProcess, compat.ModeHyperV, compat.ModeLCOW:
		return m
	case "":
		d.errorf(PathMode, "container_mode is required",
			"set container_mode to \"process\" (Windows Server containers), \"hyperv\" (Hyper-V isolated) or \"lcow\" (Linux containers on Windows)")
	default:
		d.errorf(PathMode, "unknown container_mode",
			"container_mode is %q; use \"process\", \"hyperv\" or \"lcow\"", mode)
	}
	return ""
}

func validateChannel(channel string, d *Diagnostics) compat.Channel {
	c := compat.Channel(strings.ToLower(strings.TrimSpace(channel)))
	switch c {
	case "":
		return ""
	case compat.LTSC, compat.SAC, compat.Annual:
		if c == compat.SAC {
			d.warnf(PathChannel, "the Semi-Annual Channel is retired",
				"SAC ended with Windows Server 20H2 on 2022-08-09 and receives no updates; SAC hosts are Server Core only. "+
					"New hosts should use LTSC (2022 or 2025) or the Annual Channel")
		}
		return c
	default:
		d.errorf(PathChannel, "unknown channel", "channel is %q; use \"ltsc\", \"sac\" or \"annual\"", channel)
		return ""
	}
}

func validateOS(v string, channel compat.Channel, day compat.Date, d *Diagnostics) *compat.OS {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	o, err := compat.ParseOS(v)
	if err != nil {
		d.errorf(PathOSVersion, "unknown os_version", "%s", err.Error())
		return nil
	}
	rel := o.Release
	if channel != "" {
		switch {
		case rel.Kind == compat.Client:
			d.errorf(PathChannel, "channel does not apply to Windows client releases",
				"os_version %q is %s, a Windows client release; remove channel, which describes Windows Server servicing", v, rel.Title)
		case rel.Channel != channel:
			d.errorf(PathChannel, "channel does not match os_version",
				"os_version %q is %s in the %s channel, but channel is %q. %s", v, rel.Label(), strings.ToUpper(string(rel.Channel)), channel,
				channelHint(rel, channel))
		}
	}
	if rel.OutOfSupport(day) {
		d.warnf(PathOSVersion, rel.Title+" is out of support",
			"%s reached its end of support on %s and gets no security updates; plan a move to Windows Server 2022 or 2025",
			rel.Label(), rel.EndOfSupport)
	}
	return &o
}

// channelHint names the release that matches what the user probably meant.
func channelHint(rel compat.Release, channel compat.Channel) string {
	switch channel {
	case compat.Annual:
		return "The Annual Channel release is 23H2 (build 25398); it reports itself as \"Windows Server 2022 Datacenter\" but is a different build. " +
			"Use os_version = \"23H2\", or channel = \"ltsc\""
	case compat.SAC:
		if sac := sameBuild(rel, compat.SAC); sac != "" {
			return fmt.Sprintf("The SAC release with this build is %q; use os_version = %q, or channel = %q", sac, sac, rel.Channel)
		}
		return "SAC releases are 1709, 1803, 1809, 1903, 1909, 2004 and 20H2; use one of them, or channel = \"" + string(rel.Channel) + "\""
	default: // ltsc
		if l := sameBuild(rel, compat.LTSC); l != "" {
			return fmt.Sprintf("The LTSC release with this build is %q; use os_version = %q, or channel = %q", l, l, rel.Channel)
		}
		return "LTSC releases are 2016, 2019, 2022 and 2025; use one of them, or channel = \"" + string(rel.Channel) + "\""
	}
}

func sameBuild(rel compat.Release, ch compat.Channel) string {
	for _, r := range compat.ReleasesWithBuild(rel.Build) {
		if r.Kind == compat.Server && r.Channel == ch {
			return r.Name
		}
	}
	return ""
}

func validateEngine(e Engine, r *Resolved, d *Diagnostics) {
	t := compat.EngineType(strings.ToLower(strings.TrimSpace(e.Type)))
	switch t {
	case "":
		if r.Mode != "" {
			t = compat.DefaultEngine(r.Mode)
		}
	case compat.Docker, compat.Containerd:
	default:
		d.errorf(PathEngineType, "unknown engine type", "engine.type is %q; use \"docker\" or \"containerd\"", e.Type)
		t = ""
	}
	r.EngineType = t

	if strings.TrimSpace(e.Version) != "" {
		v, err := compat.ParseVersion(e.Version)
		if err != nil {
			d.errorf(PathEngineVersion, "malformed engine version", "%s", err.Error())
		} else {
			r.EngineVersion = v
		}
	} else if t != "" && r.Mode != "" {
		build := 0
		if r.OS != nil {
			build = r.OS.Build
		}
		r.EngineVersion = compat.MustVersion(compat.DefaultEngineVersion(t, build, r.Mode))
		r.VersionDefault = true
	}

	if sum := strings.TrimSpace(e.SHA256); sum != "" {
		norm, err := normalizeSHA256(sum)
		if err != nil {
			d.errorf(PathEngineSHA256, "malformed engine.sha256", "%s", err.Error())
		}
		r.EngineSHA256 = norm
	} else if t == compat.Docker {
		d.warnf(PathEngineSHA256, "the Docker download is not pinned by checksum",
			"Docker publishes no checksums for its Windows zips, so wincontainers records the SHA-256 of the first download (trust on first use) "+
				"and flags any later change. Set engine.sha256 to verify the archive from the start")
	}

	what := "the Docker zip"
	if t == compat.Containerd {
		what = "the containerd release tarball (containerd-<version>-windows-amd64.tar.gz)"
	}
	r.EngineArchive = checkPushed("engine", "the engine", e.Archive, e.URL, r.EngineSHA256, what, d)
	for _, c := range []struct {
		path, value, what string
		out               *string
	}{
		{PathNerdctlArchive, e.NerdctlArchive, "the nerdctl release tarball (nerdctl-<version>-windows-amd64.tar.gz)", &r.NerdctlArchive},
		{PathCNIArchive, e.CNIArchive, "the Windows CNI plugins zip (windows-container-networking-cni-amd64-v<version>.zip)", &r.CNIArchive},
	} {
		a := strings.TrimSpace(c.value)
		if a == "" {
			continue
		}
		if t != compat.Containerd && t != "" {
			d.errorf(c.path, c.path+" is for containerd",
				"%s is %s, which only containerd installs; engine.type is %q. Remove %s, or use engine.type = \"containerd\"", c.path, c.what, t, c.path)
			continue
		}
		checkArchive(c.path, a, c.what, d)
		*c.out = a
	}

	if u := strings.TrimSpace(e.URL); u != "" {
		if err := checkHTTPSURL(u); err != nil {
			d.errorf(PathEngineURL, "invalid engine.url", "%s", err.Error())
		}
		r.EngineURL = u
		if r.EngineSHA256 == "" {
			d.warnf(PathEngineURL, "a custom engine URL without a checksum",
				"engine.url points at a mirror; set engine.sha256 too, or the mirror's content is trusted on first use")
		}
	}
}

func validateLCOW(l *LCOW, r *Resolved, d *Diagnostics) {
	if l == nil {
		return
	}
	if r.Mode != "" && r.Mode != compat.ModeLCOW {
		d.errorf(PathLCOW, "lcow settings without container_mode = \"lcow\"",
			"the lcow block configures LinuxKit boot files, which only LCOW uses; container_mode is %q. Remove the lcow block or set container_mode = \"lcow\"", r.Mode)
		return
	}
	out := LCOW{URL: strings.TrimSpace(l.URL)}
	if out.URL != "" {
		if err := checkHTTPSURL(out.URL); err != nil {
			d.errorf(PathLCOWURL, "invalid lcow.url", "%s", err.Error())
		}
	}
	if s := strings.TrimSpace(l.SHA256); s != "" {
		norm, err := normalizeSHA256(s)
		if err != nil {
			d.errorf(PathLCOWSHA256, "malformed lcow.sha256", "%s", err.Error())
		}
		out.SHA256 = norm
	}
	out.Archive = checkPushed("lcow", "the LCOW boot files", l.Archive, out.URL, out.SHA256,
		"the LinuxKit LCOW release zip (release.zip, holding kernel and initrd.img)", d)
	r.LCOW = &out
}

// checkPushed checks the archive of a block (engine, lcow, compose) that pushes its file from the
// controller: it must be readable (checkArchive), the block's url is a second source for the same file
// (refused with it), and a pinned sha256 must be the archive's (checkPin). what names the file for
// messages, source what it provides. It returns the archive's trimmed path ("" when none).
func checkPushed(block, source, archive, url, sha256, what string, d *Diagnostics) string {
	a := strings.TrimSpace(archive)
	if a == "" {
		return ""
	}
	archivePath, urlSetting, shaPath := block+".archive", block+".url", block+".sha256"
	if checkArchive(archivePath, a, what, d) {
		switch url = strings.TrimSpace(url); {
		case url != "":
			d.errorf(archivePath, archivePath+" and "+urlSetting+" both set",
				"give one source for %s: %s pushes %s from this machine, %s (%s) downloads on the host. Remove one of them",
				source, archivePath, a, urlSetting, truncate(url, 120))
		case sha256 != "":
			checkPin(archivePath, shaPath, a, sha256, d)
		}
	}
	return a
}

// checkArchive refuses a controller-side archive that cannot be pushed: missing, unreadable, or not a
// regular file. It reports whether the file is usable.
func checkArchive(path, file, what string, d *Diagnostics) bool {
	fi, err := os.Stat(file)
	switch {
	case err != nil:
		d.errorf(path, path+" cannot be read",
			"%s; give the path of %s on the machine running wincontainers (it is pushed from there to the host)", err.Error(), what)
		return false
	case !fi.Mode().IsRegular():
		d.errorf(path, path+" is not a file", "%s is %s, not a regular file; give the path of %s", file, fileKind(fi.Mode()), what)
		return false
	}
	f, err := os.Open(file) //nolint:gosec // the user names this file in the configuration
	if err != nil {
		d.errorf(path, path+" cannot be read",
			"%s; give the path of %s on the machine running wincontainers, readable by the user running it", err.Error(), what)
		return false
	}
	_ = f.Close()
	return true
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "a special file (" + m.Type().String() + ")"
}

// checkPin hashes a pushed archive whose hash the user pinned, and refuses it at plan time when it is
// not the pinned file (the apply would fail before pushing it anyway).
func checkPin(path, pinPath, file, pinned string, d *Diagnostics) {
	sum, _, err := FileSHA256(file)
	if err != nil {
		d.errorf(path, path+" cannot be read", "%s", err.Error())
		return
	}
	if sum != pinned {
		d.errorf(path, path+" is not the file "+pinPath+" pins",
			"%s has SHA-256 %s, but %s is %s: the file is another version, or was truncated or changed since you pinned it. "+
				"Replace the file with the one you pinned, or pin the file's hash if you trust it", file, sum, pinPath, pinned)
	}
}

// FileSHA256 returns the SHA-256 (lower-case hex) and size of a controller-side file.
func FileSHA256(file string) (string, int64, error) {
	f, err := os.Open(file) //nolint:gosec // the user names this file in the configuration
	if err != nil {
		return "", 0, fmt.Errorf("opening %s: %w", file, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("reading %s: %w", file, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// warnPartlyOffline: pushing any archive says the host may have no internet access, so plan names what
// the host would still download from the internet (no archive and no mirror URL given for it). A partly
// offline host is allowed: each archive is pushed or downloaded on its own.
func warnPartlyOffline(r Resolved, d *Diagnostics) {
	lcowArchive, lcowURL := "", ""
	if r.LCOW != nil {
		lcowArchive, lcowURL = r.LCOW.Archive, r.LCOW.URL
	}
	var pushed []string
	var downloaded []string
	note := func(archive, path, url, what string) {
		switch {
		case archive != "":
			pushed = append(pushed, path)
		case url == "":
			downloaded = append(downloaded, fmt.Sprintf("%s (%s not set)", what, path))
		}
	}
	switch r.EngineType {
	case compat.Docker:
		note(r.EngineArchive, PathEngineArchive, r.EngineURL, "the Docker zip")
	case compat.Containerd:
		note(r.EngineArchive, PathEngineArchive, r.EngineURL, "the containerd tarball")
		note(r.NerdctlArchive, PathNerdctlArchive, "", "the nerdctl tarball")
		note(r.CNIArchive, PathCNIArchive, "", "the Windows CNI plugins")
	}
	if r.Mode == compat.ModeLCOW {
		note(lcowArchive, PathLCOWArchive, lcowURL, "the LCOW boot files")
	}
	if r.Compose != nil && r.EngineType == compat.Docker {
		note(r.Compose.Archive, PathComposeArchive, r.Compose.URL, "docker-compose-windows-x86_64.exe")
	}
	if len(pushed) == 0 || len(downloaded) == 0 {
		return
	}
	d.warnf(pushed[0], "some archives are still downloaded by the host",
		"pushed from this machine: %s; downloaded by the host from the internet: %s. A host without internet access stops at that "+
			"download. For an air-gapped host set those too; if the host can reach those downloads, this is fine",
		strings.Join(pushed, ", "), strings.Join(downloaded, ", "))
}

func normalizeSHA256(s string) (string, error) {
	v := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "sha256:")
	if len(v) != 64 {
		return "", fmt.Errorf("a SHA-256 is 64 hexadecimal characters; got %d characters (%q)", len(v), truncate(s, 80))
	}
	if _, err := hex.DecodeString(v); err != nil {
		return "", fmt.Errorf("a SHA-256 is 64 hexadecimal characters; %q has other characters", truncate(s, 80))
	}
	return v, nil
}

func checkHTTPSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", truncate(raw, 120), err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q must be an https:// URL with a host (downloads are verified and never fetched over plain HTTP)", truncate(raw, 120))
	}
	if u.User != nil {
		return fmt.Errorf("%q carries credentials; pass them another way, URLs end up in logs", u.Redacted())
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// findingDiag attaches a compat finding to the attribute that carries its subject. A finding about the
// engine version goes on engine.type when the version was not set (the default comes with the type), and
// one about the Compose version on engine.version when Compose's version was not set (the pin follows
// the engine).
func findingDiag(f compat.Finding, r Resolved) Diagnostic {
	path := PathMode
	switch f.Subject {
	case compat.SubjectHost:
		path = PathOSVersion
	case compat.SubjectEngine:
		path = PathEngineType
	case compat.SubjectEngineVersion:
		path = PathEngineVersion
		if r.VersionDefault {
			path = PathEngineType
		}
	case compat.SubjectLCOW:
		path = PathLCOW
	case compat.SubjectCompose:
		path = PathCompose
	case compat.SubjectComposeVersion:
		path = PathComposeVersion
		if r.Compose != nil && r.Compose.VersionDefault {
			path = PathEngineVersion
		}
	case compat.SubjectComposeNetwork:
		path = PathComposeNetwork
	}
	detail := f.Detail
	if len(f.Sources) > 0 {
		detail += " (source: " + strings.Join(f.Sources, ", ") + ")"
	}
	return Diagnostic{Severity: f.Severity, Path: path, Code: f.Code, Summary: f.Summary, Detail: detail}
}

func validateCompose(c *Compose, r *Resolved, d *Diagnostics) {
	if c == nil || !c.Enabled {
		return
	}
	out := ResolvedCompose{Network: strings.ToLower(strings.TrimSpace(c.Network)), Standalone: c.Standalone}
	switch out.Network {
	case "":
		out.Network = compat.ComposeNetworkNAT
	case compat.ComposeNetworkNAT, compat.ComposeNetworkProject:
	default:
		d.errorf(PathComposeNetwork, "unknown compose.network",
			"compose.network is %q; use \"nat\" (the host's nat network as external, which works on every Windows Server) or \"project\" (compose creates the project's own network)", c.Network)
	}
	if r.EngineType == compat.Containerd {
		// nerdctl compose is part of nerdctl: there is nothing of its own to pin, download or push.
		for _, x := range []struct{ path, value string }{{PathComposeVersion, c.Version}, {PathComposeSHA256, c.SHA256}, {PathComposeURL, c.URL}, {PathComposeArchive, c.Archive}} {
			if strings.TrimSpace(x.value) != "" {
				d.errorf(x.path, x.path+" is for Docker hosts",
					"containerd hosts use nerdctl compose, which is built into nerdctl (engine.nerdctl_archive pushes it); there is no Compose release to pin or push. Remove %s, or use engine.type = \"docker\"", x.path)
			}
		}
		if c.Standalone {
			d.errorf(PathComposeStandalone, "compose.standalone is for Docker hosts",
				"docker-compose.exe is Docker Compose's standalone name; containerd hosts run nerdctl compose. Remove compose.standalone, or use engine.type = \"docker\"")
		}
		r.Compose = &out
		return
	}
	if v := strings.TrimSpace(c.Version); v != "" {
		pv, err := compat.ParseVersion(strings.TrimPrefix(v, "v"))
		if err != nil {
			d.errorf(PathComposeVersion, "malformed compose.version", "%s", err.Error())
		}
		out.Version = pv
	} else if !r.EngineVersion.IsZero() {
		out.Version = compat.MustVersion(compat.DefaultComposeVersionFor(r.EngineVersion))
		out.VersionDefault = true
	}
	if sum := strings.TrimSpace(c.SHA256); sum != "" {
		norm, err := normalizeSHA256(sum)
		if err != nil {
			d.errorf(PathComposeSHA256, "malformed compose.sha256", "%s", err.Error())
		}
		out.SHA256 = norm
	}
	if u := strings.TrimSpace(c.URL); u != "" {
		if err := checkHTTPSURL(u); err != nil {
			d.errorf(PathComposeURL, "invalid compose.url", "%s", err.Error())
		}
		out.URL = u
		if out.SHA256 == "" {
			d.warnf(PathComposeURL, "a custom compose URL without a checksum",
				"compose.url points at a mirror, which publishes no checksums.txt wincontainers knows; set compose.sha256 too, or the mirror's file is trusted on first use")
		}
	}
	out.Archive = checkPushed("compose", "Compose", c.Archive, out.URL, out.SHA256,
		"docker-compose-windows-x86_64.exe from the Compose release", d)
	r.Compose = &out
}
