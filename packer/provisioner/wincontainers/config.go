//go:generate go run ../../../internal/settings/gen -packer settings_gen.go
//go:generate go tool packer-sdc mapstructure-to-hcl2 -type Config,EngineConfig,LCOWConfig,DaemonConfig,ComposeConfig,VerifyConfig,WinRMConfig
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
	// Reach the machine with wincontainers' own WinRM client instead of the communicator Packer hands the
	// provisioner. Use it where Packer's WinRM communicator cannot connect: a machine as Windows ships it
	// (WinRM over HTTP on port 5985 with `AllowUnencrypted = false`), which wincontainers reaches with NTLM
	// or Kerberos and message encryption, with no change on the machine; pair it with `communicator =
	// "none"` in the source. `host = build.Host` takes the builder's address. See [winrm](#winrm) and
	// [Connecting](#connecting).
	WinRM *WinRMConfig `mapstructure:"winrm"`

	ctx interpolate.Context
}

// imageRef is the image reference grammar of distribution/reference, simplified: an optional registry
// host[:port]/, lower-case path components, an optional tag and an optional sha256 digest. Nothing
// else reaches pull-images.
var imageRef = regexp.MustCompile(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?` +
	`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*` +
	`(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`)

// EngineConfig, LCOWConfig, DaemonConfig and ComposeConfig, the blocks' structs, are generated from the
// settings table (internal/settings) into settings_gen.go.

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
		Engine: c.Engine.spec(), PullImages: c.Verify.PullImages,
	}
	if c.LCOW != nil {
		l := c.LCOW.spec()
		s.LCOW = &l
	}
	if c.Daemon != nil {
		d := c.Daemon.spec()
		s.Daemon = &d
	}
	if c.Compose != nil {
		cs := c.Compose.spec()
		s.Compose = &cs
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
	if c.WinRM != nil {
		c.WinRM.hideSecrets()
		if !c.WinRM.hasUnknown() {
			errs = errors.Join(errs, c.WinRM.check())
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
