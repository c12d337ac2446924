package azure

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// Auth holds Azure credentials and cloud selection in the conventions of the azurerm provider
// (azure.md §4.2): explicit settings first, then ARM_* variables, then AZURE_* variables.
type Auth struct {
	SubscriptionID string
	TenantID       string
	ClientID       string
	// ClientSecret, ClientCertificatePassword and OIDCToken are secrets: never log them.
	ClientSecret              string
	ClientCertificatePath     string
	ClientCertificatePassword string
	OIDCToken                 string
	OIDCTokenFilePath         string
	UseOIDC                   bool
	UseMSI                    bool
	// UseCLI defaults to true, as in azurerm.
	UseCLI *bool
	// Environment is public (default), usgovernment or china.
	Environment string
	// ResourceManagerEndpoint and AuthorityHost override the cloud's endpoints (Azure Stack, private
	// clouds, and loopback tests). Both must be https.
	ResourceManagerEndpoint string
	AuthorityHost           string
}

// WithEnv fills unset fields from the environment: ARM_* first (azurerm), then AZURE_* (azidentity).
func (a Auth) WithEnv(getenv func(string) string) Auth {
	pick := func(cur string, names ...string) string {
		if cur != "" {
			return cur
		}
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	a.SubscriptionID = pick(a.SubscriptionID, "ARM_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID")
	a.TenantID = pick(a.TenantID, "ARM_TENANT_ID", "AZURE_TENANT_ID")
	a.ClientID = pick(a.ClientID, "ARM_CLIENT_ID", "AZURE_CLIENT_ID")
	a.ClientSecret = pick(a.ClientSecret, "ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET")
	a.ClientCertificatePath = pick(a.ClientCertificatePath, "ARM_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH")
	a.ClientCertificatePassword = pick(a.ClientCertificatePassword, "ARM_CLIENT_CERTIFICATE_PASSWORD", "AZURE_CLIENT_CERTIFICATE_PASSWORD")
	a.OIDCToken = pick(a.OIDCToken, "ARM_OIDC_TOKEN")
	a.OIDCTokenFilePath = pick(a.OIDCTokenFilePath, "ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE")
	a.Environment = pick(a.Environment, "ARM_ENVIRONMENT")
	if !a.UseOIDC {
		a.UseOIDC = isTrue(getenv("ARM_USE_OIDC"))
	}
	if !a.UseMSI {
		a.UseMSI = isTrue(getenv("ARM_USE_MSI"))
	}
	if a.UseCLI == nil {
		if v := getenv("ARM_USE_CLI"); v != "" {
			b := isTrue(v)
			a.UseCLI = &b
		}
	}
	return a
}

func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// Cloud returns the cloud configuration.
func (a Auth) Cloud() (cloud.Configuration, error) {
	var c cloud.Configuration
	switch strings.ToLower(a.Environment) {
	case "", "public", "global", "azurecloud":
		c = cloud.AzurePublic
	case "usgovernment", "azureusgovernment":
		c = cloud.AzureGovernment
	case "china", "azurechina":
		c = cloud.AzureChina
	default:
		return c, fmt.Errorf("environment %q: use \"public\", \"usgovernment\" or \"china\", or set resource_manager_endpoint and authority_host", a.Environment)
	}
	if a.ResourceManagerEndpoint != "" || a.AuthorityHost != "" {
		if a.ResourceManagerEndpoint == "" || a.AuthorityHost == "" {
			return c, errors.New("resource_manager_endpoint and authority_host must be set together")
		}
		for _, u := range []string{a.ResourceManagerEndpoint, a.AuthorityHost} {
			if p, err := url.Parse(u); err != nil || p.Scheme != "https" || p.Host == "" {
				return c, fmt.Errorf("%q must be an https:// URL", u)
			}
		}
		rm := c.Services[cloud.ResourceManager]
		c = cloud.Configuration{
			ActiveDirectoryAuthorityHost: strings.TrimSuffix(a.AuthorityHost, "/") + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Audience: rm.Audience, Endpoint: a.ResourceManagerEndpoint},
			},
		}
	}
	return c, nil
}

// Credential builds the credential chain: service principal with secret, then certificate, then
// OIDC federation, then managed identity, then the Azure CLI (azure.md §4.2).
func (a Auth) Credential(opts azcore.ClientOptions) (azcore.TokenCredential, error) {
	custom := a.AuthorityHost != ""
	var chain []azcore.TokenCredential
	var problems []string
	needSP := func(what string) bool {
		if a.TenantID == "" || a.ClientID == "" {
			problems = append(problems, what+" needs tenant_id and client_id (or ARM_TENANT_ID and ARM_CLIENT_ID)")
			return false
		}
		return true
	}
	if a.ClientSecret != "" && needSP("client_secret") {
		c, err := azidentity.NewClientSecretCredential(a.TenantID, a.ClientID, a.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
		if err != nil {
			return nil, fmt.Errorf("client secret credential: %w", err)
		}
		chain = append(chain, c)
	}
	if a.ClientCertificatePath != "" && needSP("client_certificate_path") {
		data, err := os.ReadFile(a.ClientCertificatePath)
		if err != nil {
			return nil, fmt.Errorf("reading client_certificate_path: %w", err)
		}
		certs, key, err := azidentity.ParseCertificates(data, []byte(a.ClientCertificatePassword))
		if err != nil {
			return nil, fmt.Errorf("parsing client_certificate_path %s (PKCS#12 or PEM): %w", a.ClientCertificatePath, err)
		}
		c, err := azidentity.NewClientCertificateCredential(a.TenantID, a.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
		if err != nil {
			return nil, fmt.Errorf("client certificate credential: %w", err)
		}
		chain = append(chain, c)
	}
	if (a.UseOIDC || a.OIDCToken != "") && needSP("OIDC") {
		token, file := a.OIDCToken, a.OIDCTokenFilePath
		assertion := func(context.Context) (string, error) {
			if token != "" {
				return token, nil
			}
			if file == "" {
				return "", errors.New("use_oidc needs oidc_token or oidc_token_file_path")
			}
			b, err := os.ReadFile(file)
			if err != nil {
				return "", fmt.Errorf("reading the OIDC token file: %w", err)
			}
			return strings.TrimSpace(string(b)), nil
		}
		c, err := azidentity.NewClientAssertionCredential(a.TenantID, a.ClientID, assertion,
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
		if err != nil {
			return nil, fmt.Errorf("OIDC credential: %w", err)
		}
		chain = append(chain, c)
	}
	if a.UseMSI {
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		if a.ClientID != "" {
			o.ID = azidentity.ClientID(a.ClientID)
		}
		c, err := azidentity.NewManagedIdentityCredential(o)
		if err != nil {
			return nil, fmt.Errorf("managed identity credential: %w", err)
		}
		chain = append(chain, c)
	}
	if a.UseCLI == nil || *a.UseCLI {
		c, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: a.TenantID})
		if err != nil {
			return nil, fmt.Errorf("the Azure CLI credential: %w", err)
		}
		chain = append(chain, c)
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	if len(chain) == 0 {
		return nil, errors.New("no Azure credential is configured: set client_secret, client_certificate_path, use_oidc or use_msi " +
			"(or the ARM_* variables), or allow the Azure CLI with use_cli = true")
	}
	c, err := azidentity.NewChainedTokenCredential(chain, nil)
	if err != nil {
		return nil, fmt.Errorf("credential chain: %w", err)
	}
	return c, nil
}

// NewImageAPI connects the resolver to the marketplace of the configured cloud. transport, when not
// nil, replaces the HTTP client (tests and proxies).
func NewImageAPI(a Auth, transport policy.Transporter) (ImageAPI, error) {
	if a.SubscriptionID == "" {
		return nil, errors.New("subscription_id is required for the marketplace API (or ARM_SUBSCRIPTION_ID)")
	}
	c, err := a.Cloud()
	if err != nil {
		return nil, err
	}
	opts := azcore.ClientOptions{Cloud: c, Transport: transport}
	cred, err := a.Credential(opts)
	if err != nil {
		return nil, err
	}
	client, err := armcompute.NewVirtualMachineImagesClient(a.SubscriptionID, cred, &arm.ClientOptions{ClientOptions: opts, DisableRPRegistration: true})
	if err != nil {
		return nil, fmt.Errorf("azure: %w", err)
	}
	return ARMImages{Client: client}, nil
}
