package pshost

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Remove-Item (reference/5.1/Microsoft.PowerShell.Management/Remove-Item.md) deletes files, folders and
// registry keys. A folder or key with children needs -Recurse: without it 5.1 asks for confirmation,
// which fails in a non-interactive session. A path that does not exist is a non-terminating
// ItemNotFoundException. A file a running program holds (a running service's executable) cannot be
// deleted: "Cannot remove item X: Access to the path 'X' is denied." (inferred: FileSystemProviderStrings'
// CannotRemoveItem wording); a folder holding one is left whole (simplified: Windows would delete the
// other files). -Force would also delete hidden and read-only files (none are modelled). -Filter,
// -Include, -Exclude and -Stream are not modelled.
func (h *fsHost) removeItem() *engine.Cmdlet {
	const cmd = "RemoveItemCommand"
	params := append(pathParams(), engine.Param{Name: "Recurse", Type: "switch", Position: -1},
		engine.Param{Name: "Force", Type: "switch", Position: -1}, engine.Param{Name: "Filter", Type: "string", Position: -1},
		engine.Param{Name: "Include", Type: "string[]", Position: -1}, engine.Param{Name: "Exclude", Type: "string[]", Position: -1},
		engine.Param{Name: "Stream", Type: "string[]", Position: -1})
	return &engine.Cmdlet{Name: "Remove-Item", Module: "Microsoft.PowerShell.Management", Params: params,
		Process: func(c *engine.Call) error {
			for _, p := range []string{"Filter", "Include", "Exclude", "Stream"} {
				if has(c, p) {
					return notImpl("Remove-Item -%s", p)
				}
			}
			paths, err := boundPaths(c, "Remove-Item")
			if err != nil {
				return err
			}
			if err := checkNotEmpty(c, cmd, paths); err != nil {
				return err
			}
			for _, raw := range paths {
				if err := h.removeOne(c, raw, flag(c, "Recurse"), cmd); err != nil {
					return err
				}
			}
			return nil
		}}
}

func (h *fsHost) removeOne(c *engine.Call, raw string, recurse bool, cmd string) error {
	p, err := h.resolve(raw)
	if err != nil {
		return err
	}
	switch p.kind {
	case provRegistry:
		subs, ok := h.m.RegSubKeys(p.path)
		if !ok {
			return report(c, errNotFound(cmd, raw))
		}
		if len(subs) > 0 && !recurse {
			return report(c, errNonInteractive(cmd))
		}
		if _, err := h.m.RegDeleteKey(p.path); err != nil {
			return fmt.Errorf("Remove-Item %s: %w", raw, err)
		}
		return nil
	case provOther:
		if p.prov.Remove == nil {
			return notImpl("Remove-Item on the %s: drive", p.drive)
		}
		ok, err := p.prov.Remove(p.path, recurse)
		if err != nil {
			return err
		}
		if !ok {
			return report(c, errNotFound(cmd, raw))
		}
		return nil
	}
	if !p.driveOK {
		return report(c, errDriveNotFound(cmd, p.drive))
	}
	e, ok := h.m.Stat(p.path)
	if !ok {
		return report(c, errNotFound(cmd, raw))
	}
	if e.Dir {
		list, _ := h.m.List(e.Path)
		if len(list) > 0 && !recurse {
			return report(c, errNonInteractive(cmd))
		}
		if held := h.heldUnder(e.Path); held != "" {
			return report(c, cannotRemove(held, cmd))
		}
	} else if h.m.InUse(e.Path) {
		return report(c, cannotRemove(e.Path, cmd))
	}
	if _, err := h.m.Remove(e.Path, true); err != nil {
		return report(c, ioRecord(err, e.Path, "RemoveFileSystemItemIOError", cmd, "WriteError"))
	}
	return nil
}

// heldUnder is a file under dir that a running program holds, or "".
func (h *fsHost) heldUnder(dir string) string {
	list, err := h.m.List(dir)
	if err != nil {
		return ""
	}
	for _, e := range list {
		if e.Dir {
			if held := h.heldUnder(e.Path); held != "" {
				return held
			}
		} else if h.m.InUse(e.Path) {
			return e.Path
		}
	}
	return ""
}

func cannotRemove(path, cmd string) *engine.ErrorRecord {
	_, msg := dotnetError(errAccessDenied, path)
	return engine.NewError("System.UnauthorizedAccessException", fmt.Sprintf("Cannot remove item %s: %s", path, strings.TrimSpace(msg)),
		errorID("RemoveFileSystemItemUnAuthorizedAccess", cmd), "PermissionDenied", path)
}
