package facts

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/compat"
)

// Release works out which release the host runs from its build, installation type and product name.
//
//   - The Annual Channel reports "Windows Server 2022 Datacenter" and must be recognised by build 25398
//     (and DisplayVersion 23H2), never by name [WSD-SC].
//   - Build 17763 is both Windows Server 2019 (LTSC, product name "Windows Server 2019 ...") and Windows
//     Server, version 1809 (SAC, product name "Windows Server ..." without a year) [HCS-OSV][MS-VC].
//   - InstallationType "Client" means Windows 10/11, whose builds overlap server builds (14393, 17763,
//     26100 ...).
func (f Facts) Release() (compat.Release, error) {
	build := f.OS.Build
	if f.IsClient() {
		for _, r := range compat.ReleasesWithBuild(build) {
			if r.Kind == compat.Client {
				return r, nil
			}
		}
		return compat.Release{}, fmt.Errorf("%w: Windows client build %d (%s) is not a release wincontainers knows", compat.ErrUnknownOS, build, f.OS.ProductName)
	}
	var servers []compat.Release
	for _, r := range compat.ReleasesWithBuild(build) {
		if r.Kind == compat.Server {
			servers = append(servers, r)
		}
	}
	switch len(servers) {
	case 0:
		return compat.Release{}, fmt.Errorf("%w: Windows Server build %d (%q) is not a release wincontainers knows; known builds: %v",
			compat.ErrUnknownOS, build, f.OS.ProductName, compat.KnownBuilds())
	case 1:
		return servers[0], nil
	}
	// Several server releases share the build (17763: 2019 and 1809). The LTSC product name carries
	// the year; the SAC one does not.
	for _, r := range servers {
		if r.Channel == compat.LTSC && strings.Contains(f.OS.ProductName, r.Name) {
			return r, nil
		}
	}
	for _, r := range servers {
		if r.Channel != compat.LTSC {
			return r, nil
		}
	}
	return servers[0], nil
}

// OSInfo returns the detected release as a compat.OS with the revision (UBR).
func (f Facts) OSInfo() (compat.OS, error) {
	r, err := f.Release()
	if err != nil {
		return compat.OS{}, err
	}
	return compat.OS{Release: r, Build: f.OS.Build, Revision: f.OS.UBR}, nil
}

// IsClient reports whether the host is a Windows client (10/11).
func (f Facts) IsClient() bool { return strings.EqualFold(f.OS.InstallationType, "Client") }

// Installation returns core or desktop for servers, "" for clients and unknown values.
func (f Facts) Installation() compat.Installation {
	switch strings.ToLower(f.OS.InstallationType) {
	case "server core":
		return compat.Core
	case "server":
		return compat.Desktop
	default:
		return ""
	}
}

// Edition maps EditionID onto the editions the knowledge base reasons about. Server editions are
// ServerStandard / ServerDatacenter (with "Cor"/"Eval" variants); clients are Professional, Enterprise,
// Education and Core (Home). Unknown IDs come back as their lower-cased value, which no rule accepts.
func (f Facts) Edition() compat.Edition {
	id := strings.ToLower(f.OS.EditionID)
	switch {
	case strings.HasPrefix(id, "serverdatacenter"):
		return compat.Datacenter
	case strings.HasPrefix(id, "serverstandard"):
		return compat.Standard
	case strings.HasPrefix(id, "professional"):
		return compat.Pro
	case strings.HasPrefix(id, "enterprise"):
		return compat.Enterprise
	case strings.HasPrefix(id, "core"):
		return compat.Edition("home")
	default:
		return compat.Edition(id)
	}
}

// FeatureState is a Windows feature's state, normalised across server and client cmdlets.
type FeatureState string

// Normalised feature states. Server (Get-WindowsFeature InstallState): Installed, Available,
// InstallPending, UninstallPending, Removed. Client (Get-WindowsOptionalFeature State): Enabled,
// Disabled, EnablePending, DisablePending, DisabledWithPayloadRemoved.
const (
	FeatureInstalled      FeatureState = "installed"
	FeatureInstallPending FeatureState = "install_pending"
	FeatureAbsent         FeatureState = "absent"
	FeatureRemovePending  FeatureState = "remove_pending"
	FeaturePayloadRemoved FeatureState = "payload_removed"
	FeatureUnknown        FeatureState = "unknown"
)

// Feature returns the normalised state of a feature by its role name ("Containers", "Hyper-V"); on
// clients "Hyper-V" is looked up as Microsoft-Hyper-V.
func (f Facts) Feature(role string) FeatureState {
	raw, ok := f.Features[FeatureName(role, f.IsClient())]
	if !ok {
		return FeatureUnknown
	}
	switch strings.ToLower(raw) {
	case "installed", "enabled":
		return FeatureInstalled
	case "installpending", "enablepending":
		return FeatureInstallPending
	case "available", "disabled":
		return FeatureAbsent
	case "uninstallpending", "disablepending":
		return FeatureRemovePending
	case "removed", "disabledwithpayloadremoved":
		return FeaturePayloadRemoved
	default:
		return FeatureUnknown
	}
}

// FeatureName is the name of a role on a server (ServerManager) or a client (DISM optional feature)
// [MS-DBG][P-HVINSTALL][MS-HVEN].
func FeatureName(role string, client bool) string {
	if client && role == "Hyper-V" {
		return "Microsoft-Hyper-V"
	}
	return role
}

// CanEnableHyperV tells whether Hyper-V can run here. docs/knowledge/windows.md#detecting-virtualization-support infers "HypervisorPresent, or the
// processor exposes VT-x/AMD-V with SLAT and firmware enables it"; but a virtual machine always reports
// HypervisorPresent (it runs under one), with or without nested virtualization, so for a VM only the
// exposed processor extensions count. On physical hardware a present hypervisor is Hyper-V itself.
func (v Virtualization) CanEnableHyperV() bool {
	extensions := v.FirmwareEnabled && v.SLAT && v.VMMonitorModeExtensions
	if v.LooksVirtual() {
		return extensions
	}
	return v.HypervisorPresent || extensions
}

// LooksVirtual reports whether the machine is a VM, from its manufacturer and model.
func (v Virtualization) LooksVirtual() bool {
	s := strings.ToLower(v.Manufacturer + " " + v.Model)
	for _, k := range []string{"virtual machine", "vmware", "qemu", "kvm", "xen", "virtualbox", "amazon ec2", "google compute"} {
		if strings.Contains(s, k) {
			return true
		}
	}
	return false
}
