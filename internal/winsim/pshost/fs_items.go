package pshost

import (
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// fsItem is a System.IO.FileInfo or System.IO.DirectoryInfo as the FileSystem provider outputs it,
// with the provider's note properties (PSPath, PSParentPath, PSChildName, PSDrive, PSProvider,
// PSIsContainer; about_FileSystem_Provider.md).
type fsItem struct {
	e machine.Entry
	// listed is an item Get-ChildItem enumerated: .NET Framework's FileSystemInfo.ToString() returns the
	// path it was created with, which for an enumerated item is its name only (inferred: the widely
	// observed 5.1 behaviour of "$item" for Get-ChildItem output; Get-Item's items give the full path).
	listed bool
}

func (f *fsItem) TypeName() string {
	if f.e.Dir {
		return "System.IO.DirectoryInfo"
	}
	return "System.IO.FileInfo"
}

func (f *fsItem) TypeNames() []string {
	return []string{f.TypeName(), "System.IO.FileSystemInfo", "System.MarshalByRefObject", "System.Object"}
}

func (f *fsItem) ToString() string {
	if f.listed {
		return f.e.Name
	}
	return f.e.Path
}

// Property gives FileInfo's and DirectoryInfo's properties (.NET Framework 4.x) and the provider's.
func (f *fsItem) Property(name string) (any, bool) {
	e := f.e
	ext := ""
	if i := strings.LastIndexByte(e.Name, '.'); i >= 0 {
		ext = e.Name[i:]
	}
	when := value.FromTime(e.Modified, value.Local)
	switch strings.ToLower(name) {
	case "name", "pschildname":
		return e.Name, true
	case "fullname":
		return e.Path, true
	case "extension":
		return ext, true
	case "basename": // PowerShell's script property: the name without its extension (files only)
		if e.Dir {
			return e.Name, true
		}
		return strings.TrimSuffix(e.Name, ext), true
	case "exists":
		return true, true
	case "lastwritetime", "creationtime", "lastaccesstime":
		return when, true
	case "lastwritetimeutc", "creationtimeutc", "lastaccesstimeutc":
		return when.ToUniversalTime(), true
	case "attributes":
		if e.Dir {
			return "Directory", true
		}
		return "Archive", true
	case "mode":
		if e.Dir {
			return "d-----", true
		}
		return "-a----", true
	case "psiscontainer":
		return e.Dir, true
	case "pspath":
		return psPath(provFileSystem, e.Path), true
	case "psparentpath":
		if p := parentPath(provFileSystem, e.Path); p != "" {
			return psPath(provFileSystem, p), true
		}
		return "", true
	case "psdrive":
		return e.Path[:1], true // inferred: a PSDriveInfo, whose ToString is the drive name
	case "psprovider":
		return `Microsoft.PowerShell.Core\FileSystem`, true
	}
	if e.Dir {
		switch strings.ToLower(name) {
		case "parent":
			if p := parentPath(provFileSystem, e.Path); p != "" {
				return &fsItem{e: machine.Entry{Path: p, Name: leafName(p), Dir: true, Modified: e.Modified}}, true
			}
			return nil, true
		case "root":
			return &fsItem{e: machine.Entry{Path: e.Path[:3], Name: e.Path[:3], Dir: true, Modified: e.Modified}}, true
		}
		return nil, false
	}
	switch strings.ToLower(name) {
	case "length":
		return e.File.Size, true
	case "directoryname":
		return parentPath(provFileSystem, e.Path), true
	case "directory":
		p := parentPath(provFileSystem, e.Path)
		return &fsItem{e: machine.Entry{Path: p, Name: leafName(p), Dir: true, Modified: e.Modified}}, true
	case "isreadonly":
		return false, true
	}
	return nil, false
}

// InvokeMethod: FileSystemInfo's methods are not modelled beyond ToString.
func (f *fsItem) InvokeMethod(_ *engine.Session, name string, args []any) (any, error) {
	if strings.EqualFold(name, "ToString") && len(args) == 0 {
		return f.ToString(), nil
	}
	return nil, notImpl("the method %s.%s", f.TypeName(), name)
}
