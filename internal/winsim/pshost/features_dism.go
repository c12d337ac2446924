package pshost

import (
	"errors"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// DISM's optional-feature cmdlets on the running Windows (-Online) (MicrosoftDocs/windows-powershell-docs
// docset/winserver2022-ps/DISM: Get-WindowsOptionalFeature.md (OUTPUTS BasicFeatureObject,
// AdvancedFeatureObject), Enable-WindowsOptionalFeature.md and Disable-WindowsOptionalFeature.md
// (OUTPUTS ImageObject, whose RestartNeeded is a boolean)). Offline images (-Path) are not modelled.
// On Windows Server the same features carry their DISM names (Microsoft-Hyper-V for the Hyper-V role).
// Errors are DISM's COMException, their FullyQualifiedErrorId the cmdlet's class (inferred).

const dism = "Dism"

// dismFeatures maps DISM feature names to the machine's names on server and client.
func dismFeatures(client bool) map[string]string {
	if client {
		return map[string]string{"containers": "Containers", "microsoft-hyper-v": "Microsoft-Hyper-V"}
	}
	return map[string]string{"containers": "Containers", "microsoft-hyper-v": "Hyper-V"}
}

// dismState is a machine state as DISM names it.
func dismState(state string) string {
	switch state {
	case machine.Installed:
		return machine.Enabled
	case machine.Available, "":
		return machine.Disabled
	case machine.InstallPending:
		return machine.EnablePending
	case machine.UninstallPending:
		return machine.DisablePending
	}
	return state
}

func (h *host) dismCmdlets() []*engine.Cmdlet {
	common := func(extra ...engine.Param) []engine.Param {
		return append([]engine.Param{
			{Name: "FeatureName", Type: "string[]", Position: -1, ValueFromPipelineByPropertyName: true},
			{Name: "Online", Type: "switch", Position: -1},
			{Name: "Path", Type: "string", Position: -1}, {Name: "PackageName", Type: "string", Position: -1},
			{Name: "LogPath", Type: "string", Position: -1}, {Name: "ScratchDirectory", Type: "string", Position: -1},
			{Name: "LogLevel", Type: "string", Position: -1}, {Name: "WindowsDirectory", Type: "string", Position: -1},
			{Name: "SystemDrive", Type: "string", Position: -1},
		}, extra...)
	}
	return []*engine.Cmdlet{
		{Name: "Get-WindowsOptionalFeature", Module: dism, Params: common(), Process: h.getOptionalFeature},
		{Name: "Enable-WindowsOptionalFeature", Module: dism, Params: common(
			engine.Param{Name: "All", Type: "switch", Position: -1}, engine.Param{Name: "NoRestart", Type: "switch", Position: -1},
			engine.Param{Name: "LimitAccess", Type: "switch", Position: -1}, engine.Param{Name: "Source", Type: "string[]", Position: -1}),
			Process: func(c *engine.Call) error { return h.changeOptionalFeature(c, true) }},
		{Name: "Disable-WindowsOptionalFeature", Module: dism, Params: common(
			engine.Param{Name: "NoRestart", Type: "switch", Position: -1}, engine.Param{Name: "Remove", Type: "switch", Position: -1}),
			Process: func(c *engine.Call) error { return h.changeOptionalFeature(c, false) }},
	}
}

func dismError(cmd, msg string, target any) *engine.ErrorRecord {
	class := "Microsoft.Dism.Commands." + strings.ReplaceAll(cmd, "-", "") + "Command"
	return newError("System.Runtime.InteropServices.COMException", msg, class, "", "NotSpecified", target)
}

// dismNames resolves -FeatureName; a name DISM does not know is its error "Feature name <n> is
// unknown." (the machine's text); a real feature winsim does not model cannot be told from it and is
// refused as not modelled.
func (h *host) dismNames(c *engine.Call, cmd string) ([]string, error) {
	if !flag(c, "Online") || has(c, "Path") {
		return nil, notModelled("%s on an offline image (-Path); only -Online is modelled", cmd)
	}
	if err := refuseBound(c, cmd, "PackageName", "LogPath", "ScratchDirectory", "LogLevel", "WindowsDirectory", "SystemDrive", "LimitAccess", "Source", "Remove"); err != nil {
		return nil, err
	}
	names := strs(c, "FeatureName")
	if len(names) == 0 {
		return nil, notModelled("%s without -FeatureName (winsim models the Containers and Microsoft-Hyper-V features only)", cmd)
	}
	known := dismFeatures(h.m.Config().Client)
	var out []string
	for _, n := range names {
		if isWildcard(n) {
			return nil, notModelled("%s -FeatureName %s (wildcards)", cmd, n)
		}
		if _, ok := known[strings.ToLower(n)]; !ok {
			return nil, notModelled("the optional feature %s (winsim models Containers and Microsoft-Hyper-V)", n)
		}
		out = append(out, n)
	}
	return out, nil
}

func (h *host) getOptionalFeature(c *engine.Call) error {
	names, err := h.dismNames(c, "Get-WindowsOptionalFeature")
	if err != nil {
		return err
	}
	client := h.m.Config().Client
	for _, n := range names {
		key := dismFeatures(client)[strings.ToLower(n)]
		display := map[string]string{"Containers": "Containers", "Microsoft-Hyper-V": "Hyper-V", "Hyper-V": "Hyper-V"}[key]
		o := newObject("Microsoft.Dism.Commands.AdvancedFeatureObject", "Microsoft.Dism.Commands.BasicFeatureObject", "Microsoft.Dism.Commands.ImageObject", "System.Object")
		canonical := map[string]string{"containers": "Containers", "microsoft-hyper-v": "Microsoft-Hyper-V"}[strings.ToLower(n)]
		o.set("FeatureName", canonical).
			set("DisplayName", display).
			set("Description", "").
			set("RestartRequired", "Possible").
			set("State", h.enums.featureState.Must(dismState(h.m.Feature(key)))).
			set("CustomProperties", nil).
			set("Path", "").
			set("Online", true).
			set("WinPath", nil).
			set("SysDrivePath", nil).
			set("RestartNeeded", false).
			set("LogPath", `C:\Windows\Logs\DISM\dism.log`).
			set("ScratchDirectory", "").
			set("LogLevel", "WarningsInfo")
		c.Out(o)
	}
	return nil
}

// changeOptionalFeature is Enable- (install) or Disable-WindowsOptionalFeature -Online -NoRestart.
func (h *host) changeOptionalFeature(c *engine.Call, enable bool) error {
	cmd := "Disable-WindowsOptionalFeature"
	if enable {
		cmd = "Enable-WindowsOptionalFeature"
	}
	names, err := h.dismNames(c, cmd)
	if err != nil {
		return err
	}
	if !flag(c, "NoRestart") {
		// Without -NoRestart DISM asks whether to restart now; that prompt is not modelled.
		return notModelled("%s without -NoRestart (the restart prompt)", cmd)
	}
	client := h.m.Config().Client
	restart := false
	for _, n := range names {
		key := dismFeatures(client)[strings.ToLower(n)]
		if !enable {
			restart = h.m.RemoveFeature(key) || restart
			continue
		}
		if strings.EqualFold(n, "Microsoft-Hyper-V") && !flag(c, "All") && dismState(h.m.Feature(key)) == machine.Disabled {
			// inferred: DISM's refusal to enable a feature whose parent features are disabled
			// (Microsoft-Hyper-V needs Microsoft-Hyper-V-All) without -All.
			return c.Err(dismError(cmd, "One or several parent features are disabled so current feature can not be enabled.", n)) //nolint:wrapcheck // the engine's ErrorAction decision
		}
		needs, err := h.m.InstallFeature(key)
		if err != nil {
			msg := err.Error()
			var fe *machine.FeatureError
			if errors.As(err, &fe) {
				msg = stripCmdletPrefix(fe.Message)
			}
			return c.Err(dismError(cmd, msg, n)) //nolint:wrapcheck // the engine's ErrorAction decision
		}
		restart = restart || needs
	}
	o := newObject("Microsoft.Dism.Commands.ImageObject", "System.Object")
	o.set("Path", "").set("Online", true).set("WinPath", nil).set("SysDrivePath", nil).
		set("RestartNeeded", restart).set("LogPath", `C:\Windows\Logs\DISM\dism.log`).set("ScratchDirectory", "").set("LogLevel", "WarningsInfo")
	c.Out(o)
	return nil
}
