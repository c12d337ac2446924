package pshost

import (
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Test-Path (reference/5.1/Microsoft.PowerShell.Management/Test-Path.md): $true when every element of
// the path exists, $false otherwise; -PathType Container or Leaf asks for a folder (a registry key) or a
// file. One boolean per path. -IsValid, -Include, -Exclude, -Filter, -NewerThan and -OlderThan are not
// modelled.
func (h *fsHost) testPath() *engine.Cmdlet {
	params := append(pathParams(),
		engine.Param{Name: "PathType", Aliases: []string{"Type"}, Type: "string", Position: -1},
		engine.Param{Name: "IsValid", Type: "switch", Position: -1},
		engine.Param{Name: "Filter", Type: "string", Position: -1},
		engine.Param{Name: "Include", Type: "string[]", Position: -1},
		engine.Param{Name: "Exclude", Type: "string[]", Position: -1},
	)
	const cmd = "TestPathCommand"
	return &engine.Cmdlet{Name: "Test-Path", Module: "Microsoft.PowerShell.Management", Params: params,
		Process: func(c *engine.Call) error {
			for _, p := range []string{"IsValid", "Filter", "Include", "Exclude"} {
				if has(c, p) {
					return notImpl("Test-Path -%s", p)
				}
			}
			pathType := "Any"
			if has(c, "PathType") {
				switch t := strings.ToLower(str(c, "PathType")); t {
				case "any", "container", "leaf":
					pathType = strings.ToUpper(t[:1]) + t[1:]
				default:
					// inferred: the TestPathType enum conversion's message.
					return engine.NewError("System.Management.Automation.ParameterBindingException",
						"Cannot bind parameter 'PathType'. Cannot convert value \""+str(c, "PathType")+
							"\" to type \"Microsoft.PowerShell.Commands.TestPathType\". Error: \"Unable to match the identifier name "+
							str(c, "PathType")+" to a valid enumerator name. Specify one of the following enumerator names and try again:\r\nAny, Container, Leaf\"",
						errorID("CannotConvertArgumentNoMessage", cmd), "InvalidArgument", nil)
				}
			}
			paths, err := boundPaths(c, "Test-Path")
			if err != nil {
				return err
			}
			if err := checkNotEmpty(c, cmd, paths); err != nil {
				return err
			}
			for _, raw := range paths {
				if name, ok := variablePath(raw); ok {
					exists, err := variableExists(c.Session, name, pathType)
					if err != nil {
						return err
					}
					c.Out(exists)
					continue
				}
				exists, container, err := h.exists(raw)
				if err != nil {
					return err
				}
				switch pathType {
				case "Container":
					exists = exists && container
				case "Leaf":
					exists = exists && !container
				}
				c.Out(exists)
			}
			return nil
		}}
}

// exists reports whether an item exists and is a container (a folder, a registry key).
func (h *fsHost) exists(raw string) (exists, container bool, err error) {
	p, err := h.resolve(raw)
	if err != nil {
		return false, false, err
	}
	switch p.kind {
	case provFileSystem:
		e, ok := h.stat(p)
		return ok, e.Dir, nil
	case provRegistry:
		return h.m.RegKeyExists(p.path), true, nil
	}
	if p.prov.Exists == nil {
		return false, false, notImpl("Test-Path on the %s: drive", p.drive)
	}
	return p.prov.Exists(p.path)
}

// variablePath reads a path on the Variable: drive (about_Variable_Provider: `Variable:\name`, and the
// scope-qualified `variable:global:name` Packer's WinRM communicator tests before every command): the
// variable's name, "" for the drive's root, and ok false for a path on another drive.
func variablePath(raw string) (name string, ok bool) {
	lower := strings.ToLower(raw)
	if !strings.HasPrefix(lower, "variable:") {
		return "", false
	}
	name = strings.TrimLeft(raw[len("variable:"):], `\/`)
	for _, sc := range []string{"global:", "script:", "local:", "private:"} {
		if strings.HasPrefix(strings.ToLower(name), sc) {
			name = name[len(sc):]
			break
		}
	}
	return name, true
}

// variableExists is Test-Path on the Variable: drive: the root is a container, a variable is a leaf that
// exists when the script can see it. The scope qualifier is read but the lookup is the script's own
// (a variable of an inner scope counts for global:); wildcards are not modelled.
func variableExists(s *engine.Session, name, pathType string) (bool, error) {
	if strings.ContainsAny(name, "*?[") {
		return false, notImpl("Test-Path with a wildcard on the Variable: drive")
	}
	if name == "" {
		return pathType != "Leaf", nil
	}
	_, ok := s.Var(name)
	return ok && pathType != "Container", nil
}
