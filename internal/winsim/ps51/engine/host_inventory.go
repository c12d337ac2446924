package engine

// What winsim's host must provide for the library (internal/powershell/scripts, both bootstraps and
// the Azure Run Command wrappers) to run: the cmdlets with the parameters the scripts pass, the .NET
// types and static members, the methods of host objects, and the native programs called by name.
// TestLibraryParity fails when the library uses something that is neither implemented by the engine
// nor listed here; TestHostInventoryIsUsed fails when an entry is no longer used.

// inventory is the host's part of the library's surface.
type inventory struct {
	Commands map[string][]string // cmdlet -> the parameters the scripts pass
	Types    []string            // full names
	Statics  []string            // Type::Member, full type names
	Methods  []string            // instance methods of host objects
	Natives  []string            // applications called by name
}

// hostInventory returns the inventory (a fresh copy each time).
func hostInventory() inventory {
	inv := inventory{Commands: map[string][]string{}}
	for k, v := range hostCommands {
		inv.Commands[k] = append([]string(nil), v...)
	}
	inv.Types = append(inv.Types, hostTypes...)
	inv.Statics = append(inv.Statics, hostStatics...)
	inv.Methods = append(inv.Methods, hostMethods...)
	inv.Natives = append(inv.Natives, hostNatives...)
	return inv
}

// hostCommands are the host's cmdlets (the common parameters, -ErrorAction among them, are the
// engine's and are not listed).
var hostCommands = map[string][]string{
	"Copy-Item":                      {"Destination", "Force", "LiteralPath", "Recurse"},
	"Disable-WindowsOptionalFeature": {"FeatureName", "NoRestart", "Online"},
	"Enable-WindowsOptionalFeature":  {"All", "FeatureName", "NoRestart", "Online"},
	"Expand-Archive":                 {"DestinationPath", "Force", "LiteralPath"},
	"Get-ChildItem":                  {"File", "Force", "LiteralPath", "Recurse"},
	"Get-CimInstance":                {"ClassName", "Filter"},
	"Get-Content":                    {"Encoding", "LiteralPath"},
	"Get-FileHash":                   {"Algorithm", "LiteralPath"},
	"Get-HnsNetwork":                 {},
	"Get-Item":                       {"LiteralPath"},
	"Get-ItemProperty":               {"Name", "Path"},
	"Get-NetFirewallRule":            {"Name"},
	"Get-Process":                    {"Name"},
	"Get-Service":                    {"Name"},
	"Get-WSManInstance":              {"ResourceURI", "SelectorSet"},
	"Get-WinEvent":                   {"FilterHashtable", "MaxEvents"},
	"Get-WindowsFeature":             {"Name"},
	"Get-WindowsOptionalFeature":     {"FeatureName", "Online"},
	"Install-WindowsFeature":         {"IncludeManagementTools", "Name"},
	"Invoke-WebRequest":              {"OutFile", "Uri", "UseBasicParsing"},
	"New-Item":                       {"Force", "ItemType", "Path"},
	"New-ItemProperty":               {"Force", "Name", "Path", "PropertyType", "Value"},
	"New-NetFirewallRule":            {"Action", "Direction", "DisplayName", "LocalPort", "Name", "Profile", "Protocol"},
	"New-SelfSignedCertificate":      {"CertStoreLocation", "HashAlgorithm", "KeyAlgorithm", "KeyLength", "NotAfter", "Subject", "TextExtension"},
	"New-WSManInstance":              {"ResourceURI", "SelectorSet", "ValueSet"},
	"Remove-HnsNetwork":              {},
	"Remove-Item":                    {"Force", "LiteralPath", "Recurse"},
	"Remove-NetFirewallRule":         {"Name"},
	"Remove-WSManInstance":           {"ResourceURI", "SelectorSet"},
	"Restart-Service":                {"Force", "Name"},
	"Set-Service":                    {"Name", "StartupType"},
	"Set-WSManInstance":              {"ResourceURI", "SelectorSet", "ValueSet"},
	"Start-Service":                  {"Name"},
	"Stop-Service":                   {"Force", "Name"},
	"Test-Path":                      {"LiteralPath", "PathType"},
	"Uninstall-WindowsFeature":       {"IncludeManagementTools", "Name"},
}

// hostTypes are .NET types that touch the machine: files, the registry, DNS.
var hostTypes = []string{
	"System.IO.File",
	"System.IO.FileStream",
	"Microsoft.Win32.Registry",
	"System.Net.Dns",
}

// hostStatics are the static members of the host's types the library calls. [Environment]'s
// GetEnvironmentVariable and SetEnvironmentVariable are the engine's for the process target; the
// Machine and User targets need a host type System.Environment that replaces the engine's.
var hostStatics = []string{
	"System.IO.File::Move",
	"System.IO.File::Open",
	"System.IO.File::ReadAllBytes",
	"System.IO.File::ReadAllText",
	"System.IO.File::Replace",
	"System.IO.File::WriteAllText",
	"Microsoft.Win32.Registry::LocalMachine",
	"System.Net.Dns::GetHostName",
	"System.Environment::GetEnvironmentVariable",
	"System.Environment::SetEnvironmentVariable",
}

// hostMethods are methods of host objects (a ServiceController's WaitForStatus, a RegistryKey's
// OpenSubKey, a FileStream's SetLength). The check is by name: GetValue, SetValue, Close, Seek, Write
// and Dispose are also engine methods, so the host's RegistryKey and FileStream must implement them
// through Invoker too.
var hostMethods = []string{"OpenSubKey", "SetLength", "WaitForStatus", "GetValue", "SetValue", "Close", "Seek", "Write", "Dispose", "Refresh"}

// hostNatives are applications the library runs by name (others it runs by full path).
var hostNatives = []string{}
