// Package pshost is winsim's host for its Windows PowerShell 5.1 engine (internal/winsim/ps51/engine):
// the cmdlets and .NET types through which the library's scripts (internal/powershell/scripts) act on
// the simulated machine (internal/winsim/machine).
//
// The fs*, registry*, web*, iotypes* and archive* files are the file system, the registry, downloads,
// archives and the host .NET types ([IO.File], [Microsoft.Win32.Registry], [Environment], [Net.Dns]);
// fileSystem returns them. Every behaviour follows Windows PowerShell 5.1's documentation
// (MicrosoftDocs/PowerShell-Docs reference/5.1/..., cited per cmdlet) or .NET Framework's; where a text
// or a rule is not documented the comment says "inferred:". What is not modelled fails with the
// engine's NotImplementedError ("winsim's PowerShell does not implement ..."), never silently.
//
// All the cmdlets here are in Windows PowerShell 5.1's Microsoft.PowerShell.Management,
// Microsoft.PowerShell.Utility and Microsoft.PowerShell.Archive modules, present on every Windows
// Server 2016-2025 and Windows 10/11 (reference/5.1/Microsoft.PowerShell.Management/
// Microsoft.PowerShell.Management.md and .../Microsoft.PowerShell.Utility/Microsoft.PowerShell.Utility.md
// list them; Expand-Archive came with 5.0, reference/5.1/Microsoft.PowerShell.Archive/Expand-Archive.md),
// so none is conditional. What differs by installation is Internet Explorer's engine, which
// Invoke-WebRequest needs without -UseBasicParsing (Server Core has none; web.go).
package pshost
