package pshost

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// New-Item (reference/5.1/Microsoft.PowerShell.Management/New-Item.md) creates a folder or an empty
// file (-ItemType Directory/File; a folder's missing parents are created, a file's only with -Force), or
// a registry key (-ItemType ignored; with -Force its missing parents are created). It outputs the new
// item. Without -Force an existing item is an error; with it an existing folder is output as it is, an
// existing file is emptied, and an existing registry key is DELETED with its values and subkeys and
// created again (RegistryProvider.NewItem: "Remove the existing key before creating the new one",
// PowerShell/PowerShell src/System.Management.Automation/namespaces/RegistryProvider.cs, the same code
// in 5.1). -Name joins the path. -Value, SymbolicLink, Junction and HardLink are not modelled.
func (h *fsHost) newItem() *engine.Cmdlet {
	const cmd = "NewItemCommand"
	params := []engine.Param{
		{Name: "Path", Type: "string[]", Position: 0, ValueFromPipelineByPropertyName: true},
		{Name: "Name", Type: "string", Position: -1, ValueFromPipelineByPropertyName: true},
		{Name: "ItemType", Aliases: []string{"Type"}, Type: "string", Position: -1, ValueFromPipelineByPropertyName: true},
		{Name: "Value", Aliases: []string{"Target"}, Type: "object", Position: -1, ValueFromPipeline: true, ValueFromPipelineByPropertyName: true},
		{Name: "Force", Type: "switch", Position: -1},
	}
	return &engine.Cmdlet{Name: "New-Item", Module: "Microsoft.PowerShell.Management", Params: params,
		Process: func(c *engine.Call) error {
			if has(c, "Value") && c.Bound["Value"] != nil {
				return notImpl("New-Item -Value")
			}
			paths := strs(c, "Path")
			if len(paths) == 0 {
				return notImpl("New-Item without -Path (the current location)")
			}
			if err := checkNotEmpty(c, cmd, paths); err != nil {
				return err
			}
			for _, raw := range paths {
				if n := str(c, "Name"); n != "" {
					raw = strings.TrimRight(raw, `\`) + `\` + n
				}
				if err := h.newOne(c, raw, cmd); err != nil {
					return err
				}
			}
			return nil
		}}
}

func (h *fsHost) newOne(c *engine.Call, raw, cmd string) error {
	p, err := h.resolve(raw)
	if err != nil {
		return err
	}
	force := flag(c, "Force")
	switch p.kind {
	case provRegistry:
		return h.newKey(c, p, force, cmd)
	case provOther:
		return notImpl("New-Item on the %s: drive", p.drive)
	}
	if !p.driveOK {
		return report(c, errDriveNotFound(cmd, p.drive))
	}
	kind := strings.ToLower(str(c, "ItemType"))
	switch kind {
	case "directory", "file":
	case "":
		// The FileSystem provider asks for the type (inferred: "Type:" prompt) and cannot under WinRM.
		return report(c, errNonInteractive(cmd))
	default:
		return notImpl("New-Item -ItemType %s", str(c, "ItemType"))
	}
	existing, exists := h.m.Stat(p.path)
	if kind == "directory" {
		if exists {
			if existing.Dir && force {
				c.Out(&fsItem{e: existing})
				return nil
			}
			// inferred: FileSystemProviderStrings.DirectoryExist, id DirectoryExist.
			return report(c, engine.NewError("System.IO.IOException", fmt.Sprintf("An item with the specified name %s already exists.", p.path),
				errorID("DirectoryExist", cmd), "ResourceExists", p.path))
		}
		if err := h.m.MakeDir(p.path); err != nil {
			return report(c, ioRecord(err, p.path, "CreateDirectoryIOError", cmd, "WriteError"))
		}
		e, _ := h.m.Stat(p.path)
		c.Out(&fsItem{e: e})
		return nil
	}
	if exists && existing.Dir {
		return report(c, ioRecord(machine.ErrIsDir, p.path, "NewItemUnauthorizedAccessError", cmd, "PermissionDenied"))
	}
	if exists && !force {
		// inferred: FileSystemProviderStrings' "The file '{0}' already exists.", id NewItemIOError.
		return report(c, engine.NewError("System.IO.IOException", fmt.Sprintf("The file '%s' already exists.", p.path),
			errorID("NewItemIOError", cmd), "WriteError", p.path))
	}
	if force {
		if err := h.m.MakeDir(parentPath(provFileSystem, p.path)); err != nil {
			return report(c, ioRecord(err, p.path, "NewItemIOError", cmd, "WriteError"))
		}
	}
	if h.m.InUse(p.path) {
		return report(c, ioRecord(errInUse, p.path, "NewItemIOError", cmd, "WriteError"))
	}
	if err := h.m.CreateFile(p.path, emptyFile()); err != nil {
		return report(c, ioRecord(err, p.path, "NewItemIOError", cmd, "WriteError"))
	}
	e, _ := h.m.Stat(p.path)
	c.Out(&fsItem{e: e})
	return nil
}

// emptyFile is a file of no bytes.
func emptyFile() machine.File {
	return machine.File{Size: 0, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Content: []byte{}}
}

func (h *fsHost) newKey(c *engine.Call, p itemPath, force bool, cmd string) error {
	if h.m.RegKeyExists(p.path) {
		if !force {
			// RegistryProviderStrings.KeyAlreadyExists (inferred text), IOException, ResourceExists.
			return report(c, engine.NewError("System.IO.IOException", "A key at this path already exists.",
				errorID("System.IO.IOException", cmd), "ResourceExists", regDisplay(p.path)))
		}
		if _, err := h.m.RegDeleteKey(p.path); err != nil {
			return fmt.Errorf("New-Item %s: %w", p.given, err)
		}
	}
	if parent := parentPath(provRegistry, p.path); !force && !h.m.RegKeyExists(parent) {
		return report(c, errNotFound(cmd, "HKLM:\\"+parent))
	}
	if _, err := h.m.RegCreateKey(p.path); err != nil {
		return fmt.Errorf("New-Item %s: %w", p.given, err)
	}
	name, _ := h.m.RegKeyName(p.path)
	c.Out(&regKey{h: h, path: name, item: true})
	return nil
}
