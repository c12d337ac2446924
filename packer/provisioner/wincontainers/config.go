//go:generate go tool packer-sdc mapstructure-to-hcl2 -type Config,EngineConfig,LCOWConfig,DaemonConfig,VerifyConfig

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

// Config is the provisioner's HCL2 configuration. Field docs live in packer/docs (see its README).
type Config struct {
	common.PackerConfig `mapstructure:",squash"`

	// process, hyperv or lcow. Required.
	ContainerMode string `mapstructure:"container_mode" required:"true"`
	// ltsc, sac or annual; checked against the machine.
	Channel string `mapstructure:"channel"`
	// The release the image is built from (2016 ... 2025, 23H2, win11-24h2, or a build number): with it,
	// impossible combinations fail when the template is validated, before any machine starts.
	OSVersion string `mapstructure:"os_version"`
	// The container engine.
	Engine EngineConfig `mapstructure:"engine"`
	// Where the LinuxKit boot files come from (container_mode = "lcow").
	LCOW *LCOWConfig `mapstructure:"lcow"`
	// daemon.json settings (Docker only).
	Daemon *DaemonConfig `mapstructure:"daemon"`
	// How the mode is proven.
	Verify VerifyConfig `mapstructure:"verify"`
	// How long the machine may take to come back after a restart. Default 15m.
	RestartTimeout time.Duration `mapstructure:"restart_timeout"`
	// Refuse to restart the machine: a build that needs a restart fails with advice. Default false.
	NoRestart bool `mapstructure:"no_restart"`
	// Stop the engine and remove its per-machine state (identity, PID and lock files, logs, the NAT
	// network) so the image can be generalized; the service stays configured to start at boot.
	Generalize bool `mapstructure:"generalize"`
	// Pull the Windows base images (servercore, nanoserver) whose build matches the image's.
	PrePullBaseImages bool `mapstructure:"pre_pull_base_images"`
	// More images to pull into the image.
	PrePullImages []string `mapstructure:"pre_pull_images"`
	// Do not write C:\ProgramData\wincontainers\manifest.json.
	SkipManifest bool `mapstructure:"skip_manifest"`

	ctx interpolate.Context
}

// imageRef is the image reference grammar of distribution/reference, simplified: an optional registry
// host[:port]/, lower-case path components, an optional tag and an optional sha256 digest. Nothing
// else reaches pull-images.
var imageRef = regexp.MustCompile(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?` +
	`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*` +
	`(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`)

// EngineConfig mirrors wincontainers_host's engine.
type EngineConfig struct {
	// docker or containerd.
	Type string `mapstructure:"type"`
	// Engine version; default: a pinned version that fits the release and mode.
	Version string `mapstructure:"version"`
	// SHA-256 of the engine archive.
	SHA256 string `mapstructure:"sha256"`
	// A mirror URL (https).
	URL string `mapstructure:"url"`
	// The engine archive on the machine running Packer, uploaded through the communicator: the Docker
	// zip, or the containerd tarball.
	Archive string `mapstructure:"archive"`
	// containerd only: the nerdctl tarball on the machine running Packer, uploaded like archive.
	NerdctlArchive string `mapstructure:"nerdctl_archive"`
	// containerd only: the Windows CNI plugins zip on the machine running Packer, uploaded like archive.
	CNIArchive string `mapstructure:"cni_archive"`
}

// LCOWConfig mirrors wincontainers_host's lcow.
type LCOWConfig struct {
	URL    string `mapstructure:"url"`
	SHA256 string `mapstructure:"sha256"`
	// The LinuxKit release zip on the machine running Packer, uploaded through the communicator.
	Archive string `mapstructure:"archive"`
}

// DaemonConfig mirrors wincontainers_host's daemon.
type DaemonConfig struct {
	DataRoot           string   `mapstructure:"data_root"`
	RegistryMirrors    []string `mapstructure:"registry_mirrors"`
	InsecureRegistries []string `mapstructure:"insecure_registries"`
	DNS                []string `mapstructure:"dns"`
	// A group whose members may use dockerd's named pipe ("group"), e.g. docker-users.
	Group string `mapstructure:"group"`
	// Endpoints dockerd listens on ("hosts"); keep npipe:////./pipe/docker_engine. A tcp:// endpoint
	// needs tls_verify with the three TLS files, or allow_insecure_tcp.
	Hosts []string `mapstructure:"hosts"`
	// "tlsverify": TCP endpoints serve TLS and accept only clients whose certificate tls_ca_cert signed.
	TLSVerify bool `mapstructure:"tls_verify"`
	// Files on the host: "tlscacert", "tlscert", "tlskey".
	TLSCACert string `mapstructure:"tls_ca_cert"`
	TLSCert   string `mapstructure:"tls_cert"`
	TLSKey    string `mapstructure:"tls_key"`
	// Accept a tcp:// endpoint without TLS (anyone who reaches it controls the host); warns.
	AllowInsecureTCP bool `mapstructure:"allow_insecure_tcp"`
}

// VerifyConfig mirrors wincontainers_host's verify.
type VerifyConfig struct {
	// Pull the base image matching the build (and busybox for LCOW) so every check runs a container.
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
