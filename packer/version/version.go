// Package version holds the Packer plugin's version, set at release time with -ldflags.
package version

import "github.com/hashicorp/packer-plugin-sdk/version"

// Version parts; releases override them with -ldflags "-X .../packer/version.Version=...".
var (
	Version           = "0.1.0"
	VersionPrerelease = "dev"
	VersionMetadata   = ""
)

// PluginVersion is what `describe` reports.
var PluginVersion = version.NewPluginVersion(Version, VersionPrerelease, VersionMetadata)
