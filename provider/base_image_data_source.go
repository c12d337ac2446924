package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/compat"
)

var (
	_ datasource.DataSource              = (*baseImageDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*baseImageDataSource)(nil)
)

// baseImageDataSource lists, offline, the Windows base images that run on a host release with an isolation.
type baseImageDataSource struct {
	clock clock
}

func newBaseImageDataSource() datasource.DataSource { return &baseImageDataSource{} }

type baseImageModel struct {
	ID             types.String `tfsdk:"id"`
	HostOS         types.String `tfsdk:"host_os"`
	Isolation      types.String `tfsdk:"isolation"`
	Families       types.List   `tfsdk:"families"`
	IncludeRetired types.Bool   `tfsdk:"include_retired"`
	HostBuild      types.Int64  `tfsdk:"host_build"`
	HostRelease    types.String `tfsdk:"host_release"`
	Images         types.List   `tfsdk:"images"`
	References     types.List   `tfsdk:"references"`
	Reference      types.String `tfsdk:"reference"`
}

var imageAttrTypes = map[string]attr.Type{
	"family":         types.StringType,
	"repository":     types.StringType,
	"tag":            types.StringType,
	"tags":           types.ListType{ElemType: types.StringType},
	"reference":      types.StringType,
	"build":          types.Int64Type,
	"channel":        types.StringType,
	"end_of_support": types.StringType,
	"retired":        types.BoolType,
	"caveats":        types.ListType{ElemType: types.StringType},
}

func (d *baseImageDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_base_image"
}

func (d *baseImageDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if data := configuredData(req.ProviderData, &resp.Diagnostics); data != nil {
		d.clock = data.clock
	}
}

func (d *baseImageDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	families := make([]string, 0, len(compat.ImageFamilies()))
	for _, f := range compat.ImageFamilies() {
		families = append(families, string(f))
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists, without contacting any host, the Windows base images on `mcr.microsoft.com` that run on a host " +
			"release with the given isolation: Server Core, Nano Server, Windows and Windows Server, newest build first. Images that do not exist " +
			"are never offered (there is no `windows` image for 2022 or 2025, and no image for the Annual Channel 23H2, which runs `ltsc2022`).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "`<host build>/<isolation>`."},
			"host_os": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The container host: a Windows Server release (" + strings.Join(quoted(compat.ServerReleaseNames()), ", ") +
					"), a client release such as `win11-24h2`, or a build number such as `20348`.",
			},
			"isolation": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "`process` or `hyperv`.",
				Validators:          []validator.String{stringvalidator.OneOf(string(compat.Process), string(compat.HyperV))},
			},
			"families": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Only these image families: " + strings.Join(quoted(families), ", ") + ". Default: all.",
				Validators: []validator.List{
					listvalidator.ValueStringsAre(stringvalidator.OneOf(families...)),
					listvalidator.UniqueValues(),
				},
			},
			"include_retired": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Also list images past their end of support (for example the Semi-Annual Channel images). Default `false`.",
			},
			"host_build":   schema.Int64Attribute{Computed: true, MarkdownDescription: "The host's build number."},
			"host_release": schema.StringAttribute{Computed: true, MarkdownDescription: "The host release's name."},
			"images": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching images, newest build first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"family":         schema.StringAttribute{Computed: true, MarkdownDescription: "`servercore`, `nanoserver`, `windows` or `server`."},
					"repository":     schema.StringAttribute{Computed: true, MarkdownDescription: "For example `mcr.microsoft.com/windows/servercore`."},
					"tag":            schema.StringAttribute{Computed: true, MarkdownDescription: "The preferred tag, for example `ltsc2022`."},
					"tags":           schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Every published tag naming this image's release (the `latest` tag is not published)."},
					"reference":      schema.StringAttribute{Computed: true, MarkdownDescription: "`repository:tag`."},
					"build":          schema.Int64Attribute{Computed: true, MarkdownDescription: "The image's build."},
					"channel":        schema.StringAttribute{Computed: true, MarkdownDescription: "`ltsc` or `sac`."},
					"end_of_support": schema.StringAttribute{Computed: true, MarkdownDescription: "The image's end of support, `YYYY-MM-DD`."},
					"retired":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the image is past its end of support today."},
					"caveats":        schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Conditions for running it on this host."},
				}},
			},
			"references": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The `reference` of every image in `images`, in the same order.",
			},
			"reference": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The first (newest, preferred) image reference, or an empty string when no image runs there; " +
					"useful as a default base image.",
			},
		},
	}
}

func (d *baseImageDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m baseImageModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	host, ok := parseOSAttr(m.HostOS.ValueString(), path.Root("host_os"), &resp.Diagnostics)
	if !ok {
		return
	}
	var want []string
	if !m.Families.IsNull() {
		resp.Diagnostics.Append(m.Families.ElementsAs(ctx, &want, false)...)
	}
	day := d.clock.today()
	iso := compat.Isolation(m.Isolation.ValueString())
	matches := compat.ImagesFor(host, iso, day, m.IncludeRetired.ValueBool())

	objs := []attr.Value{}
	refs := []string{}
	for _, mt := range matches {
		if len(want) > 0 && !slices.Contains(want, string(mt.Image.Family)) {
			continue
		}
		b := mt.Image
		obj, diags := types.ObjectValue(imageAttrTypes, map[string]attr.Value{
			"family":         types.StringValue(string(b.Family)),
			"repository":     types.StringValue(b.Family.Repository()),
			"tag":            types.StringValue(b.Tags[0]),
			"tags":           stringList(ctx, b.Tags, &resp.Diagnostics),
			"reference":      types.StringValue(b.Reference()),
			"build":          types.Int64Value(int64(b.Build)),
			"channel":        types.StringValue(string(b.Channel)),
			"end_of_support": types.StringValue(b.EndOfSupport.String()),
			"retired":        types.BoolValue(b.OutOfSupport(day)),
			"caveats":        stringList(ctx, mt.Verdict.Caveats, &resp.Diagnostics),
		})
		resp.Diagnostics.Append(diags...)
		objs = append(objs, obj)
		refs = append(refs, b.Reference())
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if len(refs) == 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("host_os"), "No base image runs on this host with this isolation",
			noImageDetail(host, iso))
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: imageAttrTypes}, objs)
	resp.Diagnostics.Append(diags...)
	m.ID = types.StringValue(fmt.Sprintf("%d/%s", host.Build, iso))
	m.HostBuild = types.Int64Value(int64(host.Build))
	m.HostRelease = types.StringValue(host.Release.Title)
	m.Images = list
	m.References = stringList(ctx, refs, &resp.Diagnostics)
	m.Reference = types.StringValue("")
	if len(refs) > 0 {
		m.Reference = types.StringValue(refs[0])
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// noImageDetail explains an empty answer using the verdict for the host's own build.
func noImageDetail(host compat.OS, iso compat.Isolation) string {
	v := compat.CheckImage(host, host, iso)
	if !v.Supported {
		return v.Reason
	}
	return fmt.Sprintf("every image that would run on %s with %s isolation is past its end of support; set include_retired = true to list them", host, iso)
}
