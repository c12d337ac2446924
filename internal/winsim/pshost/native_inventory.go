package pshost

import (
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// module is a PowerShell module as a host has it: its name, the cmdlets this part of winsim's host
// provides for it, and whether the host has the module now. Get-Command and Import-Module answer from
// it; 5.1 autoloads a present module's cmdlets without Import-Module.
type module struct {
	Name    string
	Cmdlets []string
	Present bool
	// Why says when the module is there, for messages and documentation.
	Why string
}

// tarMinBuild is the first build with tar.exe in System32: Windows 10 Insider build 17063, released as
// version 1803 (build 17134) ("Tar and Curl Come to Windows!", Microsoft command-line blog, December
// 2017). Windows Server 2016 (14393) and 1709 (16299) have none.
const tarMinBuild = 17063

// hnsMinBuild: inferred, like the module's presence itself (winsim's DIFFERENCES.md): Microsoft documents
// the HostNetworkingService module for Windows Server 2025 only; winsim gives it to builds from 17763
// (Server 2019) with the Containers feature installed.
const hnsMinBuild = 17763

// modules is the module inventory of the host: which modules this part of the host serves, with their
// cmdlets (modelled or stubbed as not modelled), and whether m has them now.
//
//   - ServerManager (Get-/Install-/Uninstall-WindowsFeature): Windows Server only (docset
//     winserver2022-ps/ServerManager; client editions have no ServerManager module).
//   - Dism: every edition (docset winserver2022-ps/DISM).
//   - HostNetworkingService (Get-/Remove-Hns*, no New-HnsNetwork on any release): inferred present when
//     the Containers feature is installed (the hns service exists) on build 17763 and later.
//   - NetSecurity, PKI, Microsoft.WSMan.Management, CimCmdlets, Microsoft.PowerShell.Diagnostics,
//     Microsoft.PowerShell.Management (the service and process cmdlets): every release from Windows
//     Server 2016 / Windows 10 on.
func modules(m *machine.Machine, _ *machine.Windows) []module {
	cfg := m.Config()
	_, hns := m.Service("hns")
	hnsPresent := hns && cfg.Build >= hnsMinBuild
	return []module{
		{Name: "Microsoft.PowerShell.Management", Present: true, Why: "in-box",
			Cmdlets: []string{"Get-Service", "Start-Service", "Stop-Service", "Restart-Service", "Set-Service", "Get-Process"}},
		{Name: "Microsoft.PowerShell.Diagnostics", Present: true, Why: "in-box", Cmdlets: []string{"Get-WinEvent"}},
		{Name: "CimCmdlets", Present: true, Why: "in-box", Cmdlets: []string{"Get-CimInstance"}},
		{Name: "ServerManager", Present: !cfg.Client, Why: "Windows Server only",
			Cmdlets: []string{"Get-WindowsFeature", "Install-WindowsFeature", "Uninstall-WindowsFeature"}},
		{Name: "Dism", Present: true, Why: "every edition",
			Cmdlets: []string{"Get-WindowsOptionalFeature", "Enable-WindowsOptionalFeature", "Disable-WindowsOptionalFeature"}},
		{Name: "HostNetworkingService", Present: hnsPresent, Why: "with the Containers feature (the hns service) on build 17763 and later (inferred)",
			Cmdlets: []string{"Get-HnsNetwork", "Remove-HnsNetwork", "Get-HnsEndpoint", "Get-HnsEndpointAddresses", "Get-HnsEndpointStats",
				"Get-HnsNamespace", "Get-HnsPolicyList", "Remove-HnsEndpoint", "Remove-HnsNamespace", "Remove-HnsPolicyList"}},
		{Name: "NetSecurity", Present: true, Why: "in-box", Cmdlets: []string{"Get-NetFirewallRule", "New-NetFirewallRule", "Remove-NetFirewallRule"}},
		{Name: "PKI", Present: true, Why: "in-box", Cmdlets: []string{"New-SelfSignedCertificate"}},
		{Name: "Microsoft.WSMan.Management", Present: true, Why: "in-box",
			Cmdlets: []string{"Get-WSManInstance", "New-WSManInstance", "Set-WSManInstance", "Remove-WSManInstance"}},
	}
}

// stubCmdlets are real cmdlets of the modules above that winsim does not model: they exist (Get-Command
// finds them) and fail loudly when run.
func (h *host) stubCmdlets() []*engine.Cmdlet {
	var out []*engine.Cmdlet
	for _, name := range []string{"Get-HnsEndpoint", "Get-HnsEndpointAddresses", "Get-HnsEndpointStats", "Get-HnsNamespace",
		"Get-HnsPolicyList", "Remove-HnsEndpoint", "Remove-HnsNamespace", "Remove-HnsPolicyList"} {
		n := name
		out = append(out, &engine.Cmdlet{Name: n, Module: "HostNetworkingService", Begin: func(*engine.Call) error {
			return notModelled("the cmdlet %s", n)
		}})
	}
	return out
}
