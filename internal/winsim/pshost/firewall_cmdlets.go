package pshost

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// NetSecurity's rule cmdlets (MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps/NetSecurity:
// New-NetFirewallRule.md (-DisplayName mandatory; -Direction, -Action default Inbound and Allow;
// -Profile Any, Domain, Private, Public or NotApplicable, default Any), Get-NetFirewallRule.md,
// Remove-NetFirewallRule.md). The objects are CIM instances of root/StandardCimv2 MSFT_NetFirewallRule
// (the port filter's LocalPort is read through Get-NetFirewallPortFilter on Windows; it is not a
// property of the rule and is not shown here). NetSecurity is a CDXML module: a -Name that finds
// nothing is its standard "No MSFT_NetFirewallRule objects found with property 'Name' equal to 'x'.
// Verify the value of the property and retry." (CmdletizationQuery_NotFound_Name; inferred: the text
// and id as 5.1 shows them).

const netSecurity = "NetSecurity"

func (h *host) firewallCmdlets() []*engine.Cmdlet {
	named := func(name, typ string) engine.Param { return engine.Param{Name: name, Type: typ, Position: -1} }
	unmodelled := []engine.Param{named("PolicyStore", "string"), named("GPOSession", "string"), named("CimSession", "object[]"),
		named("ThrottleLimit", "int"), named("AsJob", "switch"), named("WhatIf", "switch"), named("Confirm", "switch")}
	return []*engine.Cmdlet{
		{Name: "Get-NetFirewallRule", Module: netSecurity, Params: append([]engine.Param{
			{Name: "Name", Aliases: []string{"ID"}, Type: "string[]", Position: 0}, named("DisplayName", "string[]"),
			named("All", "switch"), named("Enabled", "string[]"), named("Direction", "string[]"), named("Group", "string[]")}, unmodelled...),
			Process: h.getFirewallRule},
		{Name: "New-NetFirewallRule", Module: netSecurity, Params: append([]engine.Param{
			named("Name", "string"), {Name: "DisplayName", Type: "string", Position: -1, Mandatory: true}, named("Description", "string"),
			named("Group", "string"), named("Enabled", "string"), named("Profile", "string"), named("Direction", "string"),
			named("Action", "string"), named("Protocol", "string"), named("LocalPort", "string[]"), named("RemotePort", "string[]"),
			named("LocalAddress", "string[]"), named("RemoteAddress", "string[]"), named("Program", "string"), named("Service", "string")}, unmodelled...),
			Process: h.newFirewallRule},
		{Name: "Remove-NetFirewallRule", Module: netSecurity, Params: append([]engine.Param{
			{Name: "Name", Aliases: []string{"ID"}, Type: "string[]", Position: 0, ValueFromPipelineByPropertyName: true},
			named("DisplayName", "string[]"), {Name: "InputObject", Type: "object[]", Position: -1, ValueFromPipeline: true}}, unmodelled...),
			Process: h.removeFirewallRule},
	}
}

func ruleObject(r machine.FirewallRule) *object {
	o := newObject("Microsoft.Management.Infrastructure.CimInstance", "Microsoft.Management.Infrastructure.CimInstance#root/standardcimv2/MSFT_NetFirewallRule",
		"Microsoft.Management.Infrastructure.CimInstance#MSFT_NetFirewallRule", "System.Object")
	enabled := "False"
	if r.Enabled {
		enabled = "True"
	}
	o.set("Name", r.Name).set("ID", r.Name).set("InstanceID", r.Name).set("DisplayName", r.DisplayName).
		set("Description", r.Description).set("Group", r.Group).set("Enabled", enabled).set("Profile", r.Profile).
		set("Direction", r.Direction).set("Action", r.Action).set("PrimaryStatus", "OK").set("Status", "The rule was parsed successfully from the store. (65536)").
		set("PolicyStoreSource", "PersistentStore").set("PSComputerName", nil)
	o.str = func() string { return fmt.Sprintf("MSFT_NetFirewallRule (InstanceID = %q)", r.Name) }
	return o
}

func notFoundRule(cmd, prop, v string) *engine.ErrorRecord {
	return newError("Microsoft.PowerShell.Cmdletization.Cim.CimJobException",
		fmt.Sprintf("No MSFT_NetFirewallRule objects found with property '%s' equal to '%s'.  Verify the value of the property and retry.", prop, v),
		"CmdletizationQuery_NotFound_"+prop, cmd, "ObjectNotFound", v)
}

func (h *host) getFirewallRule(c *engine.Call) error {
	if err := refuseBound(c, "Get-NetFirewallRule", "PolicyStore", "GPOSession", "CimSession", "ThrottleLimit", "AsJob", "Enabled", "Direction", "Group"); err != nil {
		return err
	}
	return h.selectRules(c, "Get-NetFirewallRule", func(r machine.FirewallRule) { c.Out(ruleObject(r)) })
}

// selectRules calls fn for each rule -Name or -DisplayName (wildcards allowed) selects, all without
// either; a name without a wildcard that finds nothing is the CDXML not-found error.
func (h *host) selectRules(c *engine.Call, cmd string, fn func(machine.FirewallRule)) error {
	rules := h.w.FirewallRules()
	prop, wanted := "Name", strs(c, "Name")
	if has(c, "DisplayName") {
		prop, wanted = "DisplayName", strs(c, "DisplayName")
	}
	if wanted == nil {
		for _, r := range rules {
			fn(r)
		}
		return nil
	}
	for _, want := range wanted {
		found := false
		for _, r := range rules {
			have := r.Name
			if prop == "DisplayName" {
				have = r.DisplayName
			}
			if (isWildcard(want) && wildMatch(have, want)) || strings.EqualFold(have, want) {
				fn(r)
				found = true
			}
		}
		if !found && !isWildcard(want) {
			if err := c.Err(notFoundRule(cmd, prop, want)); err != nil {
				return err //nolint:wrapcheck // the engine's ErrorAction decision
			}
		}
	}
	return nil
}

func oneOf(v string, allowed ...string) (string, bool) {
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a, true
		}
	}
	return "", false
}

func (h *host) newFirewallRule(c *engine.Call) error {
	const cmd = "New-NetFirewallRule"
	if err := refuseBound(c, cmd, "PolicyStore", "GPOSession", "CimSession", "ThrottleLimit", "AsJob", "WhatIf", "Confirm",
		"RemotePort", "LocalAddress", "RemoteAddress", "Program", "Service"); err != nil {
		return err
	}
	r := machine.FirewallRule{Name: str(c, "Name"), DisplayName: str(c, "DisplayName"), Description: str(c, "Description"),
		Group: str(c, "Group"), Enabled: true, Direction: "Inbound", Action: "Allow", Profile: "Any", Protocol: "Any"}
	if r.Name == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		r.Name = fmt.Sprintf("{%x-%x-%x-%x-%x}", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	bad := func(param, v string, allowed ...string) error {
		// The enum conversion error of the parameter's CDXML type.
		return engine.NewError("System.Management.Automation.ParameterBindingException",
			fmt.Sprintf("Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"%s\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n%s\"",
				param, v, "Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetSecurity."+param, v, strings.Join(allowed, ", ")),
			"CannotConvertArgumentNoMessage,"+cmd, "InvalidArgument", v)
	}
	if has(c, "Enabled") {
		v, ok := oneOf(str(c, "Enabled"), "True", "False")
		if !ok {
			return bad("Enabled", str(c, "Enabled"), "True", "False")
		}
		r.Enabled = v == "True"
	}
	if has(c, "Direction") {
		v, ok := oneOf(str(c, "Direction"), "Inbound", "Outbound")
		if !ok {
			return bad("Direction", str(c, "Direction"), "Inbound", "Outbound")
		}
		r.Direction = v
	}
	if has(c, "Action") {
		v, ok := oneOf(str(c, "Action"), "NotConfigured", "Allow", "Block")
		if !ok {
			return bad("Action", str(c, "Action"), "NotConfigured", "Allow", "Block")
		}
		r.Action = v
	}
	if has(c, "Profile") {
		var parts []string
		for _, p := range strings.Split(str(c, "Profile"), ",") {
			v, ok := oneOf(strings.TrimSpace(p), "Any", "Domain", "Private", "Public", "NotApplicable")
			if !ok {
				return bad("Profile", str(c, "Profile"), "Any", "Domain", "Private", "Public", "NotApplicable")
			}
			parts = append(parts, v)
		}
		r.Profile = strings.Join(parts, ", ")
	}
	if has(c, "Protocol") {
		p := str(c, "Protocol")
		if v, ok := oneOf(p, "TCP", "UDP", "ICMPv4", "ICMPv6", "Any"); ok {
			r.Protocol = v
		} else if n, err := strconv.Atoi(p); err == nil && n >= 0 && n <= 255 {
			r.Protocol = p
		} else {
			return notModelled("New-NetFirewallRule -Protocol %s", p)
		}
	}
	if has(c, "LocalPort") {
		if r.Protocol != "TCP" && r.Protocol != "UDP" {
			// inferred: the firewall refuses ports for a protocol without them.
			return c.Err(newError("Microsoft.Management.Infrastructure.CimException", "The port filter is not valid for the protocol. ", "Windows System Error 87", cmd, "InvalidArgument", nil)) //nolint:wrapcheck // the engine's ErrorAction decision
		}
		for _, p := range strs(c, "LocalPort") {
			r.LocalPort = append(r.LocalPort, strings.Split(p, ",")...)
		}
	}
	if err := h.w.AddFirewallRule(r); err != nil {
		var fe *machine.FirewallExistsError
		if errors.As(err, &fe) {
			// inferred: ERROR_ALREADY_EXISTS from the firewall's CIM provider.
			return c.Err(newError("Microsoft.Management.Infrastructure.CimException", "Cannot create a file when that file already exists. ",
				"Windows System Error 183", cmd, "ResourceExists", r.Name)) //nolint:wrapcheck // the engine's ErrorAction decision
		}
		return fmt.Errorf("%s: %w", cmd, err)
	}
	c.Out(ruleObject(r))
	return nil
}

func (h *host) removeFirewallRule(c *engine.Call) error {
	const cmd = "Remove-NetFirewallRule"
	if err := refuseBound(c, cmd, "PolicyStore", "GPOSession", "CimSession", "ThrottleLimit", "AsJob", "WhatIf", "Confirm"); err != nil {
		return err
	}
	if in, ok := c.Bound["InputObject"]; ok && in != nil {
		items := listOf(in)
		for _, it := range items {
			o, ok := it.(*object)
			if !ok {
				return notModelled("Remove-NetFirewallRule -InputObject of type %s", value.TypeName(it))
			}
			n, _ := o.Property("Name")
			h.w.RemoveFirewallRule(value.ToString(n))
		}
		return nil
	}
	return h.selectRules(c, cmd, func(r machine.FirewallRule) { h.w.RemoveFirewallRule(r.Name) })
}
