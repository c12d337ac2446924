package pshost

import (
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// hostEnums are the .NET enum types of this host, made once per FileSystem call so that values of
// one session share their type.
type hostEnums struct {
	valueKind, valueOptions, fileMode, fileAccess, seekOrigin, envTarget *value.EnumType
}

func newHostEnums() hostEnums {
	m := func(name string, flags bool, members ...value.EnumMember) *value.EnumType {
		return &value.EnumType{Name: name, Flags: flags, Members: members}
	}
	return hostEnums{
		// learn.microsoft.com dotnet/api/microsoft.win32.registryvaluekind
		valueKind: m("Microsoft.Win32.RegistryValueKind", false, value.EnumMember{Name: "None", Value: -1},
			value.EnumMember{Name: "Unknown", Value: 0}, value.EnumMember{Name: "String", Value: 1},
			value.EnumMember{Name: "ExpandString", Value: 2}, value.EnumMember{Name: "Binary", Value: 3},
			value.EnumMember{Name: "DWord", Value: 4}, value.EnumMember{Name: "MultiString", Value: 7},
			value.EnumMember{Name: "QWord", Value: 11}),
		// dotnet/api/microsoft.win32.registryvalueoptions ([Flags])
		valueOptions: m("Microsoft.Win32.RegistryValueOptions", true, value.EnumMember{Name: "None", Value: 0},
			value.EnumMember{Name: "DoNotExpandEnvironmentNames", Value: 1}),
		// dotnet/api/system.io.filemode, system.io.fileaccess ([Flags]), system.io.seekorigin
		fileMode: m("System.IO.FileMode", false, value.EnumMember{Name: "CreateNew", Value: 1}, value.EnumMember{Name: "Create", Value: 2},
			value.EnumMember{Name: "Open", Value: 3}, value.EnumMember{Name: "OpenOrCreate", Value: 4},
			value.EnumMember{Name: "Truncate", Value: 5}, value.EnumMember{Name: "Append", Value: 6}),
		fileAccess: m("System.IO.FileAccess", true, value.EnumMember{Name: "Read", Value: 1}, value.EnumMember{Name: "Write", Value: 2},
			value.EnumMember{Name: "ReadWrite", Value: 3}),
		seekOrigin: m("System.IO.SeekOrigin", false, value.EnumMember{Name: "Begin", Value: 0}, value.EnumMember{Name: "Current", Value: 1},
			value.EnumMember{Name: "End", Value: 2}),
		// dotnet/api/system.environmentvariabletarget
		envTarget: m("System.EnvironmentVariableTarget", false, value.EnumMember{Name: "Process", Value: 0},
			value.EnumMember{Name: "User", Value: 1}, value.EnumMember{Name: "Machine", Value: 2}),
	}
}

// enumType is an enum as a host type: its members are static properties ([IO.FileMode]::Create) and a
// cast converts names and numbers.
func enumType(t *value.EnumType) *engine.Type {
	props := map[string]func(*engine.Session) (any, error){}
	for _, mem := range t.Members {
		e := value.Enum{Type: t, Value: mem.Value}
		props[mem.Name] = func(*engine.Session) (any, error) { return e, nil }
	}
	return &engine.Type{FullName: t.Name, StaticProperties: props,
		ConvertFrom: func(_ *engine.Session, v any) (any, error) { return value.ConvertToEnum(v, t) }}
}

// kindName is a RegistryValueKind's machine kind ("" for None and Unknown).
func kindName(e value.Enum) string {
	switch e.Value {
	case 1:
		return machine.RegString
	case 2:
		return machine.RegExpandString
	case 3:
		return machine.RegBinary
	case 4:
		return machine.RegDWord
	case 7:
		return machine.RegMultiString
	case 11:
		return machine.RegQWord
	}
	return ""
}

// errKindMismatch is .NET Framework's ArgumentException when a value does not fit the kind asked for
// (inferred: the Arg_RegSetMismatchedKind text).
func errKindMismatch() *engine.ErrorRecord {
	return engine.NewError("System.ArgumentException",
		"The type of the value object did not match the specified RegistryValueKind or the object could not be properly converted.",
		"ArgumentException", "NotSpecified", nil)
}

// toRegValue converts a value for RegistryKey.SetValue with a kind, as .NET does: String kinds take
// the value's ToString(), DWord and QWord a numeric conversion, MultiString only a String[], Binary
// only a Byte[].
func toRegValue(name, kind string, v any) (machine.RegValue, error) {
	rv := machine.RegValue{Name: name, Kind: kind}
	switch kind {
	case machine.RegString, machine.RegExpandString:
		rv.Data = value.DotNetString(v)
	case machine.RegDWord:
		n, err := value.ToInt64(v)
		if err != nil || n < -1<<31 || n > 1<<32-1 {
			return rv, errKindMismatch()
		}
		rv.Data = uint32(n) //nolint:gosec // a negative Int32 is stored as its bits, as RegSetValueEx does
	case machine.RegQWord:
		n, err := value.ToInt64(v)
		if err != nil {
			return rv, errKindMismatch()
		}
		rv.Data = uint64(n) //nolint:gosec // stored as its bits
	case machine.RegMultiString:
		a, ok := v.(*value.TypedArray)
		if !ok || a.Elem != "System.String" {
			return rv, errKindMismatch()
		}
		out := make([]string, len(a.Values))
		for i, x := range a.Values {
			out[i] = value.ToString(x)
		}
		rv.Data = out
	case machine.RegBinary:
		b, err := psBytes(v)
		if err != nil {
			return rv, errKindMismatch()
		}
		rv.Data = b
	default:
		return rv, notImpl("registry values of kind %q", kind)
	}
	return rv, nil
}

// registryType is [Microsoft.Win32.Registry]: its LocalMachine root key (writable, as .NET opens the
// base keys). Other hives are not modelled.
func (h *fsHost) registryType() *engine.Type {
	return &engine.Type{FullName: "Microsoft.Win32.Registry",
		StaticProperties: map[string]func(*engine.Session) (any, error){
			"LocalMachine": func(*engine.Session) (any, error) { return &regKey{h: h, path: "", writable: true}, nil },
			"CurrentUser":  func(*engine.Session) (any, error) { return nil, notImpl("[Microsoft.Win32.Registry]::CurrentUser") },
			"Users":        func(*engine.Session) (any, error) { return nil, notImpl("[Microsoft.Win32.Registry]::Users") },
			"ClassesRoot":  func(*engine.Session) (any, error) { return nil, notImpl("[Microsoft.Win32.Registry]::ClassesRoot") },
		},
		StaticMethods: map[string]func(*engine.Session, []any) (any, error){
			"GetValue": func(*engine.Session, []any) (any, error) { return nil, notImpl("[Microsoft.Win32.Registry]::GetValue") },
			"SetValue": func(*engine.Session, []any) (any, error) { return nil, notImpl("[Microsoft.Win32.Registry]::SetValue") },
		}}
}
