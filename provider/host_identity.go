package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12+, OpenTofu 1.12+): what names the machine a wincontainers_host
// manages, so that an import block can give it as an object instead of an ID string. Over WinRM that
// is the address and the WinRM port; over Azure Run Command the VM's subscription, resource group and
// name (host is then only a label). CLIs without identity support ignore it.

var _ resource.ResourceWithIdentity = (*hostResource)(nil)

// hostIdentityModel is wincontainers_host's identity. Exactly one of the two groups is set: host and
// port for a WinRM host, resource_group and vm_name (with subscription_id when the resource names one)
// for an Azure VM.
type hostIdentityModel struct {
	Host           types.String `tfsdk:"host"`
	Port           types.Int64  `tfsdk:"port"`
	SubscriptionID types.String `tfsdk:"subscription_id"`
	ResourceGroup  types.String `tfsdk:"resource_group"`
	VMName         types.String `tfsdk:"vm_name"`
}

func (r *hostResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"host": identityschema.StringAttribute{OptionalForImport: true,
				Description: "A WinRM host's address (the resource's host). Null for an Azure VM."},
			"port": identityschema.Int64Attribute{OptionalForImport: true,
				Description: "A WinRM host's port. Default on import: 5986 with HTTPS, 5985 without. Null for an Azure VM."},
			"subscription_id": identityschema.StringAttribute{OptionalForImport: true,
				Description: "An Azure VM's subscription, when the resource's azure block names one (null: the provider's)."},
			"resource_group": identityschema.StringAttribute{OptionalForImport: true,
				Description: "An Azure VM's resource group. Null for a WinRM host."},
			"vm_name": identityschema.StringAttribute{OptionalForImport: true,
				Description: "An Azure VM's name. Null for a WinRM host."},
		},
	}
}

// identityOf is the identity of the machine m names.
func identityOf(ctx context.Context, m *hostModel, diags *diag.Diagnostics) hostIdentityModel {
	id := hostIdentityModel{Host: types.StringNull(), Port: types.Int64Null(), SubscriptionID: types.StringNull(),
		ResourceGroup: types.StringNull(), VMName: types.StringNull()}
	if a, isAzure := objectAs[azureConnModel](ctx, m.Azure, diags); isAzure {
		id.SubscriptionID, id.ResourceGroup, id.VMName = a.SubscriptionID, a.ResourceGroup, a.VMName
		return id
	}
	id.Host = m.Host
	if !m.Port.IsUnknown() {
		id.Port = m.Port
	}
	return id
}

// setIdentity records m's identity in a response, when the framework offers one.
func setIdentity(ctx context.Context, ri *tfsdk.ResourceIdentity, m *hostModel, diags *diag.Diagnostics) {
	if ri == nil {
		return
	}
	diags.Append(ri.Set(ctx, identityOf(ctx, m, diags))...)
}

// importByIdentity fills an import's state from an identity object, as ImportState does from an ID.
func importByIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var id hostIdentityModel
	resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	azure := !id.ResourceGroup.IsNull() || !id.VMName.IsNull() || !id.SubscriptionID.IsNull()
	winrm := !id.Host.IsNull() || !id.Port.IsNull()
	switch {
	case azure && winrm:
		resp.Diagnostics.AddError("Invalid import identity",
			"give either host (and port) for a WinRM host, or resource_group and vm_name (and subscription_id) for an Azure VM, not both")
		return
	case azure:
		if id.ResourceGroup.ValueString() == "" || id.VMName.ValueString() == "" {
			resp.Diagnostics.AddError("Invalid import identity", "an Azure VM's identity needs both resource_group and vm_name")
			return
		}
		obj, d := types.ObjectValue(azureConnAttrTypes, map[string]attr.Value{
			"subscription_id": id.SubscriptionID, "resource_group": id.ResourceGroup, "vm_name": id.VMName,
			"nested_virtualization_override": types.BoolNull(),
		})
		resp.Diagnostics.Append(d...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.VMName)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), id.VMName)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("azure"), obj)...)
		return
	case id.Host.ValueString() == "":
		resp.Diagnostics.AddError("Invalid import identity",
			"give host (and port) for a WinRM host, or resource_group and vm_name (and subscription_id) for an Azure VM")
		return
	}
	if p := id.Port.ValueInt64(); !id.Port.IsNull() && (p < 1 || p > 65535) {
		resp.Diagnostics.AddAttributeError(path.Root("port"), "Invalid import identity", fmt.Sprintf("port %d is not between 1 and 65535", p))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.Host)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), id.Host)...)
	if !id.Port.IsNull() {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("port"), id.Port)...)
	}
}

// planIdentity plans an update's identity: the prior one by default, the new one when the plan changes
// it in place (another port) and every value of it is known, so that the apply's identity is the
// planned one.
func planIdentity(ctx context.Context, ri *tfsdk.ResourceIdentity, p *hostModel, diags *diag.Diagnostics) {
	if ri == nil || p.Host.IsUnknown() || p.Port.IsUnknown() || p.Azure.IsUnknown() {
		return
	}
	if a, isAzure := objectAs[azureConnModel](ctx, p.Azure, diags); isAzure &&
		(a.SubscriptionID.IsUnknown() || a.ResourceGroup.IsUnknown() || a.VMName.IsUnknown()) {
		return
	}
	diags.Append(ri.Set(ctx, identityOf(ctx, p, diags))...)
}
