// Package azure is wincontainers' Azure integration and transport: the marketplace image resolver (release
// to publisher, offer, SKU and version, with the image's build and matching base images), Run Command (v2)
// as a script runner with restarts through the API, the nested-virtualization preflight, the HTTPS WinRM
// listener bootstrapped through Run Command, and authentication in the azurerm provider's conventions.
//
// The Azure facts it relies on are in docs/knowledge/azure.md; comments point at its sections.
package azure

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/wincontainers/wincontainers/internal/compat"
)

// Marketplace coordinates of Windows Server (docs/knowledge/azure.md#windows-server-skus).
const (
	Publisher = "MicrosoftWindowsServer"
	Offer     = "WindowsServer"
	// OfferSemiAnnual is the retired offer of the Semi-Annual Channel images.
	OfferSemiAnnual = "WindowsServerSemiAnnual"
)

// Query is what the user asks for.
type Query struct {
	// Release is "2016", "2019", "2022", "2025" or "23H2" (any form compat.ParseOS accepts).
	Release string
	// Installation is core or desktop.
	Installation compat.Installation
	// AzureEdition selects the Azure Edition SKU (2022 and 2025, Generation 2 only).
	AzureEdition bool
	// Generation is 1, 2, or 0 for "Generation 2 where published".
	Generation int
	// SmallDisk selects the 30 GB OS disk variant.
	SmallDisk bool
	// Version is "latest" (or empty) or a pinned image version such as 20348.4893.260303.
	Version  string
	Location string
	// SKU names the marketplace SKU directly instead of Release/Installation/AzureEdition/Generation/
	// SmallDisk. Retired SKUs are refused with their replacement.
	SKU string
}

// RetiredSKUError explains a SKU that no longer exists and what replaces it.
type RetiredSKUError struct {
	SKU         string
	Why         string
	Replacement string
}

func (e *RetiredSKUError) Error() string {
	return fmt.Sprintf("image SKU %q is retired: %s; instead: %s", e.SKU, e.Why, e.Replacement)
}

var sacSKU = regexp.MustCompile(`(?i)(^|-)(1709|1803|1809|1903|1909|2004|20h2)(-|$)`)

// CheckRetired refuses the SKUs Microsoft removed: every "with Containers" SKU (removed 2023-04-30, after
// Microsoft lost distribution rights to Mirantis Container Runtime) and the Semi-Annual Channel SKUs,
// whose OS reached end of service (docs/knowledge/azure.md#windows-server-skus).
func CheckRetired(offer, sku string) error {
	s := strings.ToLower(sku)
	switch {
	case strings.Contains(s, "with-containers"):
		base := regexp.MustCompile(`(?i)-with-containers`).ReplaceAllString(sku, "")
		if sacSKU.MatchString(sku) {
			base = "2022-datacenter-core-g2"
		}
		return &RetiredSKUError{SKU: sku,
			Why:         "the \"with Containers\" images were removed from the marketplace on 2023-04-30 (announced 2021-09-27), together with the DockerMsftProvider engine they shipped",
			Replacement: fmt.Sprintf("the plain SKU %q, then let wincontainers install the Containers feature and an engine (Docker CE or containerd)", base)}
	case strings.EqualFold(offer, OfferSemiAnnual) || sacSKU.MatchString(sku):
		return &RetiredSKUError{SKU: sku,
			Why:         "the Semi-Annual Channel ended with Windows Server 20H2 on 2022-08-09 and its images are gone",
			Replacement: "an LTSC release (2022 or 2025, for example SKU \"2025-datacenter-core-g2\") or the Annual Channel (SKU \"23h2-datacenter-core-g2\")"}
	}
	return nil
}

// SKU builds the marketplace SKU name for a query, from the naming rules of docs/knowledge/azure.md#windows-server-skus:
// "-smalldisk" is the 30 GB OS disk, "-g2" (or "-gensecond" for the 2016/2019 desktop images) is
// Generation 2, Azure Edition SKUs are Generation 2 only, and the Annual Channel is Server Core only.
func SKU(q Query) (string, compat.Release, error) {
	o, err := compat.ParseOS(q.Release)
	if err != nil {
		return "", compat.Release{}, fmt.Errorf("release: %w", err)
	}
	r := o.Release
	if r.Kind != compat.Server {
		return "", r, fmt.Errorf("%s is a Windows client release; the Windows Server marketplace images are 2016, 2019, 2022, 2025 and 23H2", r.Title)
	}
	if r.Channel == compat.SAC {
		return "", r, &RetiredSKUError{SKU: "datacenter-core-" + strings.ToLower(r.Name), Why: "the Semi-Annual Channel ended with Windows Server 20H2 on 2022-08-09 and its images are gone",
			Replacement: "an LTSC release (2022 or 2025) or the Annual Channel (23H2)"}
	}
	inst := q.Installation
	if inst == "" {
		inst = compat.Core
	}
	if inst != compat.Core && inst != compat.Desktop {
		return "", r, fmt.Errorf("installation %q: use \"core\" or \"desktop\"", inst)
	}
	if !r.SupportsInstallation(inst) {
		return "", r, fmt.Errorf("%s is Server Core only; use installation = \"core\"", r.Title)
	}
	gen := q.Generation
	if gen != 0 && gen != 1 && gen != 2 {
		return "", r, fmt.Errorf("generation %d: use 1, 2, or 0 for automatic (Generation 2)", gen)
	}
	if gen == 0 {
		gen = 2
	}
	if q.AzureEdition {
		if r.Name != "2022" && r.Name != "2025" {
			return "", r, fmt.Errorf("the Azure Edition images exist for 2022 and 2025 only, not %s", r.Title)
		}
		if q.Generation == 1 {
			return "", r, fmt.Errorf("the Azure Edition images are Generation 2 only; set generation = 2 or leave it unset")
		}
	}
	if r.Name == "23H2" && q.SmallDisk {
		return "", r, fmt.Errorf("the Annual Channel images have no small-disk variant; remove small_disk")
	}

	core := inst == compat.Core
	switch r.Name {
	case "2016", "2019":
		return legacySKU(r.Name, core, q.SmallDisk, gen), r, nil
	case "23H2":
		if gen == 2 {
			return "23h2-datacenter-core-g2", r, nil
		}
		return "23h2-datacenter-core", r, nil
	default: // 2022, 2025
		s := r.Name + "-datacenter"
		if q.AzureEdition {
			s += "-azure-edition"
		}
		if core {
			s += "-core"
		}
		if q.SmallDisk {
			s += "-smalldisk"
		}
		if gen == 2 && !q.AzureEdition {
			s += "-g2"
		}
		return s, r, nil
	}
}

// legacySKU: 2016 and 2019 keep mixed-case Gen1 names, "-gensecond" for the Gen2 desktop image and "-g2"
// for the others (docs/knowledge/azure.md#windows-server-skus).
func legacySKU(year string, core, small bool, gen int) string {
	coreWord := "Core"
	if year == "2016" {
		coreWord = "Server-Core"
	}
	if gen == 1 {
		s := year + "-Datacenter"
		if core {
			s += "-" + coreWord
		}
		if small {
			s += "-smalldisk"
		}
		return s
	}
	s := year + "-datacenter"
	switch {
	case core:
		s += "-" + strings.ToLower(coreWord)
		if small {
			s += "-smalldisk"
		}
		return s + "-g2"
	case small:
		return s + "-smalldisk-g2"
	default:
		return s + "-gensecond"
	}
}
