package azure

import (
	"context"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/facts"
)

// NestedPreflight is the nested-virtualization check for Hyper-V isolation and LCOW on an Azure VM:
// the size table (nestedVirtualization) and the security type from the API, plus what the guest
// itself reports (facts.Virtualization). It is never a silent pass: OK is true only when both the
// table and the guest agree, and anything else carries a warning that an override can accept.
type NestedPreflight struct {
	Size         string
	SecurityType string
	Table        NestedVerdict
	// Guest is the in-guest verdict: "can_enable" (virtualization extensions exposed, or the hypervisor
	// already runs Hyper-V), "cannot_enable", or "unknown" (no facts).
	Guest string
	// OK: Hyper-V isolation is expected to work. Warnings explain anything else, and Caveats apply even
	// when OK.
	OK       bool
	Warnings []string
	Caveats  []string
	// Overridden: the user accepted the warnings (the override flag); the caller proceeds.
	Overridden bool
}

// preflightNested combines the VM size and security type (VirtualMachinesClient.Get's
// hardwareProfile.vmSize and securityProfile.securityType) with the guest's virtualization facts
// (nil when not read yet) and the guest build (0 when unknown).
//
// Security type: "Standard" is the one Microsoft's nested-virtualization page requires. Trusted Launch
// (the portal default for Generation 2 images) blocked Hyper-V in the guest for years ("virtualization
// support is not enabled in the BIOS"), and today's documentation contradicts itself (docs/knowledge/azure.md#trusted-launch),
// so it is a warning that the in-guest signal settles; confidential VMs cannot nest at all.
func preflightNested(size, securityType string, guest *facts.Virtualization, guestBuild int, override bool) NestedPreflight {
	v := nestedVirtualization(size, guestBuild, securityType)
	p := NestedPreflight{Size: size, SecurityType: securityType, Table: v, Guest: "unknown", Caveats: v.Caveats, Overridden: override}
	if guest != nil {
		if guest.CanEnableHyperV() {
			p.Guest = "can_enable"
		} else {
			p.Guest = "cannot_enable"
		}
	}
	switch v.Answer {
	case NestedNo:
		p.Warnings = append(p.Warnings, "size "+size+": "+v.Reason)
	case NestedUnknown:
		p.Warnings = append(p.Warnings, "size "+size+": "+v.Reason)
	}
	switch p.Guest {
	case "cannot_enable":
		w := "the VM's guest does not expose virtualization extensions (Win32_Processor VMMonitorModeExtensions/SLAT/firmware) and no hypervisor runs: Hyper-V cannot be enabled"
		if strings.EqualFold(securityType, "TrustedLaunch") {
			w += "; the VM uses Trusted Launch: re-create it with Security Type \"Standard\""
		}
		p.Warnings = append(p.Warnings, w)
	case "unknown":
		p.Warnings = append(p.Warnings, "the in-guest virtualization signal has not been read (facts); the size table alone decides, and Azure exposes no nested-virtualization capability to confirm it")
	}
	p.OK = v.Answer == NestedYes && p.Guest == "can_enable"
	return p
}

// Err returns nil when the preflight passed or was overridden, and otherwise an error listing the
// warnings and how to override them.
func (p NestedPreflight) Err() error {
	if p.OK || p.Overridden {
		return nil
	}
	return fmt.Errorf("nested virtualization for Hyper-V isolation on Azure VM size %s (security type %s) is not confirmed: %s. "+
		"Choose a size from the Dsv5/Ddsv5/Dasv5/Esv5 families with Security Type \"Standard\", or set the override to proceed anyway",
		p.Size, orUnknown(p.SecurityType), strings.Join(p.Warnings, "; "))
}

func orUnknown(s string) string {
	if s == "" {
		return "not reported"
	}
	return s
}

// VMSizeAndSecurity reads the VM's size and security type with VirtualMachinesClient.Get, for
// preflightNested. A VM without a security profile reports "Standard" from API 2025-11-01 on.
func (r *RunCommandRunner) VMSizeAndSecurity(ctx context.Context) (size, securityType string, err error) {
	vm, err := r.Clients.VirtualMachines.Get(ctx, r.ResourceGroup, r.VMName, nil)
	if err != nil {
		return "", "", transportError("reading VM "+r.VMName, err, true)
	}
	if pr := vm.Properties; pr != nil {
		if pr.HardwareProfile != nil && pr.HardwareProfile.VMSize != nil {
			size = string(*pr.HardwareProfile.VMSize)
		}
		if pr.SecurityProfile != nil && pr.SecurityProfile.SecurityType != nil {
			securityType = string(*pr.SecurityProfile.SecurityType)
		}
	}
	return size, securityType, nil
}
