package pshost

import (
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// Provider is a PowerShell provider that another part of winsim implements (the certificate store's
// Cert:\ drive, the WSMan:\ drive): the item cmdlets here hand it every path on its drive. A nil
// function is an operation the provider does not model.
type Provider struct {
	// Drive is the drive name without the colon ("Cert"); paths "Cert:\LocalMachine\My\<thumbprint>"
	// and "Microsoft.PowerShell.Security\Certificate::..." forms are not distinguished: the provider
	// receives the path as the script wrote it.
	Drive string
	// Exists is Test-Path (container reports whether the item is a container).
	Exists func(path string) (exists, container bool, err error)
	// Get is Get-Item: the item, or ok false when it does not exist.
	Get func(path string) (item any, ok bool, err error)
	// Remove is Remove-Item: ok false when the item does not exist.
	Remove func(path string, recurse bool) (ok bool, err error)
	// Children is Get-ChildItem.
	Children func(path string, recurse bool) ([]any, error)
}

// fsHost is the machine the cmdlets act on and the providers other parts of winsim add.
type fsHost struct {
	m         *machine.Machine
	providers []Provider
	enums     hostEnums
	// open are the files this session holds open for writing (FileStreams not yet closed).
	open map[string]*fileStream
}

// Provider kinds of a resolved path.
const (
	provFileSystem = "FileSystem"
	provRegistry   = "Registry"
	provOther      = "Other"
)

// itemPath is a path a cmdlet received, resolved to its provider.
type itemPath struct {
	kind string
	// path is the provider's path: a clean file system path ("C:\x"), a registry key without the hive
	// ("SOFTWARE\x"), or the path as written for another provider.
	path string
	// given is the path as the script wrote it, for error messages.
	given string
	// drive is the drive name ("C", "HKLM", "Cert"); driveOK false for a drive that does not exist.
	drive   string
	driveOK bool
	prov    *Provider
}

// resolve finds a path's provider. Relative paths, other drives and other providers are not modelled.
func (h *fsHost) resolve(raw string) (itemPath, error) {
	p := itemPath{given: raw}
	rest := raw
	lower := strings.ToLower(raw)
	for _, pre := range []string{`microsoft.powershell.core\filesystem::`, `filesystem::`} {
		if strings.HasPrefix(lower, pre) {
			rest = raw[len(pre):]
			lower = strings.ToLower(rest)
		}
	}
	for _, pre := range []string{`microsoft.powershell.core\provRegistry::`, `provRegistry::`} {
		if strings.HasPrefix(lower, pre) {
			key, err := machine.RegPath(rest[len(pre):])
			if err != nil {
				return p, notImpl("the provRegistry path %q (%v)", raw, err)
			}
			p.kind, p.path, p.drive, p.driveOK = provRegistry, key, "HKLM", true
			return p, nil
		}
	}
	colon := strings.IndexByte(rest, ':')
	if colon <= 0 || strings.ContainsAny(rest[:colon], `\/`) {
		return p, notImpl("relative paths (%q): the library's scripts use absolute paths", raw)
	}
	drive := rest[:colon]
	switch {
	case len(drive) == 1 && isLetter(drive[0]):
		p.kind, p.drive = provFileSystem, strings.ToUpper(drive)
		p.driveOK = p.drive == "C"
		if len(rest) == 2 {
			rest += `\`
		}
		clean, err := machine.CleanPath(rest)
		if err != nil {
			return p, notImpl("the path %q (drive-relative paths)", raw)
		}
		p.path = clean
		return p, nil
	case strings.EqualFold(drive, "HKLM"):
		key, err := machine.RegPath(rest)
		if err != nil {
			return p, notImpl("the provRegistry path %q", raw)
		}
		p.kind, p.path, p.drive, p.driveOK = provRegistry, key, "HKLM", true
		return p, nil
	}
	for i := range h.providers {
		if strings.EqualFold(h.providers[i].Drive, drive) {
			p.kind, p.path, p.drive, p.driveOK, p.prov = provOther, raw, h.providers[i].Drive, true, &h.providers[i]
			return p, nil
		}
	}
	return p, notImpl("the %s: drive (%q)", drive, raw)
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// hasWildcard reports whether a -Path holds wildcard characters, which 5.1 expands
// (about_Wildcards); expansion is not modelled.
func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?[") }

// regDisplay is a provRegistry key as the provider names it in messages: HKEY_LOCAL_MACHINE\path.
func regDisplay(key string) string {
	if key == "" {
		return machine.HKLM
	}
	return machine.HKLM + `\` + key
}

// psPath is an item's PSPath.
func psPath(kind, path string) string {
	if kind == provRegistry {
		return `Microsoft.PowerShell.Core\Registry::` + regDisplay(path)
	}
	return `Microsoft.PowerShell.Core\FileSystem::` + path
}

// parentPath is a file system or provRegistry path's parent ("" at a root).
func parentPath(kind, path string) string {
	if kind == provRegistry {
		if i := strings.LastIndexByte(path, '\\'); i >= 0 {
			return path[:i]
		}
		return ""
	}
	if len(path) <= 3 {
		return ""
	}
	i := strings.LastIndexByte(path, '\\')
	if i == 2 {
		return path[:3]
	}
	return path[:i]
}

func leafName(path string) string {
	if len(path) <= 3 && strings.HasSuffix(path, `:\`) {
		return path
	}
	return path[strings.LastIndexByte(path, '\\')+1:]
}
