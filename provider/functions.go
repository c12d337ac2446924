package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/compat"
)

// The provider-defined functions answer the same offline questions as the data sources
// wincontainers_compatibility and wincontainers_base_image, from the same knowledge base
// (internal/compat), where a data source cannot go: variable validation, preconditions and check
// blocks. They need Terraform 1.8+ or OpenTofu 1.7+.

var (
	_ function.Function = (*compatibleFunction)(nil)
	_ function.Function = (*baseImageFunction)(nil)
)

// osParamDesc describes a host_os or image_os argument, as the data sources do.
func osParamDesc(what string) string {
	return what + ": a Windows Server release (" + strings.Join(quoted(compat.ServerReleaseNames()), ", ") + "), a client release " +
		"(`win10-<version>` or `win11-<version>`, for example `win11-24h2`), or a build number with an optional revision " +
		"(`17763`, `17763.5936`, `10.0.17763.5936`)."
}

const isolationParamDesc = "`process` (Windows Server containers) or `hyperv` (Hyper-V isolation)."

// parseOSArg parses a release or build argument; a failure is an error on that argument.
func parseOSArg(v string, arg int64) (compat.OS, *function.FuncError) {
	o, err := compat.ParseOS(v)
	if err != nil {
		return compat.OS{}, function.NewArgumentFuncError(arg, err.Error())
	}
	return o, nil
}

// parseIsolationArg accepts the isolations the data sources accept.
func parseIsolationArg(v string, arg int64) (compat.Isolation, *function.FuncError) {
	switch iso := compat.Isolation(v); iso {
	case compat.Process, compat.HyperV:
		return iso, nil
	}
	return "", function.NewArgumentFuncError(arg, fmt.Sprintf("isolation %q: must be %q or %q", v, compat.Process, compat.HyperV))
}

// compatibleFunction is provider::wincontainers::compatible(host_os, image_os, isolation).
type compatibleFunction struct{}

// compatibleResultTypes is the object compatible returns. It is an object, not a bool, so that a
// condition can test .supported and its error_message can show .reason, the explanation that makes the
// answer useful.
var compatibleResultTypes = map[string]attr.Type{
	"supported":   types.BoolType,
	"reason":      types.StringType,
	"caveats":     types.ListType{ElemType: types.StringType},
	"host_build":  types.Int64Type,
	"image_build": types.Int64Type,
}

func (f *compatibleFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "compatible"
}

func (f *compatibleFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Whether a Windows container image runs on a host with an isolation, and why",
		MarkdownDescription: "Answers, without contacting any host, whether a Windows container image built on `image_os` runs on a host " +
			"running `host_os` with the given isolation, as the `wincontainers_compatibility` data source does, from the same rules " +
			"(Microsoft's version-compatibility matrix: the process-isolation build-match rule, the Windows Server 2016 revision rule, " +
			"and the relaxations for Windows 11, Windows Server 2025 and the Annual Channel).\n\n" +
			"It returns an object rather than a bool so that a condition can test `.supported` and its `error_message` can show " +
			"`.reason`, which names the builds, the rule and what would work instead:\n\n" +
			"- `supported` (bool): whether the combination is supported.\n" +
			"- `reason` (string): why, naming the builds and the rule, and what would work instead.\n" +
			"- `caveats` (list of string): conditions under which a supported combination still needs care.\n" +
			"- `host_build`, `image_build` (number): the builds compared.\n\n" +
			"An unsupported combination is an answer (`supported = false`), not an error; an argument that is not a Windows release or " +
			"an isolation is an error naming the argument.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "host_os", MarkdownDescription: osParamDesc("The container host's OS")},
			function.StringParameter{Name: "image_os", MarkdownDescription: osParamDesc("The OS the container image was built on (its base image)")},
			function.StringParameter{Name: "isolation", MarkdownDescription: isolationParamDesc},
		},
		Return: function.ObjectReturn{AttributeTypes: compatibleResultTypes},
	}
}

func (f *compatibleFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var hostArg, imageArg, isoArg string
	resp.Error = req.Arguments.Get(ctx, &hostArg, &imageArg, &isoArg)
	if resp.Error != nil {
		return
	}
	host, e1 := parseOSArg(hostArg, 0)
	image, e2 := parseOSArg(imageArg, 1)
	iso, e3 := parseIsolationArg(isoArg, 2)
	if resp.Error = function.ConcatFuncErrors(e1, e2, e3); resp.Error != nil {
		return
	}
	v := compat.CheckImage(host, image, iso)
	caveats := v.Caveats
	if caveats == nil {
		caveats = []string{}
	}
	list, d := types.ListValueFrom(ctx, types.StringType, caveats)
	if resp.Error = function.FuncErrorFromDiags(ctx, d); resp.Error != nil {
		return
	}
	obj, d := types.ObjectValue(compatibleResultTypes, map[string]attr.Value{
		"supported":   types.BoolValue(v.Supported),
		"reason":      types.StringValue(v.Reason),
		"caveats":     list,
		"host_build":  types.Int64Value(int64(host.Build)),
		"image_build": types.Int64Value(int64(image.Build)),
	})
	if resp.Error = function.FuncErrorFromDiags(ctx, d); resp.Error != nil {
		return
	}
	resp.Error = resp.Result.Set(ctx, obj)
}

// baseImageFunction is provider::wincontainers::base_image(host_os, isolation, flavor).
type baseImageFunction struct {
	clock clock
}

func (f *baseImageFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "base_image"
}

func imageFamilyNames() []string {
	names := make([]string, 0, len(compat.ImageFamilies()))
	for _, fam := range compat.ImageFamilies() {
		names = append(names, string(fam))
	}
	return names
}

func (f *baseImageFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The base image of a flavor that matches a host's build and isolation",
		MarkdownDescription: "Returns, without contacting any host, the reference (`mcr.microsoft.com/windows/<flavor>:<tag>`) of the " +
			"newest base image of `flavor` that runs on a host running `host_os` with the given isolation: with `process` " +
			"isolation the image built for the host's own build, with `hyperv` the newest build the host can run. It is the first " +
			"entry of the `wincontainers_base_image` data source's `references` for that flavor, from the same knowledge base. " +
			"Images past their end of support are not offered (the data source's `include_retired` lists them).\n\n" +
			"When no image of that flavor runs there (there is no `windows` image for 2022 or 2025, no process-isolated image for " +
			"Windows 10 22H2, and every image for the host's build may be retired), the call fails with the reason and what " +
			"would work instead, so a `precondition` or a `variable` validation stops the plan with it. Like the data source, " +
			"the answer depends on today's date only where an image reaches its end of support.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "host_os", MarkdownDescription: osParamDesc("The container host's OS")},
			function.StringParameter{Name: "isolation", MarkdownDescription: isolationParamDesc},
			function.StringParameter{Name: "flavor", MarkdownDescription: "The image family: " +
				strings.Join(quoted(imageFamilyNames()), ", ") + " (Server Core, Nano Server, Windows, Windows Server)."},
		},
		Return: function.StringReturn{},
	}
}

func (f *baseImageFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var hostArg, isoArg, flavor string
	resp.Error = req.Arguments.Get(ctx, &hostArg, &isoArg, &flavor)
	if resp.Error != nil {
		return
	}
	host, e1 := parseOSArg(hostArg, 0)
	iso, e2 := parseIsolationArg(isoArg, 1)
	var e3 *function.FuncError
	families := imageFamilyNames()
	if !slices.Contains(families, flavor) {
		e3 = function.NewArgumentFuncError(2, fmt.Sprintf("flavor %q: must be one of %s", flavor, strings.Join(families, ", ")))
	}
	if resp.Error = function.ConcatFuncErrors(e1, e2, e3); resp.Error != nil {
		return
	}
	for _, m := range compat.ImagesFor(host, iso, f.clock.today(), false) {
		if string(m.Image.Family) == flavor {
			resp.Error = resp.Result.Set(ctx, m.Image.Reference())
			return
		}
	}
	resp.Error = function.NewFuncError(noFlavorDetail(host, iso, flavor, f.clock.today()))
}

// noFlavorDetail explains why no image of a flavor runs on a host, and what would.
func noFlavorDetail(host compat.OS, iso compat.Isolation, flavor string, day compat.Date) string {
	msg := fmt.Sprintf("no %s base image runs on %s with %s isolation", flavor, host, iso)
	var others []string
	for _, m := range compat.ImagesFor(host, iso, day, false) {
		others = append(others, m.Image.Reference())
	}
	if len(others) > 0 {
		return msg + fmt.Sprintf(": Microsoft publishes no %s image for that build; these run there: %s", flavor, strings.Join(others, ", "))
	}
	return msg + ": " + noImageDetail(host, iso)
}
