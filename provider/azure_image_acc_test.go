package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const (
	fakeTenant = "11111111-1111-1111-1111-111111111111"
	fakeSub    = "22222222-2222-2222-2222-222222222222"
	fakeToken  = "fake-arm-token"
	fakeSecret = "fake-client-secret-value"
)

// fakeARM is a loopback HTTPS endpoint that plays Microsoft Entra (discovery and token) and the
// Resource Manager marketplace API, with a small Windows Server catalogue.
type fakeARM struct {
	srv      *httptest.Server
	mu       sync.Mutex
	requests []string
	leaked   bool
}

func newFakeARM(t *testing.T) *fakeARM {
	t.Helper()
	f := &fakeARM{}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

var (
	skus     = []string{"2022-datacenter-core-g2", "23h2-datacenter-core-g2", "2025-datacenter-core-g2"}
	versions = map[string][]string{
		"2022-datacenter-core-g2": {"20348.999.250101", "20348.4893.260303"},
		"23h2-datacenter-core-g2": {"25398.2207.260303"},
		"2025-datacenter-core-g2": {"26100.32522.260306"},
	}
	armPath = regexp.MustCompile(`^/subscriptions/` + fakeSub + `/providers/Microsoft\.Compute/locations/([^/]+)/publishers/MicrosoftWindowsServer/artifacttypes/vmimage/offers/WindowsServer/skus(?:/([^/]+)/versions(?:/([^/]+))?)?$`)
)

func (f *fakeARM) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	if strings.Contains(r.URL.RawQuery, fakeSecret) || strings.Contains(r.Header.Get("Authorization"), fakeSecret) {
		f.leaked = true
	}
	f.mu.Unlock()
	base := "https://" + r.Host
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
		reply(map[string]any{
			"token_endpoint":         base + "/" + fakeTenant + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/" + fakeTenant + "/oauth2/v2.0/authorize",
			"issuer":                 base + "/" + fakeTenant + "/v2.0",
		})
	case r.URL.Path == "/"+fakeTenant+"/oauth2/v2.0/token" && r.Method == http.MethodPost:
		_ = r.ParseForm()
		if r.PostForm.Get("client_secret") != fakeSecret {
			w.WriteHeader(http.StatusUnauthorized)
			reply(map[string]any{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
			return
		}
		reply(map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": fakeToken})
	default:
		m := armPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			w.WriteHeader(http.StatusNotFound)
			reply(map[string]any{"error": map[string]string{"code": "NotFound", "message": "no route " + r.URL.Path}})
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+fakeToken {
			w.WriteHeader(http.StatusUnauthorized)
			reply(map[string]any{"error": map[string]string{"code": "AuthenticationFailed", "message": "missing token"}})
			return
		}
		loc, sku, ver := m[1], m[2], m[3]
		names := func(ns []string) []map[string]string {
			out := []map[string]string{}
			for _, n := range ns {
				out = append(out, map[string]string{"name": n, "location": loc})
			}
			return out
		}
		switch {
		case sku == "":
			reply(names(skus))
		case ver == "":
			reply(names(versions[sku]))
		default:
			reply(map[string]any{"name": ver, "location": loc, "properties": map[string]any{
				"hyperVGeneration": "V2", "architecture": "x64",
				"features": []map[string]string{
					{"name": "SecurityType", "value": "TrustedLaunchSupported"},
					{"name": "DiskControllerTypes", "value": "SCSI, NVMe"},
					{"name": "IsAcceleratedNetworkSupported", "value": "True"},
				},
				"imageDeprecationStatus": map[string]string{"imageState": "Active"},
			}})
		}
	}
}

func (f *fakeARM) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	p := newTestProvider().(*Provider)
	p.azureTransport = f.srv.Client()
	return map[string]func() (tfprotov6.ProviderServer, error){TypeName: providerserver.NewProtocol6WithError(p)}
}

func (f *fakeARM) config(secret, data string) string {
	return fmt.Sprintf(`
provider "wincontainers" {
  azure = {
    subscription_id           = %[1]q
    tenant_id                 = %[2]q
    client_id                 = "33333333-3333-3333-3333-333333333333"
    client_secret             = %[3]q
    use_cli                   = false
    resource_manager_endpoint = %[4]q
    authority_host            = %[4]q
  }
}
%[5]s
`, fakeSub, fakeTenant, secret, f.srv.URL, data)
}

func TestAccAzureImageDataSource(t *testing.T) {
	f := newFakeARM(t)
	const addr = "data.wincontainers_azure_image.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: f.factories(),
		Steps: []resource.TestStep{
			{
				Config: f.config(fakeSecret, `
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
				Config: f.config(fakeSecret, `
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
	if f.leaked {
		t.Error("the client secret appeared in a URL or Authorization header")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	all := strings.Join(f.requests, "\n")
	for _, want := range []string{
		"POST /" + fakeTenant + "/oauth2/v2.0/token",
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
	f := newFakeARM(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: f.factories(),
		Steps: []resource.TestStep{
			{
				Config: f.config(fakeSecret, `
data "wincontainers_azure_image" "test" {
  location = "westeurope"
  sku      = "2019-Datacenter-with-Containers"
}`),
				ExpectError: regexp.MustCompile(`(?s)Retired image SKU.*2023-04-30.*"2019-Datacenter"`),
			},
			{
				Config: f.config(fakeSecret, `
data "wincontainers_azure_image" "test" {
  location = "westeurope"
  release  = "20H2"
}`),
				ExpectError: regexp.MustCompile(`(?s)Semi-Annual Channel ended`),
			},
			{
				Config: f.config(fakeSecret, `
data "wincontainers_azure_image" "test" {
  location   = "westeurope"
  sku        = "2022-datacenter-core-g2"
  small_disk = true
}`),
				ExpectError: regexp.MustCompile(`(?s)with sku set, remove it`),
			},
			{
				Config: f.config("wrong-secret", `
data "wincontainers_azure_image" "test" {
  location = "westeurope"
  release  = "2022"
}`),
				ExpectError: regexp.MustCompile(`(?s)Cannot resolve the Windows Server image.*AADSTS7000215`),
			},
		},
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.requests {
		if strings.Contains(r, "/skus") && !strings.Contains(r, "westeurope") {
			t.Errorf("unexpected request %s", r)
		}
	}
}
