package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wincontainers/wincontainers/internal/azure/azuretest"
)

func azureFactories(f *azuretest.Server) map[string]func() (tfprotov6.ProviderServer, error) {
	p := newTestProvider().(*Provider)
	p.azureTransport = f.Client()
	return map[string]func() (tfprotov6.ProviderServer, error){TypeName: providerserver.NewProtocol6WithError(p)}
}

func azureConfig(f *azuretest.Server, secret, data string) string {
	return fmt.Sprintf(`
provider "wincontainers" {
  azure = {
    subscription_id           = %[1]q
    tenant_id                 = %[2]q
    client_id                 = %[3]q
    client_secret             = %[4]q
    use_cli                   = false
    resource_manager_endpoint = %[5]q
    authority_host            = %[5]q
  }
}
%[6]s
`, azuretest.Subscription, azuretest.Tenant, azuretest.ClientID, secret, f.URL, data)
}

func TestAccAzureImageDataSource(t *testing.T) {
	f := azuretest.New(t)
	const addr = "data.wincontainers_azure_image.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: azureFactories(f),
		Steps: []resource.TestStep{
			{
				Config: azureConfig(f, azuretest.Secret, `
data "wincontainers_azure_image" "test" {
  location = "westeurope"
  release  = "2022"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("urn"), knownvalue.StringExact("MicrosoftWindowsServer:WindowsServer:2022-datacenter-core-g2:20348.4893.260303")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("build"), knownvalue.Int64Exact(20348)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ubr"), knownvalue.Int64Exact(4893)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hyperv_generation"), knownvalue.StringExact("V2")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("disk_controller_types"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("SCSI"), knownvalue.StringExact("NVMe")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("base_image"), knownvalue.StringExact("mcr.microsoft.com/windows/servercore:ltsc2022")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("channel"), knownvalue.StringExact("ltsc")),
				},
			},
			{
				// The Annual Channel: build 25398, and the 2022 base images.
				Config: azureConfig(f, azuretest.Secret, `
data "wincontainers_azure_image" "test" {
  location = "westeurope"
  release  = "23H2"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("resolved_sku"), knownvalue.StringExact("23h2-datacenter-core-g2")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("os_release"), knownvalue.StringExact("23H2")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("channel"), knownvalue.StringExact("annual")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("base_image"), knownvalue.StringExact("mcr.microsoft.com/windows/servercore:ltsc2022")),
				},
			},
		},
	})
	if f.SecretLeaked() {
		t.Error("the client secret appeared in a URL or Authorization header")
	}
	all := strings.Join(f.Requests(), "\n")
	for _, want := range []string{
		"POST /" + azuretest.Tenant + "/oauth2/v2.0/token",
		"/locations/westeurope/publishers/MicrosoftWindowsServer/artifacttypes/vmimage/offers/WindowsServer/skus\n",
		"/skus/2022-datacenter-core-g2/versions\n",
		"/skus/2022-datacenter-core-g2/versions/20348.4893.260303",
	} {
		if !strings.Contains(all+"\n", want) {
			t.Errorf("no request matching %q in:\n%s", want, all)
		}
	}
}

func TestAccAzureImageDataSourceRefusals(t *testing.T) {
	f := azuretest.New(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: azureFactories(f),
		Steps: []resource.TestStep{
			{
				Config: azureConfig(f, azuretest.Secret, `
data "wincontainers_azure_image" "test" {
  location = "westeurope"
  sku      = "2019-Datacenter-with-Containers"
}`),
				ExpectError: regexp.MustCompile(`(?s)Retired image SKU.*2023-04-30.*"2019-Datacenter"`),
			},
			{
				Config: azureConfig(f, azuretest.Secret, `
data "wincontainers_azure_image" "test" {
  location = "westeurope"
  release  = "20H2"
}`),
				ExpectError: regexp.MustCompile(`(?s)Semi-Annual Channel ended`),
			},
			{
				Config: azureConfig(f, azuretest.Secret, `
data "wincontainers_azure_image" "test" {
  location   = "westeurope"
  sku        = "2022-datacenter-core-g2"
  small_disk = true
}`),
				ExpectError: regexp.MustCompile(`(?s)with sku set, remove it`),
			},
			{
				Config: azureConfig(f, "wrong-secret", `
data "wincontainers_azure_image" "test" {
  location = "westeurope"
  release  = "2022"
}`),
				ExpectError: regexp.MustCompile(`(?s)Cannot resolve the Windows Server image.*AADSTS7000215`),
			},
		},
	})
	for _, r := range f.Requests() {
		if strings.Contains(r, "/skus") && !strings.Contains(r, "westeurope") {
			t.Errorf("unexpected request %s", r)
		}
	}
}
