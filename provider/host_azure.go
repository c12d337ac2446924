package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/azure"
	"github.com/wincontainers/wincontainers/internal/compat"
)

// resourceAzureSchema is wincontainers_host's azure block: the host is an Azure VM reached through
// managed Run Command (no WinRM listener), with the provider's azure block for credentials.
func resourceAzureSchema() schema.SingleNestedAttribute {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Reach the host, an Azure VM, through the Azure API's managed Run Command instead of WinRM: no inbound port and " +
			"no WinRM listener are needed. Credentials and cloud come from the provider's `azure` block (azurerm's arguments and `ARM_*` " +
			"variables). Restarts go through the API. Conflicts with `winrm` and `port`. `host` is then only a label (use the VM name) and " +
			"the resource's ID; `engine.archive` (and the other pushed archives) cannot be used (Run Command cannot push files): give `engine.url` a blob URL (with a SAS token " +
			"if the container is private) and pin `engine.sha256`. Each script is one run command (about 20 s on Azure), so an apply takes " +
			"minutes. Import with the ID `azure:<resource group>/<vm name>`.",
		Attributes: map[string]schema.Attribute{
			"subscription_id": schema.StringAttribute{Optional: true, PlanModifiers: replace,
				MarkdownDescription: "The VM's subscription. Default: `subscription_id` of the provider's `azure` block, then `ARM_SUBSCRIPTION_ID`."},
			"resource_group": schema.StringAttribute{Required: true, PlanModifiers: replace,
				MarkdownDescription: "The VM's resource group. Changing it means another machine: the resource is replaced."},
			"vm_name": schema.StringAttribute{Required: true, PlanModifiers: replace,
				MarkdownDescription: "The VM's name in Azure. Changing it means another machine: the resource is replaced."},
			"nested_virtualization_override": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "With `container_mode` `hyperv` or `lcow`, the apply first checks the VM's size against wincontainers' table of " +
					"sizes with nested virtualization, its security type, and whether the guest exposes virtualization extensions; a failed check " +
					"is an error naming the size and its family. `true` turns that error into a warning and proceeds. Default `false`."},
		},
		Validators: []validator.Object{objectvalidator.ConflictsWith(path.MatchRoot("winrm"), path.MatchRoot("port"))},
	}
}

// azureVM returns the VM the resource's azure block names, with the provider's credentials; has is
// false when the resource has no azure block.
func (r *hostResource) azureVM(ctx context.Context, m *hostModel, diags *diag.Diagnostics) (azure.VM, azureConnModel, bool) {
	a, has := objectAs[azureConnModel](ctx, m.Azure, diags)
	if !has {
		return azure.VM{}, a, false
	}
	v := azure.VM{ResourceGroup: a.ResourceGroup.ValueString(), Name: a.VMName.ValueString()}
	if r.data != nil {
		v.Auth, v.Transport, v.PollFrequency = r.data.azure, r.data.azureTransport, r.data.azurePoll
		v.RebootOptions = r.data.reboot
	} else {
		v.Auth = (*azureModel)(nil).auth()
	}
	if s := a.SubscriptionID.ValueString(); s != "" {
		v.Auth.SubscriptionID = s
	}
	return v, a, true
}

// checkAzure reports at plan time an azure block that cannot connect (no subscription, a bad cloud).
func (r *hostResource) checkAzure(ctx context.Context, m *hostModel, diags *diag.Diagnostics) {
	if m.Azure.IsUnknown() || (r.data != nil && r.data.azureUnknown) {
		return // checked by the apply, once the values are known
	}
	v, a, has := r.azureVM(ctx, m, diags)
	if !has || a.ResourceGroup.IsUnknown() || a.VMName.IsUnknown() || a.SubscriptionID.IsUnknown() {
		return
	}
	if err := v.Check(); err != nil {
		diags.AddAttributeError(path.Root("azure"), "Incomplete Azure connection settings", err.Error())
	}
}

// validateAzureConfig refuses, at plan time, what an Azure connection cannot do.
func validateAzureConfig(m *hostModel, diags *diag.Diagnostics) {
	if m.Azure.IsNull() {
		return
	}
	refuse := func(p path.Path, attr string) {
		diags.AddAttributeError(p, attr+" needs WinRM",
			attr+" pushes a file from the machine running Terraform to the host, and Run Command (the azure connection) cannot push "+
				"files. Upload the file to a storage account and let the host download it from its blob URL (with a read-only SAS token if the "+
				"container is private), pinned by its SHA-256 (engine.url with engine.sha256, lcow.url with lcow.sha256; nerdctl and the CNI "+
				"plugins are then downloaded from their releases); or connect with winrm instead of azure.")
	}
	for _, a := range []struct{ block, name string }{{"engine", "archive"}, {"engine", "nerdctl_archive"}, {"engine", "cni_archive"}, {"lcow", "archive"}} {
		o := m.blocks()[a.block]
		if o.IsNull() || o.IsUnknown() {
			continue
		}
		if v, ok := o.Attributes()[a.name]; ok && !v.IsNull() {
			refuse(path.Root(a.block).AtName(a.name), a.block+"."+a.name)
		}
	}
}

// nestedOverride is the azure block's nested_virtualization_override (false without an azure block).
func nestedOverride(ctx context.Context, m *hostModel, diags *diag.Diagnostics) bool {
	a, has := objectAs[azureConnModel](ctx, m.Azure, diags)
	return has && a.NestedVirtualizationOverride.ValueBool()
}

// nestedDiagnostics renders the engine's nested-virtualization preflight of an Azure VM (p, nil when
// none ran): its caveats, and a VM not confirmed as an error (refused) or, overridden, a warning.
func nestedDiagnostics(p *azure.NestedPreflight, mode compat.Mode, host string, diags *diag.Diagnostics) {
	if p == nil {
		return
	}
	family := p.Table.Series
	if family == "" {
		family = "unknown"
	}
	for _, cv := range p.Caveats {
		diags.AddWarning("Nested virtualization caveat on "+host, cv)
	}
	if p.OK {
		return
	}
	detail := "container_mode " + string(mode) + " runs Hyper-V inside the VM. VM size " + p.Size + " (series " + family + "), security type " +
		orNotReported(p.SecurityType) + ": " + strings.Join(p.Warnings, "; ") + "."
	if p.Overridden {
		diags.AddAttributeWarning(path.Root("azure").AtName("nested_virtualization_override"), "Nested virtualization not confirmed on "+host,
			detail+" nested_virtualization_override = true: proceeding anyway.")
		return
	}
	diags.AddAttributeError(path.Root("azure").AtName("nested_virtualization_override"), "Nested virtualization not confirmed on "+host,
		detail+" Nothing was changed on the VM. Resize it to a size with nested virtualization (Dsv5, Ddsv5, Dasv5, Esv5 ...) and Security Type "+
			"\"Standard\", or set azure.nested_virtualization_override = true to proceed anyway.")
}

func orNotReported(s string) string {
	if s == "" {
		return "not reported"
	}
	return s
}

// azureImport sets the state for the import ID azure:<resource group>/<vm name>; ok is false when the
// ID is a WinRM address.
func azureImport(id string, set func(path.Path, any) diag.Diagnostics, diags *diag.Diagnostics) bool {
	rg, name, ok, err := azure.ParseImportID(id)
	if !ok {
		return false
	}
	if err != nil {
		diags.AddError("Invalid import ID", err.Error())
		return true
	}
	obj, d := types.ObjectValue(azureConnAttrTypes, map[string]attr.Value{
		"subscription_id": types.StringNull(), "resource_group": types.StringValue(rg), "vm_name": types.StringValue(name),
		"nested_virtualization_override": types.BoolNull(),
	})
	diags.Append(d...)
	diags.Append(set(path.Root("id"), name)...)
	diags.Append(set(path.Root("host"), name)...)
	diags.Append(set(path.Root("azure"), obj)...)
	return true
}
