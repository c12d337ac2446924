// Package pshost is the Windows host that winsim's Windows PowerShell 5.1 engine (internal/winsim/ps51)
// runs the library's scripts against: the cmdlets, .NET types and native programs a Windows Server or
// Windows client host has, implemented over winsim's machine model (internal/winsim/machine).
//
// This part covers services, CIM, Windows features, the event log, processes, HNS, the WinRM
// configuration, certificates, the firewall and the native programs; the file system, the registry,
// the web and IO types are another part of the package. Each cmdlet cites the Microsoft page it follows;
// what the pages do not say is marked "inferred:". Anything not modelled fails with "winsim's
// PowerShell does not implement ...", never with a made-up success.
package pshost

import (
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// host is what the cmdlets and programs of one System share: the machine, its Windows state, and the
// enum types their objects use (one instance each, so that values of a type compare as one type).
type host struct {
	m     *machine.Machine
	w     *machine.Windows
	enums enumTypes
}

// System is the host side of a session on m: the cmdlets available on this host now (by the module
// inventory, modules), the .NET types they add, and the native programs. w is m's Windows state, which
// lives as long as the machine (winsim keeps one per host). Call it for each session: which modules a
// host has changes with its features (HostNetworkingService arrives with the Containers feature).
func System(m *machine.Machine, w *machine.Windows) ([]*engine.Cmdlet, []*engine.Type, engine.NativeRunner) {
	h := &host{m: m, w: w, enums: newEnumTypes()}
	present := map[string]bool{}
	for _, mod := range modules(m, w) {
		present[mod.Name] = mod.Present
	}
	var out []*engine.Cmdlet
	for _, c := range h.cmdlets() {
		if present[c.Module] {
			out = append(out, c)
		}
	}
	return out, h.types(), &natives{h: h}
}

// Programs are m's native programs alone (System's third result), for a caller that starts programs
// without a PowerShell session (cmd.exe): they hold no state of their own, so one serves every call.
func Programs(m *machine.Machine, w *machine.Windows) engine.NativeRunner {
	return &natives{h: &host{m: m, w: w, enums: newEnumTypes()}}
}

// cmdlets are every cmdlet this part of the host implements (or stubs as not modelled), each with
// its module.
func (h *host) cmdlets() []*engine.Cmdlet {
	var out []*engine.Cmdlet
	for _, group := range [][]*engine.Cmdlet{
		h.serviceCmdlets(), h.cimCmdlets(), h.serverManagerCmdlets(), h.dismCmdlets(), h.eventCmdlets(),
		h.processCmdlets(), h.hnsCmdlets(), h.wsmanCmdlets(), h.certCmdlets(), h.firewallCmdlets(),
	} {
		out = append(out, group...)
	}
	return append(out, h.stubCmdlets()...)
}

// types are the enum types of the objects, so that scripts can name them
// ([System.ServiceProcess.ServiceControllerStatus]::Running) and cast to them.
func (h *host) types() []*engine.Type {
	var out []*engine.Type
	for _, t := range h.enums.all() {
		et := t
		props := map[string]func(s *engine.Session) (any, error){}
		for _, m := range et.Members {
			v := value.Enum{Type: et, Value: m.Value}
			props[m.Name] = func(*engine.Session) (any, error) { return v, nil }
		}
		out = append(out, &engine.Type{FullName: et.Name, StaticProperties: props,
			ConvertFrom: func(_ *engine.Session, v any) (any, error) {
				e, err := value.ConvertToEnum(v, et)
				if err != nil {
					return nil, err //nolint:wrapcheck // PowerShell's conversion error
				}
				return e, nil
			}})
	}
	return out
}
