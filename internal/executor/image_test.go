package executor

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
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

// imageHost is a converged host whose image-preparation steps have the scripts' effects: pull-images
// fills a store with the engine's pull check, start-service starts the engine, prepare-image stops it
// (start type Automatic) and removes the engine's identity once, write-manifest stores the manifest
// where the facts script reads it.
type imageHost struct {
	f          facts.Facts
	images     []string
	identity   bool // the engine's identity file is on the host
	fail       map[plan.StepKind]error
	ran        []plan.StepKind
	params     map[plan.StepKind]steps.Params
	factsReads int
}

const (
	nano2022 = "mcr.microsoft.com/windows/nanoserver:ltsc2022"
	sc2022   = "mcr.microsoft.com/windows/servercore:ltsc2022"
	nano2025 = "mcr.microsoft.com/windows/nanoserver:ltsc2025"
	tooNew   = "Error response from daemon: a Windows version 10.0.26100-based image is incompatible with a 10.0.20348 host."
)

func convergedHost(t *testing.T, release string, s spec.Spec) *imageHost {
	t.Helper()
	f := plantest.Bare(t, release)
	want := plantest.Resolve(t, s)
	p, err := plan.Build(f, want)
	if err != nil {
		t.Fatal(err)
	}
	f = plantest.Converge(t, f, p)
	f = plantest.ApplyStep(t, f, plan.Step{Kind: plan.StepReboot})
	f.Verified.At = "2026-11-22T10:00:00Z"
	f.OS.UBR = 2966
	return &imageHost{f: f, identity: true, params: map[plan.StepKind]steps.Params{}}
}

func (h *imageHost) Facts(context.Context) (facts.Facts, error) {
	h.factsReads++
	return plantest.CloneFacts(h.f), nil
}

func (h *imageHost) RunStep(_ context.Context, s plan.Step, progress func(Event)) (StepOutcome, error) {
	progress(Event{Kind: EventProgress, Step: s.Kind, Message: "working"})
	if err := h.fail[s.Kind]; err != nil {
		return StepOutcome{}, err
	}
	h.ran = append(h.ran, s.Kind)
	h.params[s.Kind] = s.Params
	var result any
	switch s.Kind {
	case plan.StepService:
		h.f.Engine.Service.State, h.f.Engine.Service.StartType = "Running", "Automatic"
	case plan.StepPullImages:
		if h.f.Engine.Service.State != "Running" {
			return StepOutcome{}, errors.New("pull_failed: error during connect: open //./pipe/docker_engine: The system cannot find the file specified.")
		}
		var pulled, present []string
		for _, img := range s.Params.(steps.PullImages).Images { //nolint:forcetypeassert // the planner's own params
			switch {
			case slices.Contains(h.images, img):
				present = append(present, img)
			case strings.HasSuffix(img, "ltsc2025"):
				return StepOutcome{}, errors.New("pull_failed: pulling " + img + " failed: " + tooNew)
			default:
				h.images = append(h.images, img)
				pulled = append(pulled, img)
			}
		}
		result = steps.PullImagesResult{Pulled: pulled, Present: present}
	case plan.StepPrepareImage:
		h.f.Engine.Service.State, h.f.Engine.Service.StartType = "Stopped", "Automatic"
		removed := []string{}
		if h.identity {
			h.identity = false
			removed = append(removed, map[string]string{"docker": `C:\ProgramData\docker\engine-id`, "containerd": "HNS network nat"}[h.f.Engine.Type])
		}
		result = steps.PrepareImageResult{Removed: removed}
	case plan.StepWriteManifest:
		m := s.Params.(steps.WriteManifest).Manifest //nolint:forcetypeassert // the planner's own params
		h.f.Manifest = &m
	default:
		return StepOutcome{}, errors.New("unexpected step " + string(s.Kind))
	}
	b, _ := json.Marshal(result)
	return StepOutcome{Result: b}, nil
}

func (h *imageHost) Reboot(context.Context) error {
	return errors.New("image preparation never restarts the host")
}

func TestPrepareImage(t *testing.T) {
	packer := func() *facts.Manifest {
		return &facts.Manifest{ToolVersion: "0.4.0", BuiltBy: "packer", ContainerMode: "process"}
	}
	cases := []struct {
		name    string
		release string
		spec    spec.Spec
		setup   func(h *imageHost)
		opt     PrepareImageOptions
		steps   []plan.StepKind
		pulled  []string
		present []string
		removed []string
		err     string // "" = success
		check   func(t *testing.T, h *imageHost, res PrepareResult)
	}{
		{name: "pull, generalize, manifest", release: "2022", spec: spec.Spec{Mode: "process"},
			opt:   PrepareImageOptions{PullImages: []string{nano2022, sc2022}, Generalize: true, Manifest: packer()},
			steps: []plan.StepKind{plan.StepPullImages, plan.StepPrepareImage, plan.StepWriteManifest}, pulled: []string{nano2022, sc2022},
			removed: []string{`C:\ProgramData\docker\engine-id`},
			check: func(t *testing.T, h *imageHost, res PrepareResult) {
				m := h.f.Manifest
				want := facts.Manifest{Schema: 1, ToolVersion: "0.4.0", BuiltBy: "packer", ContainerMode: "process",
					Engine: facts.ManifestEngine{Type: "docker", Version: h.f.Engine.Version}, SpecHash: h.f.Verified.SpecHash,
					OS: facts.ManifestOS{Build: 20348, UBR: 2966}, Images: []string{nano2022, sc2022}, Generalized: true, VerifiedAt: "2026-11-22T10:00:00Z"}
				if m == nil || !reflect.DeepEqual(*m, want) || !reflect.DeepEqual(res.Manifest, m) {
					t.Errorf("manifest %+v, want %+v", m, want)
				}
				if s := h.f.Engine.Service; s.State != "Stopped" || s.StartType != "Automatic" {
					t.Errorf("service %+v after generalization", s)
				}
			}},
		{name: "generalize only", release: "2022", spec: spec.Spec{Mode: "process"}, opt: PrepareImageOptions{Generalize: true},
			steps: []plan.StepKind{plan.StepPrepareImage}, removed: []string{`C:\ProgramData\docker\engine-id`},
			check: func(t *testing.T, h *imageHost, res PrepareResult) {
				if h.f.Manifest != nil || res.Manifest != nil {
					t.Error("a manifest was written without being asked for")
				}
			}},
		{name: "manifest only, mode read from the host, nothing pulled", release: "2019", spec: spec.Spec{Mode: "hyperv"},
			opt:   PrepareImageOptions{Manifest: &facts.Manifest{ToolVersion: "0.4.0", BuiltBy: "terraform"}},
			steps: []plan.StepKind{plan.StepWriteManifest},
			check: func(t *testing.T, h *imageHost, _ PrepareResult) {
				m := h.f.Manifest
				if m.ContainerMode != "hyperv" || m.Generalized || m.Images == nil || len(m.Images) != 0 || m.OS.Build != 17763 {
					t.Errorf("manifest %+v", m)
				}
			}},
		{name: "images cleaned: blanks and repeats dropped, present ones kept", release: "2022", spec: spec.Spec{Mode: "process"},
			setup: func(h *imageHost) { h.images = []string{sc2022} },
			opt:   PrepareImageOptions{PullImages: []string{" " + nano2022, "", sc2022, nano2022}},
			steps: []plan.StepKind{plan.StepPullImages}, pulled: []string{nano2022}, present: []string{sc2022},
			check: func(t *testing.T, h *imageHost, _ PrepareResult) {
				if got := h.params[plan.StepPullImages].(steps.PullImages).Images; !reflect.DeepEqual(got, []string{nano2022, sc2022}) { //nolint:forcetypeassert // the planner's own params
					t.Errorf("pull-images params %v", got)
				}
			}},
		{name: "an engine stopped by an earlier generalization is started to pull", release: "2022", spec: spec.Spec{Mode: "process"},
			setup: func(h *imageHost) { h.f.Engine.Service.State = "Stopped" },
			opt:   PrepareImageOptions{PullImages: []string{nano2022}, Generalize: true},
			steps: []plan.StepKind{plan.StepService, plan.StepPullImages, plan.StepPrepareImage}, pulled: []string{nano2022}, removed: []string{`C:\ProgramData\docker\engine-id`}},
		{name: "containerd names its NAT network", release: "2022", spec: spec.Spec{Mode: "process", Engine: spec.Engine{Type: "containerd"}},
			opt: PrepareImageOptions{Generalize: true}, steps: []plan.StepKind{plan.StepPrepareImage}, removed: []string{"HNS network nat"},
			check: func(t *testing.T, h *imageHost, _ PrepareResult) {
				if p := h.params[plan.StepPrepareImage]; p != (steps.PrepareImage{Engine: "containerd", NATNetwork: "nat"}) {
					t.Errorf("prepare-image params %v", p)
				}
			}},
		{name: "nothing asked: facts only", release: "2022", spec: spec.Spec{Mode: "process"}},
		{name: "a build-mismatched image stops before generalizing", release: "2022", spec: spec.Spec{Mode: "process"},
			opt: PrepareImageOptions{PullImages: []string{nano2022, nano2025}, Generalize: true, Manifest: packer()},
			err: "10.0.26100-based image is incompatible",
			check: func(t *testing.T, h *imageHost, res PrepareResult) {
				if h.f.Engine.Service.State != "Running" || h.f.Manifest != nil || len(res.StepsRun) != 0 {
					t.Errorf("after a failed pull: service %s, manifest %v, steps %v", h.f.Engine.Service.State, h.f.Manifest, res.StepsRun)
				}
			}},
		{name: "no engine", release: "2022", spec: spec.Spec{Mode: "process"},
			setup: func(h *imageHost) { h.f.Engine = facts.Engine{} },
			opt:   PrepareImageOptions{Generalize: true}, err: "no container engine is installed"},
		{name: "manifest of an unverified host", release: "2022", spec: spec.Spec{Mode: "process"},
			setup: func(h *imageHost) { h.f.Verified = nil },
			opt:   PrepareImageOptions{Generalize: true, Manifest: packer()}, err: "has not been verified"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := convergedHost(t, c.release, c.spec)
			if c.setup != nil {
				c.setup(h)
			}
			var events []Event
			c.opt.Progress = func(e Event) { events = append(events, e) }
			res, err := PrepareImage(context.Background(), h, c.opt)
			if h.factsReads != 1 {
				t.Errorf("%d facts reads, want 1", h.factsReads)
			}
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.StepsRun, c.steps) {
				t.Errorf("steps %v, want %v", res.StepsRun, c.steps)
			}
			if c.err == "" && (!slices.Equal(res.Pulled, c.pulled) || !slices.Equal(res.Present, c.present) || !slices.Equal(res.Removed, c.removed)) {
				t.Errorf("pulled %v present %v removed %v, want %v %v %v", res.Pulled, res.Present, res.Removed, c.pulled, c.present, c.removed)
			}
			if len(res.Records) != len(res.StepsRun) {
				t.Errorf("%d records for %d steps", len(res.Records), len(res.StepsRun))
			}
			if c.err == "" && len(res.StepsRun) > 0 && (len(events) == 0 || events[len(events)-1].Kind != EventStepDone) {
				t.Errorf("events %v", events)
			}
			if c.check != nil {
				c.check(t, h, res)
			}
			// Preparing again changes nothing more: the scripts are idempotent.
			if c.err == "" && c.opt.Generalize {
				again, err := PrepareImage(context.Background(), h, c.opt)
				if err != nil || len(again.Removed) != 0 || len(again.Pulled) != 0 {
					t.Errorf("second preparation: %v, removed %v, pulled %v", err, again.Removed, again.Pulled)
				}
			}
		})
	}
}

// A failed pull is a StepError the known-error catalogue explains.
func TestPrepareImagePullErrorIsExplained(t *testing.T) {
	h := convergedHost(t, "2022", spec.Spec{Mode: "process"})
	_, err := PrepareImage(context.Background(), h, PrepareImageOptions{PullImages: []string{nano2025}})
	var se *StepError
	if !errors.As(err, &se) || se.Step.Kind != plan.StepPullImages {
		t.Fatalf("want a StepError for pull-images, got %v", err)
	}
	if k := compat.MatchError(se.Err.Error()); len(k) == 0 || k[0].ID != "image_newer_than_host" {
		t.Fatalf("known errors %v", k)
	}
}

// Options that cannot work are refused before the host is read.
func TestPrepareImageRefusesBadOptions(t *testing.T) {
	for _, opt := range []PrepareImageOptions{
		{Manifest: &facts.Manifest{BuiltBy: "ansible"}},
		{Manifest: &facts.Manifest{BuiltBy: "packer", ContainerMode: "wsl"}},
		{PullImages: []string{"mcr.microsoft.com/windows/nanoserver:ltsc2022 --platform linux"}},
	} {
		h := convergedHost(t, "2022", spec.Spec{Mode: "process"})
		if _, err := PrepareImage(context.Background(), h, opt); err == nil || h.factsReads != 0 || len(h.ran) != 0 {
			t.Errorf("%+v: err %v, %d facts reads, steps %v", opt, err, h.factsReads, h.ran)
		}
	}
}

// A generalized engine (stopped, Automatic) before a restart: an apply starts it and verifies again.
// After a restart Windows has started it (start type Automatic): nothing to do, and the manifest does not
// change the plan.
func TestPlanOfAGeneralizedHost(t *testing.T) {
	for _, s := range []spec.Spec{{Mode: "process"}, {Mode: "hyperv", Engine: spec.Engine{Type: "containerd"}}} {
		t.Run(s.Mode+"/"+s.Engine.Type, func(t *testing.T) {
			want := plantest.Resolve(t, s)
			h := convergedHost(t, "2022", s)
			if _, err := PrepareImage(context.Background(), h, PrepareImageOptions{Generalize: true,
				Manifest: &facts.Manifest{ToolVersion: "0.4.0", BuiltBy: "packer"}}); err != nil {
				t.Fatal(err)
			}
			p, err := plan.Build(h.f, want)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Kinds(), []plan.StepKind{plan.StepService, plan.StepVerify}) || !strings.Contains(p.Steps[0].Reason, "Stopped (start type Automatic)") {
				t.Fatalf("plan before the restart %v (%s)", p.Kinds(), p.Steps[0].Reason)
			}
			booted := h.f
			booted.Engine.Service.State = "Running" // the first boot of a clone starts the Automatic service
			if p, err := plan.Build(booted, want); err != nil || !p.Empty() {
				t.Fatalf("plan after the restart %v, %v", p.Kinds(), err)
			}
		})
	}
}
