package azure

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Nested is a three-valued answer: Azure exposes no nested-virtualization capability in its APIs
// (docs/knowledge/azure.md#no-nested-virtualization-capability-in-the-api), so the answer comes from a maintained family table and may be unknown.
type Nested string

// Nested answers.
const (
	NestedYes     Nested = "supported"
	NestedNo      Nested = "not_supported"
	NestedUnknown Nested = "unknown"
)

// NestedVerdict says whether a VM size can run Hyper-V inside the guest (Hyper-V isolation, LCOW), and why.
type NestedVerdict struct {
	Size   string
	Series string // e.g. "Dasv5"
	Answer Nested
	Reason string
	// Caveats apply even when the answer is yes: AMD needs Windows Server 2022+ in the VM, and the
	// security type must be Standard.
	Caveats []string
}

// sizeName parses Standard_<family><vCPUs>[-<constrained>]<features>[_v<version>], e.g. Standard_D4ads_v5.
var sizeName = regexp.MustCompile(`^(?i:standard_)?([A-Z]+)(\d+)(?:-\d+)?([a-z]*)(?:_v(\d+))?$`)

const nestedSource = "per-series \"Nested Virtualization\" rows of the Azure size documentation and the ACU table (docs/knowledge/azure.md#nested-virtualization-by-size)"

// nestedVirtualization checks a VM size against the family table of docs/knowledge/azure.md#nested-virtualization-by-size, together with the
// guest build (AMD hosts need Windows Server 2022+ in the VM, per Microsoft's nested-virtualization page)
// and the security type (Trusted Launch blocked Hyper-V in the guest for years, and the docs still say to
// use Standard; confidential VMs cannot nest). guestBuild 0 and securityType "" mean unknown.
func nestedVirtualization(size string, guestBuild int, securityType string) NestedVerdict {
	v := NestedVerdict{Size: size, Answer: NestedUnknown}
	m := sizeName.FindStringSubmatch(strings.TrimSpace(size))
	if m == nil {
		v.Reason = fmt.Sprintf("%q is not an Azure VM size name such as Standard_D4s_v5; nested virtualization cannot be checked", size)
		return v
	}
	family, features := strings.ToUpper(m[1]), m[3]
	version := 1
	if m[4] != "" {
		n, err := strconv.Atoi(m[4])
		if err != nil {
			v.Reason = fmt.Sprintf("%q has a version number too large to be an Azure size", size)
			return v
		}
		version = n
	}
	amd, arm := strings.Contains(features, "a"), strings.Contains(features, "p")
	v.Series = family + features
	if m[4] != "" {
		v.Series += "v" + m[4]
	}
	yes := func(why string) { v.Answer, v.Reason = NestedYes, why+" ("+nestedSource+")" }
	no := func(why string) { v.Answer, v.Reason = NestedNo, why+" ("+nestedSource+")" }

	switch {
	case arm:
		no(fmt.Sprintf("%s is an Arm64 series; Arm64 sizes cannot run nested Hyper-V", v.Series))
	case family == "B":
		no("B-series (burstable) sizes do not support nested virtualization")
	case family == "A":
		no("A-series sizes do not support nested virtualization")
	case family == "DC" || family == "EC":
		no(fmt.Sprintf("%s is a confidential-computing series; confidential VMs cannot run nested Hyper-V", v.Series))
	case (family == "D" || family == "DS") && version <= 2:
		no("Dv2/DSv2 sizes do not support nested virtualization; use Dv3 or later (Dsv5, Ddsv5, Dasv5 ...)")
	case family == "D" && amd && version == 4:
		no("the AMD v4 sizes (Dav4/Dasv4) do not support nested virtualization; use Dasv5 or Dasv6")
	case family == "D" && version >= 3 && version <= 6:
		yes(fmt.Sprintf("%s supports nested virtualization", v.Series))
	case family == "E" && !amd && version >= 3:
		yes(fmt.Sprintf("%s (Ev3 and later) supports nested virtualization", v.Series))
	case family == "F" && strings.Contains(features, "s") && version == 2:
		yes("Fsv2 supports nested virtualization")
	case family == "FX", family == "M":
		yes(fmt.Sprintf("the %s family supports nested virtualization", family))
	case family == "L" && version == 3:
		yes(fmt.Sprintf("%s supports nested virtualization", v.Series))
	default:
		v.Reason = fmt.Sprintf("%s is not in wincontainers' table of sizes with known nested-virtualization support; "+
			"Azure's APIs do not expose it, so check the size's documentation (\"Nested Virtualization: Supported\"), "+
			"or use a Dsv5/Ddsv5/Dasv5 size", v.Series)
	}
	if v.Answer == NestedNo {
		return v
	}
	if amd {
		c := "AMD sizes run nested Hyper-V only with Windows Server 2022 or later in the VM (VM configuration 9.3+)"
		if guestBuild > 0 && guestBuild < 20348 {
			v.Answer = NestedNo
			v.Reason = fmt.Sprintf("%s is an AMD size and the VM runs build %d; %s. Use an Intel size (Dsv5) or Windows Server 2022+",
				v.Series, guestBuild, c)
			return v
		}
		v.Caveats = append(v.Caveats, c)
	}
	switch strings.ToLower(securityType) {
	case "confidentialvm":
		v.Answer, v.Reason = NestedNo, "confidential VMs cannot run nested Hyper-V; use Security Type Standard"
	case "trustedlaunch":
		v.Caveats = append(v.Caveats, "the VM uses Trusted Launch, which blocked Hyper-V in the guest for years and is still not "+
			"recommended for nested virtualization by Microsoft's page; set Security Type \"Standard\" when you create the VM")
	case "standard":
	default:
		v.Caveats = append(v.Caveats, "set Security Type \"Standard\" when you create the VM: Trusted Launch (the portal default for "+
			"Generation 2) has blocked Hyper-V in the guest")
	}
	return v
}
