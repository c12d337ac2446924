package machine

import (
	"strconv"
	"strings"
)

// WindowsRelease describes the installed Windows as its registry reports it (winsim fills it from its release
// profile). Zero fields take the defaults New documents.
type WindowsRelease struct {
	// ProductName is the registry's ProductName ("Windows Server 2022 Datacenter"). Windows 11 keeps
	// "Windows 10 ..." there (inferred: widely observed; Microsoft documents the product name through
	// other APIs only). Default: "Windows Server Datacenter", or "Windows 10 Enterprise" on a client.
	ProductName string
	// DisplayVersion is the release ("1607", "1809", "21H2", "24H2"). See releaseValues for which
	// registry values carry it.
	DisplayVersion string
	// EditionID is "ServerStandard", "ServerDatacenter", "Professional", "Enterprise" (default
	// ServerDatacenter, or Enterprise on a client).
	EditionID string
	// InstallationType is "Server", "Server Core" or "Client" (default Server, or Client).
	InstallationType string
	// UBR is the update build revision (default 1).
	UBR int
	// ComputerName is the NetBIOS name (default WINSIM).
	ComputerName string
	// DotNetRelease is NET Framework Setup\NDP\v4\Full's Release (default: the in-box .NET Framework of
	// the build, dotNetRelease).
	DotNetRelease int
}

func (o WindowsRelease) withDefaults(cfg Config) WindowsRelease {
	def := func(s *string, server, client string) {
		if *s == "" {
			*s = server
			if cfg.Client {
				*s = client
			}
		}
	}
	def(&o.ProductName, "Windows Server Datacenter", "Windows 10 Enterprise")
	def(&o.EditionID, "ServerDatacenter", "Enterprise")
	def(&o.InstallationType, "Server", "Client")
	def(&o.ComputerName, "WINSIM", "WINSIM")
	if o.UBR == 0 {
		o.UBR = 1
	}
	if o.DotNetRelease == 0 {
		o.DotNetRelease = dotNetRelease(cfg.Build)
	}
	return o
}

// dotNetRelease is the Release value of the .NET Framework 4.x a build ships with. Values from
// dotnet/docs docs/framework/install/how-to-determine-which-versions-are-installed.md (the Release
// table); which version each build ships in the box from docs/framework/install/versions-and-dependencies.md.
// inferred: 533509 for build 26100 (the table lists it for Windows 11 25H2; 24H2 and Server 2025 ship
// 4.8.1 too) and 528449 for 25398 (Server 23H2 is built from the 2022 codebase).
func dotNetRelease(build int) int {
	switch {
	case build >= 26100:
		return 533509
	case build >= 25398:
		return 528449
	case build >= 22621:
		return 533320 // 4.8.1 on Windows 11 2022 and 2023 Updates
	case build >= 20348:
		return 528449 // 4.8 on Windows 11 and Windows Server 2022
	case build >= 19041:
		return 528372 // 4.8 on Windows 10 May 2020 Update and later
	case build >= 18362:
		return 528040 // 4.8 on Windows 10 May and November 2019 Updates
	case build >= 17763:
		return 461814 // 4.7.2 on Windows 10 1809 and Server 2019
	case build >= 17134:
		return 461808 // 4.7.2 on Windows 10 April 2018 Update and Server 1803
	case build >= 16299:
		return 461308 // 4.7.1 on Windows 10 Fall Creators Update and Server 1709
	default:
		return 394802 // 4.6.2 on Windows 10 Anniversary Update and Server 2016
	}
}

// releaseValues are CurrentVersion's release values. ReleaseId carried the release up to 2004 (build
// 19041); from 20H2 (19042) on, DisplayVersion carries it and ReleaseId stays "2009" (inferred: Windows
// behaviour widely documented by administrators; Microsoft's docs name DisplayVersion as the release
// from 20H2 on, e.g. Get-ComputerInfo's OSDisplayVersion, docs/knowledge/windows.md#releases-and-builds).
func releaseValues(build int, display string) map[string]string {
	if display == "" {
		return nil
	}
	if build >= 19042 {
		return map[string]string{"DisplayVersion": display, "ReleaseId": "2009"}
	}
	return map[string]string{"ReleaseId": display}
}

// systemEnvironment is what every process on the machine has beside the Session Manager's variables
// (inferred: the values of a default installation on drive C:).
func (m *Machine) systemEnvironmentLocked() map[string]string {
	return map[string]string{
		"SystemRoot": `C:\Windows`, "SystemDrive": "C:", "ProgramFiles": ProgramFiles, "ProgramData": ProgramData,
		"ProgramFiles(x86)": `C:\Program Files (x86)`, "ProgramW6432": ProgramFiles, "CommonProgramFiles": `C:\Program Files\Common Files`,
		"ALLUSERSPROFILE": ProgramData, "PUBLIC": `C:\Users\Public`, "COMPUTERNAME": m.release.ComputerName,
	}
}

// seedRegistryLocked writes what a fresh installation holds.
func (m *Machine) seedRegistryLocked() {
	o, b := m.release, strconv.Itoa(m.cfg.Build)
	str := func(key, name, v string) { m.setLocked(key, RegValue{Name: name, Kind: RegString, Data: v}) }
	exp := func(name, v string) {
		m.setLocked(EnvironmentKey, RegValue{Name: name, Kind: RegExpandString, Data: v})
	}
	dword := func(key, name string, v int) {
		m.setLocked(key, RegValue{Name: name, Kind: RegDWord, Data: uint32(v)}) //nolint:gosec // small constants
	}

	cv := CurrentVersionKey
	str(cv, "CurrentBuild", b)
	str(cv, "CurrentBuildNumber", b)
	dword(cv, "CurrentMajorVersionNumber", 10)
	dword(cv, "CurrentMinorVersionNumber", 0)
	str(cv, "CurrentVersion", "6.3")
	str(cv, "EditionID", o.EditionID)
	str(cv, "InstallationType", o.InstallationType)
	str(cv, "ProductName", o.ProductName)
	str(cv, "SystemRoot", `C:\Windows`)
	dword(cv, "UBR", o.UBR)
	for _, n := range []string{"DisplayVersion", "ReleaseId"} {
		if v, ok := releaseValues(m.cfg.Build, o.DisplayVersion)[n]; ok {
			str(cv, n, v)
		}
	}

	// The machine environment of a default installation (inferred from a Windows Server installation's
	// Session Manager\Environment; OpenSSH's entry from Windows 10 1809 / Server 2019 on, when the
	// OpenSSH client became a default feature).
	env := EnvironmentKey
	exp("ComSpec", `%SystemRoot%\system32\cmd.exe`)
	str(env, "NUMBER_OF_PROCESSORS", "2")
	str(env, "OS", "Windows_NT")
	path := []string{`%SystemRoot%\system32`, `%SystemRoot%`, `%SystemRoot%\System32\Wbem`, `%SYSTEMROOT%\System32\WindowsPowerShell\v1.0\`}
	if m.cfg.Build >= 17763 {
		path = append(path, `%SYSTEMROOT%\System32\OpenSSH\`)
	}
	exp("Path", strings.Join(path, ";"))
	str(env, "PATHEXT", ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC")
	str(env, "PROCESSOR_ARCHITECTURE", "AMD64")
	exp("PSModulePath", `%ProgramFiles%\WindowsPowerShell\Modules;%SystemRoot%\system32\WindowsPowerShell\v1.0\Modules`)
	exp("TEMP", `%SystemRoot%\TEMP`)
	exp("TMP", `%SystemRoot%\TEMP`)
	str(env, "USERNAME", "SYSTEM")
	exp("windir", `%SystemRoot%`)

	m.createKeyLocked(`SYSTEM\CurrentControlSet\Control\Session Manager`)
	str(`SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName`, "ComputerName", o.ComputerName)
	str(`SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName`, "ComputerName", o.ComputerName)
	dword(`SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full`, "Release", o.DotNetRelease)
	m.createKeyLocked(`SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing`)
	m.createKeyLocked(`SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update`)
	for _, s := range stockEventSources() {
		m.createKeyLocked(eventLogKey + `\` + s)
	}
}

// Release returns the installed Windows' description, as its registry reports it.
func (m *Machine) Release() WindowsRelease {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.release
}

// SystemEnvironment is the environment a new process on the machine starts with, before its user's
// variables: the machine's fixed variables and the Session Manager environment's values, expanded
// (the machine PATH among them).
func (m *Machine) SystemEnvironment() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	env := m.systemEnvironmentLocked()
	if key, ok := m.reg.keys[strings.ToLower(EnvironmentKey)]; ok {
		for _, n := range key.order {
			v := key.values[n]
			s, _ := v.Data.(string)
			if v.Kind == RegExpandString {
				s = ExpandEnv(s, env)
			}
			if v.Kind == RegString || v.Kind == RegExpandString {
				env[v.Name] = s
			}
		}
	}
	return env
}

// ExpandEnv replaces each %NAME% with the variable's value, names compared ignoring case; a name that
// is not set stays as written, as ExpandEnvironmentStrings leaves it (Win32
// ExpandEnvironmentStringsW: "If a variable is not found, the %variableName% portion is left
// unexpanded").
func ExpandEnv(s string, env map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		name := s[i+1 : i+1+j]
		if v, ok := lookupFold(env, name); ok && name != "" {
			b.WriteString(s[:i])
			b.WriteString(v)
			s = s[i+j+2:]
			continue
		}
		b.WriteString(s[:i+1+j])
		s = s[i+1+j:]
	}
}

func lookupFold(env map[string]string, name string) (string, bool) {
	if v, ok := env[name]; ok {
		return v, true
	}
	for k, v := range env {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}
