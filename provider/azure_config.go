package provider

import (
	"context"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/azure"
)

// azureModel is the provider's azure block, in the azurerm provider's names (ARM_* variables apply
// where an argument is not set).
type azureModel struct {
	SubscriptionID            types.String `tfsdk:"subscription_id"`
	TenantID                  types.String `tfsdk:"tenant_id"`
	ClientID                  types.String `tfsdk:"client_id"`
	ClientSecret              types.String `tfsdk:"client_secret"`
	ClientCertificatePath     types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword types.String `tfsdk:"client_certificate_password"`
	UseCLI                    types.Bool   `tfsdk:"use_cli"`
	UseMSI                    types.Bool   `tfsdk:"use_msi"`
	UseOIDC                   types.Bool   `tfsdk:"use_oidc"`
	OIDCToken                 types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath         types.String `tfsdk:"oidc_token_file_path"`
	Environment               types.String `tfsdk:"environment"`
	ResourceManagerEndpoint   types.String `tfsdk:"resource_manager_endpoint"`
	AuthorityHost             types.String `tfsdk:"authority_host"`
}

func azureSchema() schema.SingleNestedAttribute {
	str := func(desc string, sensitive bool) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Sensitive: sensitive, MarkdownDescription: desc}
	}
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Azure credentials and cloud, for `wincontainers_azure_image` and the `azure` connection of `wincontainers_host`. The arguments and their `ARM_*` environment variables " +
			"follow the azurerm provider; `AZURE_*` variables are read when the `ARM_*` ones are unset. Credentials are tried in this order: " +
			"client secret, client certificate, OIDC, managed identity, Azure CLI.",
		Attributes: map[string]schema.Attribute{
			"subscription_id":             str("Subscription ID (`ARM_SUBSCRIPTION_ID`).", false),
			"tenant_id":                   str("Tenant ID (`ARM_TENANT_ID`).", false),
			"client_id":                   str("Client (application) ID of a service principal or user-assigned identity (`ARM_CLIENT_ID`).", false),
			"client_secret":               str("Client secret (`ARM_CLIENT_SECRET`).", true),
			"client_certificate_path":     str("Path to a PKCS#12 or PEM client certificate (`ARM_CLIENT_CERTIFICATE_PATH`).", false),
			"client_certificate_password": str("Password of the client certificate (`ARM_CLIENT_CERTIFICATE_PASSWORD`).", true),
			"use_cli":                     schema.BoolAttribute{Optional: true, MarkdownDescription: "Use the Azure CLI's login (`ARM_USE_CLI`). Default `true`."},
			"use_msi":                     schema.BoolAttribute{Optional: true, MarkdownDescription: "Use a managed identity (`ARM_USE_MSI`). Default `false`."},
			"use_oidc":                    schema.BoolAttribute{Optional: true, MarkdownDescription: "Use OIDC workload identity federation (`ARM_USE_OIDC`). Default `false`."},
			"oidc_token":                  str("An OIDC ID token for federation (`ARM_OIDC_TOKEN`).", true),
			"oidc_token_file_path":        str("A file holding the OIDC ID token (`ARM_OIDC_TOKEN_FILE_PATH`, `AZURE_FEDERATED_TOKEN_FILE`).", false),
			"environment":                 str("`public` (default), `usgovernment` or `china` (`ARM_ENVIRONMENT`).", false),
			"resource_manager_endpoint":   str("Override of the Resource Manager endpoint, for private clouds such as Azure Stack; https only. Set together with `authority_host`.", false),
			"authority_host":              str("Override of the Microsoft Entra authority host; https only. Set together with `resource_manager_endpoint`.", false),
		},
	}
}

// azureBlock reads the provider's azure block: nil when it is null or unknown as a whole; unknown is
// true when any of its arguments is not known yet.
func azureBlock(ctx context.Context, o types.Object, diags *diag.Diagnostics) (m *azureModel, unknown bool) {
	if o.IsUnknown() {
		return nil, true
	}
	v, ok := objectAs[azureModel](ctx, o, diags)
	if !ok {
		return nil, false
	}
	for _, a := range o.Attributes() {
		if a.IsUnknown() {
			unknown = true
		}
	}
	return &v, unknown
}

// auth turns the block (possibly null) into azure.Auth, filled from the environment.
func (m *azureModel) auth() azure.Auth {
	var a azure.Auth
	if m != nil {
		a = azure.Auth{
			SubscriptionID: m.SubscriptionID.ValueString(), TenantID: m.TenantID.ValueString(), ClientID: m.ClientID.ValueString(),
			ClientSecret: m.ClientSecret.ValueString(), ClientCertificatePath: m.ClientCertificatePath.ValueString(),
			ClientCertificatePassword: m.ClientCertificatePassword.ValueString(),
			UseMSI:                    m.UseMSI.ValueBool(), UseOIDC: m.UseOIDC.ValueBool(), OIDCToken: m.OIDCToken.ValueString(),
			OIDCTokenFilePath: m.OIDCTokenFilePath.ValueString(), Environment: m.Environment.ValueString(),
			ResourceManagerEndpoint: m.ResourceManagerEndpoint.ValueString(), AuthorityHost: m.AuthorityHost.ValueString(),
		}
		if !m.UseCLI.IsNull() && !m.UseCLI.IsUnknown() {
			v := m.UseCLI.ValueBool()
			a.UseCLI = &v
		}
	}
	return a.WithEnv(os.Getenv)
}
