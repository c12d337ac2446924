package crosscheck

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// The Packer path through the whole stack: a ws2022 host converged over WinRM is prepared for capture
// (a build-matched image pulled, the engine generalized, the manifest written), winsim shows the engine
// stopped and Automatic without its identity, with the image and the manifest; the restart a clone's
// first boot is brings the engine back by its start type alone, the facts carry the manifest, and an
// apply finds nothing to do.
func TestPrepareImageThenBoot(t *testing.T) {
	const nano2022 = "mcr.microsoft.com/windows/nanoserver:ltsc2022"
	for _, engine := range []string{"docker", "containerd"} {
		t.Run("ws2022/process/"+engine, func(t *testing.T) {
			t.Parallel()
			sim, r, want, _, err := converge(t, winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process", Engine: spec.Engine{Type: engine}})
			if err != nil {
				t.Fatal(err)
			}
			h := hostOf(r)
			ctx := context.Background()
			identity := strings.ToLower(machine.DockerRoot + `\engine-id`)
			panicLog := strings.ToLower(machine.ContainerdRoot + `\panic.log`)
			if engine == "docker" {
				panicLog = strings.ToLower(machine.DockerRoot + `\panic.log`)
			}
			before := sim.Snapshot()
			if _, ok := before.Files[identity]; ok != (engine == "docker") {
				t.Fatalf("engine-id present %v on a converged %s host", ok, engine)
			}
			if engine == "containerd" {
				// install-containerd writes the CNI configuration only; the nat plugin makes the HNS network
				// at the first container (here one the build ran), and prepare-image removes it again.
				if len(before.HNSNetworks) != 0 {
					t.Fatalf("HNS networks %v after install-containerd, before any container ran", before.HNSNetworks)
				}
				if _, err := sim.Machine.Run(machine.RunOptions{Engine: engine, Image: "mcr.microsoft.com/windows/servercore:ltsc2022", Isolation: "process", Pull: true}); err != nil {
					t.Fatal(err)
				}
				if nets := sim.Machine.Networks(); nets["nat"] != "NAT" {
					t.Fatalf("HNS networks %v after the first container", nets)
				}
			}
			// The engine crashed once during the build: its panic.log has content and outlives the stop.
			sim.Machine.WriteFile(panicLog, []byte("panic: runtime error (build machine)"))

			res, err := executor.PrepareImage(ctx, h, executor.PrepareImageOptions{PullImages: []string{nano2022}, Generalize: true,
				Manifest: &facts.Manifest{ToolVersion: "test", BuiltBy: "packer", ContainerMode: "process"}})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.StepsRun, []plan.StepKind{plan.StepPullImages, plan.StepPrepareImage, plan.StepWriteManifest}) ||
				!slices.Equal(res.Pulled, []string{nano2022}) {
				t.Errorf("steps %v, pulled %v", res.StepsRun, res.Pulled)
			}
			st := sim.Snapshot()
			if svc := st.Services[engine]; svc.State != "Stopped" || svc.StartType != "Automatic" {
				t.Errorf("service after preparation %+v", svc)
			}
			for _, gone := range []string{identity, panicLog, strings.ToLower(machine.DockerRoot + `\docker.pid`)} {
				if _, ok := st.Files[gone]; ok {
					t.Errorf("%s survived the preparation", gone)
				}
			}
			kept := []string{machine.DaemonJSON, machine.Dockerd}
			if engine == "containerd" {
				kept = []string{machine.Containerd, machine.ContainerdConfig, machine.CNIConfig}
				if len(st.HNSNetworks) != 0 {
					t.Errorf("HNS networks after preparation %v", st.HNSNetworks)
				}
			}
			for _, k := range kept {
				if _, ok := st.Files[strings.ToLower(k)]; !ok {
					t.Errorf("%s was removed", k)
				}
			}
			if !slices.Contains(st.Images, nano2022) || st.Verified == "" {
				t.Errorf("images %v, marker %q", st.Images, st.Verified)
			}
			if f, ok := sim.Machine.File(machine.Manifest); !ok {
				t.Error("no manifest.json")
			} else {
				var m facts.Manifest
				if err := json.Unmarshal(f.Content, &m); err != nil || m.BuiltBy != "packer" || !m.Generalized || m.OS.Build != 20348 ||
					m.Engine.Type != engine || m.SpecHash != st.Verified || !slices.Equal(m.Images, []string{nano2022}) {
					t.Errorf("manifest.json %s (%v)", f.Content, err)
				}
			}

			// Before the restart the engine is stopped: an apply would start it and verify again.
			f, err := h.Facts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if p, err := plan.Build(f, want); err != nil || !slices.Equal(p.Kinds(), []plan.StepKind{plan.StepService, plan.StepVerify}) {
				t.Errorf("plan of the generalized host %v, %v", p.Kinds(), err)
			}

			// The clone's first boot: Windows starts the Automatic service, the engine gets a new identity.
			if err := h.Reboot(ctx); err != nil {
				t.Fatal(err)
			}
			st = sim.Snapshot()
			if svc := st.Services[engine]; svc.State != "Running" || svc.StartType != "Automatic" {
				t.Errorf("service after the restart %+v", svc)
			}
			if fresh, ok := st.Files[identity]; engine == "docker" && (!ok || fresh == before.Files[identity]) {
				t.Errorf("engine-id after the restart: present %v, same as the build machine's %v", ok, fresh == before.Files[identity])
			}
			f, err = h.Facts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if m := f.Manifest; m == nil || m.Unreadable != "" || m.BuiltBy != "packer" || m.ContainerMode != "process" || !m.Generalized ||
				m.VerifiedAt == "" || !slices.Equal(m.Images, []string{nano2022}) {
				t.Errorf("facts manifest %+v", f.Manifest)
			}
			again, err := executor.Apply(ctx, h, want, executor.Options{})
			if err != nil || len(again.StepsRun) != 0 || again.FactsReads != 1 {
				t.Errorf("apply on the booted clone: %v, steps %v, %d facts reads", err, again.StepsRun, again.FactsReads)
			}
		})
	}
}

// Docker refuses an image built for a newer Windows than the host's, in the engine's own words; the
// failure is a pull-images step error the known-error catalogue explains, and nothing after it runs.
func TestPullBuildMismatchedImage(t *testing.T) {
	t.Parallel()
	sim, r, _, _, err := converge(t, winsim.Options{Profile: "ws2022"}, spec.Spec{Mode: "process"})
	if err != nil {
		t.Fatal(err)
	}
	const nano2025 = "mcr.microsoft.com/windows/nanoserver:ltsc2025"
	_, err = executor.PrepareImage(context.Background(), hostOf(r), executor.PrepareImageOptions{PullImages: []string{nano2025}, Generalize: true})
	se, code := stepCode(t, err)
	if se.Step.Kind != plan.StepPullImages || code != "pull_failed" {
		t.Fatalf("step %s code %s: %v", se.Step.Kind, code, err)
	}
	if !strings.Contains(err.Error(), "Error response from daemon: a Windows version 10.0.26100-based image is incompatible with a 10.0.20348 host") {
		t.Errorf("not Docker's text: %v", err)
	}
	if k := compat.MatchError(se.Err.Error()); len(k) == 0 || k[0].ID != "image_newer_than_host" {
		t.Errorf("known errors %v", k)
	}
	var script *powershell.ScriptError
	if !errors.As(err, &script) {
		t.Fatal("not a script error")
	}
	st := sim.Snapshot()
	if slices.Contains(st.Images, nano2025) || st.Services["docker"].State != "Running" {
		t.Errorf("after the refused pull: images %v, docker %s", st.Images, st.Services["docker"].State)
	}
}
