package compat

import (
	"slices"
	"strconv"
	"strings"
)

// Kind separates Windows Server from Windows client releases.
type Kind string

// Release kinds.
const (
	Server Kind = "server"
	Client Kind = "client"
)

// Channel is a servicing channel.
type Channel string

// Servicing channels. Clients are serviced in their own general-availability channel, which is not a
// server channel a user can ask for.
const (
	LTSC   Channel = "ltsc"
	SAC    Channel = "sac"
	Annual Channel = "annual"
	// ClientGA is the Windows 10/11 general-availability channel.
	ClientGA Channel = "client"
)

// ServerChannels are the channels a user may declare for a host.
func ServerChannels() []Channel { return []Channel{LTSC, SAC, Annual} }

// Edition is a Windows edition.
type Edition string

// Editions that matter to container hosts.
const (
	Standard   Edition = "standard"
	Datacenter Edition = "datacenter"
	Pro        Edition = "pro"
	Enterprise Edition = "enterprise"
)

// Installation is a Windows Server installation option.
type Installation string

// Installation options.
const (
	Core    Installation = "core"
	Desktop Installation = "desktop"
)

// Release is one Windows release a container host can run.
type Release struct {
	// Name is what users write in os_version: "2016", "1709", ..., "23H2", "2025", "win10-22h2", "win11-24h2".
	Name string
	// Profile is the matching winsim profile name (ws2022, win11-24h2, ...).
	Profile string
	// Title is the release's marketing name.
	Title string
	Kind  Kind
	// Channel is the servicing channel.
	Channel Channel
	// Build is the OS build number (CurrentBuildNumber).
	Build int
	// DisplayVersion is what the host reports as OSDisplayVersion / ReleaseId.
	DisplayVersion string
	// ProductName is the WindowsProductName stem the host reports, without the edition. For the Annual
	// Channel it is "Windows Server 2022": the name is not a channel indicator [WSD-SC].
	ProductName string
	// Editions that are supported container hosts on this release.
	Editions []Edition
	// Installations are the installation options the release can be installed with. Empty for clients.
	Installations []Installation
	// Available, MainstreamEnd and EndOfSupport are lifecycle dates; zero when the sources have none.
	Available     Date
	MainstreamEnd Date
	// EndOfSupport is the last day the release is serviced (extended end for LTSC, end of service
	// for SAC and the Annual Channel).
	EndOfSupport Date
	// Source names where the facts come from (tags resolved in docs/knowledge/windows.md#sources).
	Source string
	// Note carries anything the user should know about the release itself.
	Note string
}

// IsServer reports whether the release is a Windows Server release.
func (r Release) IsServer() bool { return r.Kind == Server }

// SupportsEdition reports whether e is a supported container-host edition of the release.
func (r Release) SupportsEdition(e Edition) bool { return slices.Contains(r.Editions, e) }

// SupportsInstallation reports whether the release can be installed with option i.
func (r Release) SupportsInstallation(i Installation) bool {
	return slices.Contains(r.Installations, i)
}

// OutOfSupport reports whether the release is past its end of support on day.
func (r Release) OutOfSupport(day Date) bool {
	return !r.EndOfSupport.IsZero() && r.EndOfSupport.Before(day)
}

// Label is a short human name with the build, e.g. "Windows Server 2016 (build 14393)".
func (r Release) Label() string { return r.Title + " (build " + strconv.Itoa(r.Build) + ")" }

var (
	ltscEditions   = []Edition{Standard, Datacenter}
	clientEditions = []Edition{Pro, Enterprise}
	bothInstalls   = []Installation{Core, Desktop}
	coreOnly       = []Installation{Core}
)

// releases is the catalogue, oldest first within each kind. It is never modified; accessors return copies.
//
// Server rows: builds and channels [HCS-OSV][MS-VC] (docs/knowledge/windows.md#releases-and-builds); lifecycle [WSD-RI-2026] for LTSC
// hosts, [MS-BIL-2023]/[WSD-RI-2020]/[P-20H2] for SAC; editions and installation options [WSD-SC][MS-SYSREQ]
// (docs/knowledge/windows.md#servicing-channels). Containers are supported on Standard and Datacenter only [MS-SYSREQ]; SAC is
// "Datacenter Core, Standard Core" [WSD-SC]; the Annual Channel is Server Core, Datacenter only [WSD-AC].
//
// Client rows: builds [HCS-OSV][P-22631][I-OSBUILD58]; supported container hosts are Windows 10 Pro and
// Enterprise 1607+ and Windows 11 Pro and Enterprise [MS-SYSREQ]. The reference has no client lifecycle
// dates, so they are left zero rather than guessed.
var releases = []Release{
	{
		Name: "2016", Profile: "ws2016", Title: "Windows Server 2016", Kind: Server, Channel: LTSC, Build: 14393,
		DisplayVersion: "1607", ProductName: "Windows Server 2016", Editions: ltscEditions, Installations: bothInstalls,
		// DISAGREEMENT: [WSD-RI-2026] lists availability 2016-08-02 (the 1607 build date) and extended end
		// 2027-01-12; [MS-BIL] lists 10/15/2016 and 01/11/2027. Server 2016 shipped in October 2016, so the
		// availability follows [MS-BIL]; the host end of support follows the host page [WSD-RI-2026].
		Available: D(2016, 10, 15), MainstreamEnd: D(2022, 1, 11), EndOfSupport: D(2027, 1, 12),
		Source: "[HCS-OSV][WSD-RI-2026][MS-BIL]",
	},
	{
		Name: "1709", Profile: "ws1709", Title: "Windows Server, version 1709", Kind: Server, Channel: SAC, Build: 16299,
		DisplayVersion: "1709", ProductName: "Windows Server", Editions: ltscEditions, Installations: coreOnly,
		Available: D(2017, 10, 17), MainstreamEnd: D(2019, 4, 9), EndOfSupport: D(2019, 4, 9),
		Source: "[HCS-OSV][MS-BIL-2023][WSD-SC]",
	},
	{
		Name: "1803", Profile: "ws1803", Title: "Windows Server, version 1803", Kind: Server, Channel: SAC, Build: 17134,
		DisplayVersion: "1803", ProductName: "Windows Server", Editions: ltscEditions, Installations: coreOnly,
		Available: D(2018, 4, 30), MainstreamEnd: D(2019, 11, 12), EndOfSupport: D(2019, 11, 12),
		Source: "[HCS-OSV][MS-BIL-2023][WSD-SC]",
	},
	{
		Name: "1809", Profile: "ws1809", Title: "Windows Server, version 1809", Kind: Server, Channel: SAC, Build: 17763,
		DisplayVersion: "1809", ProductName: "Windows Server", Editions: ltscEditions, Installations: coreOnly,
		// SAC 1809 host end of service 11/10/2020 [WSD-RI-2020].
		Available: D(2018, 11, 13), MainstreamEnd: D(2020, 11, 10), EndOfSupport: D(2020, 11, 10),
		Source: "[HCS-OSV][WSD-RI-2020][WSD-SC]",
		Note:   "Same build as Windows Server 2019; the LTSC release is \"2019\".",
	},
	{
		Name: "2019", Profile: "ws2019", Title: "Windows Server 2019", Kind: Server, Channel: LTSC, Build: 17763,
		DisplayVersion: "1809", ProductName: "Windows Server 2019", Editions: ltscEditions, Installations: bothInstalls,
		Available: D(2018, 11, 13), MainstreamEnd: D(2024, 1, 9), EndOfSupport: D(2029, 1, 9),
		Source: "[HCS-OSV][WSD-RI-2026]",
	},
	{
		Name: "1903", Profile: "ws1903", Title: "Windows Server, version 1903", Kind: Server, Channel: SAC, Build: 18362,
		DisplayVersion: "1903", ProductName: "Windows Server", Editions: ltscEditions, Installations: coreOnly,
		Available: D(2019, 5, 21), MainstreamEnd: D(2020, 12, 8), EndOfSupport: D(2020, 12, 8),
		Source: "[HCS-OSV][MS-BIL-2023][WSD-RI-2020]",
	},
	{
		Name: "1909", Profile: "ws1909", Title: "Windows Server, version 1909", Kind: Server, Channel: SAC, Build: 18363,
		DisplayVersion: "1909", ProductName: "Windows Server", Editions: ltscEditions, Installations: coreOnly,
		Available: D(2019, 11, 12), MainstreamEnd: D(2021, 5, 11), EndOfSupport: D(2021, 5, 11),
		Source: "[HCS-OSV][MS-BIL-2023][WSD-RI-2020]",
	},
	{
		Name: "2004", Profile: "ws2004", Title: "Windows Server, version 2004", Kind: Server, Channel: SAC, Build: 19041,
		DisplayVersion: "2004", ProductName: "Windows Server", Editions: ltscEditions, Installations: coreOnly,
		Available: D(2020, 5, 27), MainstreamEnd: D(2021, 12, 14), EndOfSupport: D(2021, 12, 14),
		Source: "[HCS-OSV][MS-BIL-2023]",
	},
	{
		Name: "20H2", Profile: "ws20h2", Title: "Windows Server, version 20H2", Kind: Server, Channel: SAC, Build: 19042,
		DisplayVersion: "20H2", ProductName: "Windows Server", Editions: ltscEditions, Installations: coreOnly,
		Available: D(2020, 10, 20), MainstreamEnd: D(2022, 8, 9), EndOfSupport: D(2022, 8, 9),
		Source: "[HCS-OSV][MS-BIL-2023][P-20H2]",
		Note:   "The last Semi-Annual Channel release; SAC was retired with its end of service on 2022-08-09.",
	},
	{
		Name: "2022", Profile: "ws2022", Title: "Windows Server 2022", Kind: Server, Channel: LTSC, Build: 20348,
		DisplayVersion: "21H2", ProductName: "Windows Server 2022", Editions: ltscEditions, Installations: bothInstalls,
		Available: D(2021, 8, 18), MainstreamEnd: D(2026, 10, 13), EndOfSupport: D(2031, 10, 14),
		Source: "[HCS-OSV][WSD-RI-2026]",
	},
	{
		Name: "23H2", Profile: "ws23h2", Title: "Windows Server, version 23H2", Kind: Server, Channel: Annual, Build: 25398,
		// It reports "Windows Server 2022 Datacenter" with OSDisplayVersion 23H2 [WSD-SC].
		DisplayVersion: "23H2", ProductName: "Windows Server 2022", Editions: []Edition{Datacenter}, Installations: coreOnly,
		// Release 2023-10-24 [P-BUILDS]; 24 months of support [WSD-AC] gives 2025-10-24 (inference: the
		// reference states the length, not the day).
		Available: D(2023, 10, 24), MainstreamEnd: D(2025, 4, 24), EndOfSupport: D(2025, 10, 24),
		Source: "[HCS-OSV][WSD-SC][WSD-AC][P-BUILDS]",
		Note:   "Annual Channel for Containers: Server Core and Datacenter only, clean install only, and it runs only Windows Server 2022 container images.",
	},
	{
		Name: "2025", Profile: "ws2025", Title: "Windows Server 2025", Kind: Server, Channel: LTSC, Build: 26100,
		DisplayVersion: "24H2", ProductName: "Windows Server 2025", Editions: ltscEditions, Installations: bothInstalls,
		Available: D(2024, 11, 1), MainstreamEnd: D(2029, 11, 13), EndOfSupport: D(2034, 11, 14),
		Source: "[HCS-OSV][WSD-RI-2026]",
	},

	client("win10-1607", "Windows 10, version 1607", 14393, "1607"),
	client("win10-1703", "Windows 10, version 1703", 15063, "1703"),
	client("win10-1709", "Windows 10, version 1709", 16299, "1709"),
	client("win10-1803", "Windows 10, version 1803", 17134, "1803"),
	client("win10-1809", "Windows 10, version 1809", 17763, "1809"),
	client("win10-1903", "Windows 10, version 1903", 18362, "1903"),
	client("win10-1909", "Windows 10, version 1909", 18363, "1909"),
	client("win10-2004", "Windows 10, version 2004", 19041, "2004"),
	client("win10-20h2", "Windows 10, version 20H2", 19042, "20H2"),
	client("win10-21h1", "Windows 10, version 21H1", 19043, "21H1"),
	client("win10-21h2", "Windows 10, version 21H2", 19044, "21H2"),
	client("win10-22h2", "Windows 10, version 22H2", 19045, "22H2"),
	client("win11-21h2", "Windows 11, version 21H2", 22000, "21H2"),
	client("win11-22h2", "Windows 11, version 22H2", 22621, "22H2"),
	client("win11-23h2", "Windows 11, version 23H2", 22631, "23H2"),
	client("win11-24h2", "Windows 11, version 24H2", 26100, "24H2"),
	client("win11-25h2", "Windows 11, version 25H2", 26200, "25H2"),
}

func client(name, title string, build int, display string) Release {
	product := "Windows 10"
	if build >= win11FirstBuild {
		product = "Windows 11"
	}
	return Release{
		Name: name, Profile: name, Title: title, Kind: Client, Channel: ClientGA, Build: build,
		DisplayVersion: display, ProductName: product, Editions: clientEditions,
		Source: "[HCS-OSV][P-22631][I-OSBUILD58][MS-SYSREQ]",
	}
}

// Build numbers the rules refer to by name [HCS-OSV].
const (
	build2016        = 14393
	build1709        = 16299
	build2019        = 17763
	build20H2        = 19042
	build2022        = 20348
	win11FirstBuild  = 22000
	buildAnnual23H2  = 25398
	build2025        = 26100
	buildWin11_25H2  = 26200
	firstClientBuild = 14393
)

// Releases returns a copy of the whole catalogue.
func Releases() []Release {
	out := make([]Release, len(releases))
	copy(out, releases)
	return out
}

// ServerReleaseNames are the os_version values a user may declare, oldest first.
func ServerReleaseNames() []string {
	var names []string
	for _, r := range releases {
		if r.Kind == Server {
			names = append(names, r.Name)
		}
	}
	return names
}

// LookupRelease finds a release by name, profile or LTSC alias, case-insensitively: "2022", "ws2022",
// "ltsc2022", "23H2", "win11-24h2", "windows-11-24h2".
func LookupRelease(name string) (Release, bool) {
	n := normalizeName(name)
	for _, r := range releases {
		if n == strings.ToLower(r.Name) || n == r.Profile {
			return r, true
		}
		if r.Channel == LTSC && n == "ltsc"+r.Name {
			return r, true
		}
	}
	return Release{}, false
}

// ReleasesWithBuild returns every release with the given build: servers first, and the LTSC release
// before the SAC one where both share a build (17763 is both 2019 and 1809).
func ReleasesWithBuild(build int) []Release {
	var out []Release
	for _, r := range releases {
		if r.Build == build {
			out = append(out, r)
		}
	}
	rank := func(r Release) int {
		switch {
		case r.Kind == Server && r.Channel == LTSC:
			return 0
		case r.Kind == Server:
			return 1
		default:
			return 2
		}
	}
	slices.SortStableFunc(out, func(a, b Release) int { return rank(a) - rank(b) })
	return out
}

// KnownBuilds lists every distinct build in the catalogue, ascending.
func KnownBuilds() []int {
	var out []int
	for _, r := range releases {
		if !slices.Contains(out, r.Build) {
			out = append(out, r.Build)
		}
	}
	slices.Sort(out)
	return out
}

func normalizeName(s string) string {
	n := strings.ToLower(strings.TrimSpace(s))
	n = strings.ReplaceAll(n, "_", "-")
	n = strings.TrimPrefix(n, "windows-server-")
	n = strings.TrimPrefix(n, "windows server ")
	n = strings.ReplaceAll(n, "windows-10-", "win10-")
	n = strings.ReplaceAll(n, "windows-11-", "win11-")
	return n
}
