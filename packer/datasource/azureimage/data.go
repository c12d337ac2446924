//go:generate go tool packer-sdc mapstructure-to-hcl2 -type Config,DatasourceOutput
//go:generate ../../../scripts/packer-struct-markdown

// Package azureimage is the Packer data source `wincontainers-azure-image`: the Azure Marketplace
// Windows Server image for a release, with its build and the container base images that match it,
// so a template can feed the same build to its source and to the wincontainers provisioner.
package azureimage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/packer-plugin-sdk/hcl2helper"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/zclconf/go-cty/cty"

	"github.com/wincontainers/wincontainers/internal/azure"
	"github.com/wincontainers/wincontainers/internal/compat"
)

// Config is the data source's HCL2 configuration. Image arguments mirror the Terraform data source
// wincontainers_azure_image; credential arguments (AuthConfig) use the Packer azure plugin's names, so
// templates port one to one. The doc comment of each field is that field's entry in the data source's
// documentation: `make generate` renders them with `packer-sdc struct-markdown` into packer/docs-partials,
// which packer/docs/datasources/azure-image.mdx includes. Write them for template authors, in Markdown,
// and give every field one (`make packer-docs-check` fails on a field without).
type Config struct {
	// Azure region, for example `westeurope`. Image availability is regional.
	Location string `mapstructure:"location" required:"true"`
	// `2016`, `2019`, `2022`, `2025` or `23H2` (the Annual Channel). Required unless `sku` is set.
	Release string `mapstructure:"release" required:"true"`
	// `core` (default) or `desktop`. The Annual Channel is Server Core only.
	Installation string `mapstructure:"installation"`
	// Use the Azure Edition image (2022 and 2025, Generation 2 only).
	AzureEdition bool `mapstructure:"azure_edition"`
	// `1` or `2`. Default: Generation 2.
	Generation int `mapstructure:"generation"`
	// Use the 30 GB OS disk (`smalldisk`) variant.
	SmallDisk bool `mapstructure:"small_disk"`
	// An image version such as `20348.4893.260303`, or `latest` (default).
	Version string `mapstructure:"version"`
	// A marketplace SKU to use as is, instead of `release` and the shape arguments; retired SKUs are refused
	// with their replacement.
	SKU string `mapstructure:"sku"`
	// How long the marketplace calls may take. Default `2m`.
	Timeout time.Duration `mapstructure:"timeout"`

	AuthConfig `mapstructure:",squash"`
}

// AuthConfig is how the data source authenticates to Azure, with the Packer azure plugin's names and
// precedence: use_azure_cli_auth overrides the others; otherwise a service principal is used when
// client_secret, client_cert_path or client_jwt is set, and a managed identity when none is. Unset values
// fall back to the ARM_* environment variables, then AZURE_*.
type AuthConfig struct {
	// The subscription to read the marketplace through.
	SubscriptionID string `mapstructure:"subscription_id"`
	// The Microsoft Entra tenant to authenticate in.
	TenantID string `mapstructure:"tenant_id"`
	// The service principal's (or user-assigned managed identity's) client ID.
	ClientID string `mapstructure:"client_id"`
	// The service principal's secret. Sensitive.
	ClientSecret string `mapstructure:"client_secret"`
	// A certificate file (PEM or PKCS#12) of the service principal.
	ClientCertPath string `mapstructure:"client_cert_path"`
	// The password of `client_cert_path`.
	ClientCertPassword string `mapstructure:"client_cert_password"`
	// An OIDC/JWT client assertion, as the Packer azure plugin's `client_jwt`. Sensitive.
	ClientJWT string `mapstructure:"client_jwt"`
	// Use the Azure CLI's login; overrides every other credential, as in the Packer azure plugin.
	UseAzureCLIAuth bool `mapstructure:"use_azure_cli_auth"`
	// `Public` (default), `USGovernment` or `China`.
	CloudEnvironmentName string `mapstructure:"cloud_environment_name"`
	// Azure Resource Manager endpoint override for a private cloud, https only; set together with
	// `authority_host`.
	ResourceManagerEndpoint string `mapstructure:"resource_manager_endpoint"`
	// Microsoft Entra authority override for a private cloud, https only; set together with
	// `resource_manager_endpoint`.
	AuthorityHost string `mapstructure:"authority_host"`
}

// DatasourceOutput is what the data source returns.
type DatasourceOutput struct {
	// The resolved image as a URN, `publisher:offer:sku:version`, as az and azurerm write it.
	URN string `mapstructure:"urn"`
	// The resolved image's publisher, `MicrosoftWindowsServer`.
	Publisher string `mapstructure:"publisher"`
	// The resolved image's offer, `WindowsServer`.
	Offer string `mapstructure:"offer"`
	// The resolved image's marketplace SKU.
	SKU string `mapstructure:"sku"`
	// The resolved image's version: `latest` is resolved to the newest version (numerically).
	Version string `mapstructure:"version"`
	// `V1` or `V2`.
	HyperVGeneration string `mapstructure:"hyperv_generation"`
	// For example `TrustedLaunchSupported`. Hyper-V isolation and LCOW need nested virtualization, which
	// needs Security Type `Standard` on the VM, not Trusted Launch.
	SecurityType string `mapstructure:"security_type"`
	// For example `SCSI`, `NVMe`.
	DiskControllerTypes []string `mapstructure:"disk_controller_types"`
	// `Active` or `ScheduledForDeprecation` (deprecated images are refused).
	DeprecationState string `mapstructure:"deprecation_state"`
	// The Windows build, read from the version (`20348` in `20348.4893.260303`).
	Build int `mapstructure:"build"`
	// The Windows update revision, read from the version (`4893` in `20348.4893.260303`).
	UBR int `mapstructure:"ubr"`
	// The Windows release the image runs, for example `2022` or `23H2`.
	OSRelease string `mapstructure:"os_release"`
	// The release's servicing channel, for example `ltsc` or `annual`.
	Channel string `mapstructure:"channel"`
	// The container base images that run process-isolated on the image's build.
	BaseImages []string `mapstructure:"base_images"`
	// The Server Core one of `base_images`.
	BaseImage string `mapstructure:"base_image"`
}

// Datasource implements packer.Datasource.
type Datasource struct {
	config Config
	// transport replaces the HTTP client (tests reach a loopback endpoint with it).
	transport policy.Transporter
}

var _ packersdk.Datasource = (*Datasource)(nil)

// ConfigSpec implements packer.Datasource.
func (d *Datasource) ConfigSpec() hcldec.ObjectSpec { return d.config.FlatMapstructure().HCL2Spec() }

// OutputSpec implements packer.Datasource.
func (d *Datasource) OutputSpec() hcldec.ObjectSpec {
	return (&DatasourceOutput{}).FlatMapstructure().HCL2Spec()
}

// Configure implements packer.Datasource: it decodes and validates everything that needs no call.
func (d *Datasource) Configure(raws ...interface{}) error {
	if err := config.Decode(&d.config, nil, raws...); err != nil {
		return fmt.Errorf("wincontainers-azure-image: %w", err)
	}
	var errs error
	c := &d.config
	if strings.TrimSpace(c.Location) == "" {
		errs = errors.Join(errs, errors.New("location is required (for example \"westeurope\")"))
	}
	switch {
	case c.SKU == "" && c.Release == "":
		errs = errors.Join(errs, errors.New("set release (for example \"2022\") or sku"))
	case c.SKU != "" && c.Release != "":
		errs = errors.Join(errs, errors.New("set release or sku, not both"))
	case c.SKU != "":
		if err := azure.CheckRetired(azure.Offer, c.SKU); err != nil {
			errs = errors.Join(errs, err)
		}
		if c.Installation != "" || c.AzureEdition || c.Generation != 0 || c.SmallDisk {
			errs = errors.Join(errs, errors.New("installation, azure_edition, generation and small_disk describe the SKU to build; with sku set, remove them"))
		}
	default:
		if _, _, err := azure.SKU(d.query()); err != nil {
			errs = errors.Join(errs, err)
		}
	}
	if c.Timeout == 0 {
		c.Timeout = 2 * time.Minute
	}
	if errs != nil {
		return fmt.Errorf("wincontainers-azure-image: %w", errs)
	}
	return nil
}

func (d *Datasource) query() azure.Query {
	c := d.config
	return azure.Query{Release: c.Release, Installation: compat.Installation(c.Installation), AzureEdition: c.AzureEdition,
		Generation: c.Generation, SmallDisk: c.SmallDisk, Version: c.Version, Location: c.Location, SKU: c.SKU}
}

// auth maps the Packer azure plugin's credential semantics onto azure.Auth: use_azure_cli_auth wins;
// otherwise a service principal (secret, certificate or JWT, from the template or the ARM_*/AZURE_*
// variables) when one is configured, else managed identity. The decision is made after the
// environment is applied, so a secret given only as ARM_CLIENT_SECRET never adds a managed-identity
// probe to the chain.
func (d *Datasource) auth() azure.Auth {
	c := d.config
	a := azure.Auth{
		SubscriptionID: c.SubscriptionID, TenantID: c.TenantID, ClientID: c.ClientID,
		ClientSecret: c.ClientSecret, ClientCertificatePath: c.ClientCertPath, ClientCertificatePassword: c.ClientCertPassword,
		OIDCToken: c.ClientJWT, Environment: c.CloudEnvironmentName,
		ResourceManagerEndpoint: c.ResourceManagerEndpoint, AuthorityHost: c.AuthorityHost,
	}
	off, on := false, true
	a.UseCLI = &off // keep ARM_USE_CLI from deciding: Packer's own flag does
	a = a.WithEnv(os.Getenv)
	switch {
	case c.UseAzureCLIAuth:
		a = azure.Auth{SubscriptionID: a.SubscriptionID, TenantID: a.TenantID, Environment: a.Environment,
			ResourceManagerEndpoint: a.ResourceManagerEndpoint, AuthorityHost: a.AuthorityHost, UseCLI: &on}
	case a.ClientSecret != "" || a.ClientCertificatePath != "" || a.OIDCToken != "" || a.OIDCTokenFilePath != "":
		a.UseMSI = false
	default:
		a.UseMSI = true
	}
	return a
}

// Execute implements packer.Datasource.
func (d *Datasource) Execute() (cty.Value, error) {
	out := &DatasourceOutput{}
	spec := out.FlatMapstructure().HCL2Spec()
	api, err := azure.NewImageAPI(d.auth(), d.transport)
	if err != nil {
		return cty.NullVal(cty.EmptyObject), fmt.Errorf("wincontainers-azure-image: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.config.Timeout)
	defer cancel()
	img, err := azure.Resolve(ctx, api, d.query())
	if err != nil {
		return cty.NullVal(cty.EmptyObject), fmt.Errorf("wincontainers-azure-image: %w", err)
	}
	*out = DatasourceOutput{
		URN: img.URN(), Publisher: img.Publisher, Offer: img.Offer, SKU: img.SKU, Version: img.Version,
		HyperVGeneration: img.HyperVGeneration, SecurityType: img.SecurityType, DiskControllerTypes: nonNil(img.DiskControllerTypes),
		DeprecationState: img.DeprecationState, Build: img.Build, UBR: img.UBR, OSRelease: img.Release.Name,
		Channel: string(img.Release.Channel), BaseImages: nonNil(img.BaseImages),
	}
	for _, b := range img.BaseImages {
		if strings.Contains(b, "/servercore:") {
			out.BaseImage = b
			break
		}
	}
	return hcl2helper.HCL2ValueFromConfig(out, spec), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
