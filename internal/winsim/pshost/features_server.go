package pshost

import (
	"errors"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// ServerManager's feature cmdlets (MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps/
// ServerManager: Get-WindowsFeature.md, Install-WindowsFeature.md, Uninstall-WindowsFeature.md). The
// docs give their output as System.Object; the objects are ServerManager's Feature and
// FeatureOperationResult, with the columns the cmdlets print (Success, Restart Needed, Exit Code,
// Feature Result; Name, Install State). winsim's feature catalogue is Containers and Hyper-V: another
// name is refused as not modelled rather than reported as absent.
//
// Install-WindowsFeature's failures (inferred from its console output): a prerequisite failure is a
// non-terminating error (InvalidOperation, Alteration_PrerequisiteCheck_Failed) followed by a result
// with Success False and ExitCode Failed. (A name Windows does not know is ServerManager's ArgumentNotValid
// error; winsim cannot tell such a name from a real feature it does not model, and refuses both as not
// modelled.)

const (
	serverManager    = "ServerManager"
	addFeatureClass  = "Microsoft.Windows.ServerManager.Commands.AddWindowsFeatureCommand"
	remFeatureClass  = "Microsoft.Windows.ServerManager.Commands.RemoveWindowsFeatureCommand"
	featureTypeName  = "Microsoft.Windows.ServerManager.Commands.Feature"
	featureOpResult  = "Microsoft.Windows.ServerManager.Commands.FeatureOperationResult"
	featureResultTyp = "Microsoft.Windows.ServerManager.Commands.FeatureResult"
)

// serverFeatures are the modelled features: name, display name, type.
func serverFeatures() map[string][2]string {
	return map[string][2]string{"containers": {"Containers", "Feature"}, "hyper-v": {"Hyper-V", "Role"}}
}

func (h *host) serverManagerCmdlets() []*engine.Cmdlet {
	names := engine.Param{Name: "Name", Type: "object[]", Position: 0, Mandatory: true, ValueFromPipeline: true}
	change := func(cmd, class string, install bool) *engine.Cmdlet {
		return &engine.Cmdlet{Name: cmd, Module: serverManager, Params: []engine.Param{names,
			{Name: "IncludeManagementTools", Type: "switch", Position: -1}, {Name: "IncludeAllSubFeature", Type: "switch", Position: -1},
			{Name: "Restart", Type: "switch", Position: -1}, {Name: "Remove", Type: "switch", Position: -1},
			{Name: "Source", Type: "string[]", Position: -1}, {Name: "Vhd", Type: "string", Position: -1},
			{Name: "ComputerName", Aliases: []string{"Cn"}, Type: "string", Position: -1}, {Name: "LogPath", Type: "string", Position: -1},
			{Name: "WhatIf", Type: "switch", Position: -1}, {Name: "Confirm", Type: "switch", Position: -1}},
			Begin:   func(c *engine.Call) error { c.State = &featureRun{}; return nil },
			Process: func(c *engine.Call) error { return h.collectFeatures(c, cmd) },
			End:     func(c *engine.Call) error { return h.changeFeatures(c, class, install) }}
	}
	getNames := names
	getNames.Mandatory = false
	return []*engine.Cmdlet{
		{Name: "Get-WindowsFeature", Module: serverManager, Params: []engine.Param{getNames,
			{Name: "Vhd", Type: "string", Position: -1}, {Name: "ComputerName", Aliases: []string{"Cn"}, Type: "string", Position: -1},
			{Name: "LogPath", Type: "string", Position: -1}},
			Process: h.getWindowsFeature},
		change("Install-WindowsFeature", addFeatureClass, true),
		change("Uninstall-WindowsFeature", remFeatureClass, false),
	}
}

// featureName reads a -Name element: a string or a Feature object.
func featureName(v any) string {
	if o, ok := v.(*object); ok && o.TypeName() == featureTypeName {
		n, _ := o.Property("Name")
		return value.ToString(n)
	}
	return value.ToString(v)
}

func (h *host) feature(name string) *object {
	meta := serverFeatures()[strings.ToLower(name)]
	state := h.m.Feature(meta[0])
	if state == "" {
		state = machine.Available
	}
	o := newObject(featureTypeName, "System.Object")
	o.set("DisplayName", meta[0]).
		set("Name", meta[0]).
		set("Installed", state == machine.Installed).
		set("InstallState", h.enums.installState.Must(state)).
		set("FeatureType", meta[1]).
		set("Path", meta[0]).
		set("Depth", int32(1)).
		set("SubFeatures", value.Array{}).
		set("DependsOn", value.Array{})
	o.str = func() string { return featureTypeName }
	return o
}

func (h *host) getWindowsFeature(c *engine.Call) error {
	if err := refuseBound(c, "Get-WindowsFeature", "Vhd", "ComputerName", "LogPath"); err != nil {
		return err
	}
	if !has(c, "Name") {
		return notModelled("Get-WindowsFeature without -Name (winsim models the Containers and Hyper-V features only)")
	}
	items := listOf(c.Bound["Name"])
	for _, it := range items {
		n := featureName(it)
		if isWildcard(n) {
			return notModelled("Get-WindowsFeature -Name %s (wildcards; winsim models the Containers and Hyper-V features only)", n)
		}
		if _, ok := serverFeatures()[strings.ToLower(n)]; !ok {
			return notModelled("the Windows feature %s (winsim models Containers and Hyper-V)", n)
		}
		c.Out(h.feature(n))
	}
	return nil
}

// featureRun collects a change cmdlet's names across pipeline input; the change happens at End, as
// one operation with one result (as Install-WindowsFeature reports several features together).
type featureRun struct{ names []string }

func (h *host) collectFeatures(c *engine.Call, cmd string) error {
	if err := refuseBound(c, cmd, "Restart", "Remove", "Source", "Vhd", "ComputerName", "LogPath", "WhatIf", "Confirm", "IncludeAllSubFeature"); err != nil {
		return err
	}
	run, _ := c.State.(*featureRun)
	v := c.Bound["Name"]
	if c.HasInput {
		v = c.Input
	}
	items := listOf(v)
	for _, it := range items {
		n := featureName(it)
		if _, ok := serverFeatures()[strings.ToLower(n)]; !ok {
			return notModelled("the Windows feature %s (winsim models Containers and Hyper-V)", n)
		}
		run.names = append(run.names, serverFeatures()[strings.ToLower(n)][0])
	}
	return nil
}

// stripCmdletPrefix drops the "Cmdlet-Name : " the console prints before an error's message (the
// machine's texts carry it; an exception's Message does not).
func stripCmdletPrefix(msg string) string {
	if i := strings.Index(msg, " : "); i > 0 && !strings.ContainsAny(msg[:i], " \r\n") {
		return msg[i+3:]
	}
	return msg
}

func (h *host) changeFeatures(c *engine.Call, class string, install bool) error {
	run, _ := c.State.(*featureRun)
	if run == nil || len(run.names) == 0 {
		return nil
	}
	restart := false
	var results value.Array
	var failure *engine.ErrorRecord
	for _, n := range run.names {
		var changed, needs bool
		if install {
			before := h.m.Feature(n)
			r, err := h.m.InstallFeature(n)
			if err != nil {
				var fe *machine.FeatureError
				msg := err.Error()
				if errors.As(err, &fe) {
					msg = stripCmdletPrefix(fe.Message)
				}
				id := "DISMAPI_Error__Failed_To_Enable_Updates"
				if strings.HasPrefix(msg, "A prerequisite check") {
					id = "Alteration_PrerequisiteCheck_Failed"
				}
				failure = newError("System.Exception", msg, id, class, "InvalidOperation", n)
				break
			}
			changed, needs = before != machine.Installed && before != machine.InstallPending, r
		} else {
			before := h.m.Feature(n)
			needs = h.m.RemoveFeature(n)
			changed = before == machine.Installed || before == machine.InstallPending
		}
		restart = restart || needs
		if changed {
			fr := newObject(featureResultTyp, "System.Object")
			fr.set("DisplayName", n).set("Name", n).set("RestartNeeded", needs).set("SkipReason", "NotSkipped").
				set("Success", true).set("Message", "")
			fr.str = func() string { return n }
			results = append(results, fr)
		}
	}
	res := newObject(featureOpResult, "System.Object")
	switch {
	case failure != nil:
		res.set("Success", false).set("RestartNeeded", h.enums.restartState.Must("No")).
			set("FeatureResult", value.Array{}).set("ExitCode", h.enums.featureExitCode.Must("Failed"))
		if err := c.Err(failure); err != nil {
			return err //nolint:wrapcheck // the engine's ErrorAction decision
		}
	case len(results) == 0:
		res.set("Success", true).set("RestartNeeded", h.enums.restartState.Must("No")).
			set("FeatureResult", results).set("ExitCode", h.enums.featureExitCode.Must("NoChangeNeeded"))
	case restart:
		res.set("Success", true).set("RestartNeeded", h.enums.restartState.Must("Yes")).
			set("FeatureResult", results).set("ExitCode", h.enums.featureExitCode.Must("SuccessRestartRequired"))
	default:
		res.set("Success", true).set("RestartNeeded", h.enums.restartState.Must("No")).
			set("FeatureResult", results).set("ExitCode", h.enums.featureExitCode.Must("Success"))
	}
	c.Out(res)
	return nil
}
