package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// hostModel is wincontainers_host's state and plan.
type hostModel struct {
	ID             types.String   `tfsdk:"id"`
	Host           types.String   `tfsdk:"host"`
	Port           types.Int64    `tfsdk:"port"`
	WinRM          types.Object   `tfsdk:"winrm"`
	Azure          types.Object   `tfsdk:"azure"`
	SSH            types.Object   `tfsdk:"ssh"`
	ContainerMode  types.String   `tfsdk:"container_mode"`
	Channel        types.String   `tfsdk:"channel"`
	OSVersion      types.String   `tfsdk:"os_version"`
	Engine         types.Object   `tfsdk:"engine"`
	LCOW           types.Object   `tfsdk:"lcow"`
	Daemon         types.Object   `tfsdk:"daemon"`
	Compose        types.Object   `tfsdk:"compose"`
	Verify         types.Object   `tfsdk:"verify"`
	Reboot         types.Object   `tfsdk:"reboot"`
	OnDestroy      types.String   `tfsdk:"on_destroy"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
	Facts          types.Object   `tfsdk:"facts"`
	BaseImages     types.Object   `tfsdk:"base_images"`
	PendingChanges types.List     `tfsdk:"pending_changes"`
	VerifiedAt     types.String   `tfsdk:"verified_at"`
	ObservedSHA256 types.Map      `tfsdk:"observed_sha256"`
}

// azureConnModel is a resource's azure block: the VM reached through Run Command instead of WinRM.
type azureConnModel struct {
	SubscriptionID               types.String `tfsdk:"subscription_id"`
	ResourceGroup                types.String `tfsdk:"resource_group"`
	VMName                       types.String `tfsdk:"vm_name"`
	NestedVirtualizationOverride types.Bool   `tfsdk:"nested_virtualization_override"`
}

var azureConnAttrTypes = map[string]attr.Type{
	"subscription_id":                types.StringType,
	"resource_group":                 types.StringType,
	"vm_name":                        types.StringType,
	"nested_virtualization_override": types.BoolType,
}

type verifyModel struct {
	PullImages types.Bool `tfsdk:"pull_images"`
}

type rebootModel struct {
	Allowed types.Bool           `tfsdk:"allowed"`
	Timeout timetypes.GoDuration `tfsdk:"timeout"`
}

// On-destroy policies.
const (
	onDestroyKeep              = "keep"
	onDestroyUninstall         = "uninstall"
	onDestroyUninstallFeatures = "uninstall_features"
	defaultRebootTimeout       = 15 * time.Minute
)

var (
	factsAttrTypes = map[string]attr.Type{
		"release":                 types.StringType,
		"title":                   types.StringType,
		"build":                   types.Int64Type,
		"revision":                types.Int64Type,
		"channel":                 types.StringType,
		"edition":                 types.StringType,
		"installation":            types.StringType,
		"product_name":            types.StringType,
		"computer_name":           types.StringType,
		"engine_type":             types.StringType,
		"engine_version":          types.StringType,
		"engine_service":          types.StringType,
		"compose_version":         types.StringType,
		"compose_plugin_path":     types.StringType,
		"compose_standalone_path": types.StringType,
	}
	baseImagesAttrTypes = map[string]attr.Type{
		"process": types.ListType{ElemType: types.StringType},
		"hyperv":  types.ListType{ElemType: types.StringType},
	}
)

// objectAs decodes a nested object; ok is false when it is null or unknown.
func objectAs[T any](ctx context.Context, o types.Object, diags *diag.Diagnostics) (T, bool) {
	var v T
	if o.IsNull() || o.IsUnknown() {
		return v, false
	}
	diags.Append(o.As(ctx, &v, basetypes.ObjectAsOptions{})...)
	return v, !diags.HasError()
}

// known reports whether every value is known (not unknown; null is known).
func known(vs ...attr.Value) bool {
	for _, v := range vs {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

func listStrings(ctx context.Context, l types.List, diags *diag.Diagnostics) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(l.ElementsAs(ctx, &out, false)...)
	return out
}

// specOf turns the configuration into the engine's desired state. complete is false when a value is
// not known yet (it comes from another resource), so validation must wait for the apply.
func (m *hostModel) specOf(ctx context.Context, diags *diag.Diagnostics) (s spec.Spec, complete bool) {
	complete = known(m.ContainerMode, m.Channel, m.OSVersion, m.Engine, m.LCOW, m.Daemon, m.Compose, m.Verify)
	s = spec.Spec{Mode: m.ContainerMode.ValueString(), Channel: m.Channel.ValueString(), OSVersion: m.OSVersion.ValueString()}
	complete = m.blocksSpec(ctx, &s, diags) && complete
	if v, ok := objectAs[verifyModel](ctx, m.Verify, diags); ok {
		complete = complete && known(v.PullImages)
		s.PullImages = v.PullImages.ValueBool()
	}
	return s, complete
}

// rebootPolicy returns whether restarts are allowed and how long the host may take to come back. The
// schema validated the timeout (a Go duration, at least minRebootTimeout).
func (m *hostModel) rebootPolicy(ctx context.Context, diags *diag.Diagnostics) (allowed bool, timeout time.Duration) {
	allowed, timeout = true, defaultRebootTimeout
	r, ok := objectAs[rebootModel](ctx, m.Reboot, diags)
	if !ok {
		return allowed, timeout
	}
	if !r.Allowed.IsNull() && !r.Allowed.IsUnknown() {
		allowed = r.Allowed.ValueBool()
	}
	if !r.Timeout.IsNull() && !r.Timeout.IsUnknown() {
		d, ds := r.Timeout.ValueGoDuration()
		diags.Append(ds...)
		if !ds.HasError() {
			timeout = d
		}
	}
	return allowed, timeout
}

// convergePlanned reports whether a plan from prior to p changes the host, so that the apply must reach
// it: the desired state or the way to reach the machine changed, or refresh found something pending.
// The settings that govern only what wincontainers itself does (on_destroy, timeouts, reboot,
// azure.nested_virtualization_override, and host as the label of an azure connection) are not among
// them: a change to those alone updates the state without contacting the host.
func convergePlanned(ctx context.Context, p, prior *hostModel, diags *diag.Diagnostics) bool {
	if len(prior.PendingChanges.Elements()) > 0 || prior.PendingChanges.IsUnknown() {
		return true
	}
	for _, v := range [][2]attr.Value{
		{p.Port, prior.Port}, {p.WinRM, prior.WinRM}, {p.SSH, prior.SSH}, {p.ContainerMode, prior.ContainerMode}, {p.Channel, prior.Channel},
		{p.OSVersion, prior.OSVersion}, {p.Engine, prior.Engine}, {p.LCOW, prior.LCOW}, {p.Daemon, prior.Daemon}, {p.Compose, prior.Compose},
		{p.Verify, prior.Verify},
	} {
		if !v[0].Equal(v[1]) {
			return true
		}
	}
	if p.Azure.IsNull() && !p.Host.Equal(prior.Host) {
		return true // over WinRM and SSH, host is the machine
	}
	return !sameAzureVM(ctx, p.Azure, prior.Azure, diags)
}

// sameAzureVM reports whether two azure blocks name the same VM (both null: both are WinRM hosts).
func sameAzureVM(ctx context.Context, a, b types.Object, diags *diag.Diagnostics) bool {
	if a.IsNull() || b.IsNull() || a.IsUnknown() || b.IsUnknown() {
		return a.IsNull() && b.IsNull()
	}
	x, okX := objectAs[azureConnModel](ctx, a, diags)
	y, okY := objectAs[azureConnModel](ctx, b, diags)
	return okX && okY && x.SubscriptionID.Equal(y.SubscriptionID) && x.ResourceGroup.Equal(y.ResourceGroup) && x.VMName.Equal(y.VMName)
}

// keepComputed copies what the host was last seen to be from prior into a plan that converges nothing.
func (m *hostModel) keepComputed(prior *hostModel) {
	m.Facts, m.BaseImages, m.PendingChanges, m.VerifiedAt, m.ObservedSHA256 =
		prior.Facts, prior.BaseImages, prior.PendingChanges, prior.VerifiedAt, prior.ObservedSHA256
}

// withOwnSettings returns prior with the settings of wincontainers' own behaviour taken from p: they
// take effect even when the apply that carried them failed on the host.
func (m hostModel) withOwnSettings(p *hostModel) hostModel {
	m.OnDestroy, m.Timeouts, m.Reboot = p.OnDestroy, p.Timeouts, p.Reboot
	return m
}

// specDiagnostics attaches the engine's plan-time findings to the attributes they concern.
func specDiagnostics(ds spec.Diagnostics, diags *diag.Diagnostics) {
	for _, d := range ds {
		detail := d.Detail
		if d.Path == "" {
			if d.Severity == spec.SeverityError {
				diags.AddError(d.Summary, detail)
			} else {
				diags.AddWarning(d.Summary, detail)
			}
			continue
		}
		parts := strings.Split(d.Path, ".")
		p := path.Root(parts[0])
		for _, part := range parts[1:] {
			p = p.AtName(part)
		}
		if d.Severity == spec.SeverityError {
			diags.AddAttributeError(p, d.Summary, detail)
		} else {
			diags.AddAttributeWarning(p, d.Summary, detail)
		}
	}
}

// computedFrom fills the computed attributes from a host's facts.
func (m *hostModel) computedFrom(ctx context.Context, f facts.Facts, day compat.Date, pending []string, diags *diag.Diagnostics) {
	host, osErr := f.OSInfo()
	release, title, channel := "", "", ""
	if osErr == nil {
		release, title, channel = host.Release.Name, host.Release.Title, string(host.Release.Channel)
	}
	edition := string(f.Edition())
	installation := string(f.Installation())
	obj, d := types.ObjectValue(factsAttrTypes, map[string]attr.Value{
		"release":                 types.StringValue(release),
		"title":                   types.StringValue(title),
		"build":                   types.Int64Value(int64(f.OS.Build)),
		"revision":                types.Int64Value(int64(f.OS.UBR)),
		"channel":                 types.StringValue(channel),
		"edition":                 types.StringValue(edition),
		"installation":            types.StringValue(installation),
		"product_name":            types.StringValue(f.OS.ProductName),
		"computer_name":           types.StringValue(f.OS.ComputerName),
		"engine_type":             types.StringValue(f.Engine.Type),
		"engine_version":          types.StringValue(f.Engine.Version),
		"engine_service":          types.StringValue(f.Engine.Service.State),
		"compose_version":         types.StringValue(f.Compose.Version),
		"compose_plugin_path":     types.StringValue(f.Compose.PluginPath),
		"compose_standalone_path": types.StringValue(f.Compose.StandalonePath),
	})
	diags.Append(d...)
	m.Facts = obj

	images := map[string][]string{"process": {}, "hyperv": {}}
	if osErr == nil {
		for _, iso := range []compat.Isolation{compat.Process, compat.HyperV} {
			for _, mt := range compat.ImagesFor(host, iso, day, false) {
				images[string(iso)] = append(images[string(iso)], mt.Image.Reference())
			}
		}
	}
	obj, d = types.ObjectValue(baseImagesAttrTypes, map[string]attr.Value{
		"process": stringList(ctx, images["process"], diags),
		"hyperv":  stringList(ctx, images["hyperv"], diags),
	})
	diags.Append(d...)
	m.BaseImages = obj
	m.PendingChanges = stringList(ctx, pending, diags)
	m.VerifiedAt = types.StringValue("")
	if f.Verified != nil {
		m.VerifiedAt = types.StringValue(f.Verified.At)
	}
}

// pendingOf describes what a plan would do, one line per step: what Terraform shows as the drift.
func pendingOf(p plan.Plan) []string {
	out := []string{}
	for _, s := range p.Steps {
		if s.Kind == plan.StepRebootIfRequired {
			continue // implied by the step before it
		}
		out = append(out, fmt.Sprintf("%s: %s", s.Kind, s.Reason))
	}
	return out
}

// mergeObserved adds the hashes an apply observed (trust on first use) to those recorded before, and
// reports any archive whose hash changed since it was first seen.
func mergeObserved(ctx context.Context, prior types.Map, seen []executor.Observation, diags *diag.Diagnostics) types.Map {
	rec := map[string]string{}
	if !prior.IsNull() && !prior.IsUnknown() {
		diags.Append(prior.ElementsAs(ctx, &rec, false)...)
	}
	keys := make([]string, 0, len(seen))
	for _, o := range seen {
		if _, ok := rec[o.URL]; !ok {
			keys = append(keys, o.URL+" = "+strings.ToLower(o.SHA256))
		}
		if was, ok := rec[o.URL]; ok && !strings.EqualFold(was, o.SHA256) {
			diags.AddWarning("An archive changed since it was first seen",
				fmt.Sprintf("%s (%s) had SHA-256 %s when it was first installed and %s now. Unless its publisher replaced it on purpose, "+
					"treat this as tampering: pin the hash you trust in engine.sha256 (or lcow.sha256, compose.sha256), which makes a mismatch fail the apply.",
					o.URL, o.What, was, o.SHA256))
		}
		rec[o.URL] = strings.ToLower(o.SHA256)
	}
	if len(keys) > 0 {
		// Said once, when the hash is first recorded; later applies and plans stay quiet about it.
		slices.Sort(keys)
		diags.AddWarning("Unpinned archives were trusted on first use",
			"No SHA-256 was given or published for these archives, so the hashes seen were recorded in observed_sha256 (for an archive "+
				"pushed from this machine, the hash of the file pushed, keyed by its path): "+strings.Join(keys, ", ")+". "+
				"Pin them (engine.sha256, lcow.sha256, compose.sha256) to make a later change fail the apply instead of warning.")
	}
	m, d := types.MapValueFrom(ctx, types.StringType, rec)
	diags.Append(d...)
	return m
}

// planWarnings returns the configuration's warnings worth saying for a plan that converges the host,
// without those about an unpinned engine archive whose hash prior already records in observed_sha256:
// from then on a change of the archive is reported, which is what the warning asks for.
func planWarnings(ds spec.Diagnostics, want spec.Resolved, prior *hostModel) spec.Diagnostics {
	recorded := map[string]bool{}
	if prior != nil && !prior.ObservedSHA256.IsNull() && !prior.ObservedSHA256.IsUnknown() {
		for k := range prior.ObservedSHA256.Elements() {
			recorded[k] = true
		}
	}
	var out spec.Diagnostics
	for _, d := range ds.Warnings() {
		// spec's trust-on-first-use warnings are the ones on engine.sha256 and engine.url.
		if (d.Path == spec.PathEngineSHA256 || d.Path == spec.PathEngineURL) && recorded[engineSource(want)] {
			continue
		}
		out = append(out, d)
	}
	return out
}

// engineSource is the key observed_sha256 records the engine archive under: its path on this machine
// when pushed, else its download URL.
func engineSource(want spec.Resolved) string {
	if want.EngineArchive != "" {
		return want.EngineArchive
	}
	return plan.EngineURL(want)
}
