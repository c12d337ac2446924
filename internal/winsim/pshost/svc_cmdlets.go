package pshost

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// The service cmdlets of Microsoft.PowerShell.Management (MicrosoftDocs/PowerShell-Docs
// reference/5.1/Microsoft.PowerShell.Management: Get-Service.md, Start-Service.md, Stop-Service.md,
// Restart-Service.md, Set-Service.md). Their error texts and ids are 5.1's ServiceResources strings
// (inferred from 5.1's ServiceCommands: NoServiceFoundForGivenName, CouldNotStartService,
// StartServiceFailed).

const mgmt = "Microsoft.PowerShell.Management"

func (h *host) serviceCmdlets() []*engine.Cmdlet {
	name := engine.Param{Name: "Name", Aliases: []string{"ServiceName"}, Type: "string[]", Position: 0, ValueFromPipeline: true, ValueFromPipelineByPropertyName: true, Set: "Default"}
	input := engine.Param{Name: "InputObject", Type: "object[]", Position: 0, ValueFromPipeline: true, Set: "InputObject"}
	unmodelled := []engine.Param{
		{Name: "DisplayName", Type: "string[]", Position: -1, Set: "DisplayName"},
		{Name: "Include", Type: "string[]", Position: -1}, {Name: "Exclude", Type: "string[]", Position: -1},
		{Name: "WhatIf", Type: "switch", Position: -1}, {Name: "Confirm", Type: "switch", Position: -1},
	}
	control := func(cmd, class string, extra ...engine.Param) *engine.Cmdlet {
		nameParam := name
		nameParam.ValueFromPipeline = false
		params := append([]engine.Param{nameParam, input, {Name: "PassThru", Type: "switch", Position: -1}}, extra...)
		return &engine.Cmdlet{Name: cmd, Module: mgmt, Params: append(params, unmodelled...),
			Process: func(c *engine.Call) error { return h.controlService(c, cmd, class) }}
	}
	getName := name
	getName.Set = ""
	return []*engine.Cmdlet{
		{Name: "Get-Service", Module: mgmt, Params: []engine.Param{getName,
			{Name: "ComputerName", Type: "string[]", Position: -1}, {Name: "DependentServices", Type: "switch", Position: -1},
			{Name: "RequiredServices", Type: "switch", Position: -1}, {Name: "DisplayName", Type: "string[]", Position: -1},
			{Name: "Include", Type: "string[]", Position: -1}, {Name: "Exclude", Type: "string[]", Position: -1}},
			Process: h.getService},
		control("Start-Service", "Microsoft.PowerShell.Commands.StartServiceCommand"),
		control("Stop-Service", "Microsoft.PowerShell.Commands.StopServiceCommand",
			engine.Param{Name: "Force", Type: "switch", Position: -1}, engine.Param{Name: "NoWait", Type: "switch", Position: -1}),
		control("Restart-Service", "Microsoft.PowerShell.Commands.RestartServiceCommand",
			engine.Param{Name: "Force", Type: "switch", Position: -1}),
		{Name: "Set-Service", Module: mgmt, Params: []engine.Param{
			{Name: "Name", Aliases: []string{"ServiceName", "SN"}, Type: "string", Position: 0, Mandatory: true, ValueFromPipelineByPropertyName: true, Set: "Name"},
			{Name: "InputObject", Type: "object", Position: -1, ValueFromPipeline: true, Set: "InputObject"},
			{Name: "StartupType", Aliases: []string{"StartMode", "SM", "ST"}, Type: "System.ServiceProcess.ServiceStartMode", Position: -1},
			{Name: "Status", Type: "string", Position: -1}, {Name: "DisplayName", Type: "string", Position: -1},
			{Name: "Description", Type: "string", Position: -1}, {Name: "ComputerName", Type: "string[]", Position: -1},
			{Name: "PassThru", Type: "switch", Position: -1}, {Name: "WhatIf", Type: "switch", Position: -1}, {Name: "Confirm", Type: "switch", Position: -1}},
			Process: h.setService},
	}
}

func refuseBound(c *engine.Call, cmd string, names ...string) error {
	for _, n := range names {
		if has(c, n) && (c.Bound[n] != false) {
			return notModelled("%s -%s", cmd, n)
		}
	}
	return nil
}

func isWildcard(s string) bool { return strings.ContainsAny(s, "*?[") }

func wildMatch(s, pattern string) bool {
	r, err := value.Like(s, pattern, false)
	return err == nil && value.ToBool(r)
}

// services resolves -Name (or the pipeline's ServiceControllers) to services. A name that matches
// nothing is a non-terminating error (Get-Service.md: "Cannot find any service with service name"); a
// wildcard that matches nothing is not an error.
func (h *host) services(c *engine.Call, class string) ([]machine.Service, error) {
	var names []string
	if in, ok := c.Bound["InputObject"]; ok && in != nil {
		items := listOf(in)
		for _, it := range items {
			sc, ok := it.(*serviceController)
			if !ok {
				return nil, notModelled("a service cmdlet's -InputObject of type %s", value.TypeName(it))
			}
			names = append(names, sc.name)
		}
	} else {
		names = strs(c, "Name")
	}
	all := h.m.Services()
	if names == nil {
		keys := make([]string, 0, len(all))
		for k := range all {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]machine.Service, 0, len(keys))
		for _, k := range keys {
			out = append(out, all[k])
		}
		return out, nil
	}
	var out []machine.Service
	for _, n := range names {
		if isWildcard(n) {
			keys := make([]string, 0, len(all))
			for k := range all {
				if wildMatch(k, n) {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				out = append(out, all[k])
			}
			continue
		}
		s, ok := h.m.Service(n)
		if !ok {
			rec := newError("Microsoft.PowerShell.Commands.ServiceCommandException",
				fmt.Sprintf("Cannot find any service with service name '%s'.", n), "NoServiceFoundForGivenName", class, "ObjectNotFound", n)
			if err := c.Err(rec); err != nil {
				return nil, err //nolint:wrapcheck // the engine's ErrorAction decision, passed through
			}
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// getService is Get-Service: ServiceController objects.
func (h *host) getService(c *engine.Call) error {
	if err := refuseBound(c, "Get-Service", "ComputerName", "DependentServices", "RequiredServices", "DisplayName", "Include", "Exclude"); err != nil {
		return err
	}
	svcs, err := h.services(c, "Microsoft.PowerShell.Commands.GetServiceCommand")
	if err != nil {
		return err
	}
	for _, s := range svcs {
		c.Out(h.newServiceController(s))
	}
	return nil
}

// controlService is Start-, Stop- and Restart-Service.
func (h *host) controlService(c *engine.Call, cmd, class string) error {
	if err := refuseBound(c, cmd, "DisplayName", "Include", "Exclude", "WhatIf", "Confirm", "NoWait"); err != nil {
		return err
	}
	svcs, err := h.services(c, class)
	if err != nil {
		return err
	}
	for _, s := range svcs {
		var rec *engine.ErrorRecord
		switch cmd {
		case "Start-Service":
			rec = h.startOne(s, class)
		case "Stop-Service":
			h.m.StopService(s.Name)
		case "Restart-Service":
			// Restart-Service stops a running service, then starts it (Restart-Service.md).
			if s.State != machine.Stopped {
				h.m.StopService(s.Name)
				if now, ok := h.m.Service(s.Name); ok {
					s = now // the start below sees the stopped service, not the snapshot taken before
				}
			}
			rec = h.startOne(s, class)
		}
		if rec != nil {
			if err := c.Err(rec); err != nil {
				return err //nolint:wrapcheck // the engine's ErrorAction decision
			}
			continue
		}
		if flag(c, "PassThru") {
			now, _ := h.m.Service(s.Name)
			c.Out(h.newServiceController(now))
		}
	}
	return nil
}

// startOne starts a service the way 5.1's DoStartService does: ServiceController.Start() refused by the
// Service Control Manager is CouldNotStartService ("Service 'D (n)' cannot be started due to the
// following error: Cannot start service n on computer '.'.", the Win32 reason as the inner
// exception); a service that starts and stops again before it reports Running is StartServiceFailed
// ("Failed to start service 'D (n)'.") — the engine's own reason is then only in the event log.
func (h *host) startOne(s machine.Service, class string) *engine.ErrorRecord {
	sc := h.newServiceController(s)
	label := fmt.Sprintf("%s (%s)", s.DisplayName, s.Name)
	couldNot := func(win32 string) *engine.ErrorRecord {
		inner := &engine.Exception{Message: fmt.Sprintf("Cannot start service %s on computer '.'.", s.Name),
			Types: []string{"System.InvalidOperationException", "System.SystemException", "System.Exception"},
			Inner: &engine.Exception{Message: win32, Types: []string{"System.ComponentModel.Win32Exception", "System.Runtime.InteropServices.ExternalException", "System.SystemException", "System.Exception"}}}
		rec := newError("Microsoft.PowerShell.Commands.ServiceCommandException",
			fmt.Sprintf("Service '%s' cannot be started due to the following error: %s", label, inner.Message), "CouldNotStartService", class, "OpenError", sc)
		rec.Exception.Inner = inner
		return rec
	}
	if s.StartType == "Disabled" {
		// ERROR_SERVICE_DISABLED (1058).
		return couldNot("The service cannot be started, either because it is disabled or because it has no enabled devices associated with it")
	}
	if s.State == machine.Running {
		return nil
	}
	err := h.m.StartService(s.Name)
	if err == nil {
		return nil
	}
	if msg := err.Error(); msg == "The system cannot find the file specified." {
		// The service's executable is missing: StartService itself fails (ERROR_FILE_NOT_FOUND).
		return couldNot(strings.TrimSuffix(msg, "."))
	}
	return newError("Microsoft.PowerShell.Commands.ServiceCommandException", fmt.Sprintf("Failed to start service '%s'.", label),
		"StartServiceFailed", class, "OpenError", sc)
}

// setService is Set-Service -StartupType (and -Status Running|Stopped).
func (h *host) setService(c *engine.Call) error {
	const class = "Microsoft.PowerShell.Commands.SetServiceCommand"
	if err := refuseBound(c, "Set-Service", "DisplayName", "Description", "ComputerName", "WhatIf", "Confirm"); err != nil {
		return err
	}
	name := str(c, "Name")
	if in, ok := c.Bound["InputObject"].(*serviceController); ok {
		name = in.name
	}
	s, ok := h.m.Service(name)
	if !ok {
		// 5.1 reads the service's DisplayName to see that it exists; ServiceController throws
		// InvalidOperationException, which Set-Service reports as it is (inferred from 5.1's
		// SetServiceCommand).
		rec := newError("System.InvalidOperationException", fmt.Sprintf("Service %s was not found on computer '.'.", name),
			"InvalidOperationException", class, "ObjectNotFound", name)
		return c.Err(rec) //nolint:wrapcheck // the engine's ErrorAction decision
	}
	if has(c, "StartupType") {
		e, err := value.ConvertToEnum(c.Bound["StartupType"], h.enums.startMode)
		if err != nil {
			return err //nolint:wrapcheck // PowerShell's parameter conversion error
		}
		switch e.String() {
		case machine.Automatic, machine.Manual, "Disabled":
		default:
			return notModelled("Set-Service -StartupType %s (a driver start type)", e)
		}
		if err := h.m.SetStartType(s.Name, e.String()); err != nil {
			return fmt.Errorf("Set-Service: %w", err)
		}
	}
	if has(c, "Status") {
		switch strings.ToLower(str(c, "Status")) {
		case "running":
			if rec := h.startOne(s, class); rec != nil {
				return c.Err(rec) //nolint:wrapcheck // the engine's ErrorAction decision
			}
		case "stopped":
			h.m.StopService(s.Name)
		default:
			return notModelled("Set-Service -Status %s", str(c, "Status"))
		}
	}
	if flag(c, "PassThru") {
		now, _ := h.m.Service(s.Name)
		c.Out(h.newServiceController(now))
	}
	return nil
}
