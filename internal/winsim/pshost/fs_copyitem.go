package pshost

import (
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Copy-Item (reference/5.1/Microsoft.PowerShell.Management/Copy-Item.md) copies files and folders:
//   - a file to an existing folder goes into it; to any other path it becomes that file (an existing
//     file is replaced; its folder must exist);
//   - a folder to an existing folder goes into it as a subfolder; to a path that does not exist it
//     becomes that folder; without -Recurse only the folder is created, not its contents (the
//     documented 5.1 behaviour, Copy-Item.md example 3 and its -Recurse description).
//
// Items arrive by path or piped from Get-ChildItem (their PSPath binds -LiteralPath). A file a running
// service holds cannot be replaced; a full disk fails the file being copied. Errors are non-terminating
// and the next item is copied. -Filter, -Include, -Exclude, -Container:$false, -PassThru, -FromSession
// and -ToSession are not modelled; registry copies are not modelled.
func (h *fsHost) copyItem() *engine.Cmdlet {
	const cmd = "CopyItemCommand"
	params := append(pathParams(),
		engine.Param{Name: "Destination", Type: "string", Position: 1, ValueFromPipelineByPropertyName: true},
		engine.Param{Name: "Recurse", Type: "switch", Position: -1}, engine.Param{Name: "Force", Type: "switch", Position: -1},
		engine.Param{Name: "Container", Type: "switch", Position: -1}, engine.Param{Name: "PassThru", Type: "switch", Position: -1},
		engine.Param{Name: "Filter", Type: "string", Position: -1}, engine.Param{Name: "Include", Type: "string[]", Position: -1},
		engine.Param{Name: "Exclude", Type: "string[]", Position: -1}, engine.Param{Name: "FromSession", Type: "object", Position: -1},
		engine.Param{Name: "ToSession", Type: "object", Position: -1})
	return &engine.Cmdlet{Name: "Copy-Item", Module: "Microsoft.PowerShell.Management", Params: params,
		Process: func(c *engine.Call) error {
			for _, p := range []string{"Filter", "Include", "Exclude", "PassThru", "FromSession", "ToSession"} {
				if has(c, p) {
					return notImpl("Copy-Item -%s", p)
				}
			}
			if has(c, "Container") && !flag(c, "Container") {
				return notImpl("Copy-Item -Container:$false")
			}
			if !has(c, "Destination") {
				return notImpl("Copy-Item without -Destination (the current location)")
			}
			paths, err := boundPaths(c, "Copy-Item")
			if err != nil {
				return err
			}
			if err := checkNotEmpty(c, cmd, paths); err != nil {
				return err
			}
			dst, err := h.resolve(str(c, "Destination"))
			if err != nil {
				return err
			}
			for _, raw := range paths {
				src, err := h.resolve(raw)
				if err != nil {
					return err
				}
				if src.kind != provFileSystem || dst.kind != provFileSystem {
					return notImpl("Copy-Item between %s and %s paths", src.kind, dst.kind)
				}
				if !src.driveOK || !dst.driveOK {
					return report(c, errDriveNotFound(cmd, map[bool]string{true: dst.drive, false: src.drive}[src.driveOK]))
				}
				e, ok := h.m.Stat(src.path)
				if !ok {
					if err := report(c, errNotFound(cmd, raw)); err != nil {
						return err
					}
					continue
				}
				if err := h.copyEntry(c, e, dst.path, flag(c, "Recurse"), cmd); err != nil {
					return err
				}
			}
			return nil
		}}
}

func (h *fsHost) copyEntry(c *engine.Call, e machine.Entry, dest string, recurse bool, cmd string) error {
	target := dest
	if d, ok := h.m.Stat(dest); ok && d.Dir {
		target = d.Path + `\` + e.Name
		if len(d.Path) == 3 {
			target = d.Path + e.Name
		}
	}
	parent := parentPath(provFileSystem, target)
	if p, ok := h.m.Stat(parent); !ok || !p.Dir {
		return report(c, ioRecord(machine.ErrNoParent, target, "CopyFileInfoItemIOError", cmd, "WriteError"))
	}
	if !e.Dir {
		if h.m.InUse(target) {
			return report(c, ioRecord(errInUse, target, "CopyFileInfoItemIOError", cmd, "WriteError"))
		}
		if err := h.m.CopyFile(e.Path, target); err != nil {
			return report(c, ioRecord(err, target, "CopyFileInfoItemIOError", cmd, "WriteError"))
		}
		return nil
	}
	if err := h.m.MakeDir(target); err != nil {
		return report(c, ioRecord(err, target, "CopyDirectoryInfoItemIOError", cmd, "WriteError"))
	}
	if !recurse {
		return nil
	}
	list, err := h.m.List(e.Path)
	if err != nil {
		return nil //nolint:nilerr // the folder went while copying: nothing left to copy
	}
	for _, child := range list {
		if err := h.copyEntry(c, child, target, true, cmd); err != nil {
			return err
		}
	}
	return nil
}
