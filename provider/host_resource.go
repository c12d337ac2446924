package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/converge"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
)

var (
	_ resource.Resource                   = (*hostResource)(nil)
	_ resource.ResourceWithConfigure      = (*hostResource)(nil)
	_ resource.ResourceWithValidateConfig = (*hostResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*hostResource)(nil)
	_ resource.ResourceWithImportState    = (*hostResource)(nil)
)

// hostResource is wincontainers_host: a Windows machine made into a verified container host.
type hostResource struct {
	data *providerData
}

func newHostResource() resource.Resource { return &hostResource{} }

func (r *hostResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_host"
	// The identity holds the WinRM port, which an apply may change in place (the same machine on
	// another port); everything else in it names another machine and replaces the resource.
	resp.ResourceBehavior.MutableIdentity = true
}

func (r *hostResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if d := configuredData(req.ProviderData, &resp.Diagnostics); d != nil {
		r.data = d
	}
}

func optStr(desc string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, MarkdownDescription: desc, Validators: validators}
}

func (r *hostResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	modes := make([]string, 0, 3)
	for _, m := range compat.Modes() {
		modes = append(modes, string(m))
	}
	channels := make([]string, 0, 3)
	for _, c := range compat.ServerChannels() {
		channels = append(channels, string(c))
	}
	computedStr := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Windows machine made into a verified container host: the Windows features the container mode needs " +
			"(restarting when Windows asks), the container engine, its configuration, the LCOW boot files, and a proof by running containers " +
			"in that mode. Reads the host's facts in one WinRM round trip; anything that drifted (a stopped service, a removed feature, a changed " +
			"`daemon.json`, a replaced engine) shows in `pending_changes` and is repaired by the next apply. Combinations that cannot work " +
			"(LCOW on Windows Server 2016, Docker 23+ before build 17763, Hyper-V isolation without virtualization) are refused before " +
			"anything on the host changes, at plan time when `os_version` is given.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The value of `host`: the host's address, or with an `azure` connection its label.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"host": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Over WinRM (the default), the host name or IP address of the Windows machine, which identifies it: changing " +
					"it means another machine, so the resource is replaced (`on_destroy` applies to the old address, then the new one is " +
					"converged). To reach the same machine by another name, set `on_destroy = \"keep\"` and apply before changing `host`. " +
					"With an `azure` connection the machine is identified by `azure.subscription_id`, `azure.resource_group` and " +
					"`azure.vm_name`, and `host` is only a label and the resource's ID: use the VM name (what `terraform import` with " +
					"`azure:<resource group>/<vm name>` sets); changing it updates the state without contacting the VM.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(hostIdentifiesMachine,
					"Over WinRM, a change of host means another machine and replaces the resource; with an azure connection host is a label.",
					"Over WinRM, a change of `host` means another machine and replaces the resource; with an `azure` connection `host` is a label.")},
				Validators: []validator.String{stringvalidator.LengthBetween(1, 253)},
			},
			"port": schema.Int64Attribute{
				Optional: true, Computed: true,
				MarkdownDescription: "WinRM port (1-65535). Default 5986 with HTTPS, 5985 without; with an `ssh` connection the SSH port, default 22; null with an `azure` connection.",
				Validators:          []validator.Int64{int64validator.Between(1, 65535)},
			},
			"winrm": resourceWinRMSchema(),
			"azure": resourceAzureSchema(),
			"ssh":   resourceSSHSchema(),
			"container_mode": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "`process` (Windows Server containers, process isolation), `hyperv` (Hyper-V isolation as the engine's default) " +
					"or `lcow` (Linux containers on Windows, with the LinuxKit boot files).",
				Validators: []validator.String{stringvalidator.OneOf(modes...)},
			},
			"channel": optStr("The servicing channel the host must be on: `ltsc`, `sac` or `annual`. Checked against the host; a mismatch is refused before any change.",
				stringvalidator.OneOf(channels...)),
			"os_version": optStr("The Windows release the host runs (`2016`, `1709`, `1803`, `1809`, `2019`, `1903`, `1909`, `2004`, `20H2`, `2022`, `23H2`, `2025`, " +
				"`win10-<version>`, `win11-<version>` or a build number). When given, impossible combinations fail at plan time, and a host running " +
				"another release is refused before any change."),
			"engine":  blockAttribute("engine"),
			"lcow":    blockAttribute("lcow"),
			"daemon":  blockAttribute("daemon"),
			"compose": blockAttribute("compose"),
			"verify": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "How the mode is proven. Verification always checks the engine, its isolation and (for LCOW) its Linux platform, and runs " +
					"containers from images already on the host; checks that need an image the host does not have are reported as skipped, never as passed.",
				Attributes: map[string]schema.Attribute{
					"pull_images": schema.BoolAttribute{Optional: true, MarkdownDescription: "Pull the base image that matches the host's build " +
						"(and `busybox` for LCOW) so that every check runs a container. Base images are gigabytes. Default `false`."},
				},
			},
			"reboot": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Restart behaviour. A restart happens only when Windows says one is needed (installing the Containers or Hyper-V feature). " +
					"These settings govern only what wincontainers does: changing them updates the state without contacting the host.",
				Attributes: map[string]schema.Attribute{
					"allowed": schema.BoolAttribute{Optional: true, MarkdownDescription: "Whether wincontainers may restart the host. With `false`, an apply " +
						"that needs a restart stops before it with an error; restart the host yourself and apply again. Default `true`."},
					"timeout": schema.StringAttribute{
						Optional: true, CustomType: timetypes.GoDurationType{},
						MarkdownDescription: "How long the host may take to come back after a restart, as a Go duration (`15m`, `1h30m`). Default `15m`, " +
							"at least `30s`.",
						Validators: []validator.String{minRebootTimeout{}},
					},
				},
			},
			"on_destroy": schema.StringAttribute{
				Optional: true, Computed: true,
				Default: stringdefault.StaticString(onDestroyUninstall),
				MarkdownDescription: "What destroying the resource does to the host: `uninstall` (default) removes the engine, its service, " +
					"configuration, PATH entries, downloads and LCOW boot files, and keeps the Windows features (removing them needs a restart); " +
					"`uninstall_features` also removes the Containers and Hyper-V features and restarts when Windows asks; `keep` leaves the host as it is " +
					"and only forgets it, without contacting it. Destroy uses the value in the state: a change takes effect when applied, and that " +
					"apply does not contact the host either, so a machine that is gone is retired by setting `keep`, applying, then removing the resource.",
				Validators: []validator.String{stringvalidator.OneOf(onDestroyKeep, onDestroyUninstall, onDestroyUninstallFeatures)},
			},
			"timeouts": timeoutsAttribute(ctx),
			"facts": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "What the host is, as last read.",
				Attributes: map[string]schema.Attribute{
					"release":        computedStr("The release, in `os_version`'s names (`2022`, `23H2`, `win11-24h2`)."),
					"title":          computedStr("The release's name (`Windows Server 2022`)."),
					"build":          schema.Int64Attribute{Computed: true, MarkdownDescription: "OS build number."},
					"revision":       schema.Int64Attribute{Computed: true, MarkdownDescription: "Update build revision (UBR)."},
					"channel":        computedStr("Servicing channel: `ltsc`, `sac`, `annual` or `client`."),
					"edition":        computedStr("Edition (`standard`, `datacenter`, `enterprise`, ...)."),
					"installation":   computedStr("`core` or `desktop` on servers, empty on clients."),
					"product_name":   computedStr("The product name Windows reports."),
					"computer_name":  computedStr("The computer name."),
					"engine_type":    computedStr("The engine installed: `docker`, `containerd`, or empty."),
					"engine_version": computedStr("The engine's version as installed."),
					"engine_service": computedStr("The engine service's state (`Running`, `Stopped`)."),
					"compose_version": computedStr("The Docker Compose version the docker CLI's plugin reports (`docker-compose.exe version --short`), " +
						"empty without one. containerd hosts run `nerdctl compose`, which is part of nerdctl and not read here."),
					"compose_plugin_path":     computedStr("The `docker-compose.exe` the docker CLI runs for `docker compose`, empty without one."),
					"compose_standalone_path": computedStr("The standalone `docker-compose.exe` beside `docker.exe`, empty without one."),
				},
			},
			"base_images": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Base image references (in support) that run on this host, per isolation.",
				Attributes: map[string]schema.Attribute{
					"process": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "With process isolation (the host's build)."},
					"hyperv":  schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "With Hyper-V isolation."},
				},
			},
			"pending_changes": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "What the next apply would do to the host and why, one entry per step; empty when the host is converged and verified. " +
					"Drift found by refresh appears here and makes the plan an update.",
			},
			"verified_at": computedStr("When the host last proved the desired state by running containers (the host's clock, RFC 3339)."),
			"observed_sha256": schema.MapAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "SHA-256 of the unpinned downloads as first seen, by URL, and of the unpinned archives pushed from the machine running Terraform, by their path there (trust on first use).",
			},
		},
	}
}

// timeoutsAttribute is framework-timeouts' attribute, described for the docs.
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	a := timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Read: true, Delete: true})
	if n, ok := a.(schema.SingleNestedAttribute); ok {
		n.MarkdownDescription = "Time limits, as Go durations (`90m`): `create` and `update` (default 60m each) bound a whole convergence " +
			"including restarts, `read` (default 5m) the facts read, `delete` (default 30m) the uninstall. A limit that expires leaves completed " +
			"steps in place; the next apply continues from there. Changing them updates the state without contacting the host."
		return n
	}
	return a
}

// minRebootTimeout refuses a reboot.timeout shorter than any Windows restart. The attribute's type
// (timetypes.GoDuration) reports a value that is not a duration.
type minRebootTimeout struct{}

const shortestRestart = 30 * time.Second

func (minRebootTimeout) Description(context.Context) string {
	return "at least " + shortestRestart.String()
}

func (v minRebootTimeout) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (minRebootTimeout) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err == nil && d < shortestRestart {
		resp.Diagnostics.AddAttributeError(req.Path, "Reboot timeout too short",
			fmt.Sprintf("%s is shorter than any Windows restart; give at least %s (default 15m)", d, shortestRestart))
	}
}

func (r *hostResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m hostModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateAzureConfig(&m, &resp.Diagnostics)
	s, complete := m.specOf(ctx, &resp.Diagnostics)
	if !complete || resp.Diagnostics.HasError() {
		return
	}
	// Only the errors: Terraform validates a configuration several times per command, so warnings come
	// from ModifyPlan, once, and only when the plan acts on the host.
	_, ds := spec.Validate(s, r.day())
	specDiagnostics(ds.Errors(), &resp.Diagnostics)
}

func (r *hostResource) day() compat.Date {
	if r.data == nil {
		return clock(nil).today()
	}
	return r.data.clock.today()
}

func (r *hostResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		r.warnDestroy(ctx, req, resp)
		return
	}
	var p, cfg hostModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &p)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *hostModel
	if !req.State.Raw.IsNull() {
		prior = &hostModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	connDiags := r.planConnection(ctx, &p, &cfg)
	p.ID = p.Host
	if prior != nil {
		planIdentity(ctx, resp.Identity, &p, &resp.Diagnostics)
	}
	if prior != nil && !convergePlanned(ctx, &p, prior, &resp.Diagnostics) {
		// Only settings of wincontainers' own behaviour changed (or nothing): the apply changes the state alone.
		p.keepComputed(prior)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &p)...)
		return
	}
	resp.Diagnostics.Append(connDiags...)
	// The apply converges the host: nothing stays pending, and what it finds is known afterwards.
	p.PendingChanges = stringList(ctx, []string{}, &resp.Diagnostics)
	p.Facts = types.ObjectUnknown(factsAttrTypes)
	p.BaseImages = types.ObjectUnknown(baseImagesAttrTypes)
	p.VerifiedAt = types.StringUnknown()
	p.ObservedSHA256 = types.MapUnknown(types.StringType)
	if s, complete := p.specOf(ctx, &resp.Diagnostics); complete {
		if want, ds := spec.Validate(s, r.day()); !ds.HasErrors() {
			specDiagnostics(planWarnings(ds, want, prior), &resp.Diagnostics)
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &p)...)
}

// planConnection fills the plan's port (null with an azure connection, the transport's default when not
// given) and returns what stops the apply from connecting, as far as the plan can tell: values not known
// yet are checked again by the apply.
func (r *hostResource) planConnection(ctx context.Context, p, cfg *hostModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !p.Azure.IsNull() {
		// Run Command: no port.
		if p.Port.IsUnknown() {
			p.Port = types.Int64Null()
		}
		r.checkAzure(ctx, p, &diags)
		return diags
	}
	if !p.SSH.IsNull() {
		planSSH(ctx, p, cfg, r.sshDefaults(), &diags)
		return diags
	}
	s := r.settings(ctx, cfg, &diags)
	if p.Port.IsUnknown() && cfg.Port.IsNull() {
		if port, ok := s.defaultPort(); ok {
			p.Port = types.Int64Value(port)
		}
	}
	if err := s.check(cfg.Host.ValueString()); err != nil {
		addConnError(&diags, err)
	}
	return diags
}

// hostIdentifiesMachine is host's replacement rule: over WinRM it is the machine's address, so a change
// means another machine; with an azure connection (before and after) it is only a label.
func hostIdentifiesMachine(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	var planned, prior types.Object
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("azure"), &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("azure"), &prior)...)
	resp.RequiresReplace = planned.IsNull() || prior.IsNull()
}

// warnDestroy says at plan time what destroy will do, and fails early when it cannot connect.
func (r *hostResource) warnDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var st hostModel
	resp.Diagnostics.Append(req.State.Get(ctx, &st)...)
	if resp.Diagnostics.HasError() || st.OnDestroy.ValueString() == onDestroyKeep || !st.Azure.IsNull() {
		return
	}
	if !st.SSH.IsNull() {
		if err := sshDestroyWarning(ctx, &st, r.sshDefaults()); err != nil {
			resp.Diagnostics.AddWarning("Destroy cannot reach "+st.Host.ValueString(), err.Error())
		}
		return
	}
	if err := r.settings(ctx, &st, &diag.Diagnostics{}).check(st.Host.ValueString()); err != nil {
		resp.Diagnostics.AddWarning("Destroy cannot reach "+st.Host.ValueString(),
			"on_destroy is "+st.OnDestroy.ValueString()+", which connects to the host, but no WinRM password is available to destroy (a write-only "+
				"password is not kept). Set password in the provider's winrm block (or "+envWinRMPassword+"), or set on_destroy = \"keep\" and apply first.")
	}
}

// sshDefaults is the provider's ssh block (with the environment applied).
func (r *hostResource) sshDefaults() sshDefaults {
	if r.data == nil {
		return sshDefaults{}
	}
	return r.data.ssh
}

// credentialAdvice says where refresh and destroy, which Terraform hands no write-only value, find
// credentials for m's transport.
func credentialAdvice(m *hostModel) string {
	if !m.SSH.IsNull() {
		return sshRefreshAdvice
	}
	return "a write-only password is not available to refresh and destroy; set password in the provider's winrm block or " + envWinRMPassword
}

// settings merges the provider's winrm defaults with the resource's winrm block (with the write-only
// password, which only the configuration holds).
func (r *hostResource) settings(ctx context.Context, m *hostModel, diags *diag.Diagnostics) connSettings {
	var base connSettings
	if r.data != nil {
		base = r.data.winrm
	}
	if m.WinRM.IsUnknown() {
		return base.over(unknownSettings())
	}
	w, ok := objectAs[winrmModel](ctx, m.WinRM, diags)
	if !ok {
		return base
	}
	s := w.settings()
	if pw := str(w.PasswordWO); pw.given() {
		s.password = pw
	}
	return base.over(s)
}

// connConfig translates m's connection block (azure, ssh or winrm, with the provider's defaults) into
// hostconn's Config; ok is false with the problem on diags. An import without :port learns the
// transport's default port here.
func (r *hostResource) connConfig(ctx context.Context, m *hostModel, rebootTimeout time.Duration, diags *diag.Diagnostics) (hostconn.Config, bool) {
	host := m.Host.ValueString()
	var cfg hostconn.Config
	if r.data != nil {
		cfg.Reboot = r.data.reboot
		cfg.RetryBackoff = r.data.retryBackoff
	}
	cfg.Reboot.Timeout = rebootTimeout
	cfg.Reboot.OnEvent = func(line string) { tflog.Info(ctx, line, map[string]any{"host": host}) }
	switch {
	case !m.Azure.IsNull():
		v, _, _ := r.azureVM(ctx, m, diags)
		cfg.Azure = &v
		return cfg, !diags.HasError()
	case !m.SSH.IsNull():
		opts, ok := sshConfig(ctx, m, r.sshDefaults(), diags)
		cfg.SSH = opts
		return cfg, ok
	}
	s := r.settings(ctx, m, diags)
	port := m.Port.ValueInt64()
	if m.Port.IsNull() || m.Port.IsUnknown() || port == 0 {
		port, _ = s.defaultPort()       // the apply knows every value
		m.Port = types.Int64Value(port) // an import without :port
	}
	opts, err := s.options(host, port)
	if err != nil {
		addConnError(diags, err)
		return cfg, false
	}
	cfg.WinRM = opts
	return cfg, true
}

// connector is the engine's connector for m: it translates the connection settings when the engine
// connects (after validation), reporting a setting that is missing on diags.
func (r *hostResource) connector(m *hostModel, rebootTimeout time.Duration, diags *diag.Diagnostics) converge.ConnectorFunc {
	return func(ctx context.Context) (*hostconn.Conn, error) {
		cfg, ok := r.connConfig(ctx, m, rebootTimeout, diags)
		if !ok {
			return nil, errReported
		}
		return hostconn.Open(cfg) //nolint:wrapcheck // connectFailed renders hostconn's errors
	}
}

func progressLogger(ctx context.Context, host string) func(executor.Event) {
	return func(e executor.Event) {
		fields := map[string]any{"host": host, "event": string(e.Kind)}
		if e.Step != "" {
			fields["step"] = string(e.Step)
		}
		switch e.Kind {
		case executor.EventProgress:
			tflog.Debug(ctx, e.Message, fields)
		case executor.EventWarning:
			tflog.Warn(ctx, e.Message, fields)
		default:
			tflog.Info(ctx, strings.TrimSpace(string(e.Kind)+" "+string(e.Step)+": "+e.Message), fields)
		}
	}
}

// withWriteOnly copies the write-only password from the configuration into m's winrm block, which in
// the plan holds null for it.
func withWriteOnly(ctx context.Context, m *hostModel, cfg *hostModel, diags *diag.Diagnostics) {
	withSSHWriteOnly(ctx, m, cfg, diags)
	cw, ok := objectAs[winrmModel](ctx, cfg.WinRM, diags)
	if !ok || cw.PasswordWO.IsNull() {
		return
	}
	pw, _ := objectAs[winrmModel](ctx, m.WinRM, diags)
	pw.PasswordWO = cw.PasswordWO
	obj, d := types.ObjectValueFrom(ctx, m.WinRM.AttributeTypes(ctx), pw)
	diags.Append(d...)
	m.WinRM = obj
}

// converge runs the engine (validate, connect, preflight, apply) and fills m from the converged host.
// On failure it returns false with the error on diags, and the outcome as far as it got.
func (r *hostResource) converge(ctx context.Context, m *hostModel, prior *hostModel, diags *diag.Diagnostics) (converge.Outcome, bool) {
	s, _ := m.specOf(ctx, diags)
	allowed, rebootTimeout := m.rebootPolicy(ctx, diags)
	if diags.HasError() {
		return converge.Outcome{}, false
	}
	host := m.Host.ValueString()
	opt := executor.Options{Progress: progressLogger(ctx, host)}
	if !allowed {
		opt.MaxReboots = -1
	}
	tflog.Info(ctx, "converging "+host, map[string]any{"host": host, "mode": s.Mode, "engine": strings.TrimSpace(s.Engine.Type + " " + s.Engine.Version)})
	out, err := converge.Run(ctx, converge.Request{Spec: s, Today: r.day(), Connect: r.connector(m, rebootTimeout, diags), Options: opt,
		NestedOverride: nestedOverride(ctx, m, diags)})
	nestedDiagnostics(out.Nested, out.Resolved.Mode, host, diags)
	if err != nil {
		r.convergeFailed(ctx, m, err, diags)
		return out, false
	}
	res := out.Result
	priorObserved := types.MapNull(types.StringType)
	if prior != nil {
		priorObserved = prior.ObservedSHA256
	}
	m.ObservedSHA256 = mergeObserved(ctx, priorObserved, out.Observed, diags)
	m.computedFrom(ctx, res.Facts, r.day(), []string{}, diags)
	m.ID = m.Host
	tflog.Info(ctx, fmt.Sprintf("%s converged: %d step(s), %d restart(s), %d facts read(s)", host, len(res.StepsRun), res.Reboots, res.FactsReads),
		map[string]any{"host": host})
	return out, true
}

// convergeFailed renders a convergence that stopped, by the stage it stopped at.
func (r *hostResource) convergeFailed(ctx context.Context, m *hostModel, err error, diags *diag.Diagnostics) {
	host := m.Host.ValueString()
	cause := errors.Unwrap(err)
	switch converge.StageOf(err) {
	case converge.StageValidate:
		if inv, ok := errors.AsType[*converge.InvalidSpecError](err); ok {
			specDiagnostics(inv.Diagnostics, diags)
		}
	case converge.StageConnect:
		connectFailed(diags, connBlock(m.Azure, m.SSH), cause)
	case converge.StageFacts:
		diags.AddError("Cannot read the facts of "+host, cause.Error())
	case converge.StagePreflight:
		if _, refused := errors.AsType[*converge.NestedRefusal](err); refused {
			return // nestedDiagnostics said why
		}
		v, _, _ := r.azureVM(ctx, m, diags)
		diags.AddError("Cannot read the size of Azure VM "+v.Name, cause.Error())
	default:
		addApplyError(diags, host, cause)
	}
}

func addApplyError(diags *diag.Diagnostics, host string, err error) {
	var refusal *plan.RefusalError
	var step *executor.StepError
	switch {
	case errors.As(err, &refusal):
		diags.AddError("The host cannot become this container host", host+": "+err.Error())
	case errors.Is(err, executor.ErrRebootNotAllowed):
		diags.AddError("The host needs a restart", host+": "+err.Error()+
			"\n\nThe steps before the restart are done and are not repeated by the next apply.")
	case errors.As(err, &step):
		diags.AddError(fmt.Sprintf("Step %s failed on %s", step.Step.Kind, host), err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		diags.AddError("Timed out converging "+host, err.Error()+
			"\n\nCompleted steps are kept; apply again to continue, or raise the create/update timeout in the timeouts block.")
	default:
		diags.AddError("Converging "+host+" failed", err.Error()+"\n\nCompleted steps are kept; the next apply resumes from the host's state.")
	}
}

func (r *hostResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m, cfg hostModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := m.Timeouts.Create(ctx, 60*time.Minute)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	withWriteOnly(ctx, &m, &cfg, &resp.Diagnostics)
	if _, ok := r.converge(ctx, &m, nil, &resp.Diagnostics); !ok {
		// Nothing is recorded: the next apply creates the resource again, and the engine resumes from the
		// host's real state, so completed steps are not repeated and an unverified host is never recorded.
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, nullWriteOnly(ctx, m, &resp.Diagnostics))...)
	setIdentity(ctx, resp.Identity, &m, &resp.Diagnostics)
}

// nullWriteOnly returns m with the write-only password cleared, as state must hold it.
func nullWriteOnly(ctx context.Context, m hostModel, diags *diag.Diagnostics) *hostModel {
	nullSSHWriteOnly(ctx, &m, diags)
	if w, ok := objectAs[winrmModel](ctx, m.WinRM, diags); ok && !w.PasswordWO.IsNull() {
		w.PasswordWO = types.StringNull()
		obj, d := types.ObjectValueFrom(ctx, m.WinRM.AttributeTypes(ctx), w)
		diags.Append(d...)
		m.WinRM = obj
	}
	return &m
}

func (r *hostResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, cfg, prior hostModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.Facts.IsUnknown() {
		// The plan converges nothing (convergePlanned): only settings of wincontainers' own behaviour
		// changed, and they take effect in the state without contacting the host.
		tflog.Info(ctx, "updating "+m.Host.ValueString()+" in the state only", map[string]any{"host": m.Host.ValueString()})
		resp.Diagnostics.Append(resp.State.Set(ctx, nullWriteOnly(ctx, m, &resp.Diagnostics))...)
		setIdentity(ctx, resp.Identity, &m, &resp.Diagnostics)
		return
	}
	timeout, d := m.Timeouts.Update(ctx, 60*time.Minute)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	withWriteOnly(ctx, &m, &cfg, &resp.Diagnostics)
	out, ok := r.converge(ctx, &m, &prior, &resp.Diagnostics)
	res := out.Result
	if ok {
		resp.Diagnostics.Append(resp.State.Set(ctx, nullWriteOnly(ctx, m, &resp.Diagnostics))...)
		setIdentity(ctx, resp.Identity, &m, &resp.Diagnostics)
		return
	}
	// Keep the prior configuration in the state, with what is still to do, so that the next plan shows
	// the update again and never a converged host that is not. The settings of wincontainers' own
	// behaviour (on_destroy among them) take effect anyway: retiring a host must not need the host.
	prior = prior.withOwnSettings(&m)
	pending := []string{"the last apply failed before the host was verified"}
	if res.FactsReads > 0 {
		pending = append(pendingOf(res.Plan), pending...)
		prior.computedFrom(ctx, res.Facts, r.day(), pending, &resp.Diagnostics)
	} else {
		prior.PendingChanges = stringList(ctx, append(listStrings(ctx, prior.PendingChanges, &resp.Diagnostics), pending...), &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &prior)...)
	setIdentity(ctx, resp.Identity, &prior, &resp.Diagnostics)
}

func (r *hostResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m hostModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Every answer carries the identity, also one that keeps or removes the state (identity-aware CLIs
	// require it); it is set again below once an import has learnt the port.
	setIdentity(ctx, resp.Identity, &m, &resp.Diagnostics)
	timeout, d := m.Timeouts.Read(ctx, 5*time.Minute)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host := m.Host.ValueString()
	var connDiags diag.Diagnostics
	f, err := converge.Facts(ctx, r.connector(&m, defaultRebootTimeout, &connDiags))
	if converge.StageOf(err) == converge.StageConnect {
		connectFailed(&connDiags, connBlock(m.Azure, m.SSH), errors.Unwrap(err))
		if m.ContainerMode.IsNull() { // import: there is nothing to keep
			resp.Diagnostics.Append(connDiags...)
			return
		}
		resp.Diagnostics.AddWarning("Cannot refresh "+host,
			"The state is kept as last known and drift on the host is not detected: "+diagSummary(connDiags)+
				" ("+credentialAdvice(&m)+").")
		return
	}
	if err != nil {
		refreshFailed(ctx, &m, errors.Unwrap(err), resp)
		return
	}
	if m.ContainerMode.IsNull() {
		r.adopt(ctx, &m, f, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	var pending []string
	s, _ := m.specOf(ctx, &resp.Diagnostics)
	resolved, ds := spec.Validate(s, r.day())
	if ds.HasErrors() {
		pending = []string{"refused: " + ds.Err().Error()}
	} else if p, err := plan.Build(f, resolved); err != nil {
		pending = []string{"refused: " + err.Error()}
	} else {
		pending = pendingOf(p)
	}
	if len(pending) > 0 {
		tflog.Info(ctx, host+" has drifted: "+strings.Join(pending, "; "), map[string]any{"host": host})
	}
	m.computedFrom(ctx, f, r.day(), pending, &resp.Diagnostics)
	if m.ObservedSHA256.IsNull() || m.ObservedSHA256.IsUnknown() {
		m.ObservedSHA256 = mergeObserved(ctx, types.MapNull(types.StringType), nil, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	setIdentity(ctx, resp.Identity, &m, &resp.Diagnostics)
}

// adopt fills an imported resource's desired state from what the host already is.
func (r *hostResource) adopt(ctx context.Context, m *hostModel, f facts.Facts, diags *diag.Diagnostics) {
	s, err := plan.Detect(f)
	if err != nil {
		diags.AddError("Cannot import "+m.Host.ValueString(), err.Error())
		return
	}
	m.ContainerMode = types.StringValue(s.Mode)
	obj := nullObject(ctx, m.Engine.AttributeTypes(ctx), map[string]attr.Value{
		"type": types.StringValue(s.Engine.Type), "version": types.StringValue(s.Engine.Version)}, diags)
	m.Engine = obj
	m.OnDestroy = types.StringValue(onDestroyUninstall)
	tflog.Info(ctx, fmt.Sprintf("imported %s as container_mode %s with %s %s", m.Host.ValueString(), s.Mode, s.Engine.Type, s.Engine.Version))
}

func (r *hostResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m hostModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	policy := m.OnDestroy.ValueString()
	host := m.Host.ValueString()
	if policy == onDestroyKeep {
		tflog.Info(ctx, "on_destroy = keep: "+host+" is left as it is", map[string]any{"host": host})
		return
	}
	timeout, d := m.Timeouts.Delete(ctx, 30*time.Minute)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, rebootTimeout := m.rebootPolicy(ctx, &resp.Diagnostics)
	res, err := converge.Uninstall(ctx, r.connector(&m, rebootTimeout, &resp.Diagnostics), executor.UninstallOptions{
		RemoveFeatures: policy == onDestroyUninstallFeatures, RemoveLCOW: true})
	if converge.StageOf(err) == converge.StageConnect {
		connectFailed(&resp.Diagnostics, connBlock(m.Azure, m.SSH), errors.Unwrap(err))
		resp.Diagnostics.AddError("Cannot uninstall from "+host,
			"on_destroy is "+policy+", which needs a connection: "+credentialAdvice(&m)+"; or set on_destroy = \"keep\" and apply "+
				"before destroying.")
		return
	}
	err = errors.Unwrap(err)
	switch {
	case err != nil && azureVMGone(err):
		resp.Diagnostics.AddWarning("Azure VM "+host+" no longer exists",
			"The VM was deleted outside Terraform, and with it what wincontainers installed: the resource is removed from the state.")
		return
	case err != nil && unreachable(err):
		resp.Diagnostics.AddError("Uninstalling from "+host+" failed: the host does not answer", err.Error()+
			"\n\nThe resource stays in the state; destroy again to retry (uninstalling is safe to repeat). If the machine is gone for good, "+
			"set on_destroy = \"keep\" and apply, which does not contact the host, then destroy.")
		return
	case err != nil:
		resp.Diagnostics.AddError("Uninstalling from "+host+" failed", err.Error()+
			"\n\nThe resource stays in the state; destroy again to retry (uninstalling is safe to repeat).")
		return
	}
	tflog.Info(ctx, fmt.Sprintf("uninstalled from %s (%s): %d restart(s)", host, policy, res.Reboots), map[string]any{"host": host})
}

func (r *hostResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil {
		importByIdentity(ctx, req, resp)
		return
	}
	set := func(p path.Path, v any) diag.Diagnostics { return resp.State.SetAttribute(ctx, p, v) }
	if azureImport(req.ID, set, &resp.Diagnostics) {
		return
	}
	host, port, overSSH, err := parseImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), host)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), host)...)
	if port != 0 {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("port"), port)...)
	}
	if overSSH {
		// An ssh block of nulls: the host is reached over SSH with the provider's ssh block alone, and a
		// configuration with ssh = {} plans no change.
		obj := nullObject(ctx, sshConnAttrTypes, nil, &resp.Diagnostics)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("ssh"), obj)...)
	}
}

// refreshFailed handles a refresh whose facts read failed. An Azure VM that no longer exists is removed
// from the state, as every provider does with a resource deleted outside Terraform. A host that does not
// answer keeps its state as last known, with a warning, so that plans (and retiring the host) still
// work. Anything else, and any failure of an import, is an error.
func refreshFailed(ctx context.Context, m *hostModel, err error, resp *resource.ReadResponse) {
	host := m.Host.ValueString()
	imported := m.ContainerMode.IsNull()
	switch {
	case !m.Azure.IsNull() && azureVMGone(err):
		if imported {
			resp.Diagnostics.AddError("Cannot import "+host, "The Azure VM does not exist: "+err.Error())
			return
		}
		tflog.Warn(ctx, "the Azure VM no longer exists", map[string]any{"host": host})
		resp.Diagnostics.AddWarning("Azure VM "+host+" no longer exists",
			"Azure answers that the VM does not exist (it was deleted outside Terraform), so the resource is removed from the state and the "+
				"plan creates it again, which fails until the VM exists: remove the resource from the configuration to forget it.\n\n"+err.Error())
		resp.State.RemoveResource(ctx)
	case !imported && unreachable(err):
		resp.Diagnostics.AddWarning("Cannot refresh "+host+": the host does not answer",
			err.Error()+"\n\nThe state is kept as last known, and drift on the host is not detected. If the machine is gone for good, set "+
				"on_destroy = \"keep\" and apply (which does not contact the host), then remove the resource.")
	default:
		resp.Diagnostics.AddError("Cannot read the facts of "+host, err.Error()+
			"\n\nThe host may be restarting or unreachable; try again, or check the connection settings.")
	}
}

// unreachable reports whether err says the host does not answer: a connection refused, reset or timed
// out (the transport's retryable failures), a name that no longer resolves, or a time limit. A host that
// answers and refuses (rejected credentials, an untrusted certificate, a script that failed) is not
// unreachable.
func unreachable(err error) bool {
	var dns *net.DNSError
	return runner.IsRetryable(err) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &dns) ||
		strings.Contains(err.Error(), "no such host") // the WinRM client flattens the DNS error into its message
}

// azureVMGone reports whether err is Azure Resource Manager's answer that the VM (or its resource group)
// does not exist: 404 with ResourceNotFound, ResourceGroupNotFound, or ParentResourceNotFound for a run
// command of a VM that does not exist. A missing run command alone (404 NotFound) is not a missing VM.
func azureVMGone(err error) bool {
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusNotFound {
		return false
	}
	switch re.ErrorCode {
	case "ResourceNotFound", "ResourceGroupNotFound", "ParentResourceNotFound":
		return true
	}
	return false
}

func diagSummary(ds diag.Diagnostics) string {
	parts := make([]string, 0, len(ds))
	for _, d := range ds {
		parts = append(parts, d.Detail())
	}
	return strings.Join(parts, "; ")
}
