//go:generate go tool packer-sdc mapstructure-to-hcl2 -type Config,EngineConfig,LCOWConfig,DaemonConfig,ComposeConfig,VerifyConfig
//go:generate ../../../scripts/packer-struct-markdown

// Package wincontainers is the Packer provisioner `wincontainers`: it makes the machine Packer is
// building into a verified container host (process isolation, Hyper-V isolation or LCOW) through the
// communicator Packer hands it, optionally prepares the engine for sysprep, pre-pulls the base images
// that match the image's build, and writes a manifest the Terraform provider reads back as a fact.
// Its arguments mirror the Terraform resource wincontainers_host.
package wincontainers

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// Config is the provisioner's HCL2 configuration. The doc comment of each field is that field's entry in
// the provisioner's documentation: `make generate` renders them with `packer-sdc struct-markdown` into
// packer/docs-partials, which packer/docs/provisioners/wincontainers.mdx includes. Write them for template
// authors, in Markdown, and give every field one (`make packer-docs-check` fails on a field without).
type Config struct {
	common.PackerConfig `mapstructure:",squash"`

	// `process` (Windows Server containers, process isolation), `hyperv` (Hyper-V isolation as the engine's
	// default) or `lcow` (Linux containers on Windows, with the LinuxKit boot files).
	ContainerMode string `mapstructure:"container_mode" required:"true"`
	// The release the image is built from: `2016`, `1709`, `1803`, `1809`, `2019`, `1903`, `1909`, `2004`,
	// `20H2`, `2022`, `23H2`, `2025`, `win10-<version>`, `win11-<version>`, or a build number such as
	// `20348`. With it, impossible combinations fail when the template is validated, before any machine
	// starts, and a machine running another release is refused before any change. It may come from a data
	// source's output (for example `wincontainers-azure-image`'s `os_release`): `packer validate` without
	// `-evaluate-datasources` does not know that value yet, so the checks that need it run when the build
	// starts.
	OSVersion string `mapstructure:"os_version"`
	// The servicing channel the machine must be on: `ltsc`, `sac` or `annual`. Checked against the machine;
	// a mismatch is refused before any change.
	Channel string `mapstructure:"channel"`
	// The container engine. Default: Docker (containerd for LCOW) at a pinned version that fits the release
	// and mode. See [engine](#engine).
	Engine EngineConfig `mapstructure:"engine"`
	// Where the LinuxKit boot files (`kernel`, `initrd.img`) come from, with `container_mode = "lcow"`.
	// Default: the pinned LinuxKit release. See [lcow](#lcow).
	LCOW *LCOWConfig `mapstructure:"lcow"`
	// Settings written to Docker's `daemon.json` (Docker only). See [daemon](#daemon).
	Daemon *DaemonConfig `mapstructure:"daemon"`
	// Makes the image Compose-ready: Docker Compose as a docker CLI plugin (`docker compose`) on Docker, or
	// `nerdctl compose` on containerd, proven by running a compose project. See [compose](#compose).
	Compose *ComposeConfig `mapstructure:"compose"`
	// How the mode is proven. See [verify](#verify).
	Verify VerifyConfig `mapstructure:"verify"`
	// How long the machine may take to come back after a restart. Default `15m`; at least `30s`. See
	// [Restarts](#restarts).
	RestartTimeout time.Duration `mapstructure:"restart_timeout"`
	// Refuse to restart the machine: a build that needs a restart fails before it, with advice. Default
	// `false`.
	NoRestart bool `mapstructure:"no_restart"`
	// Stop the engine and remove its per-machine state (identity, PID and lock files, logs, the NAT network)
	// so the image can be generalized; the service stays configured to start at boot. Default `false`. See
	// [Image preparation](#image-preparation).
	Generalize bool `mapstructure:"generalize"`
	// Pull the Windows base images (`servercore`, `nanoserver`, and `server` where there is one) whose build
	// matches the image's. Default `false`.
	PrePullBaseImages bool `mapstructure:"pre_pull_base_images"`
	// More images to pull into the image, as `name[:tag]` or `name@sha256:...`.
	PrePullImages []string `mapstructure:"pre_pull_images"`
	// Do not write `C:\ProgramData\wincontainers\manifest.json`. Default `false`.
	SkipManifest bool `mapstructure:"skip_manifest"`

	ctx interpolate.Context
}

// imageRef is the image reference grammar of distribution/reference, simplified: an optional registry
// host[:port]/, lower-case path components, an optional tag and an optional sha256 digest. Nothing
// else reaches pull-images.
var imageRef = regexp.MustCompile(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?` +
	`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*` +
	`(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`)

// EngineConfig is the `engine` block; it mirrors wincontainers_host's engine.
type EngineConfig struct {
	// `docker` or `containerd`. Default: `docker`, or `containerd` for `container_mode = "lcow"` (Docker's
	// LCOW ended with Docker 20.10).
	Type string `mapstructure:"type"`
	// Engine version, for example `27.3.1` (Docker) or `1.7.22` (containerd). Default: a pinned version that
	// fits the release and mode: Docker 29.2.1 on build 17763 (Windows Server 2019) and later, Docker
	// 20.10.24 below it and for LCOW with Docker, containerd 2.1.2. Docker 23.0 and later refuse to start
	// below build 17763, so such a combination is refused.
	Version string `mapstructure:"version"`
	// SHA-256 of the engine archive. Docker publishes none for its Windows zips: without a pin the hash seen
	// is reported after the build (trust on first use, see [Checksums](#checksums)).
	SHA256 string `mapstructure:"sha256"`
	// Download location of the engine archive (a mirror); https only.
	URL string `mapstructure:"url"`
	// The engine archive on the machine running Packer, uploaded through the communicator instead of
	// downloading on the machine: for builds without internet access. The Docker zip, or with
	// `type = "containerd"` the containerd release tarball (`containerd-<version>-windows-amd64.tar.gz`);
	// `version` must be the version inside it. With `sha256` set the file must have that hash (checked when
	// the template is validated). Conflicts with `url`. Slow over WinRM; see
	// [Downloads and uploads](#downloads-and-uploads).
	Archive string `mapstructure:"archive"`
	// containerd only: the nerdctl release tarball (`nerdctl-<version>-windows-amd64.tar.gz`) on the machine
	// running Packer, uploaded like `archive`. Unset, the machine downloads it (a partly offline build is
	// allowed, with a warning).
	NerdctlArchive string `mapstructure:"nerdctl_archive"`
	// containerd only: the Windows CNI plugins zip (`windows-container-networking-cni-amd64-v<version>.zip`)
	// on the machine running Packer, uploaded like `archive`. Unset, the machine downloads it.
	CNIArchive string `mapstructure:"cni_archive"`
}

// LCOWConfig is the `lcow` block; it mirrors wincontainers_host's lcow.
type LCOWConfig struct {
	// URL of a release zip holding `kernel` and `initrd.img`; https only. Default: the pinned linuxkit/lcow
	// release `v4.14.35-v0.3.9`.
	URL string `mapstructure:"url"`
	// SHA-256 of that zip. None is published upstream, so pin it.
	SHA256 string `mapstructure:"sha256"`
	// That release zip on the machine running Packer, uploaded through the communicator instead of
	// downloading on the machine. With `sha256` set the file must have that hash (checked when the template
	// is validated). Conflicts with `url`.
	Archive string `mapstructure:"archive"`
}

// DaemonConfig is the `daemon` block, Docker's daemon.json; it mirrors wincontainers_host's daemon.
type DaemonConfig struct {
	// `data-root`: where images and containers live, an absolute local path such as `D:\docker`
	// (backslashes).
	DataRoot string `mapstructure:"data_root"`
	// `registry-mirrors`: https URLs of pull-through mirrors.
	RegistryMirrors []string `mapstructure:"registry_mirrors"`
	// `insecure-registries`: registries reached over plain HTTP or with unverified certificates (`host`,
	// `host:port` or a CIDR).
	InsecureRegistries []string `mapstructure:"insecure_registries"`
	// `dns`: DNS servers for containers.
	DNS []string `mapstructure:"dns"`
	// `group`: a local (or `DOMAIN\name`) group whose members may use the engine's named pipe without
	// elevation, for example `docker-users`; by default only Administrators can. Membership gives control
	// of the machine.
	Group string `mapstructure:"group"`
	// `hosts`: the endpoints dockerd listens on, replacing its default. Keep
	// `npipe:////./pipe/docker_engine` (the docker CLI on the host and verification use it) and add
	// `tcp://host:port` endpoints. A TCP endpoint needs `tls_verify` with the three TLS files, or
	// `allow_insecure_tcp`. `unix://` and `fd://` do not exist on Windows. By convention 2376 serves TLS,
	// 2375 plain HTTP.
	Hosts []string `mapstructure:"hosts"`
	// `tlsverify`: serve TCP endpoints with TLS and accept only clients whose certificate `tls_ca_cert`
	// signed. Requires `tls_ca_cert`, `tls_cert` and `tls_key`.
	TLSVerify bool `mapstructure:"tls_verify"`
	// `tlscacert`: the CA certificate that signs client certificates, a file on the host (an absolute local
	// path such as `C:\ProgramData\docker\certs.d\ca.pem`).
	TLSCACert string `mapstructure:"tls_ca_cert"`
	// `tlscert`: dockerd's server certificate, a file on the host.
	TLSCert string `mapstructure:"tls_cert"`
	// `tlskey`: dockerd's private key, a file on the host.
	TLSKey string `mapstructure:"tls_key"`
	// Accept a `tcp://` endpoint without `tls_verify`, with a warning: anyone who can reach the port
	// controls the host (the Docker API is root-equivalent). Written as `"tlsverify": false`. Default
	// `false`: such an endpoint is refused.
	AllowInsecureTCP bool `mapstructure:"allow_insecure_tcp"`
}

// ComposeConfig is the `compose` block; it mirrors wincontainers_host's compose.
type ComposeConfig struct {
	// Whether Compose is managed. The block asks for it; `false` keeps the block without installing
	// Compose. Default `true`.
	Enabled *bool `mapstructure:"enabled"`
	// Docker only: the Compose release, for example `5.5.0`. Default: `5.5.0` when the engine serves Engine
	// API 1.40 or later (Docker 19.03 and later), else `2.40.3` (the last Compose v2). Compose v1 is
	// refused, and so is a Compose whose Engine API floor the Docker version does not serve.
	Version string `mapstructure:"version"`
	// Docker only: SHA-256 of `docker-compose-windows-x86_64.exe`. Default: the hash the release's
	// `checksums.txt` publishes. With `archive` set, the file must have this hash (checked when the
	// template is validated).
	SHA256 string `mapstructure:"sha256"`
	// Docker only: download location of `docker-compose-windows-x86_64.exe` (a mirror); https only. A mirror
	// publishes no `checksums.txt` wincontainers knows, so set `sha256` too. Conflicts with `archive`.
	URL string `mapstructure:"url"`
	// Docker only: `docker-compose-windows-x86_64.exe` on the machine running Packer, uploaded through the
	// communicator instead of downloading on the machine (builds without internet access). Conflicts with
	// `url`.
	Archive string `mapstructure:"archive"`
	// Docker only: also install the binary as `docker-compose.exe` beside `docker.exe`, for scripts that
	// call the standalone name. Default `false`.
	Standalone bool `mapstructure:"standalone"`
	// The network of the verification project: `nat` (the machine's `nat` network as external, which works
	// on every Windows Server and is what Windows Server 2016 needs; the default) or `project` (Compose
	// creates `<project>_default`; refused on Windows Server 2016, whose Host Network Service cannot add a
	// second NAT network).
	Network string `mapstructure:"network"`
}

// VerifyConfig is the `verify` block; it mirrors wincontainers_host's verify.
type VerifyConfig struct {
	// Pull the base image that matches the machine's build (and `busybox` for LCOW) so that every check
	// runs a container. Base images are gigabytes. Default `false`.
	PullImages bool `mapstructure:"pull_images"`
}

const defaultRestartTimeout = 15 * time.Minute

// unknownValue is how Packer renders a value it does not know yet (from a data source during
// `packer validate`).
const unknownValue = "<unknown>"

// hasUnknown reports whether a checked string is still Packer's placeholder.
func (c *Config) hasUnknown() bool {
	found := false
	c.spec().EachValue(func(_, v string) { found = found || strings.Contains(v, unknownValue) })
	return found
}

// spec is the engine's desired state from the configuration.
func (c *Config) spec() spec.Spec {
	s := spec.Spec{
		Mode: c.ContainerMode, Channel: c.Channel, OSVersion: c.OSVersion,
		Engine: spec.Engine{Type: c.Engine.Type, Version: c.Engine.Version, SHA256: c.Engine.SHA256, URL: c.Engine.URL,
			Archive: c.Engine.Archive, NerdctlArchive: c.Engine.NerdctlArchive, CNIArchive: c.Engine.CNIArchive},
		PullImages: c.Verify.PullImages,
	}
	if c.LCOW != nil {
		s.LCOW = &spec.LCOW{URL: c.LCOW.URL, SHA256: c.LCOW.SHA256, Archive: c.LCOW.Archive}
	}
	if c.Daemon != nil {
		s.Daemon = &spec.Daemon{DataRoot: c.Daemon.DataRoot, RegistryMirrors: c.Daemon.RegistryMirrors,
			InsecureRegistries: c.Daemon.InsecureRegistries, DNS: c.Daemon.DNS, Hosts: c.Daemon.Hosts, Group: c.Daemon.Group, TLSVerify: c.Daemon.TLSVerify,
			TLSCACert: c.Daemon.TLSCACert, TLSCert: c.Daemon.TLSCert, TLSKey: c.Daemon.TLSKey, AllowInsecureTCP: c.Daemon.AllowInsecureTCP}
	}
	if c.Compose != nil {
		s.Compose = &spec.Compose{Enabled: c.Compose.Enabled == nil || *c.Compose.Enabled, Version: c.Compose.Version,
			SHA256: c.Compose.SHA256, URL: c.Compose.URL, Archive: c.Compose.Archive, Standalone: c.Compose.Standalone, Network: c.Compose.Network}
	}
	return s
}

// hclName turns a spec attribute path into the template's spelling (engine.version -> engine { version }).
func hclName(p string) string {
	if before, after, ok := strings.Cut(p, "."); ok {
		return fmt.Sprintf("%s { %s }", before, after)
	}
	return p
}

// decode reads and checks the configuration; warnings are returned for Packer to print.
func decode(c *Config, day compat.Date, raws ...interface{}) (spec.Resolved, []string, error) {
	if err := config.Decode(c, &config.DecodeOpts{
		PluginType:         "wincontainers",
		Interpolate:        true,
		InterpolateContext: &c.ctx,
	}, raws...); err != nil {
		return spec.Resolved{}, nil, fmt.Errorf("wincontainers: %w", err)
	}
	var errs error
	if c.ContainerMode == "" {
		errs = errors.Join(errs, errors.New("container_mode is required: process, hyperv or lcow"))
	}
	switch {
	case c.RestartTimeout == 0:
		c.RestartTimeout = defaultRestartTimeout
	case c.RestartTimeout < 30*time.Second:
		errs = errors.Join(errs, fmt.Errorf("restart_timeout %s is shorter than any Windows restart; give at least 30s (default 15m)", c.RestartTimeout))
	}
	for i, img := range c.PrePullImages {
		if len(img) > 255 || !imageRef.MatchString(img) {
			errs = errors.Join(errs, fmt.Errorf("pre_pull_images[%d] %.80q (%d bytes) is not an image reference (registry/name[:tag] or name@sha256:..., at most 255 characters)", i, img, len(img)))
		}
	}
	var warnings []string
	var resolved spec.Resolved
	if c.hasUnknown() {
		// `packer validate` without -evaluate-datasources prepares with placeholders for values that come
		// from data sources; they are checked when the build prepares with the real values.
		return resolved, warnings, errs
	}
	if c.ContainerMode != "" {
		var ds spec.Diagnostics
		resolved, ds = spec.Validate(c.spec(), day)
		for _, d := range ds {
			where := ""
			if d.Path != "" {
				where = hclName(d.Path) + ": "
			}
			msg := where + d.Summary
			if d.Detail != "" {
				msg += ". " + d.Detail
			}
			if d.Severity == spec.SeverityError {
				errs = errors.Join(errs, errors.New(msg))
			} else {
				warnings = append(warnings, msg)
			}
		}
	}
	if errs != nil {
		return resolved, warnings, fmt.Errorf("wincontainers: %w", errs)
	}
	return resolved, warnings, nil
}
