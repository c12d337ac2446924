package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/wincontainers/wincontainers/internal/compat"
)

var _ datasource.DataSource = (*compatibilityDataSource)(nil)

// compatibilityDataSource answers, offline, whether an image of one Windows release runs on a host of
// another with a given isolation, and why.
type compatibilityDataSource struct{}

func newCompatibilityDataSource() datasource.DataSource { return &compatibilityDataSource{} }

type compatibilityModel struct {
	ID         types.String `tfsdk:"id"`
	HostOS     types.String `tfsdk:"host_os"`
	ImageOS    types.String `tfsdk:"image_os"`
	Isolation  types.String `tfsdk:"isolation"`
	Supported  types.Bool   `tfsdk:"supported"`
	Reason     types.String `tfsdk:"reason"`
	Caveats    types.List   `tfsdk:"caveats"`
	Sources    types.List   `tfsdk:"sources"`
	HostBuild  types.Int64  `tfsdk:"host_build"`
	ImageBuild types.Int64  `tfsdk:"image_build"`
	HostName   types.String `tfsdk:"host_release"`
	ImageName  types.String `tfsdk:"image_release"`
}

func (d *compatibilityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_compatibility"
}

func (d *compatibilityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	osDesc := "A Windows Server release (" + strings.Join(quoted(compat.ServerReleaseNames()), ", ") + "), a client release " +
		"(`win10-<version>` or `win11-<version>`, for example `win10-22h2`, `win11-24h2`), or a build number with an optional revision " +
		"(`17763`, `17763.5936`, `10.0.17763.5936`). A bare build shared by several releases means the LTSC server release."
	resp.Schema = schema.Schema{
		MarkdownDescription: "Answers, without contacting any host, whether a Windows container image built on `image_os` runs on a host " +
			"running `host_os` with the given isolation, and explains why. It encodes Microsoft's version-compatibility matrix, " +
			"including the process-isolation build-match rule, the Windows Server 2016 revision rule, and the relaxations for Windows 11, " +
			"Windows Server 2025 and the Annual Channel.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<host build>/<image build>/<isolation>`.",
			},
			"host_os": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The container host's OS. " + osDesc,
			},
			"image_os": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The OS the container image was built on (its base image). " + osDesc,
			},
			"isolation": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "`process` (Windows Server containers) or `hyperv` (Hyper-V isolation).",
				Validators:          []validator.String{stringvalidator.OneOf(string(compat.Process), string(compat.HyperV))},
			},
			"supported": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the combination is supported.",
			},
			"reason": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Why, naming the builds and the rule, and what would work instead.",
			},
			"caveats": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Conditions under which a supported combination still needs care (revision matching, virtualization, dev/test only).",
			},
			"sources": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Public pages that state the rule.",
			},
			"host_build":    schema.Int64Attribute{Computed: true, MarkdownDescription: "The host's build number."},
			"image_build":   schema.Int64Attribute{Computed: true, MarkdownDescription: "The image's build number."},
			"host_release":  schema.StringAttribute{Computed: true, MarkdownDescription: "The host release's name, for example `Windows Server 2022`."},
			"image_release": schema.StringAttribute{Computed: true, MarkdownDescription: "The image release's name."},
		},
	}
}

func (d *compatibilityDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m compatibilityModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host, ok := parseOSAttr(m.HostOS.ValueString(), path.Root("host_os"), &resp.Diagnostics)
	image, ok2 := parseOSAttr(m.ImageOS.ValueString(), path.Root("image_os"), &resp.Diagnostics)
	if !ok || !ok2 {
		return
	}
	iso := compat.Isolation(m.Isolation.ValueString())
	v := compat.CheckImage(host, image, iso)
	tflog.Debug(ctx, "compatibility verdict", map[string]any{
		"host_build": host.Build, "image_build": image.Build, "isolation": string(iso), "supported": v.Supported,
	})

	m.ID = types.StringValue(fmt.Sprintf("%d/%d/%s", host.Build, image.Build, iso))
	m.Supported = types.BoolValue(v.Supported)
	m.Reason = types.StringValue(v.Reason)
	m.HostBuild = types.Int64Value(int64(host.Build))
	m.ImageBuild = types.Int64Value(int64(image.Build))
	m.HostName = types.StringValue(host.Release.Title)
	m.ImageName = types.StringValue(image.Release.Title)
	m.Caveats = stringList(ctx, v.Caveats, &resp.Diagnostics)
	m.Sources = stringList(ctx, v.Sources, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
