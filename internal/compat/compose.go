package compat

import (
	"fmt"
)

// Docker Compose on Windows container hosts: which Compose installs on which engine, where the docker
// CLI finds it, and what cannot work.
//
// Facts, read from the upstream sources (in our own words):
//   - Windows' Docker packages have never shipped Compose. Compose v2 and later is a docker CLI plugin:
//     the docker CLI runs docker-compose.exe from its plugin folders, on Windows the "cli-plugins" folder
//     of the user's config directory (%USERPROFILE%\.docker\cli-plugins), then %ProgramData%\Docker\cli-plugins,
//     then %ProgramFiles%\Docker\cli-plugins (docker/cli cli-plugins/manager/manager_windows.go,
//     defaultSystemPluginDirs). The same binary also runs on its own under the name docker-compose.exe.
//   - Each release publishes docker-compose-windows-x86_64.exe, a checksums.txt listing every asset
//     as "<sha256> *<name>" (shasum -a 256 -b) and a <asset>.sha256 file with the same line
//     (docker/compose .github/workflows/ci.yml, "Create checksum file").
//   - Compose negotiates the Engine API version with the daemon (it pings and takes the lower of the
//     daemon's and its own). Its Docker client sets a floor: up to v5.0.x Compose used the
//     github.com/docker/docker client, which negotiates down to any daemon (the Windows daemon accepts
//     API 1.24 and later, moby#28072); v5.1.0 uses github.com/moby/moby/client v0.2.x, whose
//     MinAPIVersion is 1.44; v5.1.1 and later use v0.3.0+, whose MinAPIVersion is 1.40. Below the floor
//     the client refuses before any request: "API version 1.39 is not supported by this client: the
//     minimum supported API version is 1.40" (moby/moby client/client.go, negotiateAPIVersion; the
//     versions from each Compose tag's go.mod).
//   - A client that does not negotiate (Compose v1's docker-py with a version 2.0 file, or
//     DOCKER_API_VERSION set) gets the daemon's own answers: "client version 1.22 is too old. Minimum
//     supported API version is 1.24, ..." or "client version 1.44 is too new. Maximum supported API
//     version is 1.41" (moby api/server/middleware/version.go).
//   - On Windows Server 2016 a compose project that creates its own network fails in HNS ("HNS failed
//     with error : The parameter is incorrect."): the 2016 HNS cannot add a second NAT network beside the
//     default nat one. The project must use the existing nat network as external (docker/compose#4024,
//     and the story this project began with). Later builds are not known to have the limit.
//   - containerd hosts have `nerdctl compose`, built into nerdctl: nothing else to install.

// Compose versions wincontainers pins, by what the engine serves.
//
//   - DefaultComposeVersion (5.5.0, 2026-08-17, moby client v0.5.1, API floor 1.40): engines serving API
//     1.40 or later (Docker 19.03+; the default Docker 29.2.1 and the legacy 20.10.24 both).
//   - LegacyComposeVersion (2.40.3, 2025-10-30, the last Compose v2 release, docker/docker client
//     v28.5): engines older than Docker 19.03, which no current Compose can talk to.
const (
	DefaultComposeVersion = "5.5.0"
	LegacyComposeVersion  = "2.40.3"
)

// composeAPIFloors: the lowest Engine API each Compose release line negotiates down to ("" = no floor of
// its own: the daemon's minimum, 1.24 on Windows, applies).
var composeAPIFloors = []struct {
	from, to Version // [from, to)
	floor    string
}{
	{MustVersion("5.1.0"), MustVersion("5.1.1"), "1.44"},
	{MustVersion("5.1.1"), MustVersion("99.0.0"), "1.40"},
}

// composeAPIFloor is the lowest Engine API version Compose v negotiates with, "" when it has none of its
// own.
func composeAPIFloor(v Version) string {
	for _, f := range composeAPIFloors {
		if v.AtLeast(f.from) && v.Less(f.to) {
			return f.floor
		}
	}
	return ""
}

// dockerAPIVersions: the highest Engine API each Docker release line serves (Docker's API version matrix,
// docs.docker.com/reference/api/engine/#api-version-matrix; 29.1 and 29.2 from the matrix's 2026-02
// update, docker/docs#24180).
var dockerAPIVersions = []struct{ line, api string }{
	{"17.06", "1.30"}, {"17.07", "1.31"}, {"17.09", "1.32"}, {"17.10", "1.33"}, {"17.11", "1.34"}, {"17.12", "1.35"},
	{"18.02", "1.36"}, {"18.03", "1.37"}, {"18.06", "1.38"}, {"18.09", "1.39"}, {"19.03", "1.40"}, {"20.10", "1.41"},
	{"23.0", "1.42"}, {"24.0", "1.43"}, {"25.0", "1.44"}, {"26.0", "1.45"}, {"26.1", "1.45"}, {"27.0", "1.46"},
	{"27.1", "1.46"}, {"27.2", "1.47"}, {"27.3", "1.47"}, {"27.4", "1.47"}, {"27.5", "1.47"}, {"28.0", "1.48"},
	{"28.1", "1.49"}, {"28.2", "1.50"}, {"28.3", "1.51"}, {"28.4", "1.51"}, {"28.5", "1.51"}, {"29.0", "1.52"},
	{"29.1", "1.52"}, {"29.2", "1.53"},
}

// dockerAPIVersion is the highest Engine API a Docker version serves: the newest release line at or
// below it ("" below 17.06, which no Windows host of the knowledge base needs).
func dockerAPIVersion(v Version) string {
	api := ""
	for _, r := range dockerAPIVersions {
		if v.AtLeast(MustVersion(r.line + ".0")) {
			api = r.api
		}
	}
	return api
}

// apiLess compares two Engine API versions ("1.9" < "1.40").
func apiLess(a, b string) bool {
	pa, errA := ParseVersion(a + ".0")
	pb, errB := ParseVersion(b + ".0")
	return errA == nil && errB == nil && pa.Less(pb)
}

// DefaultComposeVersionFor is the Compose version used when none is pinned, for the Docker version the
// host gets: the current release when the engine serves its API floor, else the last Compose v2.
func DefaultComposeVersionFor(docker Version) string {
	if api := dockerAPIVersion(docker); api != "" && apiLess(api, composeAPIFloor(MustVersion(DefaultComposeVersion))) {
		return LegacyComposeVersion
	}
	return DefaultComposeVersion
}

// ComposeURLs are the Windows asset of a Compose release and the release's checksums.txt.
func ComposeURLs(version string) (exe, checksums string) {
	base := "https://github.com/docker/compose/releases/download/v" + version + "/"
	return base + "docker-compose-windows-x86_64.exe", base + "checksums.txt"
}

// Compose network choices for the verification project.
const (
	// ComposeNetworkNAT uses the host's existing nat network as external: what works on every build.
	ComposeNetworkNAT = "nat"
	// ComposeNetworkProject lets compose create the project's own network (<project>_default).
	ComposeNetworkProject = "project"
)

// ComposeSpec is what the Compose rules look at.
type ComposeSpec struct {
	OS      *OS // nil when unknown
	Mode    Mode
	Engine  EngineType
	Docker  Version // the Docker version (zero when unknown or containerd)
	Version Version // the Compose version (zero for containerd: nerdctl compose)
	Network string  // ComposeNetworkNAT or ComposeNetworkProject
}

// CheckCompose returns every finding for Compose on the combination; like CheckEngine it reads only its
// arguments.
func CheckCompose(c ComposeSpec) []Finding {
	var out []Finding
	if c.Engine == Docker && !c.Version.IsZero() {
		if c.Version.Less(MustVersion("2.0.0")) {
			out = append(out, Finding{Severity: SeverityError, Code: "compose_v1", Subject: SubjectComposeVersion,
				Summary: fmt.Sprintf("Compose %s is Compose v1, which is not a docker CLI plugin", c.Version),
				Detail: fmt.Sprintf("Compose v1 (docker-compose 1.x, Python) stopped receiving updates in 2023, is not a CLI plugin and speaks a fixed API "+
					"version (\"client version 1.22 is too old\" with version 2.0 files on Windows). Use Compose %s, or leave compose.version unset",
					DefaultComposeVersion),
				Sources: []string{"https://github.com/docker/compose/issues/4106", "https://github.com/moby/moby/pull/28072"}})
		} else if floor := composeAPIFloor(c.Version); floor != "" && !c.Docker.IsZero() {
			if api := dockerAPIVersion(c.Docker); api != "" && apiLess(api, floor) {
				out = append(out, Finding{Severity: SeverityError, Code: "compose_api_too_old", Subject: SubjectComposeVersion,
					Summary: fmt.Sprintf("Compose %s cannot talk to Docker %s", c.Version, c.Docker),
					Detail: fmt.Sprintf("Compose %s's Docker client negotiates no lower than Engine API %s, and Docker %s serves at most API %s: "+
						"every command would fail with \"API version %s is not supported by this client: the minimum supported API version is %s\". "+
						"Use Compose %s (the last Compose v2, which negotiates down to any Windows daemon), or a Docker that serves API %s or later",
						c.Version, floor, c.Docker, api, api, floor, LegacyComposeVersion, floor),
					Sources: []string{"https://github.com/moby/moby/blob/master/client/client.go", "https://docs.docker.com/reference/api/engine/#api-version-matrix"}})
			}
		}
	}
	if c.Network == ComposeNetworkProject && c.OS != nil && c.OS.Build <= build2016 {
		out = append(out, Finding{Severity: SeverityError, Code: "compose_network_2016", Subject: SubjectComposeNetwork,
			Summary: fmt.Sprintf("a compose project cannot create its own network on %s", c.OS),
			Detail: fmt.Sprintf("build %d's Host Network Service cannot create a second NAT network beside the default nat network: compose fails with "+
				"\"failed to create network <project>_default: Error response from daemon: HNS failed with error : The parameter is incorrect.\". "+
				"Use the existing nat network as external (compose.network = \"nat\"; in a compose file: networks: default: external: true, name: nat), "+
				"or a Windows Server 2019 or later host", c.OS.Build),
			Sources: []string{"https://github.com/docker/compose/issues/4024"}})
	}
	if c.Mode == ModeLCOW && c.Engine == Docker {
		out = append(out, Finding{Severity: SeverityWarning, Code: "compose_lcow_platform", Subject: SubjectCompose,
			Summary: "Linux services under LCOW need platform: linux",
			Detail:  "with Docker's LCOW (experimental) each Linux service needs platform: linux in the compose file, or the daemon picks the Windows platform",
			Sources: []string{"https://github.com/linuxkit/lcow"}})
	}
	return out
}
