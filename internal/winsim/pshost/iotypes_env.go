package pshost

import (
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// [System.Environment]'s environment variable methods, as .NET Framework 4.x implements them
// (referencesource mscorlib/system/environment.cs; learn.microsoft.com dotnet/api/system.environment):
//   - the Process target is the session's own environment ($env:);
//   - the Machine target is HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment: a read
//     is RegistryKey.GetValue(name) and so EXPANDS a REG_EXPAND_SZ value against the process
//     environment; a write is RegistryKey.SetValue(name, value) and so stores a REG_SZ, whatever the
//     value's kind was; a null or empty value deletes it. Together they turn the machine PATH's
//     %SystemRoot% entries into fixed paths (internal/powershell/scripts/README.md, "Windows
//     PowerShell 5.1 traps"). Each machine write broadcasts WM_SETTINGCHANGE (not modelled: no other
//     program watches here);
//   - the User target (HKCU) is not modelled.
func (h *fsHost) environmentType() *engine.Type {
	return &engine.Type{FullName: "System.Environment", StaticMethods: map[string]func(*engine.Session, []any) (any, error){
		"GetEnvironmentVariable":     h.getEnvironmentVariable,
		"SetEnvironmentVariable":     h.setEnvironmentVariable,
		"ExpandEnvironmentVariables": expandEnvironmentVariables,
	}, StaticProperties: map[string]func(*engine.Session) (any, error){
		"MachineName": func(*engine.Session) (any, error) { return h.m.Release().ComputerName, nil },
		"NewLine":     func(*engine.Session) (any, error) { return "\r\n", nil },
	}}
}

func (h *fsHost) envTarget(args []any, at int) (int64, error) {
	if len(args) <= at {
		return 0, nil
	}
	t, err := value.ConvertToEnum(args[at], h.enums.envTarget)
	if err != nil {
		return 0, err
	}
	if t.Value == 1 {
		return 0, notImpl("the User environment target (HKEY_CURRENT_USER)")
	}
	return t.Value, nil
}

func argNull(param string) *engine.ErrorRecord {
	return engine.NewError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: "+param, "ArgumentNullException", "NotSpecified", nil)
}

func (h *fsHost) getEnvironmentVariable(s *engine.Session, args []any) (any, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, notImpl("[Environment]::GetEnvironmentVariable with %d arguments", len(args))
	}
	if args[0] == nil {
		return nil, argNull("variable")
	}
	name := value.ToString(args[0])
	target, err := h.envTarget(args, 1)
	if err != nil {
		return nil, err
	}
	if target == 0 {
		for k, v := range sessionEnv(s) {
			if strings.EqualFold(k, name) {
				return v, nil
			}
		}
		return nil, nil
	}
	v, _, ok := h.m.RegGetValue(machine.EnvironmentKey, name)
	if !ok {
		return nil, nil
	}
	out := regValueToPS(v, true, sessionEnv(s))
	if str, ok := out.(string); ok {
		return str, nil
	}
	return nil, nil // "as string": a value that is not a string reads as null
}

func (h *fsHost) setEnvironmentVariable(s *engine.Session, args []any) (any, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, notImpl("[Environment]::SetEnvironmentVariable with %d arguments", len(args))
	}
	if args[0] == nil {
		return nil, argNull("variable")
	}
	name := value.ToString(args[0])
	if name == "" || strings.ContainsRune(name, '=') {
		// inferred: Argument_IllegalEnvVarName.
		return nil, engine.NewError("System.ArgumentException", "Environment variable name cannot contain equal character.", "ArgumentException", "NotSpecified", nil)
	}
	val := ""
	if args[1] != nil {
		val = value.ToString(args[1])
	}
	target, err := h.envTarget(args, 2)
	if err != nil {
		return nil, err
	}
	if target == 0 {
		if s != nil {
			s.SetEnv(name, val)
		}
		return nil, nil
	}
	if val == "" {
		h.m.RegDeleteValue(machine.EnvironmentKey, name)
		return nil, nil
	}
	return nil, h.m.RegSetValue(machine.EnvironmentKey, machine.RegValue{Name: name, Kind: machine.RegString, Data: val})
}

func expandEnvironmentVariables(s *engine.Session, args []any) (any, error) {
	if len(args) != 1 {
		return nil, notImpl("[Environment]::ExpandEnvironmentVariables with %d arguments", len(args))
	}
	if args[0] == nil {
		return nil, argNull("name")
	}
	return machine.ExpandEnv(value.ToString(args[0]), sessionEnv(s)), nil
}

// dnsType is [System.Net.Dns]: GetHostName() is the computer's host name (the computer name on a
// machine joined to no domain; inferred: winsim's hosts are workgroup machines).
func (h *fsHost) dnsType() *engine.Type {
	return &engine.Type{FullName: "System.Net.Dns", StaticMethods: map[string]func(*engine.Session, []any) (any, error){
		"GetHostName": func(_ *engine.Session, args []any) (any, error) {
			if len(args) != 0 {
				return nil, notImpl("[Net.Dns]::GetHostName with arguments")
			}
			return h.m.Release().ComputerName, nil
		},
	}}
}
