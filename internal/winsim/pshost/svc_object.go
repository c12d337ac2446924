package pshost

import (
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// serviceController is System.ServiceProcess.ServiceController, what Get-Service returns (reference/5.1
// Microsoft.PowerShell.Management/Get-Service.md, OUTPUTS). As in .NET Framework, Status and StartType
// are read from the Service Control Manager when first asked and then kept until Refresh() (or
// WaitForStatus, which refreshes) — inferred from the .NET Framework reference source of
// ServiceController (GenerateStatus, startTypeInitialized); StartType exists from .NET Framework 4.6.1,
// which every 5.1 host has. PowerShell adds the alias properties Name (ServiceName) and
// RequiredServices (ServicesDependedOn) through its types.ps1xml.
type serviceController struct {
	h    *host
	name string // the service's key name
	// display is read at creation (Get-Service checks that the service exists by reading it).
	display   string
	status    *value.Enum
	startType *value.Enum
}

func (h *host) newServiceController(s machine.Service) *serviceController {
	return &serviceController{h: h, name: s.Name, display: s.DisplayName}
}

func (sc *serviceController) current() (machine.Service, bool) { return sc.h.m.Service(sc.name) }

func (sc *serviceController) statusValue() value.Enum {
	if sc.status == nil {
		st := "Stopped"
		if s, ok := sc.current(); ok {
			st = s.State
		}
		e := sc.h.enums.serviceStatus.Must(st)
		sc.status = &e
	}
	return *sc.status
}

func (sc *serviceController) startTypeValue() value.Enum {
	if sc.startType == nil {
		st := machine.Manual
		if s, ok := sc.current(); ok && s.StartType != "" {
			st = s.StartType
		}
		e, ok := sc.h.enums.startMode.Of(st)
		if !ok {
			e = sc.h.enums.startMode.Must(machine.Manual)
		}
		sc.startType = &e
	}
	return *sc.startType
}

func (sc *serviceController) refresh() { sc.status, sc.startType = nil, nil }

// serviceType is Win32OwnProcess (16) for a service with its own executable, Win32ShareProcess (32)
// for one hosted by svchost.exe.
func (sc *serviceController) serviceType() value.Enum {
	if s, ok := sc.current(); ok && strings.Contains(strings.ToLower(s.PathName), `svchost.exe`) {
		return sc.h.enums.serviceType.Must("Win32ShareProcess")
	}
	return sc.h.enums.serviceType.Must("Win32OwnProcess")
}

// TypeName implements value.Object.
func (sc *serviceController) TypeName() string { return "System.ServiceProcess.ServiceController" }

// TypeNames implements value.TypeNamesOf.
func (sc *serviceController) TypeNames() []string {
	return []string{"System.ServiceProcess.ServiceController", "System.ComponentModel.Component", "System.MarshalByRefObject", "System.Object"}
}

// PropertyNames implements value.PropertyLister (the alias properties first, as PowerShell lists them).
func (sc *serviceController) PropertyNames() []string {
	return []string{"Name", "RequiredServices", "CanPauseAndContinue", "CanShutdown", "CanStop", "DisplayName", "DependentServices",
		"MachineName", "ServiceName", "ServicesDependedOn", "ServiceHandle", "Status", "ServiceType", "StartType", "Site", "Container"}
}

// Property implements value.Object.
func (sc *serviceController) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "name", "servicename":
		return sc.name, true
	case "displayname":
		return sc.display, true
	case "status":
		return sc.statusValue(), true
	case "starttype":
		return sc.startTypeValue(), true
	case "machinename":
		return ".", true
	case "canstop":
		// A running service that accepts stop controls (the modelled ones all do).
		return sc.statusValue().Value == 4, true
	case "canpauseandcontinue":
		return false, true
	case "canshutdown":
		return sc.statusValue().Value == 4, true
	case "servicetype":
		return sc.serviceType(), true
	case "requiredservices", "servicesdependedon", "dependentservices":
		// inferred: none of the modelled services declares dependencies.
		return value.Array{}, true
	case "servicehandle", "site", "container":
		return nil, true
	}
	return nil, false
}

// ToString implements value.Object: .NET's default Object.ToString, the type name.
func (sc *serviceController) ToString() string { return sc.TypeName() }

// InvokeMethod implements engine.Invoker: Refresh() and WaitForStatus(status[, timeout]).
func (sc *serviceController) InvokeMethod(_ *engine.Session, name string, args []any) (any, error) {
	switch strings.ToLower(name) {
	case "refresh":
		sc.refresh()
		return nil, nil
	case "waitforstatus":
		if len(args) < 1 || len(args) > 2 {
			return nil, notModelled("ServiceController.WaitForStatus with %d arguments", len(args))
		}
		want, err := value.ConvertToEnum(args[0], sc.h.enums.serviceStatus)
		if err != nil {
			return nil, err //nolint:wrapcheck // the conversion error is PowerShell's own
		}
		sc.refresh()
		if sc.statusValue().Value == want.Value {
			return nil, nil
		}
		if len(args) == 1 {
			// Without a timeout .NET waits for ever; nothing in winsim changes a service's state while a
			// script waits, so this would hang.
			return nil, notModelled("ServiceController.WaitForStatus without a timeout for a status that never comes (%s while %s)", want, sc.statusValue())
		}
		// Services change state at once in winsim: a status that is not there now never comes, and .NET
		// throws System.ServiceProcess.TimeoutException when the timeout passes (reported at once).
		return nil, engine.NewError("System.ServiceProcess.TimeoutException", "Time out has expired and the operation has not been completed.",
			"TimeoutException", "NotSpecified", nil)
	}
	return nil, notModelled("the method ServiceController.%s", name)
}
