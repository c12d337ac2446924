// Package provider is the Terraform front door of wincontainers: terraform-plugin-framework resources
// and data sources over the engine in internal/. It holds no Windows knowledge of its own.
package provider

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	tfprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/azure"
	"github.com/wincontainers/wincontainers/internal/runner"
)

// Address is the provider's registry source address.
const Address = "registry.terraform.io/wincontainers/wincontainers"

// TypeName is the provider type name, the prefix of every resource and data source.
const TypeName = "wincontainers"

var (
	_ tfprovider.Provider              = (*Provider)(nil)
	_ tfprovider.ProviderWithFunctions = (*Provider)(nil)
)

// Provider is the wincontainers provider.
type Provider struct {
	version string
	clock   clock
	// azureTransport replaces the HTTP client of Azure calls; tests use it to reach a loopback endpoint.
	azureTransport policy.Transporter
	// reboot and retryBackoff tune restart polling and transport retries; tests shorten them for hosts
	// that restart in milliseconds. Zero values mean the runner's defaults.
	reboot       runner.RebootOptions
	retryBackoff time.Duration
	// azurePoll is the Run Command poll frequency (zero: the runner's 5 s); tests shorten it.
	azurePoll time.Duration
}

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	clock          clock
	azure          azure.Auth
	azureTransport policy.Transporter
	// azureUnknown is true while an argument of the provider's azure block is unknown (it comes from
	// another resource): plan-time checks of the Azure connection wait for the apply.
	azureUnknown bool
	// winrm holds the provider-level connection defaults, with the environment applied.
	winrm connSettings
	// ssh holds the provider-level ssh defaults, with the environment applied.
	ssh          sshDefaults
	reboot       runner.RebootOptions
	retryBackoff time.Duration
	azurePoll    time.Duration
}

// providerModel is the provider block. Its blocks are objects, not structs, because at plan time a
// block may be unknown as a whole (it comes from another resource's outputs).
type providerModel struct {
	Azure types.Object `tfsdk:"azure"`
	WinRM types.Object `tfsdk:"winrm"`
	SSH   types.Object `tfsdk:"ssh"`
}

// New returns a constructor for the provider at the given version.
func New(version string) func() tfprovider.Provider {
	return func() tfprovider.Provider { return &Provider{version: version} }
}

// Metadata implements provider.Provider.
func (p *Provider) Metadata(_ context.Context, _ tfprovider.MetadataRequest, resp *tfprovider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

// Schema implements provider.Provider.
func (p *Provider) Schema(_ context.Context, _ tfprovider.SchemaRequest, resp *tfprovider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The wincontainers provider turns Windows machines into verified container hosts " +
			"(process isolation, Hyper-V isolation or LCOW), and answers offline which Windows host, base image, " +
			"isolation and engine combinations work, and why the others do not.",
		Attributes: map[string]schema.Attribute{
			"azure": azureSchema(),
			"winrm": providerWinRMSchema(),
			"ssh":   providerSSHSchema(),
		},
	}
}

// Configure implements provider.Provider.
func (p *Provider) Configure(ctx context.Context, req tfprovider.ConfigureRequest, resp *tfprovider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	az, azUnknown := azureBlock(ctx, m.Azure, &resp.Diagnostics)
	data := &providerData{clock: p.clock, azure: az.auth(), azureUnknown: azUnknown, azureTransport: p.azureTransport,
		winrm: providerDefaults(settingsOf(ctx, m.WinRM, &resp.Diagnostics)), ssh: sshDefaultsOf(ctx, m.SSH, &resp.Diagnostics), reboot: p.reboot, retryBackoff: p.retryBackoff,
		azurePoll: p.azurePoll}
	resp.DataSourceData = data
	resp.ResourceData = data
}

// Resources implements provider.Provider.
func (p *Provider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{newHostResource, newAzureWinRMListenerResource}
}

// DataSources implements provider.Provider.
func (p *Provider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newCompatibilityDataSource,
		newBaseImageDataSource,
		newAzureImageDataSource,
		newHostFactsDataSource,
	}
}

// Functions implements provider.ProviderWithFunctions.
func (p *Provider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		func() function.Function { return &compatibleFunction{} },
		func() function.Function { return &baseImageFunction{clock: p.clock} },
	}
}
