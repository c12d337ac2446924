package provider

import (
	"context"
	"errors"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/wincontainers/wincontainers/internal/azure"
	"github.com/wincontainers/wincontainers/internal/compat"
)

var (
	_ datasource.DataSource                     = (*azureImageDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*azureImageDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*azureImageDataSource)(nil)
)

// azureImageDataSource resolves a Windows Server marketplace image for a release and channel.
type azureImageDataSource struct {
	auth      azure.Auth
	transport policy.Transporter
}

func newAzureImageDataSource() datasource.DataSource { return &azureImageDataSource{} }

type azureImageModel struct {
	ID                    types.String `tfsdk:"id"`
	Location              types.String `tfsdk:"location"`
	Release               types.String `tfsdk:"release"`
	Installation          types.String `tfsdk:"installation"`
	AzureEdition          types.Bool   `tfsdk:"azure_edition"`
	Generation            types.Int64  `tfsdk:"generation"`
	SmallDisk             types.Bool   `tfsdk:"small_disk"`
	Version               types.String `tfsdk:"version"`
	SKUInput              types.String `tfsdk:"sku"`
	Publisher             types.String `tfsdk:"publisher"`
	Offer                 types.String `tfsdk:"offer"`
	ResolvedSKU           types.String `tfsdk:"resolved_sku"`
	ResolvedVersion       types.String `tfsdk:"resolved_version"`
	URN                   types.String `tfsdk:"urn"`
	HyperVGeneration      types.String `tfsdk:"hyperv_generation"`
	SecurityType          types.String `tfsdk:"security_type"`
	DiskControllerTypes   types.List   `tfsdk:"disk_controller_types"`
	AcceleratedNetworking types.Bool   `tfsdk:"accelerated_networking"`
	DeprecationState      types.String `tfsdk:"deprecation_state"`
	Build                 types.Int64  `tfsdk:"build"`
	UBR                   types.Int64  `tfsdk:"ubr"`
	OSRelease             types.String `tfsdk:"os_release"`
	Channel               types.String `tfsdk:"channel"`
	BaseImages            types.List   `tfsdk:"base_images"`
	BaseImage             types.String `tfsdk:"base_image"`
}

func (d *azureImageDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_azure_image"
}

func (d *azureImageDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if data := configuredData(req.ProviderData, &resp.Diagnostics); data != nil {
		d.auth, d.transport = data.azure, data.azureTransport
	}
}

func (d *azureImageDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Resolves a Windows Server image in the Azure Marketplace (publisher `MicrosoftWindowsServer`, offer `WindowsServer`) " +
			"for a release and installation option, resolves `latest` through the API, and reports the image's Hyper-V generation, " +
			"security type, disk controllers, deprecation state and Windows build, with the container base images that match it. " +
			"The removed \"with Containers\" SKUs and the Semi-Annual Channel SKUs are refused with their replacement. " +
			"Credentials come from the provider's `azure` block or the `ARM_*` environment variables.",
		Attributes: map[string]schema.Attribute{
			"id":       schema.StringAttribute{Computed: true, MarkdownDescription: "The image URN."},
			"location": schema.StringAttribute{Required: true, MarkdownDescription: "Azure region, for example `westeurope`; image availability is regional."},
			"release": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "`2016`, `2019`, `2022`, `2025` or `23H2` (the Annual Channel). Required unless `sku` is set.",
			},
			"installation": schema.StringAttribute{
				Optional: true, MarkdownDescription: "`core` (default) or `desktop` (Desktop Experience). The Annual Channel is Server Core only.",
				Validators: []validator.String{stringvalidator.OneOf("core", "desktop")},
			},
			"azure_edition": schema.BoolAttribute{Optional: true, MarkdownDescription: "Use the Azure Edition image (2022 and 2025; Generation 2)."},
			"generation": schema.Int64Attribute{
				Optional: true, MarkdownDescription: "Hyper-V generation of the image, `1` or `2`. Default: Generation 2.",
				Validators: []validator.Int64{int64validator.OneOf(1, 2)},
			},
			"small_disk": schema.BoolAttribute{Optional: true, MarkdownDescription: "Use the 30 GB OS disk (`smalldisk`) variant."},
			"version":    schema.StringAttribute{Optional: true, MarkdownDescription: "An image version such as `20348.4893.260303`, or `latest` (default)."},
			"sku": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "A marketplace SKU to use as is, instead of `release`, `installation`, `azure_edition`, `generation` and `small_disk`. " +
					"Retired SKUs (`*-with-Containers*`, Semi-Annual Channel) are refused with their replacement.",
			},
			"publisher":              computed("`MicrosoftWindowsServer`."),
			"offer":                  computed("`WindowsServer`."),
			"resolved_sku":           computed("The SKU, as the marketplace spells it."),
			"resolved_version":       computed("The image version (`latest` resolved)."),
			"urn":                    computed("`publisher:offer:sku:version`."),
			"hyperv_generation":      computed("`V1` or `V2`."),
			"security_type":          computed("The image's SecurityType feature, for example `TrustedLaunchSupported`."),
			"disk_controller_types":  schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "For example `SCSI`, `NVMe`."},
			"accelerated_networking": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the image supports accelerated networking."},
			"deprecation_state":      computed("`Active` or `ScheduledForDeprecation` (deprecated images are refused)."),
			"build":                  schema.Int64Attribute{Computed: true, MarkdownDescription: "The Windows build of the image, from its version."},
			"ubr":                    schema.Int64Attribute{Computed: true, MarkdownDescription: "The update build revision of the image."},
			"os_release":             computed("The release name, for example `2022` or `23H2`; feed it to `wincontainers_host.os_version`."),
			"channel":                computed("`ltsc` or `annual`; feed it to `wincontainers_host.channel`."),
			"base_images":            schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Container base images that run process-isolated on a host of this image."},
			"base_image":             computed("The preferred Server Core base image for that host."),
		},
	}
}

func (d *azureImageDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{skuOrRelease{}}
}

// skuOrRelease: exactly one of release and sku; the shape arguments only with release.
type skuOrRelease struct{}

func (skuOrRelease) Description(context.Context) string {
	return "exactly one of release and sku must be set"
}
func (v skuOrRelease) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (skuOrRelease) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m azureImageModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Release.IsUnknown() || m.SKUInput.IsUnknown() {
		return
	}
	switch {
	case m.Release.IsNull() && m.SKUInput.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("release"), "Missing release", "set release (for example \"2022\") or sku")
	case !m.Release.IsNull() && !m.SKUInput.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("sku"), "Conflicting arguments", "set release or sku, not both")
	case !m.SKUInput.IsNull():
		for name, set := range map[string]bool{"installation": !m.Installation.IsNull(), "azure_edition": !m.AzureEdition.IsNull(),
			"generation": !m.Generation.IsNull(), "small_disk": !m.SmallDisk.IsNull()} {
			if set {
				resp.Diagnostics.AddAttributeError(path.Root(name), "Conflicting arguments", name+" describes the SKU to build; with sku set, remove it")
			}
		}
	}
}

func (d *azureImageDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m azureImageModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	q := azure.Query{
		Release: m.Release.ValueString(), Installation: compat.Installation(m.Installation.ValueString()),
		AzureEdition: m.AzureEdition.ValueBool(), Generation: int(m.Generation.ValueInt64()), SmallDisk: m.SmallDisk.ValueBool(),
		Version: m.Version.ValueString(), Location: m.Location.ValueString(), SKU: m.SKUInput.ValueString(),
	}
	// Shape errors and retired SKUs are known before any call.
	if q.SKU != "" {
		if err := azure.CheckRetired(azure.Offer, q.SKU); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("sku"), "Retired image SKU", err.Error())
			return
		}
	} else if _, _, err := azure.SKU(q); err != nil {
		var re *azure.RetiredSKUError
		if errors.As(err, &re) {
			resp.Diagnostics.AddAttributeError(path.Root("release"), "Retired release", err.Error())
		} else {
			resp.Diagnostics.AddError("Invalid image query", err.Error())
		}
		return
	}
	api, err := azure.NewImageAPI(d.auth, d.transport)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("location"), "Azure is not configured",
			err.Error()+". Configure the provider's azure block or the ARM_* environment variables.")
		return
	}
	tflog.Debug(ctx, "resolving marketplace image", map[string]any{"location": q.Location, "release": q.Release, "sku": q.SKU, "version": q.Version})
	img, err := azure.Resolve(ctx, api, q)
	if err != nil {
		resp.Diagnostics.AddError("Cannot resolve the Windows Server image", err.Error())
		return
	}
	for _, w := range img.Warnings {
		resp.Diagnostics.AddWarning("Image warning", w)
	}
	m.ID = types.StringValue(img.URN())
	m.Publisher, m.Offer = types.StringValue(img.Publisher), types.StringValue(img.Offer)
	m.ResolvedSKU, m.ResolvedVersion, m.URN = types.StringValue(img.SKU), types.StringValue(img.Version), types.StringValue(img.URN())
	m.HyperVGeneration, m.SecurityType = types.StringValue(img.HyperVGeneration), types.StringValue(img.SecurityType)
	m.DiskControllerTypes = stringList(ctx, img.DiskControllerTypes, &resp.Diagnostics)
	m.AcceleratedNetworking = types.BoolValue(img.AcceleratedNetworking)
	m.DeprecationState = types.StringValue(img.DeprecationState)
	m.Build, m.UBR = types.Int64Value(int64(img.Build)), types.Int64Value(int64(img.UBR))
	m.OSRelease, m.Channel = types.StringValue(img.Release.Name), types.StringValue(string(img.Release.Channel))
	m.BaseImages = stringList(ctx, img.BaseImages, &resp.Diagnostics)
	m.BaseImage = types.StringValue("")
	for _, b := range img.BaseImages {
		if strings.Contains(b, "/servercore:") {
			m.BaseImage = types.StringValue(b)
			break
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
