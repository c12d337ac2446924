package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/steps"
)

// ErrNotPreparable is returned (wrapped) by PrepareImage for a host that is not a container host, or
// whose manifest would claim a verification that never happened.
var ErrNotPreparable = errors.New("the host cannot be prepared for an image")

// PrepareImageOptions say what PrepareImage does to a converged, verified host before it is captured as
// an image. Each part is optional; they run in this order.
type PrepareImageOptions struct {
	// PullImages are pulled into the engine's store (pull-images); images already there are not pulled
	// again. The engine decides what it accepts: Docker refuses a Windows image built for a newer build
	// than the host's. compat.ImagesFor lists the base images that run on a host.
	PullImages []string
	// Generalize stops the engine and removes its per-machine state (prepare-image): the service stays
	// registered with start type Automatic, so every clone starts it at its first boot.
	Generalize bool
	// Manifest, when set, is written to C:\ProgramData\wincontainers\manifest.json (write-manifest). The
	// caller sets ToolVersion and BuiltBy ("packer" or "terraform"), and ContainerMode if it knows it
	// (otherwise it is read from the host as Detect does); Schema, Engine, OS, SpecHash, VerifiedAt,
	// Images (the pulled list) and Generalized are filled from the host and this call.
	Manifest *facts.Manifest
	Progress func(Event)
}

// PrepareResult is what PrepareImage did.
type PrepareResult struct {
	// Facts are the host's facts as read before anything ran.
	Facts facts.Facts
	StepLog
	// Pulled were fetched now; Present were in the store already.
	Pulled, Present []string
	// Removed lists what prepare-image removed (paths, "HNS network nat").
	Removed []string
	// Manifest is the manifest as written, nil when none was asked for.
	Manifest *facts.Manifest
}

// PrepareImage readies a host that Apply converged and verified for capture as an image: it pulls the
// given images, optionally generalizes the engine, and writes the manifest the Terraform provider later
// reads back as a fact. It reads the facts once and runs one script per part asked for (plus
// start-service when images are to be pulled into a stopped engine, as on a host generalized before).
// Nothing restarts the host. Each script is idempotent, so a failed call can simply be repeated; a
// failure names its step as a *StepError and nothing after it runs.
//
// A generalized host plans start-service when Apply meets it before a restart (the engine is stopped);
// after a restart the engine runs again, as Windows starts a service of start type Automatic at boot.
func PrepareImage(ctx context.Context, h Conn, opt PrepareImageOptions) (PrepareResult, error) {
	var res PrepareResult
	if err := opt.validate(); err != nil {
		return res, err
	}
	emit := func(e Event) {
		if opt.Progress != nil {
			opt.Progress(e)
		}
	}
	f, err := h.Facts(ctx)
	if err != nil {
		return res, fmt.Errorf("reading host facts: %w", err)
	}
	res.Facts = f
	engine := f.Engine.Type
	switch {
	case engine == "" || !f.Engine.Service.Exists():
		return res, fmt.Errorf("%w: no container engine is installed on %s; apply the configuration first", ErrNotPreparable, f.OS.ComputerName)
	case opt.Manifest != nil && f.Verified == nil:
		return res, fmt.Errorf("%w: %s has not been verified, and the manifest records a verification; apply the configuration first",
			ErrNotPreparable, f.OS.ComputerName)
	}
	run := func(s plan.Step) (json.RawMessage, error) {
		out, err := res.run(ctx, h, s, emit)
		return out.Result, err
	}
	// The lists in the results are informative: a result without them leaves them empty.

	images := cleanImages(opt.PullImages)
	if len(images) > 0 {
		if s := f.Engine.Service; s.State != "Running" {
			if _, err := run(plan.Step{Kind: plan.StepService, Reason: fmt.Sprintf("pulling images needs the engine, and the %s service is %s", s.Name, s.State),
				Params: steps.StartService{Service: engine}}); err != nil {
				return res, err
			}
		}
		params := steps.PullImages{Engine: engine, Images: images}
		out, err := run(plan.Step{Kind: plan.StepPullImages, Reason: fmt.Sprintf("pull %d image(s) into the image: %s", len(images), strings.Join(images, ", ")),
			Params: params})
		if err != nil {
			return res, err
		}
		doc, _ := steps.Decode[steps.PullImagesResult](params.Script(), out)
		res.Pulled, res.Present = doc.Pulled, doc.Present
	}
	if opt.Generalize {
		params := steps.PrepareImage{Engine: engine, NATNetwork: plan.NATNetwork}
		out, err := run(plan.Step{Kind: plan.StepPrepareImage, Reason: "stop the engine, keep it Automatic, remove its per-machine state before generalization",
			Params: params})
		if err != nil {
			return res, err
		}
		doc, _ := steps.Decode[steps.PrepareImageResult](params.Script(), out)
		res.Removed = doc.Removed
	}
	if opt.Manifest != nil {
		m := manifestFor(f, *opt.Manifest, images, opt.Generalize)
		if _, err := run(plan.Step{Kind: plan.StepWriteManifest, Reason: "record what this image is (" + m.BuiltBy + ")",
			Params: steps.WriteManifest{Manifest: m}}); err != nil {
			return res, err
		}
		res.Manifest = &m
	}
	return res, nil
}

func (o PrepareImageOptions) validate() error {
	if m := o.Manifest; m != nil {
		if m.BuiltBy != "packer" && m.BuiltBy != "terraform" {
			return fmt.Errorf("manifest built_by %q: use packer or terraform", m.BuiltBy)
		}
		if m.ContainerMode != "" && !slices.Contains(compat.Modes(), compat.Mode(m.ContainerMode)) {
			return fmt.Errorf("manifest container_mode %q: use process, hyperv or lcow", m.ContainerMode)
		}
	}
	for _, img := range o.PullImages {
		if strings.ContainsAny(strings.TrimSpace(img), " \t\r\n") {
			return fmt.Errorf("image %q: an image reference has no spaces", img)
		}
	}
	return nil
}

// cleanImages trims the references and drops blanks and repeats, keeping the first order.
func cleanImages(in []string) []string {
	var out []string
	for _, img := range in {
		if img = strings.TrimSpace(img); img != "" && !slices.Contains(out, img) {
			out = append(out, img)
		}
	}
	return out
}

// manifestFor completes the caller's manifest from the host's facts and this preparation.
func manifestFor(f facts.Facts, m facts.Manifest, images []string, generalized bool) facts.Manifest {
	m.Schema = facts.ManifestSchemaVersion
	m.Engine = facts.ManifestEngine{Type: f.Engine.Type, Version: f.Engine.Version}
	m.OS = facts.ManifestOS{Build: f.OS.Build, UBR: f.OS.UBR}
	m.SpecHash, m.VerifiedAt = f.Verified.SpecHash, f.Verified.At
	m.Images = append([]string{}, images...)
	m.Generalized = generalized
	m.Unreadable = ""
	if m.ContainerMode == "" {
		if s, err := plan.Detect(f); err == nil {
			m.ContainerMode = s.Mode
		}
	}
	return m
}
