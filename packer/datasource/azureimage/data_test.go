package azureimage

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hcldec"

	"github.com/wincontainers/wincontainers/internal/azure/azuretest"
)

func configure(t *testing.T, srv *azuretest.Server, extra map[string]interface{}) (*Datasource, error) {
	t.Helper()
	raw := map[string]interface{}{
		"location": "westeurope", "subscription_id": azuretest.Subscription, "tenant_id": azuretest.Tenant,
		"client_id": azuretest.ClientID, "client_secret": azuretest.Secret,
	}
	if srv != nil {
		raw["resource_manager_endpoint"], raw["authority_host"] = srv.URL, srv.URL
	}
	for k, v := range extra {
		if v == nil {
			delete(raw, k)
			continue
		}
		raw[k] = v
	}
	d := &Datasource{}
	if srv != nil {
		d.transport = srv.Client()
	}
	return d, d.Configure(raw)
}

func TestExecute(t *testing.T) {
	srv := azuretest.New(t)
	cases := []struct {
		extra     map[string]interface{}
		urn       string
		build     int64
		channel   string
		baseImage string
	}{
		{map[string]interface{}{"release": "2022"}, "MicrosoftWindowsServer:WindowsServer:2022-datacenter-core-g2:20348.4893.260303", 20348, "ltsc",
			"mcr.microsoft.com/windows/servercore:ltsc2022"},
		{map[string]interface{}{"release": "23H2"}, "MicrosoftWindowsServer:WindowsServer:23h2-datacenter-core-g2:25398.2207.260303", 25398, "annual",
			"mcr.microsoft.com/windows/servercore:ltsc2022"},
		{map[string]interface{}{"sku": "2025-datacenter-core-g2"}, "MicrosoftWindowsServer:WindowsServer:2025-datacenter-core-g2:26100.32522.260306", 26100, "ltsc",
			"mcr.microsoft.com/windows/servercore:ltsc2025"},
	}
	for _, c := range cases {
		d, err := configure(t, srv, c.extra)
		if err != nil {
			t.Fatal(err)
		}
		v, err := d.Execute()
		if err != nil {
			t.Fatalf("%v: %v", c.extra, err)
		}
		got := v.AsValueMap()
		build, _ := got["build"].AsBigFloat().Int64()
		if got["urn"].AsString() != c.urn || build != c.build || got["channel"].AsString() != c.channel || got["base_image"].AsString() != c.baseImage {
			t.Errorf("%v: %v", c.extra, v.GoString())
		}
		if want := hcldec.ImpliedType(d.OutputSpec()); !v.Type().Equals(want) {
			t.Errorf("output type %s does not match OutputSpec %s", v.Type().FriendlyName(), want.FriendlyName())
		}
	}
	if srv.SecretLeaked() {
		t.Error("client secret leaked into a URL or header")
	}
}

func TestConfigureErrors(t *testing.T) {
	cases := []struct {
		extra map[string]interface{}
		says  string
	}{
		{map[string]interface{}{"release": "2022", "location": nil}, "location is required"},
		{map[string]interface{}{}, "set release"},
		{map[string]interface{}{"release": "2022", "sku": "2022-datacenter-core-g2"}, "not both"},
		{map[string]interface{}{"sku": "2019-Datacenter-Core-with-Containers-smalldisk"}, "2023-04-30"},
		{map[string]interface{}{"sku": "2022-datacenter-core-g2", "small_disk": true}, "with sku set"},
		{map[string]interface{}{"release": "1909"}, "Semi-Annual Channel"},
		{map[string]interface{}{"release": "23H2", "installation": "desktop"}, "Server Core only"},
		{map[string]interface{}{"release": "2022", "generation": "three"}, "generation"},
	}
	for _, c := range cases {
		_, err := configure(t, nil, c.extra)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v: want %q, got %v", c.extra, c.says, err)
		}
	}
}

func TestAuthSemantics(t *testing.T) {
	d, err := configure(t, nil, map[string]interface{}{"release": "2022", "use_azure_cli_auth": true})
	if err != nil {
		t.Fatal(err)
	}
	if a := d.auth(); a.UseCLI == nil || !*a.UseCLI {
		t.Error("use_azure_cli_auth must select the CLI")
	}
	for _, k := range []string{"ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET", "ARM_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH",
		"ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	d, _ = configure(t, nil, map[string]interface{}{"release": "2022", "client_secret": nil})
	if a := d.auth(); !a.UseMSI || a.UseCLI == nil || *a.UseCLI {
		t.Errorf("without service principal credentials Packer falls back to managed identity: %+v", a)
	}
	// A secret from the environment selects the service principal, with no managed-identity probe.
	t.Setenv("ARM_CLIENT_SECRET", "from-env")
	if a := d.auth(); a.UseMSI || a.ClientSecret != "from-env" {
		t.Errorf("ARM_CLIENT_SECRET must select the service principal alone: %+v", a)
	}
	if d.config.Timeout == 0 {
		t.Error("timeout default")
	}
}
