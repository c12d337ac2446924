package pshost

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Get-Process (MicrosoftDocs/PowerShell-Docs reference/5.1/Microsoft.PowerShell.Management/
// Get-Process.md): -Name (wildcards allowed) and -Id on the local computer, over the host's process
// table (machine.Windows.Processes: the base processes, the engines' daemons, and what running
// containers show on the host). A name that matches no process is the non-terminating error
// "Cannot find a process with the name "x". Verify the process name and call the cmdlet again."
// (NoProcessFoundForGivenName; inferred: 5.1's ProcessResources text).

const processClass = "Microsoft.PowerShell.Commands.GetProcessCommand"

func (h *host) processCmdlets() []*engine.Cmdlet {
	return []*engine.Cmdlet{{Name: "Get-Process", Module: mgmt, Params: []engine.Param{
		{Name: "Name", Aliases: []string{"ProcessName"}, Type: "string[]", Position: 0, ValueFromPipelineByPropertyName: true, Set: "Name"},
		{Name: "Id", Aliases: []string{"PID"}, Type: "object[]", Position: -1, Mandatory: true, ValueFromPipelineByPropertyName: true, Set: "Id"},
		{Name: "ComputerName", Aliases: []string{"Cn"}, Type: "string[]", Position: -1},
		{Name: "Module", Type: "switch", Position: -1}, {Name: "FileVersionInfo", Type: "switch", Position: -1},
		{Name: "IncludeUserName", Type: "switch", Position: -1},
	}, Process: h.getProcess}}
}

func processObject(p machine.Process) *object {
	o := newObject("System.Diagnostics.Process", "System.ComponentModel.Component", "System.MarshalByRefObject", "System.Object")
	o.set("Name", p.Name).set("Id", int32(p.ID)).set("ProcessName", p.Name).set("SessionId", int32(0)).set("SI", int32(0)).
		set("HasExited", false)
	o.str = func() string { return fmt.Sprintf("System.Diagnostics.Process (%s)", p.Name) }
	return o
}

func (h *host) getProcess(c *engine.Call) error {
	if err := refuseBound(c, "Get-Process", "ComputerName", "Module", "FileVersionInfo", "IncludeUserName"); err != nil {
		return err
	}
	procs := h.w.Processes()
	// Get-Process lists by process name, then ID (inferred: 5.1's ordering).
	sort.SliceStable(procs, func(i, j int) bool {
		a, b := strings.ToLower(procs[i].Name), strings.ToLower(procs[j].Name)
		if a != b {
			return a < b
		}
		return procs[i].ID < procs[j].ID
	})
	if has(c, "Id") {
		items := listOf(c.Bound["Id"])
		for _, it := range items {
			id, err := value.ToInt32(it)
			if err != nil {
				return err //nolint:wrapcheck // PowerShell's conversion error
			}
			found := false
			for _, p := range procs {
				if p.ID == int(id) {
					c.Out(processObject(p))
					found = true
				}
			}
			if !found {
				rec := newError("Microsoft.PowerShell.Commands.ProcessCommandException",
					fmt.Sprintf("Cannot find a process with the process identifier %d.", id), "NoProcessFoundForGivenId", processClass, "ObjectNotFound", id)
				if err := c.Err(rec); err != nil {
					return err //nolint:wrapcheck // the engine's ErrorAction decision
				}
			}
		}
		return nil
	}
	names := strs(c, "Name")
	if names == nil {
		names = []string{"*"}
	}
	for _, n := range names {
		found := false
		for _, p := range procs {
			if (isWildcard(n) && wildMatch(p.Name, n)) || strings.EqualFold(p.Name, n) {
				c.Out(processObject(p))
				found = true
			}
		}
		if !found && !isWildcard(n) {
			rec := newError("Microsoft.PowerShell.Commands.ProcessCommandException",
				fmt.Sprintf("Cannot find a process with the name \"%s\". Verify the process name and call the cmdlet again.", n),
				"NoProcessFoundForGivenName", processClass, "ObjectNotFound", n)
			if err := c.Err(rec); err != nil {
				return err //nolint:wrapcheck // the engine's ErrorAction decision
			}
		}
	}
	return nil
}
