package wincontainers

import (
	"context"
	"fmt"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/packer/version"
)

// prepareImage runs what happens after verification and before capture: pulls, generalization and
// the manifest.
func (p *Provisioner) prepareImage(ctx context.Context, ui packersdk.Ui, host executor.Conn, res executor.Result) error {
	c := &p.config
	opt := executor.PrepareImageOptions{Generalize: c.Generalize, Progress: uiProgress(ui)}
	if c.PrePullBaseImages {
		osInfo, err := res.Facts.OSInfo()
		if err != nil {
			return fmt.Errorf("wincontainers: pre_pull_base_images: %w", err)
		}
		for _, m := range compat.ImagesFor(osInfo, compat.Process, p.today(), false) {
			if m.Image.Build == osInfo.Build { // process isolation: the image's own build, not older ones for Hyper-V
				opt.PullImages = append(opt.PullImages, m.Image.Reference())
			}
		}
		if len(opt.PullImages) == 0 {
			ui.Error(fmt.Sprintf("wincontainers: warning: pre_pull_base_images: no base image in support is built on build %d; nothing pulled", osInfo.Build))
		}
	}
	opt.PullImages = append(opt.PullImages, c.PrePullImages...)
	if !c.SkipManifest {
		opt.Manifest = &facts.Manifest{ToolVersion: version.PluginVersion.FormattedVersion(), BuiltBy: "packer", ContainerMode: string(p.resolved.Mode)}
	}
	if len(opt.PullImages) == 0 && !opt.Generalize && opt.Manifest == nil {
		return nil
	}
	out, err := executor.PrepareImage(ctx, host, opt)
	if err != nil {
		return fmt.Errorf("wincontainers: preparing the image: %w", err)
	}
	if len(out.Pulled)+len(out.Present) > 0 {
		ui.Say(fmt.Sprintf("wincontainers: images in the image: pulled %s; already present %s", list(out.Pulled), list(out.Present)))
	}
	if c.Generalize {
		ui.Say("wincontainers: generalized: the engine is stopped and starts at the next boot; removed " + list(out.Removed))
	}
	if out.Manifest != nil {
		ui.Say(fmt.Sprintf(`wincontainers: manifest written to C:\ProgramData\wincontainers\manifest.json: %s with %s %s on build %d.%d`,
			out.Manifest.ContainerMode, out.Manifest.Engine.Type, out.Manifest.Engine.Version, out.Manifest.OS.Build, out.Manifest.OS.UBR))
	}
	return nil
}

func list(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}
