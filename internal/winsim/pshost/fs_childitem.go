package pshost

import (
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Get-ChildItem (reference/5.1/Microsoft.PowerShell.Management/Get-ChildItem.md): a folder's items
// (folders, then files), with -Recurse every level below (a folder's items, then each subfolder's,
// inferred from the provider's depth-first walk), -File or -Directory (the FileSystem provider's
// dynamic parameters) to keep one kind. A path that is a file lists that file. -Force lists hidden
// items too (none are modelled). -Filter, -Include, -Exclude, -Name, -Depth and the attribute
// switches are not modelled. A registry key lists its subkeys.
func (h *fsHost) getChildItem() *engine.Cmdlet {
	const cmd = "GetChildItemCommand"
	params := append(pathParams(),
		engine.Param{Name: "Filter", Type: "string", Position: 1}, engine.Param{Name: "Include", Type: "string[]", Position: -1},
		engine.Param{Name: "Exclude", Type: "string[]", Position: -1}, engine.Param{Name: "Recurse", Aliases: []string{"s"}, Type: "switch", Position: -1},
		engine.Param{Name: "Depth", Type: "int", Position: -1}, engine.Param{Name: "Force", Type: "switch", Position: -1},
		engine.Param{Name: "Name", Type: "switch", Position: -1}, engine.Param{Name: "File", Aliases: []string{"af"}, Type: "switch", Position: -1},
		engine.Param{Name: "Directory", Aliases: []string{"ad", "d"}, Type: "switch", Position: -1},
		engine.Param{Name: "Hidden", Type: "switch", Position: -1}, engine.Param{Name: "Attributes", Type: "string", Position: -1})
	return &engine.Cmdlet{Name: "Get-ChildItem", Module: "Microsoft.PowerShell.Management", Params: params,
		Process: func(c *engine.Call) error {
			for _, p := range []string{"Filter", "Include", "Exclude", "Depth", "Name", "Hidden", "Attributes"} {
				if has(c, p) {
					return notImpl("Get-ChildItem -%s", p)
				}
			}
			paths, err := boundPaths(c, "Get-ChildItem")
			if err != nil {
				return err
			}
			if !has(c, "Path") && !has(c, "LiteralPath") {
				return notImpl("Get-ChildItem without a path (the current location)")
			}
			if err := checkNotEmpty(c, cmd, paths); err != nil {
				return err
			}
			for _, raw := range paths {
				if err := h.children(c, raw, cmd); err != nil {
					return err
				}
			}
			return nil
		}}
}

func (h *fsHost) children(c *engine.Call, raw, cmd string) error {
	p, err := h.resolve(raw)
	if err != nil {
		return err
	}
	recurse, files, dirs := flag(c, "Recurse"), flag(c, "File"), flag(c, "Directory")
	switch p.kind {
	case provRegistry:
		if files || dirs {
			return notImpl("Get-ChildItem -File/-Directory on a registry path")
		}
		return h.regChildren(c, raw, p.path, recurse, cmd)
	case provOther:
		if p.prov.Children == nil {
			return notImpl("Get-ChildItem on the %s: drive", p.drive)
		}
		items, err := p.prov.Children(p.path, recurse)
		for _, it := range items {
			c.Out(it)
		}
		return err
	}
	if !p.driveOK {
		return report(c, errDriveNotFound(cmd, p.drive))
	}
	e, ok := h.m.Stat(p.path)
	if !ok {
		return report(c, errNotFound(cmd, raw))
	}
	if !e.Dir {
		if !dirs {
			c.Out(&fsItem{e: e})
		}
		return nil
	}
	return h.walk(c, e.Path, recurse, files, dirs)
}

func (h *fsHost) walk(c *engine.Call, dir string, recurse, files, dirs bool) error {
	list, err := h.m.List(dir)
	if err != nil {
		return nil //nolint:nilerr // a folder removed while walking has no children
	}
	for _, e := range list {
		if (files && e.Dir) || (dirs && !e.Dir) {
			continue
		}
		c.Out(&fsItem{e: e, listed: true})
	}
	if !recurse {
		return nil
	}
	for _, e := range list {
		if e.Dir {
			if err := h.walk(c, e.Path, true, files, dirs); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h *fsHost) regChildren(c *engine.Call, raw, key string, recurse bool, cmd string) error {
	subs, ok := h.m.RegSubKeys(key)
	if !ok {
		return report(c, errNotFound(cmd, raw))
	}
	for _, s := range subs {
		path := s
		if key != "" {
			path = key + `\` + s
		}
		c.Out(&regKey{h: h, path: path, item: true})
		if recurse {
			if err := h.regChildren(c, raw, path, true, cmd); err != nil {
				return err
			}
		}
	}
	return nil
}
