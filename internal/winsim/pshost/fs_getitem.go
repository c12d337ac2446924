package pshost

import (
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Get-Item (reference/5.1/Microsoft.PowerShell.Management/Get-Item.md): the item at each path, a
// FileInfo, DirectoryInfo or RegistryKey, or the item another provider (Cert:\) returns. A path that
// does not exist is a non-terminating ItemNotFoundException. -Include, -Exclude, -Filter and -Stream
// are not modelled; -Force changes nothing (no hidden items are modelled).
func (h *fsHost) getItem() *engine.Cmdlet {
	const cmd = "GetItemCommand"
	params := append(pathParams(), engine.Param{Name: "Force", Type: "switch", Position: -1},
		engine.Param{Name: "Filter", Type: "string", Position: -1}, engine.Param{Name: "Include", Type: "string[]", Position: -1},
		engine.Param{Name: "Exclude", Type: "string[]", Position: -1}, engine.Param{Name: "Stream", Type: "string[]", Position: -1})
	return &engine.Cmdlet{Name: "Get-Item", Module: "Microsoft.PowerShell.Management", Params: params,
		Process: func(c *engine.Call) error {
			for _, p := range []string{"Filter", "Include", "Exclude", "Stream"} {
				if has(c, p) {
					return notImpl("Get-Item -%s", p)
				}
			}
			paths, err := boundPaths(c, "Get-Item")
			if err != nil {
				return err
			}
			if err := checkNotEmpty(c, cmd, paths); err != nil {
				return err
			}
			for _, raw := range paths {
				item, rec, err := h.item(raw, cmd)
				if err != nil {
					return err
				}
				if rec != nil {
					if err := report(c, rec); err != nil {
						return err
					}
					continue
				}
				c.Out(item)
			}
			return nil
		}}
}

// item finds the item at a path: the object, or the error record 5.1 writes when there is none.
func (h *fsHost) item(raw, cmd string) (any, *engine.ErrorRecord, error) {
	p, err := h.resolve(raw)
	if err != nil {
		return nil, nil, err
	}
	switch p.kind {
	case provFileSystem:
		if !p.driveOK {
			return nil, errDriveNotFound(cmd, p.drive), nil
		}
		e, ok := h.m.Stat(p.path)
		if !ok {
			return nil, errNotFound(cmd, raw), nil
		}
		return &fsItem{e: e}, nil, nil
	case provRegistry:
		name, ok := h.m.RegKeyName(p.path)
		if !ok {
			return nil, errNotFound(cmd, raw), nil
		}
		return &regKey{h: h, path: name, item: true}, nil, nil
	}
	if p.prov.Get == nil {
		return nil, nil, notImpl("Get-Item on the %s: drive", p.drive)
	}
	it, ok, err := p.prov.Get(p.path)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, errNotFound(cmd, raw), nil
	}
	return it, nil, nil
}
