package pshost

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Get-CimInstance (MicrosoftDocs/PowerShell-Docs reference/5.1/CimCmdlets/Get-CimInstance.md): the
// ClassNameComputerSet on the local computer, -ClassName with -Filter, in root/cimv2. A class outside
// the modelled ones is refused as not modelled (winsim cannot tell a real class it lacks from a bogus
// name); a filter on a property the class does not have is WMI's "Invalid query" (WBEM_E_INVALID_QUERY,
// 0x80041017; inferred: the CimException text and id as 5.1 shows them).

const cimClass5 = "Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand"

func (h *host) cimCmdlets() []*engine.Cmdlet {
	return []*engine.Cmdlet{{Name: "Get-CimInstance", Module: "CimCmdlets", Params: []engine.Param{
		{Name: "ClassName", Type: "string", Position: 0, Mandatory: true},
		{Name: "Filter", Type: "string", Position: -1},
		{Name: "Namespace", Type: "string", Position: -1},
		{Name: "Property", Aliases: []string{"SelectProperties"}, Type: "string[]", Position: -1},
		{Name: "ComputerName", Aliases: []string{"CN", "ServerName"}, Type: "string[]", Position: -1},
		{Name: "KeyOnly", Type: "switch", Position: -1}, {Name: "Shallow", Type: "switch", Position: -1},
		{Name: "OperationTimeoutSec", Aliases: []string{"OT"}, Type: "int", Position: -1},
		{Name: "QueryDialect", Type: "string", Position: -1},
	}, Process: h.getCimInstance}}
}

func (h *host) getCimInstance(c *engine.Call) error {
	if err := refuseBound(c, "Get-CimInstance", "Property", "ComputerName", "KeyOnly", "Shallow", "QueryDialect"); err != nil {
		return err
	}
	if ns := strings.ToLower(strings.ReplaceAll(str(c, "Namespace"), "/", `\`)); ns != "" && ns != `root\cimv2` {
		return notModelled("Get-CimInstance -Namespace %s", str(c, "Namespace"))
	}
	className := str(c, "ClassName")
	class, ok := cimClasses()[strings.ToLower(className)]
	if !ok {
		return notModelled("the CIM class %s", className)
	}
	var conds []wqlCond
	if f := str(c, "Filter"); f != "" {
		var err error
		if conds, err = parseWQL(f); err != nil {
			return err
		}
	}
	for _, inst := range class.instances(h) {
		keep := true
		for _, cond := range conds {
			ok, unknown := cond.matches(inst)
			if unknown {
				// CIM errors are non-terminating (WriteError).
				return c.Err(newError("Microsoft.Management.Infrastructure.CimException", "Invalid query ", "HRESULT 0x80041017", cimClass5,
					"InvalidArgument", fmt.Sprintf(`root\cimv2:%s`, className))) //nolint:wrapcheck // the engine's ErrorAction decision
			}
			keep = keep && ok
		}
		if keep {
			c.Out(inst)
		}
	}
	return nil
}
