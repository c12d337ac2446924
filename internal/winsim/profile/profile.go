// Package profile lists the Windows releases winsim can pretend to be, with what a real host of each
// reports: build, channel, WindowsProductName stem, DisplayVersion, editions and installation options.
// It is written from docs/knowledge/windows.md#releases-and-builds and #servicing-channels on its own — winsim must not import
// internal/compat — so the two tables cross-check each other.
package profile

import (
	"fmt"
	"slices"
	"strings"
)

// Profile is one release.
type Profile struct {
	Name           string // ws2022, win11-24h2
	Build          int
	Channel        string // ltsc, sac, annual, client
	ProductName    string // WindowsProductName without the edition
	DisplayVersion string
	Editions       []string // standard, datacenter | pro, enterprise
	Installations  []string // core, desktop (clients: desktop)
	Client         bool
}

var all = []Profile{
	server("ws2016", 14393, "ltsc", "Windows Server 2016", "1607"),
	server("ws1709", 16299, "sac", "Windows Server", "1709"),
	server("ws1803", 17134, "sac", "Windows Server", "1803"),
	server("ws1809", 17763, "sac", "Windows Server", "1809"),
	server("ws2019", 17763, "ltsc", "Windows Server 2019", "1809"),
	server("ws1903", 18362, "sac", "Windows Server", "1903"),
	server("ws1909", 18363, "sac", "Windows Server", "1909"),
	server("ws2004", 19041, "sac", "Windows Server", "2004"),
	server("ws20h2", 19042, "sac", "Windows Server", "20H2"),
	server("ws2022", 20348, "ltsc", "Windows Server 2022", "21H2"),
	// The Annual Channel reports "Windows Server 2022 Datacenter": only the build tells (docs/knowledge/windows.md#releases-and-builds).
	{Name: "ws23h2", Build: 25398, Channel: "annual", ProductName: "Windows Server 2022", DisplayVersion: "23H2",
		Editions: []string{"datacenter"}, Installations: []string{"core"}},
	server("ws2025", 26100, "ltsc", "Windows Server 2025", "24H2"),
	clientOS("win10-1809", 17763, "1809"),
	clientOS("win10-21h2", 19044, "21H2"),
	clientOS("win10-22h2", 19045, "22H2"),
	clientOS("win11-22h2", 22621, "22H2"),
	clientOS("win11-23h2", 22631, "23H2"),
	clientOS("win11-24h2", 26100, "24H2"),
}

func server(name string, build int, channel, product, display string) Profile {
	inst := []string{"core", "desktop"}
	if channel != "ltsc" {
		inst = []string{"core"} // SAC and the Annual Channel are Server Core only
	}
	return Profile{Name: name, Build: build, Channel: channel, ProductName: product, DisplayVersion: display,
		Editions: []string{"standard", "datacenter"}, Installations: inst}
}

func clientOS(name string, build int, display string) Profile {
	// Windows 11 still reports "Windows 10" in the registry ProductName; winsim reports what users see.
	product := "Windows 10"
	if build >= 22000 {
		product = "Windows 11"
	}
	return Profile{Name: name, Build: build, Channel: "client", ProductName: product, DisplayVersion: display,
		Editions: []string{"pro", "enterprise"}, Installations: []string{"desktop"}, Client: true}
}

// All returns every profile.
func All() []Profile { return slices.Clone(all) }

// Lookup finds a profile by name.
func Lookup(name string) (Profile, error) {
	for _, p := range all {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	names := make([]string, len(all))
	for i, p := range all {
		names[i] = p.Name
	}
	return Profile{}, fmt.Errorf("unknown profile %q; profiles: %s", name, strings.Join(names, " "))
}

// Check validates an edition and installation option for the profile.
func (p Profile) Check(edition, installation string) error {
	if !slices.Contains(p.Editions, edition) {
		return fmt.Errorf("%s has no %s edition as a container host (editions: %s)", p.Name, edition, strings.Join(p.Editions, ", "))
	}
	if !slices.Contains(p.Installations, installation) {
		return fmt.Errorf("%s cannot be installed as %q (installation options: %s)", p.Name, installation, strings.Join(p.Installations, ", "))
	}
	return nil
}

// InstallationType is what the registry reports for an installation option.
func (p Profile) InstallationType(installation string) string {
	switch {
	case p.Client:
		return "Client"
	case installation == "core":
		return "Server Core"
	default:
		return "Server"
	}
}
