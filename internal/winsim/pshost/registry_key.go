package pshost

import (
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// regKey is a Microsoft.Win32.RegistryKey: what [Microsoft.Win32.Registry]::LocalMachine and
// OpenSubKey return, and what the Registry provider outputs for Get-Item and New-Item (with its note
// properties, about_Registry_Provider.md). Members follow .NET Framework 4.x's RegistryKey
// (learn.microsoft.com dotnet/api/microsoft.win32.registrykey).
type regKey struct {
	h        *fsHost
	path     string // without the hive; "" is HKEY_LOCAL_MACHINE itself
	writable bool
	closed   bool
	// item is a provider item (Get-Item, New-Item): it has PowerShell's note properties.
	item bool
}

func (k *regKey) TypeName() string { return "Microsoft.Win32.RegistryKey" }

func (k *regKey) TypeNames() []string {
	return []string{"Microsoft.Win32.RegistryKey", "System.MarshalByRefObject", "System.Object"}
}

// ToString is RegistryKey.ToString(): the key's name.
func (k *regKey) ToString() string { return regDisplay(k.path) }

func (k *regKey) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "name":
		return regDisplay(k.path), true
	case "subkeycount":
		subs, _ := k.h.m.RegSubKeys(k.path)
		return int32(len(subs)), true //nolint:gosec // a handful of keys
	case "valuecount":
		vals, _ := k.h.m.RegValues(k.path)
		return int32(len(vals)), true //nolint:gosec // a handful of values
	case "view":
		return "Default", true
	}
	if !k.item {
		return nil, false
	}
	switch strings.ToLower(name) {
	case "property": // the Registry provider's note property: the value names
		vals, _ := k.h.m.RegValues(k.path)
		names := make(value.Array, 0, len(vals))
		for _, v := range vals {
			names = append(names, v.Name)
		}
		return &value.TypedArray{Elem: "System.String", Values: names}, true
	case "pspath":
		return psPath(provRegistry, k.path), true
	case "psparentpath":
		return psPath(provRegistry, parentPath(provRegistry, k.path)), true
	case "pschildname":
		return leafName(k.path), true
	case "psdrive":
		return "HKLM", true
	case "psprovider":
		return `Microsoft.PowerShell.Core\Registry`, true
	case "psiscontainer":
		return true, true
	}
	return nil, false
}

// errClosed is ObjectDisposedException for a closed key (inferred: .NET Framework's
// ObjectDisposed_RegKeyClosed text).
func errClosed() *engine.ErrorRecord {
	return engine.NewError("System.ObjectDisposedException", "Cannot access a closed registry key.", "ObjectDisposedException", "NotSpecified", nil)
}

// InvokeMethod implements the RegistryKey methods the scripts use and their neighbours.
func (k *regKey) InvokeMethod(s *engine.Session, name string, args []any) (any, error) {
	lname := strings.ToLower(name)
	if lname == "close" || lname == "dispose" {
		k.closed = true
		return nil, nil
	}
	if lname == "tostring" {
		return k.ToString(), nil
	}
	if k.closed {
		return nil, errClosed()
	}
	if !k.h.m.RegKeyExists(k.path) {
		// inferred: .NET's IOException for a key deleted while open (ERROR_KEY_DELETED's message).
		return nil, engine.NewError("System.IO.IOException", "Illegal operation attempted on a registry key that has been marked for deletion.", "IOException", "NotSpecified", nil)
	}
	switch lname {
	case "getvalue":
		return k.getValue(s, args)
	case "setvalue":
		return nil, k.setValue(args)
	case "getvaluenames":
		vals, _ := k.h.m.RegValues(k.path)
		out := make(value.Array, 0, len(vals))
		for _, v := range vals {
			out = append(out, v.Name)
		}
		return &value.TypedArray{Elem: "System.String", Values: out}, nil
	case "getsubkeynames":
		subs, _ := k.h.m.RegSubKeys(k.path)
		out := make(value.Array, 0, len(subs))
		for _, n := range subs {
			out = append(out, n)
		}
		return &value.TypedArray{Elem: "System.String", Values: out}, nil
	case "getvaluekind":
		if len(args) != 1 {
			return nil, notImpl("RegistryKey.GetValueKind with %d arguments", len(args))
		}
		v, _, ok := k.h.m.RegGetValue(k.path, value.ToString(args[0]))
		if !ok {
			// .NET Framework: "The specified registry key does not exist." (Arg_RegSubKeyValueAbsent; inferred)
			return nil, engine.NewError("System.IO.IOException", "The specified registry key does not exist.", "IOException", "NotSpecified", nil)
		}
		return k.h.enums.valueKind.Must(v.Kind), nil
	case "opensubkey":
		return k.openSubKey(args)
	case "deletevalue":
		if len(args) < 1 || len(args) > 2 {
			return nil, notImpl("RegistryKey.DeleteValue with %d arguments", len(args))
		}
		if !k.writable {
			return nil, errNoWrite()
		}
		if !k.h.m.RegDeleteValue(k.path, value.ToString(args[0])) && (len(args) == 1 || value.ToBool(args[1])) {
			// inferred: Arg_RegSubKeyValueAbsent.
			return nil, engine.NewError("System.ArgumentException", "No value exists with that name.", "ArgumentException", "NotSpecified", nil)
		}
		return nil, nil
	}
	return nil, notImpl("the method Microsoft.Win32.RegistryKey.%s", name)
}

func (k *regKey) openSubKey(args []any) (any, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, notImpl("RegistryKey.OpenSubKey with %d arguments", len(args))
	}
	writable := false
	if len(args) == 2 {
		b, ok := args[1].(bool)
		if !ok {
			return nil, notImpl("RegistryKey.OpenSubKey with a %s second argument (RegistryKeyPermissionCheck, rights)", value.TypeName(args[1]))
		}
		writable = b
	}
	sub := strings.Trim(value.ToString(args[0]), `\`)
	full := sub
	if k.path != "" {
		full = k.path + `\` + sub
	}
	name, ok := k.h.m.RegKeyName(full)
	if !ok {
		return nil, nil // OpenSubKey returns null for a key that does not exist
	}
	return &regKey{h: k.h, path: name, writable: writable}, nil
}

// getValue is RegistryKey.GetValue(name[, defaultValue[, options]]): the value converted to its .NET
// type, a REG_EXPAND_SZ expanded against the process environment unless the options say
// DoNotExpandEnvironmentNames, the default (or $null) when there is no such value.
func (k *regKey) getValue(s *engine.Session, args []any) (any, error) {
	if len(args) < 1 || len(args) > 3 {
		return nil, notImpl("RegistryKey.GetValue with %d arguments", len(args))
	}
	var def any
	if len(args) >= 2 {
		def = args[1]
	}
	expand := true
	if len(args) == 3 {
		opt, err := value.ConvertToEnum(args[2], k.h.enums.valueOptions)
		if err != nil {
			return nil, err
		}
		expand = opt.Value&1 == 0
	}
	v, _, ok := k.h.m.RegGetValue(k.path, value.ToString(args[0]))
	if !ok {
		return def, nil
	}
	return regValueToPS(v, expand, sessionEnv(s)), nil
}

// regValueToPS converts a registry value to what RegistryKey.GetValue returns: String, Int32 (a DWORD
// read as signed), Int64, String[] or Byte[].
func regValueToPS(v machine.RegValue, expand bool, env map[string]string) any {
	switch d := v.Data.(type) {
	case string:
		if v.Kind == machine.RegExpandString && expand {
			return machine.ExpandEnv(d, env)
		}
		return d
	case uint32:
		return int32(d) //nolint:gosec // a DWORD reads as a signed Int32, as .NET returns it
	case uint64:
		return int64(d) //nolint:gosec // a QWORD reads as a signed Int64
	case []string:
		out := make(value.Array, len(d))
		for i, x := range d {
			out[i] = x
		}
		return &value.TypedArray{Elem: "System.String", Values: out}
	case []byte:
		return bytesToPS(d)
	}
	return nil
}

// errNoWrite is UnauthorizedAccessException for a write to a key opened read-only (inferred: .NET
// Framework's UnauthorizedAccess_RegistryNoWrite text).
func errNoWrite() *engine.ErrorRecord {
	return engine.NewError("System.UnauthorizedAccessException", "Cannot write to the registry key.", "UnauthorizedAccessException", "NotSpecified", nil)
}

// setValue is RegistryKey.SetValue(name, value[, kind]). Without a kind .NET picks one from the value's
// type: Int32 is DWord, String[] MultiString, Byte[] Binary, anything else its ToString() as String
// (RegistryKey.SetValue(String, Object) remarks: "a 64-bit integer ... is stored as a string").
func (k *regKey) setValue(args []any) error {
	if len(args) < 2 || len(args) > 3 {
		return notImpl("RegistryKey.SetValue with %d arguments", len(args))
	}
	if !k.writable {
		return errNoWrite()
	}
	name, v := value.ToString(args[0]), args[1]
	if v == nil {
		return engine.NewError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: value", "ArgumentNullException", "NotSpecified", nil)
	}
	kind := ""
	if len(args) == 3 {
		e, err := value.ConvertToEnum(args[2], k.h.enums.valueKind)
		if err != nil {
			return err
		}
		kind = kindName(e)
	} else {
		kind = inferKind(v)
	}
	rv, err := toRegValue(name, kind, v)
	if err != nil {
		return err
	}
	return k.h.m.RegSetValue(k.path, rv)
}

func inferKind(v any) string {
	switch x := v.(type) {
	case int32, int:
		return machine.RegDWord
	case *value.TypedArray:
		switch x.Elem {
		case "System.String":
			return machine.RegMultiString
		case "System.Byte":
			return machine.RegBinary
		}
	}
	return machine.RegString
}
