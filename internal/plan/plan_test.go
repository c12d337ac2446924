package plan_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/plan/plantest"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/steps"
)

func TestBareToConverged(t *testing.T) {
	cases := []struct {
		release string
		spec    spec.Spec
		steps   []plan.StepKind
		image   string
	}{
		{"2022", spec.Spec{Mode: "process"}, []plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepEngine, plan.StepDaemonConfig, plan.StepService, plan.StepVerify}, "mcr.microsoft.com/windows/servercore:ltsc2022"},
		{"2019", spec.Spec{Mode: "hyperv"}, []plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepEngine, plan.StepDaemonConfig, plan.StepService, plan.StepVerify}, "mcr.microsoft.com/windows/servercore:ltsc2019"},
		{"2016", spec.Spec{Mode: "process", Engine: spec.Engine{Version: "20.10.24"}}, []plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepEngine, plan.StepDaemonConfig, plan.StepService, plan.StepVerify}, "mcr.microsoft.com/windows/servercore:ltsc2016"},
		{"2022", spec.Spec{Mode: "lcow"}, []plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepEngine, plan.StepService, plan.StepLCOWFiles, plan.StepVerify}, "mcr.microsoft.com/windows/servercore:ltsc2022"},
		{"2019", spec.Spec{Mode: "lcow", Engine: spec.Engine{Type: "docker"}}, []plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepEngine, plan.StepDaemonConfig, plan.StepService, plan.StepLCOWFiles, plan.StepVerify}, "mcr.microsoft.com/windows/servercore:ltsc2019"},
		{"23H2", spec.Spec{Mode: "process", Channel: "annual"}, []plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepEngine, plan.StepDaemonConfig, plan.StepService, plan.StepVerify}, "mcr.microsoft.com/windows/servercore:ltsc2022"},
		{"2025", spec.Spec{Mode: "hyperv", Engine: spec.Engine{Type: "containerd"}}, []plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepEngine, plan.StepService, plan.StepVerify}, "mcr.microsoft.com/windows/servercore:ltsc2025"},
		{"win11-24h2", spec.Spec{Mode: "hyperv"}, []plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepEngine, plan.StepDaemonConfig, plan.StepService, plan.StepVerify}, "mcr.microsoft.com/windows/servercore:ltsc2025"},
	}
	for _, c := range cases {
		t.Run(c.release+"/"+c.spec.Mode, func(t *testing.T) {
			f := plantest.Bare(t, c.release)
			want := plantest.Resolve(t, c.spec)
			p, err := plan.Build(f, want)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Kinds(), c.steps) {
				t.Fatalf("steps %v, want %v", p.Kinds(), c.steps)
			}
			if p.MaxReboots() > 1 {
				t.Errorf("at most one reboot from bare to converged, plan has %d", p.MaxReboots())
			}
			feat := p.Steps[0].Params.(steps.InstallFeatures).Features //nolint:forcetypeassert // checked by applyStep
			wantFeat := []string{"Containers"}
			if want.Mode.NeedsHyperV() {
				wantFeat = append(wantFeat, facts.FeatureName("Hyper-V", f.IsClient()))
			}
			if !slices.Equal(feat, wantFeat) {
				t.Errorf("features %v, want %v in one step", feat, wantFeat)
			}
			verify, _ := p.Steps[len(p.Steps)-1].Params.(steps.Verify)
			if verify.Image != c.image {
				t.Errorf("verify image %v, want %s", verify.Image, c.image)
			}
			// Idempotent: once the steps have run, the plan is empty.
			after := plantest.Converge(t, f, p)
			p2, err := plan.Build(after, want)
			if err != nil {
				t.Fatal(err)
			}
			if !p2.Empty() {
				t.Errorf("second plan not empty: %v", p2.Kinds())
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	noVirt := func(f facts.Facts) facts.Facts {
		f.Virtualization = facts.Virtualization{Manufacturer: "Microsoft Corporation", Model: "Virtual Machine"}
		return f
	}
	cases := []struct {
		name    string
		facts   func(*testing.T) facts.Facts
		spec    spec.Spec
		code    string
		mention []string
	}{
		// The host is detected as 2016 even though os_version was not declared.
		{"2016 lcow", func(t *testing.T) facts.Facts { return plantest.Bare(t, "2016") }, spec.Spec{Mode: "lcow"}, "lcow_host_too_old", []string{"14393", "1709"}},
		{"2016 docker 27", func(t *testing.T) facts.Facts { return plantest.Bare(t, "2016") },
			spec.Spec{Mode: "process", Engine: spec.Engine{Version: "27.3.1"}}, "docker_23_needs_17763", []string{"17763", "20.10.24"}},
		{"no virtualization hyperv", func(t *testing.T) facts.Facts { return noVirt(plantest.Bare(t, "2022")) }, spec.Spec{Mode: "hyperv"},
			"no_virtualization", []string{"nested virtualization", "ExposeVirtualizationExtensions", "hypervisor_present=false", "Virtual Machine"}},
		{"hyper-v installed, no hypervisor", func(t *testing.T) facts.Facts {
			f := noVirt(plantest.Bare(t, "2022"))
			f.Features["Hyper-V"] = "Installed"
			return f
		}, spec.Spec{Mode: "lcow"}, "no_hypervisor", []string{"0xc0351000", "nested virtualization"}},
		{"hypervisor launch off, Hyper-V installed", func(t *testing.T) facts.Facts {
			f := plantest.Bare(t, "2022")
			f.Features["Hyper-V"] = "Installed"
			f.Virtualization = facts.Virtualization{HypervisorPresent: true, FirmwareEnabled: true, SLAT: true, VMMonitorModeExtensions: true,
				Manufacturer: "Microsoft Corporation", Model: "Virtual Machine", HypervisorLaunchType: "Off"}
			return f
		}, spec.Spec{Mode: "hyperv"}, "hypervisor_launch_off", []string{"0xc0351000", "hypervisorlaunchtype Off", "bcdedit /set hypervisorlaunchtype auto", "(it is installed)"}},
		{"hypervisor launch off before Hyper-V is installed", func(t *testing.T) facts.Facts {
			f := plantest.Bare(t, "win11-24h2")
			f.Virtualization = facts.Virtualization{FirmwareEnabled: true, SLAT: true, VMMonitorModeExtensions: true,
				Manufacturer: "Dell Inc.", Model: "Precision 5680", HypervisorLaunchType: "off"}
			return f
		}, spec.Spec{Mode: "lcow"}, "hypervisor_launch_off", []string{"VirtualBox", `container_mode = "process"`, "(it is absent)"}},
		{"annual declared on ltsc 2022", func(t *testing.T) facts.Facts { return plantest.Bare(t, "2022") }, spec.Spec{Mode: "process", Channel: "annual"},
			"channel_mismatch", []string{"25398"}},
		{"ltsc declared on annual", func(t *testing.T) facts.Facts { return plantest.Bare(t, "23H2") }, spec.Spec{Mode: "process", Channel: "ltsc"},
			"channel_mismatch", []string{"25398", "annual"}},
		{"os_version mismatch", func(t *testing.T) facts.Facts { return plantest.Bare(t, "2019") }, spec.Spec{Mode: "process", OSVersion: "2022"},
			"os_version_mismatch", []string{"20348", "17763", `"2019"`}},
		{"annual standard", func(t *testing.T) facts.Facts {
			f := plantest.Bare(t, "23H2")
			f.OS.EditionID = "ServerStandard"
			return f
		}, spec.Spec{Mode: "process"}, "edition_not_supported", []string{"Datacenter"}},
		{"home edition", func(t *testing.T) facts.Facts {
			f := plantest.Bare(t, "win11-24h2")
			f.OS.EditionID = "Core"
			return f
		}, spec.Spec{Mode: "hyperv"}, "edition_not_supported", []string{"Home"}},
		{"unknown build", func(t *testing.T) facts.Facts {
			f := plantest.Bare(t, "2022")
			f.OS.Build, f.OS.ProductName = 9600, "Windows Server 2012 R2 Datacenter"
			return f
		}, spec.Spec{Mode: "process"}, "unknown_host_release", []string{"9600"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := plan.Build(c.facts(t), plantest.Resolve(t, c.spec))
			var re *plan.RefusalError
			if !errors.As(err, &re) {
				t.Fatalf("want a refusal, got %v", err)
			}
			if !compat.HasCode(re.Findings, c.code) {
				t.Errorf("codes %v lack %s", re.Findings, c.code)
			}
			msg := err.Error()
			if !strings.Contains(msg, "nothing was changed") {
				t.Errorf("refusal must say nothing changed: %s", msg)
			}
			for _, m := range c.mention {
				if !strings.Contains(msg, m) {
					t.Errorf("refusal lacks %q:\n%s", m, msg)
				}
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	f := plantest.Bare(t, "2022")
	f.OS.EditionID = "ServerStandard"
	p, err := plan.Build(f, plantest.Resolve(t, spec.Spec{Mode: "hyperv"}))
	if err != nil {
		t.Fatal(err)
	}
	if !compat.HasCode(p.Warnings, "standard_hyperv_limit") {
		t.Errorf("Standard + hyperv must warn: %v", p.Warnings)
	}
	f = plantest.Bare(t, "2022")
	f.Engine = facts.Engine{Type: "containerd", Version: "1.7.13", Service: facts.Service{Name: "containerd", State: "Running", StartType: "Automatic"}}
	p, err = plan.Build(f, plantest.Resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "docker"}}))
	if err != nil {
		t.Fatal(err)
	}
	if !compat.HasCode(p.Warnings, "other_engine_present") {
		t.Errorf("other engine must warn: %v", p.Warnings)
	}
}

func TestDriftAndPendingReboots(t *testing.T) {
	want := plantest.Resolve(t, spec.Spec{Mode: "hyperv"})
	base := plantest.Converge(t, plantest.Bare(t, "2022"), mustPlan(t, plantest.Bare(t, "2022"), want))
	if p := mustPlan(t, base, want); !p.Empty() {
		t.Fatalf("converged host planned %v", p.Kinds())
	}
	cases := []struct {
		name  string
		drift func(*facts.Facts)
		steps []plan.StepKind
	}{
		{"service stopped", func(f *facts.Facts) { f.Engine.Service.State = "Stopped" }, []plan.StepKind{plan.StepService, plan.StepVerify}},
		{"feature removed", func(f *facts.Facts) { f.Features["Containers"] = "Available" },
			[]plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepVerify}},
		{"feature removal pending", func(f *facts.Facts) { f.Features["Containers"] = "UninstallPending" },
			[]plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepVerify}},
		{"engine replaced", func(f *facts.Facts) { f.Engine.Version = "26.1.0" }, []plan.StepKind{plan.StepEngine, plan.StepService, plan.StepVerify}},
		{"daemon config changed", func(f *facts.Facts) {
			f.Engine.DaemonConfig = json.RawMessage(`{"exec-opts":["isolation=process"],"debug":true}`)
		},
			[]plan.StepKind{plan.StepDaemonConfig, plan.StepVerify}},
		{"feature waiting for reboot", func(f *facts.Facts) { f.Features["Hyper-V"] = "InstallPending" }, []plan.StepKind{plan.StepReboot, plan.StepVerify}},
		{"unrelated pending reboot on a converged host", func(f *facts.Facts) { f.PendingReboot.WindowsUpdate = true }, nil},
		{"pending reboot before changes", func(f *facts.Facts) { f.PendingReboot.WindowsUpdate = true; f.Engine.Version = "26.1.0" },
			[]plan.StepKind{plan.StepReboot, plan.StepEngine, plan.StepService, plan.StepVerify}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := base
			f.Features = map[string]string{}
			for k, v := range base.Features {
				f.Features[k] = v
			}
			c.drift(&f)
			p := mustPlan(t, f, want)
			if !slices.Equal(p.Kinds(), c.steps) {
				t.Errorf("steps %v, want %v", p.Kinds(), c.steps)
			}
		})
	}
}

func TestSpecHashChangesWithTheSpec(t *testing.T) {
	a := plan.SpecHash(plantest.Resolve(t, spec.Spec{Mode: "process"}))
	b := plan.SpecHash(plantest.Resolve(t, spec.Spec{Mode: "hyperv"}))
	c := plan.SpecHash(plantest.Resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Version: "27.3.1"}}))
	if a == b || a == c || len(a) != 64 || a != plan.SpecHash(plantest.Resolve(t, spec.Spec{Mode: "process"})) {
		t.Errorf("hashes %s %s %s", a, b, c)
	}
}

func mustPlan(t *testing.T, f facts.Facts, want spec.Resolved) plan.Plan {
	t.Helper()
	p, err := plan.Build(f, want)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The daemon block's keys are managed like the mode's: a host whose daemon.json lacks one, or holds
// another value, gets one configure-daemon step; a host that has them, whatever else its file holds,
// gets none; keys the spec does not set are left alone.
func TestDaemonSettings(t *testing.T) {
	daemon := spec.Daemon{DataRoot: `D:\docker`, RegistryMirrors: []string{"https://mirror.example.com"},
		InsecureRegistries: []string{"registry.local:5000"}, DNS: []string{"10.0.0.2", "10.0.0.3"}}
	want := plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: &daemon})
	if got := mustPlan(t, plantest.Bare(t, "2022"), want).Kinds(); !slices.Equal(got,
		[]plan.StepKind{plan.StepFeatures, plan.StepRebootIfRequired, plan.StepEngine, plan.StepDaemonConfig, plan.StepService, plan.StepVerify}) {
		t.Fatalf("bare host: %v", got)
	}
	base := plantest.Converge(t, plantest.Bare(t, "2022"), mustPlan(t, plantest.Bare(t, "2022"), want))
	if p := mustPlan(t, base, want); !p.Empty() {
		t.Fatalf("converged host planned %v", p.Kinds())
	}
	const have = `{"dns": ["10.0.0.2", "10.0.0.3"], "data-root": "D:\\docker", "debug": true, "exec-opts": ["isolation=process"],
		"insecure-registries": ["registry.local:5000"], "registry-mirrors": ["https://mirror.example.com"]}`
	other := daemon
	other.DataRoot = `E:\docker`
	cases := []struct {
		name   string
		config string // the host's daemon.json
		want   spec.Resolved
		reason string // "" for no step
	}{
		{"has every key, and the user's own", have, want, ""},
		{"lacks the mirror", `{"dns": ["10.0.0.2", "10.0.0.3"], "data-root": "D:\\docker", "exec-opts": ["isolation=process"], "insecure-registries": ["registry.local:5000"]}`,
			want, "registry-mirrors"},
		{"another mirror", strings.Replace(have, "mirror.example.com", "other.example.com", 1), want, "registry-mirrors"},
		{"mirrors in another order", strings.Replace(have, `["https://mirror.example.com"]`, `["https://b.example.com", "https://mirror.example.com"]`, 1),
			want, "registry-mirrors"},
		{"dns in another order", strings.Replace(have, `["10.0.0.2", "10.0.0.3"]`, `["10.0.0.3", "10.0.0.2"]`, 1), want, "dns"},
		{"a list where a string was", strings.Replace(have, `"D:\\docker"`, `["D:\\docker"]`, 1), want, "data-root"},
		{"data root changed", have, plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: &other}), "data-root"},
		{"no daemon block leaves the keys", have, plantest.Resolve(t, spec.Spec{Mode: "process"}), ""},
		{"only dns managed", strings.Replace(have, `"data-root": "D:\\docker",`, "", 1),
			plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: &spec.Daemon{DNS: []string{"10.0.0.2", "10.0.0.3"}}}), ""},
		{"missing file", "", want, "data-root, dns, exec-opts, insecure-registries, registry-mirrors"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := plantest.CloneFacts(base)
			f.Engine.DaemonConfig = nil
			if c.config != "" {
				f.Engine.DaemonConfig = json.RawMessage(c.config)
			}
			f.Verified = &facts.Verified{SpecHash: plan.SpecHash(c.want)}
			p := mustPlan(t, f, c.want)
			if c.reason == "" {
				if !p.Empty() {
					t.Fatalf("planned %v", p.Kinds())
				}
				return
			}
			if !slices.Equal(p.Kinds(), []plan.StepKind{plan.StepDaemonConfig, plan.StepVerify}) {
				t.Fatalf("steps %v, want configure-daemon and verify", p.Kinds())
			}
			s := p.Steps[0]
			if s.Reason != "daemon.json differs in "+c.reason {
				t.Errorf("reason %q, want it to name %s", s.Reason, c.reason)
			}
			managed := s.Params.(steps.ConfigureDaemon).Managed //nolint:forcetypeassert // checked by applyStep
			if !equalJSON(managed, plan.DesiredDaemonConfig(c.want)) || managed["debug"] != nil {
				t.Errorf("managed %v", managed)
			}
			// The file now matches; the host was verified for this spec before the drift (within one
			// apply, the executor verifies again after changing the host).
			if after := mustPlan(t, plantest.ApplyStep(t, f, s), c.want); !after.Empty() {
				t.Errorf("after configure-daemon: %v", after.Kinds())
			}
		})
	}
}

func TestDesiredDaemonConfig(t *testing.T) {
	d := &spec.Daemon{DataRoot: `D:\docker`, RegistryMirrors: []string{"https://m.example.com"}, InsecureRegistries: []string{"10.0.0.0/8"}, DNS: []string{"10.0.0.2"}}
	got := plan.DesiredDaemonConfig(plantest.Resolve(t, spec.Spec{Mode: "hyperv", Daemon: d}))
	b, _ := json.Marshal(got)
	const want = `{"data-root":"D:\\docker","dns":["10.0.0.2"],"exec-opts":["isolation=hyperv"],"insecure-registries":["10.0.0.0/8"],"registry-mirrors":["https://m.example.com"]}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
	if got := plan.DesiredDaemonConfig(plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: &spec.Daemon{DNS: []string{"10.0.0.2"}}})); len(got) != 2 || got["exec-opts"] == nil {
		t.Errorf("only the set key and the mode's isolation are managed: %v", got)
	}
}

// Daemon settings are part of the verified state: changing one verifies the host again; a spec
// without them hashes as before they existed, so upgrading wincontainers does not re-verify hosts.
func TestSpecHashCoversDaemon(t *testing.T) {
	plain := plan.SpecHash(plantest.Resolve(t, spec.Spec{Mode: "process"}))
	hash := func(d spec.Daemon) string {
		return plan.SpecHash(plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: &d}))
	}
	mirror := hash(spec.Daemon{RegistryMirrors: []string{"https://a.example.com"}})
	seen := map[string]string{}
	for name, h := range map[string]string{
		"plain":         plain,
		"mirror":        mirror,
		"other mirror":  hash(spec.Daemon{RegistryMirrors: []string{"https://b.example.com"}}),
		"data root":     hash(spec.Daemon{DataRoot: `D:\docker`}),
		"other root":    hash(spec.Daemon{DataRoot: `E:\docker`}),
		"insecure":      hash(spec.Daemon{InsecureRegistries: []string{"registry.local"}}),
		"dns":           hash(spec.Daemon{DNS: []string{"10.0.0.2"}}),
		"dns reordered": hash(spec.Daemon{DNS: []string{"10.0.0.3", "10.0.0.2"}}),
		"dns two":       hash(spec.Daemon{DNS: []string{"10.0.0.2", "10.0.0.3"}}),
	} {
		if other, dup := seen[h]; dup {
			t.Errorf("%s and %s hash alike", name, other)
		}
		seen[h] = name
	}
	if hash(spec.Daemon{}) != plain || mirror != hash(spec.Daemon{RegistryMirrors: []string{"https://a.example.com"}}) {
		t.Error("the hash is not stable")
	}
}

// The daemon's endpoints and TLS settings map onto daemon.json's "hosts", "tlsverify", "tlscacert",
// "tlscert" and "tlskey"; a TCP endpoint allowed without TLS is written with "tlsverify": false, the
// explicit intent dockerd asks for; a host whose daemon.json lacks them plans configure-daemon.
func TestDesiredDaemonConfigHostsTLS(t *testing.T) {
	tlsd := &spec.Daemon{Hosts: []string{spec.DefaultDockerHost, "tcp://0.0.0.0:2376"}, TLSVerify: true,
		TLSCACert: `C:\certs\ca.pem`, TLSCert: `C:\certs\cert.pem`, TLSKey: `C:\certs\key.pem`}
	b, _ := json.Marshal(plan.DesiredDaemonConfig(plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: tlsd})))
	const wantTLS = `{"exec-opts":["isolation=process"],"hosts":["npipe:////./pipe/docker_engine","tcp://0.0.0.0:2376"],` +
		`"tlscacert":"C:\\certs\\ca.pem","tlscert":"C:\\certs\\cert.pem","tlskey":"C:\\certs\\key.pem","tlsverify":true}`
	if string(b) != wantTLS {
		t.Errorf("TLS: got %s\nwant %s", b, wantTLS)
	}
	plain := &spec.Daemon{Hosts: []string{spec.DefaultDockerHost, "tcp://0.0.0.0:2375"}, AllowInsecureTCP: true}
	b, _ = json.Marshal(plan.DesiredDaemonConfig(plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: plain})))
	const wantPlain = `{"exec-opts":["isolation=process"],"hosts":["npipe:////./pipe/docker_engine","tcp://0.0.0.0:2375"],"tlsverify":false}`
	if string(b) != wantPlain {
		t.Errorf("allowed plain TCP: got %s\nwant %s", b, wantPlain)
	}
	pipe := &spec.Daemon{Hosts: []string{spec.DefaultDockerHost}, AllowInsecureTCP: true}
	if got := plan.DesiredDaemonConfig(plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: pipe})); got["tlsverify"] != nil {
		t.Errorf("no TCP endpoint, yet tlsverify is managed: %v", got)
	}
	if plan.SpecHash(plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: tlsd})) == plan.SpecHash(plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: plain})) {
		t.Error("TLS and plain endpoints hash alike")
	}

	want := plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: tlsd})
	base := plantest.Converge(t, plantest.Bare(t, "2022"), mustPlan(t, plantest.Bare(t, "2022"), want))
	if p := mustPlan(t, base, want); !p.Empty() {
		t.Fatalf("converged host planned %v", p.Kinds())
	}
	f := plantest.CloneFacts(base)
	f.Engine.DaemonConfig = json.RawMessage(`{"exec-opts":["isolation=process"],"hosts":["npipe:////./pipe/docker_engine","tcp://0.0.0.0:2375"]}`)
	p := mustPlan(t, f, want)
	if len(p.Steps) == 0 || p.Steps[0].Kind != plan.StepDaemonConfig || p.Steps[0].Reason != "daemon.json differs in hosts, tlscacert, tlscert, tlskey, tlsverify" {
		t.Fatalf("plan %v %+v", p.Kinds(), p.Steps)
	}
}

func TestDesiredDaemonConfigGroup(t *testing.T) {
	got := plan.DesiredDaemonConfig(plantest.Resolve(t, spec.Spec{Mode: "process", Daemon: &spec.Daemon{Group: "docker-users"}}))
	if got["group"] != "docker-users" {
		t.Errorf("group not managed: %v", got)
	}
	if _, ok := plan.DesiredDaemonConfig(plantest.Resolve(t, spec.Spec{Mode: "process"}))["group"]; ok {
		t.Error("group managed without being set")
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
