// Package plantest has fixtures for tests of the planner and the executor: the facts of a freshly
// installed host of a release, a spec resolved as the front doors resolve it, and the effect of each
// step on a host's facts (as the step's script reports it), so that a test can apply a plan without a
// host and check that the next plan is empty.
package plantest

import (
	"encoding/json"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/steps"
)

// today is the date the fixtures resolve specs at.
var today = compat.D(2026, 11, 22)

// Bare returns the facts of a freshly installed host of the release: no features, no engine.
func Bare(t *testing.T, release string) facts.Facts {
	t.Helper()
	r, ok := compat.LookupRelease(release)
	if !ok {
		t.Fatalf("unknown release %s", release)
	}
	f := facts.Facts{Schema: facts.SchemaVersion, Features: map[string]string{}}
	f.OS = facts.OS{Build: r.Build, UBR: 1, DisplayVersion: r.DisplayVersion, EditionID: "ServerDatacenter", InstallationType: "Server Core",
		ProductName: r.ProductName + " Datacenter"}
	if r.Kind == compat.Client {
		f.OS.EditionID, f.OS.InstallationType, f.OS.ProductName = "Professional", "Client", r.ProductName+" Pro"
		f.Features["Containers"], f.Features["Microsoft-Hyper-V"] = "Disabled", "Disabled"
	} else {
		f.Features["Containers"], f.Features["Hyper-V"] = "Available", "Available"
	}
	f.Virtualization = facts.Virtualization{FirmwareEnabled: true, SLAT: true, VMMonitorModeExtensions: true, Manufacturer: "Dell Inc.", Model: "PowerEdge R650"}
	return f
}

// Resolve validates a spec at today and fails the test on an error.
func Resolve(t *testing.T, s spec.Spec) spec.Resolved {
	t.Helper()
	r, d := spec.Validate(s, today)
	if d.HasErrors() {
		t.Fatalf("spec %+v: %v", s, d)
	}
	return r
}

// Converge applies a plan's effects to facts, the way the scripts change a host, so tests can check
// that a second plan is empty.
func Converge(t *testing.T, f facts.Facts, p plan.Plan) facts.Facts {
	t.Helper()
	for _, s := range p.Steps {
		f = ApplyStep(t, f, s)
	}
	return f
}

// ApplyStep is the effect of one step on a host's facts (a reboot resolves pending features), read
// from the step's typed parameters.
func ApplyStep(t *testing.T, f facts.Facts, s plan.Step) facts.Facts {
	t.Helper()
	f = CloneFacts(f)
	if s.Kind == plan.StepReboot || s.Kind == plan.StepRebootIfRequired {
		for k, v := range f.Features {
			if v == "InstallPending" || v == "EnablePending" {
				f.Features[k] = map[bool]string{true: "Enabled", false: "Installed"}[f.IsClient()]
			}
		}
		f.PendingReboot = facts.PendingReboot{}
		if f.Feature("Hyper-V") == facts.FeatureInstalled {
			f.Virtualization.HypervisorPresent = true
		}
		return f
	}
	switch p := s.Params.(type) {
	case steps.InstallFeatures:
		for _, n := range p.Features {
			f.Features[n] = map[bool]string{true: "EnablePending", false: "InstallPending"}[f.IsClient()]
		}
		f.PendingReboot.FeatureRestartNeeded = true
	case steps.InstallDocker:
		f.Engine = installed(f, string(compat.Docker), p.Version)
	case steps.InstallContainerd:
		f.Engine = installed(f, string(compat.Containerd), p.Version)
	case steps.ConfigureDaemon:
		have := map[string]any{}
		if len(f.Engine.DaemonConfig) > 0 {
			_ = json.Unmarshal(f.Engine.DaemonConfig, &have)
		}
		for k, v := range p.Managed {
			have[k] = v
		}
		b, _ := json.Marshal(have)
		f.Engine.DaemonConfig = b
	case steps.StartService:
		f.Engine.Service.State, f.Engine.Service.StartType = "Running", "Automatic"
	case steps.InstallLCOW:
		f.LCOW.Files = map[string]string{"kernel": "k", "initrd.img": "i"}
	case steps.Verify:
		f.Verified = &facts.Verified{SpecHash: p.SpecHash}
	default:
		t.Fatalf("step %s has parameters %T", s.Kind, s.Params)
	}
	return f
}

// installed is the engine an install step leaves: registered, stopped, the daemon configuration kept.
func installed(f facts.Facts, typ, version string) facts.Engine {
	return facts.Engine{Type: typ, Version: version, Service: facts.Service{Name: typ, State: "Stopped", StartType: "Automatic"}, DaemonConfig: f.Engine.DaemonConfig}
}

// CloneFacts copies facts deeply enough for ApplyStep to change the copy.
func CloneFacts(f facts.Facts) facts.Facts {
	feats := make(map[string]string, len(f.Features))
	for k, v := range f.Features {
		feats[k] = v
	}
	f.Features = feats
	return f
}
