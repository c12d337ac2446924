package machine

import (
	"fmt"
	"slices"
	"strings"
)

// Windows Defender Firewall rules, as the NetSecurity module's cmdlets see them
// (MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps/NetSecurity). A rule is recorded; no
// traffic is filtered.

// FirewallRule is one rule (MSFT_NetFirewallRule with its port filter).
type FirewallRule struct {
	Name        string // the rule's ID (New-NetFirewallRule -Name; a GUID when not given)
	DisplayName string
	Description string
	Group       string
	Enabled     bool
	Direction   string   // Inbound, Outbound
	Action      string   // Allow, Block
	Profile     string   // Any, or Domain/Private/Public joined by ", "
	Protocol    string   // TCP, UDP, Any, ...
	LocalPort   []string // "5986", "Any"
}

// builtinWinRMRules are the inbound rules Windows Server ships for the WinRM HTTP listener (inferred:
// the "Windows Remote Management" group's two HTTP rules, enabled where remote management is on).
func builtinWinRMRules() []*FirewallRule {
	return []*FirewallRule{
		{Name: "WINRM-HTTP-In-TCP", DisplayName: "Windows Remote Management (HTTP-In)", Group: "@FirewallAPI.dll,-35001",
			Enabled: true, Direction: "Inbound", Action: "Allow", Profile: "Domain, Private", Protocol: "TCP", LocalPort: []string{"5985"}},
		{Name: "WINRM-HTTP-In-TCP-PUBLIC", DisplayName: "Windows Remote Management (HTTP-In)", Group: "@FirewallAPI.dll,-35001",
			Enabled: true, Direction: "Inbound", Action: "Allow", Profile: "Public", Protocol: "TCP", LocalPort: []string{"5985"}},
	}
}

// FirewallExistsError is a New-NetFirewallRule whose -Name is taken.
type FirewallExistsError struct{ Name string }

func (e *FirewallExistsError) Error() string {
	// inferred: the CIM error MSFT_NetFirewallRule's Create returns for a duplicate ID.
	return fmt.Sprintf("Cannot create a file when that file already exists. (rule %q)", e.Name)
}

// FirewallRules lists the rules in creation order.
func (w *Windows) FirewallRules() []FirewallRule {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]FirewallRule, 0, len(w.rules))
	for _, r := range w.rules {
		c := *r
		c.LocalPort = slices.Clone(r.LocalPort)
		out = append(out, c)
	}
	return out
}

// AddFirewallRule adds a rule; its Name must be new (case-insensitively).
func (w *Windows) AddFirewallRule(r FirewallRule) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, have := range w.rules {
		if strings.EqualFold(have.Name, r.Name) {
			return &FirewallExistsError{r.Name}
		}
	}
	r.LocalPort = slices.Clone(r.LocalPort)
	w.rules = append(w.rules, &r)
	return nil
}

// RemoveFirewallRule removes the rule of that Name; it reports whether there was one.
func (w *Windows) RemoveFirewallRule(name string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, r := range w.rules {
		if strings.EqualFold(r.Name, name) {
			w.rules = append(w.rules[:i], w.rules[i+1:]...)
			return true
		}
	}
	return false
}
