package provider

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/wincontainers/wincontainers/internal/azure"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/runner"
)

var (
	_ resource.Resource                = (*azureWinRMListenerResource)(nil)
	_ resource.ResourceWithConfigure   = (*azureWinRMListenerResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*azureWinRMListenerResource)(nil)
	_ resource.ResourceWithImportState = (*azureWinRMListenerResource)(nil)
)

// azureWinRMListenerResource is wincontainers_azure_winrm_listener: an HTTPS WinRM listener with a
// self-signed certificate, made through Run Command (azure.BootstrapWinRM), whose certificate a WinRM
// client pins.
type azureWinRMListenerResource struct {
	data *providerData
}

func newAzureWinRMListenerResource() resource.Resource { return &azureWinRMListenerResource{} }

type azureWinRMListenerModel struct {
	ID                types.String   `tfsdk:"id"`
	SubscriptionID    types.String   `tfsdk:"subscription_id"`
	ResourceGroup     types.String   `tfsdk:"resource_group"`
	VMName            types.String   `tfsdk:"vm_name"`
	Port              types.Int64    `tfsdk:"port"`
	DNSNames          types.List     `tfsdk:"dns_names"`
	IPAddresses       types.List     `tfsdk:"ip_addresses"`
	ValidDays         types.Int64    `tfsdk:"valid_days"`
	FingerprintSHA256 types.String   `tfsdk:"fingerprint_sha256"`
	Thumbprint        types.String   `tfsdk:"thumbprint"`
	CACert            types.String   `tfsdk:"ca_cert"`
	Names             types.List     `tfsdk:"names"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

func (r *azureWinRMListenerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_azure_winrm_listener"
}

func (r *azureWinRMListenerResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if d := configuredData(req.ProviderData, &resp.Diagnostics); d != nil {
		r.data = d
	}
}

func (r *azureWinRMListenerResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	replaceList := []planmodifier.List{listplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An HTTPS WinRM listener on an Azure VM, with a self-signed certificate, created through the Azure API's managed " +
			"Run Command (no inbound port needed to create it), so that WinRM clients pin its certificate instead of skipping verification " +
			"(`insecure`) and no Key Vault certificate is needed. It creates, in the VM, a certificate in `Cert:\\LocalMachine\\My` for the VM's " +
			"computer name plus `dns_names` and `ip_addresses`, the `Address=*, Transport=HTTPS` listener on `port`, and the inbound firewall " +
			"rule `wincontainers-winrm-https`; an existing HTTPS listener whose certificate already covers the names and stays valid for 30 " +
			"more days is kept. Opening the port in the network security group is yours to do.\n\n" +
			"Use `ca_cert` as `wincontainers_host`'s `winrm.ca_cert`. **Packer** cannot pin it: Packer's WinRM communicator has no CA or " +
			"certificate setting (only `winrm_insecure`), so for Packer either provision through Terraform with the pinned certificate, or " +
			"use `winrm_insecure = true` only on a private network.\n\n" +
			"Refresh runs the listener script in a read-only mode (one run command, about 20 s on Azure; it changes nothing): when the VM's " +
			"HTTPS listener is gone, uses another certificate or another port, the resource is removed from the state and the next plan " +
			"creates it again (Terraform shows it as deleted outside Terraform), which gives a new `fingerprint_sha256` to pin. Every argument " +
			"forces replacement (except `timeouts`). When the VM itself no longer exists, refresh removes the resource from the state. Destroy " +
			"removes the listener, the firewall rule and the certificate, but leaves a listener that has been moved to another certificate since " +
			"(with a warning). Do not use `create_before_destroy`: the new listener would be the old one.\n\n" +
			"Import with the ID `azure:<resource group>/<vm name>:<port>`: the listener's certificate is read from the VM, and `dns_names`, " +
			"`ip_addresses` and `valid_days` from the certificate.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				MarkdownDescription: "`azure:<resource group>/<vm name>:<port>`."},
			"subscription_id": schema.StringAttribute{Optional: true, PlanModifiers: replace,
				MarkdownDescription: "The VM's subscription. Default: `subscription_id` of the provider's `azure` block, then `ARM_SUBSCRIPTION_ID`."},
			"resource_group": schema.StringAttribute{Required: true, PlanModifiers: replace, MarkdownDescription: "The VM's resource group."},
			"vm_name":        schema.StringAttribute{Required: true, PlanModifiers: replace, MarkdownDescription: "The VM's name in Azure."},
			"port": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(5986),
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()}, Validators: []validator.Int64{int64validator.Between(1, 65535)},
				MarkdownDescription: "The listener's TCP port. Default `5986`."},
			"dns_names": schema.ListAttribute{Optional: true, ElementType: types.StringType, PlanModifiers: replaceList,
				MarkdownDescription: "DNS names clients use to reach the VM (for example its public IP's FQDN), added to the certificate as subject " +
					"alternative names. The VM's computer name is always included, first."},
			"ip_addresses": schema.ListAttribute{Optional: true, ElementType: types.StringType, PlanModifiers: replaceList,
				MarkdownDescription: "IP addresses clients use to reach the VM, added to the certificate as IP subject alternative names."},
			"valid_days": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(365),
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()}, Validators: []validator.Int64{int64validator.AtLeast(31)},
				MarkdownDescription: "Validity of a new certificate, in days. Default `365`. At least 31: a certificate within 30 days of its end " +
					"is replaced. Nothing renews it by itself: replace the resource (`terraform apply -replace=...`) before it expires."},
			"fingerprint_sha256": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				MarkdownDescription: "SHA-256 of the certificate (lower-case hex of its DER), checked against `ca_cert` by the provider."},
			"thumbprint": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				MarkdownDescription: "Windows' SHA-1 thumbprint of the certificate (upper-case hex), as `winrm enumerate winrm/config/listener` shows it."},
			"ca_cert": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The certificate, PEM. Self-signed, so it is its own CA: give it as `wincontainers_host`'s `winrm.ca_cert` " +
					"(with `winrm.tls_server_name` when `host` is not one of `names`). Packer's WinRM communicator cannot pin it (see above)."},
			"names": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				MarkdownDescription: "The names the certificate covers: the computer name, then `dns_names`, then `ip_addresses`."},
			"timeouts": listenerTimeouts(ctx),
		},
	}
}

// Default time limits of the listener's operations: each is one run command (two when staged), about
// 20 s on Azure, but Run Command queues behind other extensions' operations on the VM.
const (
	listenerCreateTimeout = 20 * time.Minute
	listenerReadTimeout   = 10 * time.Minute
	listenerDeleteTimeout = 20 * time.Minute
)

// listenerTimeouts is framework-timeouts' attribute, described for the docs.
func listenerTimeouts(ctx context.Context) schema.Attribute {
	a := timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Delete: true})
	if n, ok := a.(schema.SingleNestedAttribute); ok {
		n.MarkdownDescription = "Time limits, as Go durations (`30m`): `create` (default 20m) and `delete` (default 20m) the run command " +
			"that makes or removes the listener, `read` (default 10m) the one that reports it. Changing them updates the state only."
		return n
	}
	return a
}

// vm returns the Azure VM m names, with the provider's credentials.
func (r *azureWinRMListenerResource) vm(ctx context.Context, m *azureWinRMListenerModel) azure.VM {
	v := azure.VM{ResourceGroup: m.ResourceGroup.ValueString(), Name: m.VMName.ValueString()}
	if r.data != nil {
		v.Auth, v.Transport, v.PollFrequency = r.data.azure, r.data.azureTransport, r.data.azurePoll
	} else {
		v.Auth = (*azureModel)(nil).auth()
	}
	if s := m.SubscriptionID.ValueString(); s != "" {
		v.Auth.SubscriptionID = s
	}
	name := v.Name
	v.OnEvent = func(line string) { tflog.Info(ctx, line, map[string]any{"vm": name}) }
	return v
}

// ModifyPlan reports at plan time settings that cannot connect (no subscription, a bad cloud).
func (r *azureWinRMListenerResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var m azureWinRMListenerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.ResourceGroup.IsUnknown() || m.VMName.IsUnknown() || m.SubscriptionID.IsUnknown() ||
		(r.data != nil && r.data.azureUnknown) {
		return // checked by the apply, once the values are known
	}
	if err := r.vm(ctx, &m).Check(); err != nil {
		resp.Diagnostics.AddError("Incomplete Azure connection settings", err.Error())
	}
}

// runner opens the VM's Run Command channel; ok is false with the error on diags.
func (r *azureWinRMListenerResource) runner(ctx context.Context, m *azureWinRMListenerModel, diags *diag.Diagnostics) (runner.Runner, bool) {
	v := r.vm(ctx, m)
	cfg := hostconn.Config{Azure: &v, Reboot: runner.RebootOptions{OnEvent: v.OnEvent}}
	if r.data != nil {
		cfg.RetryBackoff = r.data.retryBackoff
	}
	c, err := hostconn.Open(cfg)
	if err != nil {
		connectFailed(diags, "", err)
		return nil, false
	}
	return c.Runner, true
}

func (r *azureWinRMListenerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m azureWinRMListenerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := m.Timeouts.Create(ctx, listenerCreateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	run, ok := r.runner(ctx, &m, &resp.Diagnostics)
	if !ok {
		return
	}
	dns, ips := listStrings(ctx, m.DNSNames, &resp.Diagnostics), listStrings(ctx, m.IPAddresses, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	l, err := azure.BootstrapWinRM(ctx, run, azure.WinRMOptions{Port: int(m.Port.ValueInt64()), DNSNames: dns, IPAddresses: ips,
		ValidDays: int(m.ValidDays.ValueInt64())})
	if err != nil {
		resp.Diagnostics.AddError("Cannot create the WinRM HTTPS listener on "+m.VMName.ValueString(), err.Error())
		return
	}
	if !l.Changed {
		resp.Diagnostics.AddWarning("Existing WinRM HTTPS listener adopted on "+m.VMName.ValueString(),
			"The VM already had an HTTPS listener on port "+fmt.Sprint(l.Port)+" whose certificate covers the names asked for; it is now "+
				"managed by this resource, and destroying the resource removes it.")
	}
	m.ID = types.StringValue(fmt.Sprintf("%s%s/%s:%d", azure.ImportPrefix, m.ResourceGroup.ValueString(), m.VMName.ValueString(), l.Port))
	m.FingerprintSHA256 = types.StringValue(l.FingerprintSHA256)
	m.Thumbprint = types.StringValue(l.Thumbprint)
	m.CACert = types.StringValue(l.CertPEM)
	m.Names = stringList(ctx, l.Names, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read asks the VM, changing nothing, which HTTPS listener it has; one that is gone or uses another
// certificate or port removes the resource from the state, so the next plan creates it again, and so
// does a VM that no longer exists. After an import (no fingerprint yet) it adopts the listener found.
func (r *azureWinRMListenerResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m azureWinRMListenerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := m.Timeouts.Read(ctx, listenerReadTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	run, ok := r.runner(ctx, &m, &resp.Diagnostics)
	if !ok {
		return
	}
	vm := m.VMName.ValueString()
	imported := m.FingerprintSHA256.ValueString() == ""
	l, present, err := azure.ReadWinRM(ctx, run)
	switch {
	case err != nil && azureVMGone(err) && !imported:
		resp.Diagnostics.AddWarning("Azure VM "+vm+" no longer exists",
			"Azure answers that the VM does not exist (it was deleted outside Terraform), so its WinRM listener is removed from the state.\n\n"+err.Error())
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.AddError("Cannot read the WinRM HTTPS listener of "+vm, err.Error())
		return
	case imported:
		adoptListener(ctx, &m, l, present, resp)
		return
	}
	var why string
	switch {
	case !present:
		why = "has no HTTPS listener (or its certificate was deleted)"
	case l.FingerprintSHA256 != m.FingerprintSHA256.ValueString():
		why = "has an HTTPS listener with another certificate (SHA-256 " + l.FingerprintSHA256 + ")"
	case int64(l.Port) != m.Port.ValueInt64():
		why = fmt.Sprintf("has the HTTPS listener on port %d", l.Port)
	default:
		return
	}
	tflog.Warn(ctx, "the WinRM HTTPS listener changed outside Terraform", map[string]any{"vm": vm, "why": why})
	resp.Diagnostics.AddWarning("WinRM HTTPS listener changed on "+vm,
		"The VM "+why+", so the certificate pinned as "+m.FingerprintSHA256.ValueString()+" no longer serves WinRM. The resource is planned "+
			"again; clients pinning ca_cert get the new certificate after the apply.")
	resp.State.RemoveResource(ctx)
}

// adopt fills an imported listener's state from the listener the VM reported: its certificate, and the
// arguments that made it (dns_names and ip_addresses from the certificate's names after the computer
// name, valid_days from its validity).
func adoptListener(ctx context.Context, m *azureWinRMListenerModel, l azure.Listener, present bool, resp *resource.ReadResponse) {
	vm := m.VMName.ValueString()
	switch {
	case !present:
		resp.Diagnostics.AddError("Cannot import the WinRM HTTPS listener of "+vm,
			"The VM has no HTTPS listener (or its certificate was deleted): there is nothing to import. Create the resource instead.")
		return
	case int64(l.Port) != m.Port.ValueInt64():
		resp.Diagnostics.AddError("Cannot import the WinRM HTTPS listener of "+vm,
			fmt.Sprintf("The VM has its HTTPS listener on port %d, not %d: import it as %s%s/%s:%d.", l.Port, m.Port.ValueInt64(),
				azure.ImportPrefix, m.ResourceGroup.ValueString(), vm, l.Port))
		return
	}
	days, err := certValidDays(l.CertPEM)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import the WinRM HTTPS listener of "+vm, err.Error())
		return
	}
	var dns, ips []string
	if len(l.Names) > 1 {
		for _, n := range l.Names[1:] { // the first is the computer name, always included
			if net.ParseIP(n) != nil {
				ips = append(ips, n)
			} else {
				dns = append(dns, n)
			}
		}
	}
	m.DNSNames, m.IPAddresses = optionalList(ctx, dns, &resp.Diagnostics), optionalList(ctx, ips, &resp.Diagnostics)
	m.ValidDays = types.Int64Value(days)
	m.FingerprintSHA256, m.Thumbprint, m.CACert = types.StringValue(l.FingerprintSHA256), types.StringValue(l.Thumbprint), types.StringValue(l.CertPEM)
	m.Names = stringList(ctx, l.Names, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// certValidDays is a PEM certificate's validity in whole days.
func certValidDays(p string) (int64, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return 0, fmt.Errorf("the VM returned no PEM certificate")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return 0, fmt.Errorf("the VM's certificate: %w", err)
	}
	return int64(math.Round(c.NotAfter.Sub(c.NotBefore).Hours() / 24)), nil
}

// optionalList is items as an optional list attribute: null when there are none, as when not given.
func optionalList(ctx context.Context, items []string, diags *diag.Diagnostics) types.List {
	if len(items) == 0 {
		return types.ListNull(types.StringType)
	}
	return stringList(ctx, items, diags)
}

// ImportState takes azure:<resource group>/<vm name>:<port>, the resource's ID; Read then reads the
// listener from the VM.
func (r *azureWinRMListenerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	rg, vm, port, err := parseListenerID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), fmt.Sprintf("%s%s/%s:%d", azure.ImportPrefix, rg, vm, port))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("resource_group"), rg)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("vm_name"), vm)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("port"), port)...)
}

// parseListenerID parses azure:<resource group>/<vm name>:<port>.
func parseListenerID(id string) (rg, vm string, port int64, err error) {
	const form = "an import ID of wincontainers_azure_winrm_listener is azure:<resource group>/<vm name>:<port>, for example azure:lab-rg/ctr-host-1:5986"
	id = strings.TrimSpace(id)
	i := strings.LastIndexByte(id, ':')
	if !strings.HasPrefix(id, azure.ImportPrefix) || i < len(azure.ImportPrefix) {
		return "", "", 0, fmt.Errorf("%q: %s", id, form)
	}
	p, perr := strconv.ParseUint(id[i+1:], 10, 16)
	if perr != nil || p == 0 {
		return "", "", 0, fmt.Errorf("%q: %q is not a port number (1-65535); %s", id, id[i+1:], form)
	}
	rg, vm, _, err = azure.ParseImportID(id[:i])
	if err != nil {
		return "", "", 0, fmt.Errorf("%q: %w; %s", id, err, form)
	}
	return rg, vm, int64(p), nil
}

// Update is called only for a change of timeouts (every other argument forces replacement); it keeps
// the plan.
func (r *azureWinRMListenerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m azureWinRMListenerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *azureWinRMListenerResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m azureWinRMListenerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := m.Timeouts.Delete(ctx, listenerDeleteTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	run, ok := r.runner(ctx, &m, &resp.Diagnostics)
	if !ok {
		return
	}
	removed, err := azure.RemoveWinRM(ctx, run, m.Thumbprint.ValueString())
	if err != nil && azureVMGone(err) {
		resp.Diagnostics.AddWarning("Azure VM "+m.VMName.ValueString()+" no longer exists",
			"The VM was deleted outside Terraform, and its listener with it: the resource is removed from the state.")
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot remove the WinRM HTTPS listener of "+m.VMName.ValueString(), err.Error())
		return
	}
	if !removed {
		resp.Diagnostics.AddWarning("WinRM HTTPS listener left on "+m.VMName.ValueString(),
			"The VM has no HTTPS listener using the certificate "+m.Thumbprint.ValueString()+" (it was removed, or moved to another "+
				"certificate outside Terraform); any other HTTPS listener was left as it is. The certificate was deleted if still present.")
	}
}
