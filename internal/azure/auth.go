package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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
// (docs/knowledge/azure.md#authentication-conventions): explicit settings first, then ARM_* variables, then AZURE_* variables.
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
	// OIDCRequestURL and OIDCRequestToken ask the CI system for the OIDC token at each request: GitHub
	// Actions' ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, which azurerm reads itself (ARM_OIDC_REQUEST_URL and
	// ARM_OIDC_REQUEST_TOKEN first). OIDCRequestToken is a secret.
	OIDCRequestURL   string
	OIDCRequestToken string
	// ADOServiceConnectionID selects Azure Pipelines' OIDC (ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID or
	// ARM_OIDC_AZURE_SERVICE_CONNECTION_ID, with the pipeline's SYSTEM_ACCESSTOKEN; azidentity's
	// AzurePipelinesCredential reads SYSTEM_OIDCREQUESTURI itself). SystemAccessToken is a secret.
	ADOServiceConnectionID string
	SystemAccessToken      string
	UseOIDC                bool
	UseMSI                 bool
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
	a.OIDCRequestURL = pick(a.OIDCRequestURL, "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL")
	a.OIDCRequestToken = pick(a.OIDCRequestToken, "ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	a.ADOServiceConnectionID = pick(a.ADOServiceConnectionID, "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID")
	a.SystemAccessToken = pick(a.SystemAccessToken, "SYSTEM_ACCESSTOKEN")
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
// OIDC federation, then managed identity, then the Azure CLI (docs/knowledge/azure.md#authentication-conventions).
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
		c, err := a.oidcCredential(opts, custom)
		if err != nil {
			return nil, err
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
	return armImages{Client: client}, nil
}

// oidcCredential is workload identity federation, with the token from (in this order) oidc_token, the
// token file, Azure Pipelines (a service connection), or the CI system's token request URL (GitHub
// Actions), the sources azurerm reads for ARM_USE_OIDC=true.
func (a Auth) oidcCredential(opts azcore.ClientOptions, custom bool) (azcore.TokenCredential, error) {
	if a.OIDCToken == "" && a.OIDCTokenFilePath == "" && a.ADOServiceConnectionID != "" {
		access := a.SystemAccessToken
		if access == "" {
			access = a.OIDCRequestToken
		}
		if access == "" {
			return nil, errors.New("use_oidc with the Azure Pipelines service connection " + a.ADOServiceConnectionID +
				" needs the pipeline's SYSTEM_ACCESSTOKEN (map it into the step's environment)")
		}
		c, err := azidentity.NewAzurePipelinesCredential(a.TenantID, a.ClientID, a.ADOServiceConnectionID, access,
			&azidentity.AzurePipelinesCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
		if err != nil {
			return nil, fmt.Errorf("the Azure Pipelines OIDC credential: %w", err)
		}
		return c, nil
	}
	token, file, reqURL, reqToken := a.OIDCToken, a.OIDCTokenFilePath, a.OIDCRequestURL, a.OIDCRequestToken
	if token == "" && file == "" && (reqURL == "" || reqToken == "") {
		return nil, errors.New("use_oidc needs a token: oidc_token or oidc_token_file_path (ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH), " +
			"GitHub Actions' token request (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN: give the job " +
			"`permissions: id-token: write`), or an Azure Pipelines service connection (ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID with SYSTEM_ACCESSTOKEN)")
	}
	doer := opts.Transport
	if doer == nil {
		doer = http.DefaultClient
	}
	assertion := func(ctx context.Context) (string, error) {
		switch {
		case token != "":
			return token, nil
		case file != "":
			b, err := os.ReadFile(file)
			if err != nil {
				return "", fmt.Errorf("reading the OIDC token file: %w", err)
			}
			return strings.TrimSpace(string(b)), nil
		default:
			return requestOIDCToken(ctx, doer, reqURL, reqToken)
		}
	}
	c, err := azidentity.NewClientAssertionCredential(a.TenantID, a.ClientID, assertion,
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
	if err != nil {
		return nil, fmt.Errorf("OIDC credential: %w", err)
	}
	return c, nil
}

// oidcAudience is the audience Entra ID's workload identity federation expects of a GitHub token.
const oidcAudience = "api://AzureADTokenExchange"

// requestOIDCToken asks GitHub Actions' token service for an ID token for Entra ID: a GET of the request
// URL with the audience added and the request token as a bearer token; the answer is {"value": "<jwt>"}.
func requestOIDCToken(ctx context.Context, doer policy.Transporter, rawURL, bearer string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("the OIDC token request URL %q is not an https:// URL", rawURL)
	}
	q := u.Query()
	q.Set("audience", oidcAudience)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("the OIDC token request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Accept", "application/json")
	resp, err := doer.Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting the OIDC token from %s: %w", u.Host, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading the OIDC token from %s: %w", u.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the OIDC token request to %s answered %s; check that the job may request ID tokens (GitHub: permissions: id-token: write)", u.Host, resp.Status)
	}
	var doc struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Value == "" {
		return "", fmt.Errorf("the OIDC token request to %s answered no token (%d bytes)", u.Host, len(body))
	}
	return doc.Value, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
