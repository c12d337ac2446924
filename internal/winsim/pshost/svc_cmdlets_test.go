package pshost

import (
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

func TestGetServiceMissingIsNonTerminating(t *testing.T) {
	th := newTestHost(t, machine.Config{})
	r := th.call("Get-Service", map[string]any{"Name": []string{"docker"}})
	if r.err != nil || len(r.out) != 0 || len(r.errs) != 1 {
		t.Fatalf("want one non-terminating error, got %+v", r)
	}
	e := r.errs[0]
	if e.Exception.Message != "Cannot find any service with service name 'docker'." ||
		e.FullyQualifiedErrorId != "NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand" || e.Category != "ObjectNotFound" {
		t.Fatalf("error: %+v %+v", e, e.Exception)
	}
	if r := th.call("Get-Service", map[string]any{"Name": []string{"dock*"}}); len(r.errs) != 0 || len(r.out) != 0 {
		t.Fatalf("a wildcard that matches nothing is no error: %+v", r)
	}
}

func TestServiceControllerProperties(t *testing.T) {
	th := newTestHost(t, machine.Config{}).withContainers().withDocker(false)
	r := th.call("Get-Service", map[string]any{"Name": "docker"})
	if len(r.out) != 1 {
		t.Fatalf("%+v", r)
	}
	sc := r.out[0]
	for k, want := range map[string]string{"Name": "docker", "DisplayName": "Docker Engine", "Status": "Stopped", "StartType": "Automatic", "ServiceType": "Win32OwnProcess"} {
		if got := prop(t, sc, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	st, _ := sc.(value.Object).Property("Status")
	if e, ok := st.(value.Enum); !ok || e.Type.Name != "System.ServiceProcess.ServiceControllerStatus" || e.Value != 1 {
		t.Fatalf("Status is %#v", st)
	}
	// .NET caches the status once read: a Start-Service does not change an object read before it...
	if r := th.call("Start-Service", map[string]any{"Name": []string{"docker"}}); r.err != nil || len(r.errs) != 0 {
		t.Fatalf("start: %s", r.errText())
	}
	if got := prop(t, sc, "Status"); got != "Stopped" {
		t.Fatalf("cached Status = %s", got)
	}
	// ...until Refresh().
	if _, err := sc.(*serviceController).InvokeMethod(nil, "Refresh", nil); err != nil {
		t.Fatal(err)
	}
	if got := prop(t, sc, "Status"); got != "Running" {
		t.Fatalf("refreshed Status = %s", got)
	}
}

// A service whose process starts and exits before it reports Running: 5.1's StartServiceFailed with
// the display name; the engine's own reason is in the event log, not in the message.
func TestStartServiceThatFails(t *testing.T) {
	th := newTestHost(t, machine.Config{}).withDocker(false) // no Containers feature
	r := th.call("Start-Service", map[string]any{"Name": []string{"docker"}})
	if len(r.errs) != 1 {
		t.Fatalf("%+v", r)
	}
	e := r.errs[0]
	if e.Exception.Message != "Failed to start service 'Docker Engine (docker)'." ||
		e.FullyQualifiedErrorId != "StartServiceFailed,Microsoft.PowerShell.Commands.StartServiceCommand" || e.Category != "OpenError" ||
		e.Exception.Types[0] != "Microsoft.PowerShell.Commands.ServiceCommandException" {
		t.Fatalf("error: %+v %+v", e, e.Exception)
	}
	if s, _ := th.m.Service("docker"); s.State != machine.Stopped {
		t.Fatalf("state %s", s.State)
	}
	if last := th.m.LastError("docker"); last == "" {
		t.Fatal("the reason is not in the event log")
	}
}

// The service's executable is gone: StartService itself fails (ERROR_FILE_NOT_FOUND), 5.1's
// CouldNotStartService with InvalidOperationException and the Win32 text inside.
func TestStartServiceWithoutExecutable(t *testing.T) {
	th := newTestHost(t, machine.Config{}).withContainers().withDocker(false)
	th.m.RemoveFile(machine.Dockerd)
	r := th.call("Start-Service", map[string]any{"Name": []string{"docker"}})
	if len(r.errs) != 1 {
		t.Fatalf("%+v", r)
	}
	e := r.errs[0]
	want := "Service 'Docker Engine (docker)' cannot be started due to the following error: Cannot start service docker on computer '.'."
	if e.Exception.Message != want || e.FullyQualifiedErrorId != "CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand" {
		t.Fatalf("error: %q %s", e.Exception.Message, e.FullyQualifiedErrorId)
	}
	if e.Exception.Inner == nil || e.Exception.Inner.Inner == nil || e.Exception.Inner.Inner.Message != "The system cannot find the file specified" {
		t.Fatalf("inner: %+v", e.Exception.Inner)
	}
}

func TestSetServiceStopRestart(t *testing.T) {
	th := newTestHost(t, machine.Config{}).withContainers().withDocker(true)
	if r := th.call("Set-Service", map[string]any{"Name": "docker", "StartupType": "Manual"}); r.err != nil || len(r.errs) != 0 {
		t.Fatal(r.errText())
	}
	if s, _ := th.m.Service("docker"); s.StartType != machine.Manual {
		t.Fatalf("start type %s", s.StartType)
	}
	r := th.call("Set-Service", map[string]any{"Name": "nope", "StartupType": "Automatic"})
	if len(r.errs) != 1 || r.errs[0].Exception.Message != "Service nope was not found on computer '.'." {
		t.Fatalf("%s", r.errText())
	}
	if r := th.call("Stop-Service", map[string]any{"Name": []string{"docker"}, "Force": true}); r.err != nil || len(r.errs) != 0 {
		t.Fatal(r.errText())
	}
	if s, _ := th.m.Service("docker"); s.State != machine.Stopped {
		t.Fatalf("state %s", s.State)
	}
	r = th.call("Restart-Service", map[string]any{"Name": []string{"docker"}, "Force": true, "PassThru": true})
	if r.err != nil || len(r.errs) != 0 || len(r.out) != 1 || prop(t, r.out[0], "Status") != "Running" {
		t.Fatalf("%+v %s", r, r.errText())
	}
	// Restarting a running service stops it and starts it again: it runs afterwards (it was left stopped
	// once, when the start looked at the state from before the stop).
	r = th.call("Restart-Service", map[string]any{"Name": []string{"docker"}, "Force": true})
	if s, _ := th.m.Service("docker"); r.err != nil || len(r.errs) != 0 || s.State != machine.Running {
		t.Fatalf("after restarting a running service: %s, %s", s.State, r.errText())
	}
	// A disabled service cannot be started: CouldNotStartService.
	th.call("Set-Service", map[string]any{"Name": "docker", "StartupType": "Disabled"})
	th.m.StopService("docker")
	r = th.call("Start-Service", map[string]any{"Name": []string{"docker"}})
	if len(r.errs) != 1 || r.errs[0].FullyQualifiedErrorId != "CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand" {
		t.Fatalf("%s", r.errText())
	}
}
