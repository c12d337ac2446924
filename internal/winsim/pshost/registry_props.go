package pshost

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Get-ItemProperty (reference/5.1/Microsoft.PowerShell.Management/Get-ItemProperty.md) on a registry key:
// a PSCustomObject with the key's values (or only those -Name lists) followed by PSPath, PSParentPath,
// PSChildName, PSDrive and PSProvider (about_Registry_Provider.md). Values convert as RegistryKey.GetValue
// does (REG_EXPAND_SZ expanded against the process environment, a DWORD as Int32). A key that does not
// exist is an ItemNotFoundException; a -Name the key lacks is "Property X does not exist at path
// HKEY_LOCAL_MACHINE\..." (PSArgumentException, RegistryProviderStrings.PropertyNotAtPath, inferred
// text), and no object is written when none of the names exists (inferred). File system properties
// and wildcards in -Name are not modelled.
func (h *fsHost) getItemProperty() *engine.Cmdlet {
	const cmd = "GetItemPropertyCommand"
	params := append(pathParams(), engine.Param{Name: "Name", Type: "string[]", Position: 1},
		engine.Param{Name: "Filter", Type: "string", Position: -1}, engine.Param{Name: "Include", Type: "string[]", Position: -1},
		engine.Param{Name: "Exclude", Type: "string[]", Position: -1})
	return &engine.Cmdlet{Name: "Get-ItemProperty", Module: "Microsoft.PowerShell.Management", Params: params,
		Process: func(c *engine.Call) error {
			for _, p := range []string{"Filter", "Include", "Exclude"} {
				if has(c, p) {
					return notImpl("Get-ItemProperty -%s", p)
				}
			}
			paths, err := boundPaths(c, "Get-ItemProperty")
			if err != nil {
				return err
			}
			if err := checkNotEmpty(c, cmd, paths); err != nil {
				return err
			}
			names := strs(c, "Name")
			for _, n := range names {
				if hasWildcard(n) {
					return notImpl("wildcards in Get-ItemProperty -Name (%q)", n)
				}
			}
			for _, raw := range paths {
				if err := h.itemProperty(c, raw, names, cmd); err != nil {
					return err
				}
			}
			return nil
		}}
}

func (h *fsHost) itemProperty(c *engine.Call, raw string, names []string, cmd string) error {
	p, err := h.resolve(raw)
	if err != nil {
		return err
	}
	if p.kind != provRegistry {
		return notImpl("Get-ItemProperty on %s paths (%q)", p.kind, raw)
	}
	key, ok := h.m.RegKeyName(p.path)
	if !ok {
		return report(c, errNotFound(cmd, raw))
	}
	vals, _ := h.m.RegValues(key)
	env := sessionEnv(c.Session)
	obj := value.NewPSObject()
	if len(names) == 0 {
		for _, v := range vals {
			obj.Set(v.Name, regValueToPS(v, true, env))
		}
	}
	for _, n := range names {
		v, _, ok := h.m.RegGetValue(key, n)
		if !ok {
			rec := engine.NewError("System.Management.Automation.PSArgumentException",
				fmt.Sprintf("Property %s does not exist at path %s.", n, regDisplay(key)),
				errorID("System.Management.Automation.PSArgumentException", cmd), "InvalidArgument", n)
			if err := report(c, rec); err != nil {
				return err
			}
			continue
		}
		obj.Set(v.Name, regValueToPS(v, true, env))
	}
	if len(names) > 0 && obj.Len() == 0 {
		return nil
	}
	addRegNotes(obj, key)
	c.Out(obj)
	return nil
}

func addRegNotes(obj *value.PSObject, key string) {
	obj.Set("PSPath", psPath(provRegistry, key))
	obj.Set("PSParentPath", psPath(provRegistry, parentPath(provRegistry, key)))
	obj.Set("PSChildName", leafName(key))
	obj.Set("PSDrive", "HKLM")
	obj.Set("PSProvider", `Microsoft.PowerShell.Core\Registry`)
}

// New-ItemProperty (reference/5.1/Microsoft.PowerShell.Management/New-ItemProperty.md) adds a value to
// a registry key: -PropertyType String, ExpandString, Binary, DWord, MultiString, QWord (or none: the
// kind .NET picks for the value's type). A value of that name is an error without -Force ("The property
// already exists.", IOException, inferred text) and is replaced with it. It outputs a PSCustomObject with
// the value and the PS* properties. A key that does not exist is an ItemNotFoundException.
func (h *fsHost) newItemProperty() *engine.Cmdlet {
	const cmd = "NewItemPropertyCommand"
	params := append(pathParams(), engine.Param{Name: "Name", Type: "string", Position: 1, Mandatory: true, ValueFromPipelineByPropertyName: true},
		engine.Param{Name: "PropertyType", Aliases: []string{"Type"}, Type: "string", Position: -1, ValueFromPipelineByPropertyName: true},
		engine.Param{Name: "Value", Type: "object", Position: -1, ValueFromPipelineByPropertyName: true},
		engine.Param{Name: "Force", Type: "switch", Position: -1})
	return &engine.Cmdlet{Name: "New-ItemProperty", Module: "Microsoft.PowerShell.Management", Params: params,
		Process: func(c *engine.Call) error {
			paths, err := boundPaths(c, "New-ItemProperty")
			if err != nil {
				return err
			}
			if err := checkNotEmpty(c, cmd, paths); err != nil {
				return err
			}
			kind, err := propertyKind(str(c, "PropertyType"), c.Bound["Value"])
			if err != nil {
				return err
			}
			name := str(c, "Name")
			for _, raw := range paths {
				p, err := h.resolve(raw)
				if err != nil {
					return err
				}
				if p.kind != provRegistry {
					return notImpl("New-ItemProperty on %s paths (%q)", p.kind, raw)
				}
				key, ok := h.m.RegKeyName(p.path)
				if !ok {
					if err := report(c, errNotFound(cmd, raw)); err != nil {
						return err
					}
					continue
				}
				if _, _, exists := h.m.RegGetValue(key, name); exists && !flag(c, "Force") {
					if err := report(c, engine.NewError("System.IO.IOException", "The property already exists.",
						errorID("System.IO.IOException", cmd), "ResourceExists", regDisplay(key))); err != nil {
						return err
					}
					continue
				}
				rv, err := providerValue(name, kind, c.Bound["Value"])
				if err != nil {
					return report(c, engine.NewError("System.ArgumentException", err.Error(), errorID("System.ArgumentException", cmd), "InvalidArgument", name))
				}
				if err := h.m.RegSetValue(key, rv); err != nil {
					return fmt.Errorf("New-ItemProperty %s: %w", raw, err)
				}
				obj := value.NewPSObject()
				obj.Set(name, regValueToPS(rv, true, sessionEnv(c.Session)))
				addRegNotes(obj, key)
				c.Out(obj)
			}
			return nil
		}}
}

// propertyKind is -PropertyType's kind; without one, the kind RegistryKey.SetValue picks.
func propertyKind(t string, v any) (string, error) {
	switch strings.ToLower(t) {
	case "", "unknown":
		return inferKind(v), nil
	case "string":
		return machine.RegString, nil
	case "expandstring":
		return machine.RegExpandString, nil
	case "binary":
		return machine.RegBinary, nil
	case "dword":
		return machine.RegDWord, nil
	case "multistring":
		return machine.RegMultiString, nil
	case "qword":
		return machine.RegQWord, nil
	case "none":
		return "", notImpl("New-ItemProperty -PropertyType None")
	}
	// inferred: the RegistryValueKind conversion's binding error.
	return "", engine.NewError("System.Management.Automation.ParameterBindingException",
		fmt.Sprintf("Cannot process argument transformation on parameter 'PropertyType'. Cannot convert value \"%s\" to type \"Microsoft.Win32.RegistryValueKind\".", t),
		errorID("ParameterArgumentTransformationError", "NewItemPropertyCommand"), "InvalidData", nil)
}

// providerValue converts -Value with PowerShell's conversions, as the Registry provider does before it
// calls SetValue: a scalar becomes a one-element MultiString, numbers parse from strings.
func providerValue(name, kind string, v any) (machine.RegValue, error) {
	switch kind {
	case machine.RegMultiString:
		var out value.Array
		if items, ok := value.List(v); ok {
			for _, it := range items {
				out = append(out, value.ToString(it))
			}
		} else if v != nil {
			out = value.Array{value.ToString(v)}
		}
		v = &value.TypedArray{Elem: "System.String", Values: out}
	case machine.RegString, machine.RegExpandString:
		if v == nil {
			v = ""
		}
		v = value.ToString(v)
	case machine.RegBinary:
		b, err := psBytes(v)
		if err != nil {
			return machine.RegValue{}, fmt.Errorf("the value is not a byte array: %w", err)
		}
		return machine.RegValue{Name: name, Kind: kind, Data: b}, nil
	}
	if v == nil {
		v = int32(0)
	}
	rv, err := toRegValue(name, kind, v)
	if err != nil {
		return rv, fmt.Errorf("%s", value.Message(err))
	}
	return rv, nil
}
