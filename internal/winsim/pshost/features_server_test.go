package pshost

import (
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

func TestInstallWindowsFeature(t *testing.T) {
	th := newTestHost(t, machine.Config{Virtualization: "exposed"})
	get := func(name string) string {
		r := th.call("Get-WindowsFeature", map[string]any{"Name": []string{name}})
		if len(r.out) != 1 {
			t.Fatalf("%+v", r)
		}
		return prop(t, r.out[0], "InstallState")
	}
	if got := get("Containers"); got != "Available" {
		t.Fatalf("InstallState %s", got)
	}
	r := th.call("Install-WindowsFeature", map[string]any{"Name": []any{"Containers"}})
	if r.err != nil || len(r.out) != 1 {
		t.Fatalf("%+v %s", r, r.errText())
	}
	res := r.out[0]
	for k, want := range map[string]string{"Success": "True", "RestartNeeded": "Yes", "ExitCode": "SuccessRestartRequired"} {
		if got := prop(t, res, k); got != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	if got := get("Containers"); got != "InstallPending" {
		t.Fatalf("InstallState %s", got)
	}
	th.m.Boot()
	r = th.call("Install-WindowsFeature", map[string]any{"Name": []any{"Containers"}})
	if prop(t, r.out[0], "RestartNeeded") != "No" || prop(t, r.out[0], "ExitCode") != "NoChangeNeeded" {
		t.Fatalf("again: %s %s", prop(t, r.out[0], "RestartNeeded"), prop(t, r.out[0], "ExitCode"))
	}
	r = th.call("Uninstall-WindowsFeature", map[string]any{"Name": []any{"Containers"}})
	if prop(t, r.out[0], "RestartNeeded") != "Yes" || get("Containers") != "UninstallPending" {
		t.Fatalf("uninstall: %s %s", prop(t, r.out[0], "RestartNeeded"), get("Containers"))
	}
	if r := th.call("Get-WindowsFeature", map[string]any{"Name": []string{"Web-Server"}}); r.err == nil {
		t.Fatal("an unmodelled feature must fail loudly")
	}
}

// Hyper-V without the processor's extensions: a non-terminating error with the prerequisite text (no
// "Install-WindowsFeature : " in the message), then a result that did not succeed.
func TestInstallHyperVWithoutVirtualization(t *testing.T) {
	th := newTestHost(t, machine.Config{})
	r := th.call("Install-WindowsFeature", map[string]any{"Name": []any{"Hyper-V"}, "IncludeManagementTools": true})
	if r.err != nil || len(r.errs) != 1 || len(r.out) != 1 {
		t.Fatalf("%+v", r)
	}
	want := "A prerequisite check for the Hyper-V feature failed.\r\n1. Hyper-V cannot be installed: The processor does not have required virtualization capabilities."
	if r.errs[0].Exception.Message != want || r.errs[0].FullyQualifiedErrorId != "Alteration_PrerequisiteCheck_Failed,"+addFeatureClass {
		t.Fatalf("%q %s", r.errs[0].Exception.Message, r.errs[0].FullyQualifiedErrorId)
	}
	if prop(t, r.out[0], "Success") != "False" || prop(t, r.out[0], "ExitCode") != "Failed" || prop(t, r.out[0], "RestartNeeded") != "No" {
		t.Fatal("result")
	}
}

// DISM's RestartNeeded is a boolean, ServerManager's a RestartState (the trap the README names).
func TestEnableWindowsOptionalFeatureOnClient(t *testing.T) {
	th := newTestHost(t, machine.Config{Build: 26100, Client: true, Virtualization: "exposed"})
	r := th.call("Get-WindowsOptionalFeature", map[string]any{"Online": true, "FeatureName": []string{"Microsoft-Hyper-V"}})
	if len(r.out) != 1 || prop(t, r.out[0], "State") != "Disabled" {
		t.Fatalf("%+v", r)
	}
	r = th.call("Enable-WindowsOptionalFeature", map[string]any{"Online": true, "FeatureName": []string{"Microsoft-Hyper-V"}, "All": true, "NoRestart": true})
	if r.err != nil || len(r.out) != 1 {
		t.Fatalf("%s", r.errText())
	}
	rn, _ := r.out[0].(*object).Property("RestartNeeded")
	if b, ok := rn.(bool); !ok || !b {
		t.Fatalf("RestartNeeded %#v", rn)
	}
	r = th.call("Get-WindowsOptionalFeature", map[string]any{"Online": true, "FeatureName": []string{"Microsoft-Hyper-V"}})
	if prop(t, r.out[0], "State") != "EnablePending" {
		t.Fatal(prop(t, r.out[0], "State"))
	}
	if r := th.call("Enable-WindowsOptionalFeature", map[string]any{"Online": true, "FeatureName": []string{"Containers"}}); r.err == nil {
		t.Fatal("without -NoRestart the prompt is not modelled")
	}
	// The client has no ServerManager module.
	for _, mod := range modules(th.m, th.w) {
		if mod.Name == "ServerManager" && mod.Present {
			t.Fatal("ServerManager on a client")
		}
	}
}
