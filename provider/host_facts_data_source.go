package provider

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/converge"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/hostconn"
)

var (
	_ datasource.DataSource              = (*hostFactsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*hostFactsDataSource)(nil)
)

// hostFactsDataSource reads what a Windows host is and has, in one WinRM round trip, changing nothing.
type hostFactsDataSource struct {
	data *providerData
}

func newHostFactsDataSource() datasource.DataSource { return &hostFactsDataSource{} }

type hostFactsModel struct {
	ID                   types.String `tfsdk:"id"`
	Host                 types.String `tfsdk:"host"`
	Port                 types.Int64  `tfsdk:"port"`
	WinRM                types.Object `tfsdk:"winrm"`
	SSH                  types.Object `tfsdk:"ssh"`
	Facts                types.Object `tfsdk:"facts"`
	BaseImages           types.Object `tfsdk:"base_images"`
	Features             types.Map    `tfsdk:"features"`
	PendingReboot        types.Bool   `tfsdk:"pending_reboot"`
	PendingRebootReasons types.List   `tfsdk:"pending_reboot_reasons"`
	Virtualization       types.Object `tfsdk:"virtualization"`
	DaemonConfig         types.String `tfsdk:"daemon_config"`
	DataRoot             types.String `tfsdk:"data_root"`
	EngineLastError      types.String `tfsdk:"engine_last_error"`
	LCOWBootFiles        types.Map    `tfsdk:"lcow_boot_files"`
	DiskFreeBytes        types.Int64  `tfsdk:"disk_free_bytes"`
	PowerShellVersion    types.String `tfsdk:"powershell_version"`
	DotNetRelease        types.Int64  `tfsdk:"dotnet_release"`
	LastBootUpTime       types.String `tfsdk:"last_boot_up_time"`
	VerifiedAt           types.String `tfsdk:"verified_at"`
	ImageManifest        types.Object `tfsdk:"image_manifest"`
}

var manifestAttrTypes = map[string]attr.Type{
	"built_by":       types.StringType,
	"tool_version":   types.StringType,
	"container_mode": types.StringType,
	"engine_type":    types.StringType,
	"engine_version": types.StringType,
	"spec_hash":      types.StringType,
	"build":          types.Int64Type,
	"revision":       types.Int64Type,
	"images":         types.ListType{ElemType: types.StringType},
	"generalized":    types.BoolType,
	"verified_at":    types.StringType,
	"unreadable":     types.StringType,
}

var virtualizationAttrTypes = map[string]attr.Type{
	"hypervisor_present":         types.BoolType,
	"firmware_enabled":           types.BoolType,
	"slat":                       types.BoolType,
	"vm_monitor_mode_extensions": types.BoolType,
	"hypervisor_launch_type":     types.StringType,
	"manufacturer":               types.StringType,
	"model":                      types.StringType,
}

func (d *hostFactsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_host_facts"
}

func (d *hostFactsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if v := configuredData(req.ProviderData, &resp.Diagnostics); v != nil {
		d.data = v
	}
}

func (d *hostFactsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	cs := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	cb := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
	}
	ci := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	factsAttrs := map[string]schema.Attribute{
		"release":        cs("The release, in `os_version`'s names (`2022`, `23H2`, `win11-24h2`); empty for a build wincontainers does not know."),
		"title":          cs("The release's name (`Windows Server 2022`)."),
		"build":          ci("OS build number."),
		"revision":       ci("Update build revision (UBR)."),
		"channel":        cs("Servicing channel: `ltsc`, `sac`, `annual` or `client`. The Annual Channel reports itself as Windows Server 2022 by name and is told apart by its build."),
		"edition":        cs("Edition (`standard`, `datacenter`, `enterprise`, ...)."),
		"installation":   cs("`core` or `desktop` on servers, empty on clients."),
		"product_name":   cs("The product name Windows reports."),
		"computer_name":  cs("The computer name."),
		"engine_type":    cs("The engine installed: `docker`, `containerd`, or empty."),
		"engine_version": cs("The engine's version as installed."),
		"engine_service": cs("The engine service's state (`Running`, `Stopped`), empty without one."),
		"compose_version": cs("The Docker Compose version the docker CLI's plugin reports (`docker-compose.exe version --short`), empty " +
			"without one (or when it does not run). containerd hosts run `nerdctl compose`, which is part of nerdctl and not read here."),
		"compose_plugin_path": cs("The `docker-compose.exe` the docker CLI runs for `docker compose`: the first of " +
			"`%ProgramData%\\Docker\\cli-plugins` and `%ProgramFiles%\\Docker\\cli-plugins` that holds one; empty without one."),
		"compose_standalone_path": cs("The standalone `docker-compose.exe` beside `docker.exe`, empty without one."),
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "What a Windows host is and has, read over WinRM in one round trip without changing anything: release, build, " +
			"channel, edition, Windows features, pending restarts, virtualization signals, the container engine and its configuration, the LCOW " +
			"boot files, and the base images that fit the host.",
		Attributes: map[string]schema.Attribute{
			"id":   cs("The host's address."),
			"host": schema.StringAttribute{Required: true, MarkdownDescription: "Host name or IP address.", Validators: []validator.String{stringvalidator.LengthBetween(1, 253)}},
			"port": schema.Int64Attribute{Optional: true, MarkdownDescription: "WinRM port (1-65535). Default 5986 with HTTPS, 5985 without; with `ssh`, the SSH port, default 22.",
				Validators: []validator.Int64{int64validator.Between(1, 65535)}},
			"winrm": dataSourceWinRMSchema(),
			"ssh":   dataSourceSSHSchema(),
			"facts": schema.SingleNestedAttribute{Computed: true, MarkdownDescription: "What the host is.", Attributes: factsAttrs},
			"base_images": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Base image references (in support) that run on this host, per isolation.",
				Attributes: map[string]schema.Attribute{
					"process": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "With process isolation."},
					"hyperv":  schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "With Hyper-V isolation."},
				},
			},
			"features": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Windows feature states by name (`Containers`, `Hyper-V`; `Microsoft-Hyper-V` on clients), normalised: " +
					"`installed`, `install_pending`, `absent`, `remove_pending`, `payload_removed`."},
			"pending_reboot":         cb("Whether any signal says a restart is pending."),
			"pending_reboot_reasons": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Which signals say so."},
			"virtualization": schema.SingleNestedAttribute{
				Computed: true,
				MarkdownDescription: "Virtualization signals. The processor flags are only meaningful while no hypervisor runs; inside a VM, Hyper-V " +
					"isolation needs nested virtualization.",
				Attributes: map[string]schema.Attribute{
					"hypervisor_present":         cb("A hypervisor is running (Hyper-V is on, or this is a VM)."),
					"firmware_enabled":           cb("Virtualization is enabled in the firmware."),
					"slat":                       cb("Second-level address translation."),
					"vm_monitor_mode_extensions": cb("VT-x / AMD-V."),
					"hypervisor_launch_type": cs("The boot entry's `hypervisorlaunchtype` (`bcdedit /enum {current}`): `Auto`, `Off`, or empty when " +
						"not set. With `Off` the Windows hypervisor does not start, and Hyper-V isolation fails even with the role installed."),
					"manufacturer": cs("System manufacturer."),
					"model":        cs("System model (`Virtual Machine` on Hyper-V)."),
				},
			},
			"daemon_config": cs("The engine's `daemon.json` as found (JSON), empty without one."),
			"data_root":     cs("The engine's data root."),
			"engine_last_error": cs("While the engine service is not running: its newest error in the Application event log since the last " +
				"restart (why it stopped, or why its start at boot failed, such as the Host Network Service not being ready); empty otherwise."),
			"lcow_boot_files":    schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "LinuxKit boot files found, name to SHA-256."},
			"disk_free_bytes":    ci("Free bytes on the system drive."),
			"powershell_version": cs("Windows PowerShell version."),
			"dotnet_release":     ci(".NET Framework release number."),
			"last_boot_up_time":  cs("When the host last started."),
			"verified_at":        cs("When wincontainers last proved a container mode on this host, empty if never."),
			"image_manifest": schema.SingleNestedAttribute{
				Computed: true,
				MarkdownDescription: "The manifest the `wincontainers` Packer provisioner wrote into the image this host was made from " +
					"(`C:\\ProgramData\\wincontainers\\manifest.json`); null when there is none.",
				Attributes: map[string]schema.Attribute{
					"built_by":       cs("`packer` or `terraform`."),
					"tool_version":   cs("The wincontainers version that wrote it."),
					"container_mode": cs("The mode the image was verified in."),
					"engine_type":    cs("The engine installed."),
					"engine_version": cs("Its version."),
					"spec_hash":      cs("The desired state the verification proved."),
					"build":          ci("The Windows build the image was made on."),
					"revision":       ci("Its update build revision."),
					"images":         schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Images pulled into the image."},
					"generalized":    cb("Whether the engine was prepared for sysprep."),
					"verified_at":    cs("When the image was verified."),
					"unreadable":     cs("Why the file could not be read as a manifest; empty when it could."),
				},
			},
		},
	}
}

func (d *hostFactsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m hostFactsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	host := m.Host.ValueString()
	f, err := converge.Facts(ctx, d.connector(&m, &resp.Diagnostics))
	switch converge.StageOf(err) {
	case "":
	case converge.StageConnect:
		connectFailed(&resp.Diagnostics, connBlock(types.ObjectNull(nil), m.SSH), errors.Unwrap(err)) // no azure block here
		return
	default:
		resp.Diagnostics.AddError("Cannot read the facts of "+host, errors.Unwrap(err).Error())
		return
	}
	day := clock(nil).today()
	if d.data != nil {
		day = d.data.clock.today()
	}
	var hm hostModel
	hm.computedFrom(ctx, f, day, nil, &resp.Diagnostics)
	m.ID = types.StringValue(host)
	m.Facts, m.BaseImages, m.VerifiedAt = hm.Facts, hm.BaseImages, hm.VerifiedAt
	m.fill(ctx, f, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// connector is the engine's connector for the data source: its ssh block, or its winrm block over the
// provider's defaults, translated when the engine connects; a setting that is missing is reported on
// diags.
func (d *hostFactsDataSource) connector(m *hostFactsModel, diags *diag.Diagnostics) converge.ConnectorFunc {
	return func(ctx context.Context) (*hostconn.Conn, error) {
		cfg, ok := d.connConfig(ctx, m, diags)
		if !ok {
			return nil, errReported
		}
		return hostconn.Open(cfg) //nolint:wrapcheck // connectFailed renders hostconn's errors
	}
}

// connConfig translates the data source's connection block into hostconn's Config; ok is false with
// the problem on diags.
func (d *hostFactsDataSource) connConfig(ctx context.Context, m *hostFactsModel, diags *diag.Diagnostics) (hostconn.Config, bool) {
	var cfg hostconn.Config
	var (
		base   connSettings
		sshDef sshDefaults
	)
	if d.data != nil {
		cfg.RetryBackoff = d.data.retryBackoff
		base, sshDef = d.data.winrm, d.data.ssh
	}
	host := m.Host.ValueString()
	if !m.SSH.IsNull() {
		opts, ok := factsSSHConfig(ctx, m.SSH, sshDef, host, m.Port, diags)
		cfg.SSH = opts
		return cfg, ok
	}
	base = base.over(settingsOf(ctx, m.WinRM, diags))
	port := m.Port.ValueInt64()
	if m.Port.IsNull() {
		port, _ = base.defaultPort() // options below names https when it is not known
	}
	opts, err := base.options(host, port)
	if err != nil {
		addConnError(diags, err)
		return cfg, false
	}
	cfg.WinRM = opts
	return cfg, true
}

func (m *hostFactsModel) fill(ctx context.Context, f facts.Facts, diags *diag.Diagnostics) {
	features := map[string]string{}
	for name := range f.Features {
		features[name] = string(f.Feature(name))
	}
	fm, d := types.MapValueFrom(ctx, types.StringType, features)
	diags.Append(d...)
	m.Features = fm
	m.PendingReboot = types.BoolValue(f.PendingReboot.Any())
	m.PendingRebootReasons = stringList(ctx, f.PendingReboot.Reasons(), diags)
	v := f.Virtualization
	obj, d := types.ObjectValue(virtualizationAttrTypes, map[string]attr.Value{
		"hypervisor_present":         types.BoolValue(v.HypervisorPresent),
		"firmware_enabled":           types.BoolValue(v.FirmwareEnabled),
		"slat":                       types.BoolValue(v.SLAT),
		"vm_monitor_mode_extensions": types.BoolValue(v.VMMonitorModeExtensions),
		"hypervisor_launch_type":     types.StringValue(v.HypervisorLaunchType),
		"manufacturer":               types.StringValue(v.Manufacturer),
		"model":                      types.StringValue(v.Model),
	})
	diags.Append(d...)
	m.Virtualization = obj
	cfg := strings.TrimSpace(string(f.Engine.DaemonConfig))
	if cfg == "null" {
		cfg = ""
	}
	m.DaemonConfig = types.StringValue(cfg)
	m.DataRoot = types.StringValue(f.Engine.DataRoot)
	m.EngineLastError = types.StringValue(f.Engine.Service.LastError)
	files := f.LCOW.Files
	if files == nil {
		files = map[string]string{}
	}
	lm, d := types.MapValueFrom(ctx, types.StringType, files)
	diags.Append(d...)
	m.LCOWBootFiles = lm
	m.DiskFreeBytes = types.Int64Value(f.Disk.FreeBytes)
	m.PowerShellVersion = types.StringValue(f.PowerShell.Version)
	m.DotNetRelease = types.Int64Value(int64(f.PowerShell.DotNetRelease))
	m.LastBootUpTime = types.StringValue(f.Boot.LastBootUpTime)
	m.ImageManifest = types.ObjectNull(manifestAttrTypes)
	if mf := f.Manifest; mf != nil {
		obj, d := types.ObjectValue(manifestAttrTypes, map[string]attr.Value{
			"built_by":       types.StringValue(mf.BuiltBy),
			"tool_version":   types.StringValue(mf.ToolVersion),
			"container_mode": types.StringValue(mf.ContainerMode),
			"engine_type":    types.StringValue(mf.Engine.Type),
			"engine_version": types.StringValue(mf.Engine.Version),
			"spec_hash":      types.StringValue(mf.SpecHash),
			"build":          types.Int64Value(int64(mf.OS.Build)),
			"revision":       types.Int64Value(int64(mf.OS.UBR)),
			"images":         stringList(ctx, mf.Images, diags),
			"generalized":    types.BoolValue(mf.Generalized),
			"verified_at":    types.StringValue(mf.VerifiedAt),
			"unreadable":     types.StringValue(mf.Unreadable),
		})
		diags.Append(d...)
		m.ImageManifest = obj
	}
}
