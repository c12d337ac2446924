package pshost

import (
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Parameters the item cmdlets share (reference/5.1/Microsoft.PowerShell.Management/*.md): -Path takes
// wildcards and pipeline input by value and by property name; -LiteralPath (alias PSPath) takes
// pipeline input by property name, which is how a FileInfo piped into Copy-Item binds. In 5.1 they are
// the parameter sets Path (the default) and LiteralPath; the engine's Cmdlet has no default parameter
// set, so with sets its binder refuses `Get-ChildItem ... | Copy-Item -Destination d` before any input
// arrives ("Parameter set cannot be resolved"). They are declared in every set instead, and
// -LiteralPath wins when both are bound (5.1 would refuse the call).
func pathParams() []engine.Param {
	return []engine.Param{
		{Name: "Path", Type: "string[]", Position: 0, ValueFromPipeline: true, ValueFromPipelineByPropertyName: true},
		{Name: "LiteralPath", Aliases: []string{"PSPath"}, Type: "string[]", Position: -1, ValueFromPipelineByPropertyName: true},
	}
}

// boundPaths are the paths of one call: -LiteralPath's as given, -Path's unless they hold wildcards,
// whose expansion is not modelled.
func boundPaths(c *engine.Call, command string) ([]string, error) {
	if has(c, "LiteralPath") {
		return strs(c, "LiteralPath"), nil
	}
	paths := strs(c, "Path")
	for _, p := range paths {
		if hasWildcard(p) {
			return nil, notImpl("wildcards in %s -Path (%q); use -LiteralPath", command, p)
		}
	}
	return paths, nil
}

// checkNotEmpty is the parameter binder's refusal of an empty or null path (inferred: 5.1's
// ParameterBinderStrings texts "Cannot bind argument to parameter 'Path' because it is an empty
// string." / "... because it is null.").
func checkNotEmpty(c *engine.Call, command string, paths []string) error {
	name := "Path"
	if has(c, "LiteralPath") {
		name = "LiteralPath"
	}
	if v, ok := c.Bound[name]; ok && v == nil {
		return engine.NewError("System.Management.Automation.ParameterBindingException",
			"Cannot bind argument to parameter '"+name+"' because it is null.",
			errorID("ParameterArgumentValidationErrorNullNotAllowed", command), "InvalidData", nil)
	}
	for _, p := range paths {
		if p == "" {
			return engine.NewError("System.Management.Automation.ParameterBindingException",
				"Cannot bind argument to parameter '"+name+"' because it is an empty string.",
				errorID("ParameterArgumentValidationErrorEmptyStringNotAllowed", command), "InvalidData", nil)
		}
	}
	return nil
}

// report writes a non-terminating error and returns what the engine makes of it (terminating under
// -ErrorAction Stop).
func report(c *engine.Call, rec *engine.ErrorRecord) error { return c.Err(rec) }

// stat finds a file system item; a drive other than C: does not exist.
func (h *fsHost) stat(p itemPath) (machine.Entry, bool) {
	if !p.driveOK {
		return machine.Entry{}, false
	}
	return h.m.Stat(p.path)
}
