package azure

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
)

func TestWithEnvPrecedence(t *testing.T) {
	env := map[string]string{
		"ARM_SUBSCRIPTION_ID": "arm-sub", "AZURE_SUBSCRIPTION_ID": "azure-sub",
		"AZURE_TENANT_ID": "azure-tenant", "ARM_CLIENT_ID": "arm-client", "ARM_USE_CLI": "false", "ARM_USE_MSI": "true",
		"AZURE_FEDERATED_TOKEN_FILE": "/var/run/token",
	}
	a := Auth{ClientID: "explicit"}.WithEnv(func(k string) string { return env[k] })
	if a.SubscriptionID != "arm-sub" || a.TenantID != "azure-tenant" || a.ClientID != "explicit" || a.UseCLI == nil || *a.UseCLI ||
		!a.UseMSI || a.OIDCTokenFilePath != "/var/run/token" {
		t.Errorf("%+v", a)
	}
}

func TestCloud(t *testing.T) {
	for env, want := range map[string]string{"": cloud.AzurePublic.ActiveDirectoryAuthorityHost, "usgovernment": cloud.AzureGovernment.ActiveDirectoryAuthorityHost, "China": cloud.AzureChina.ActiveDirectoryAuthorityHost} {
		c, err := Auth{Environment: env}.Cloud()
		if err != nil || c.ActiveDirectoryAuthorityHost != want {
			t.Errorf("%q: %v %v", env, c.ActiveDirectoryAuthorityHost, err)
		}
	}
	c, err := Auth{ResourceManagerEndpoint: "https://127.0.0.1:8443", AuthorityHost: "https://127.0.0.1:8443"}.Cloud()
	if err != nil || c.Services[cloud.ResourceManager].Endpoint != "https://127.0.0.1:8443" || c.ActiveDirectoryAuthorityHost != "https://127.0.0.1:8443/" {
		t.Errorf("custom: %+v %v", c, err)
	}
	for _, bad := range []Auth{{Environment: "mars"}, {ResourceManagerEndpoint: "https://x"}, {ResourceManagerEndpoint: "http://x", AuthorityHost: "https://y"}} {
		if _, err := bad.Cloud(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestCredentialErrors(t *testing.T) {
	off := false
	cases := []struct {
		a    Auth
		says string
	}{
		{Auth{UseCLI: &off}, "no Azure credential is configured"},
		{Auth{ClientSecret: "s", UseCLI: &off}, "needs tenant_id and client_id"},
		{Auth{ClientCertificatePath: "/nonexistent.pfx", TenantID: "t", ClientID: "c", UseCLI: &off}, "reading client_certificate_path"},
	}
	for _, c := range cases {
		_, err := c.a.Credential(azcore.ClientOptions{})
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: want %q, got %v", c.a, c.says, err)
		}
		if err != nil && strings.Contains(err.Error(), "s\"") {
			t.Errorf("secret leaked into %v", err)
		}
	}
	if _, err := (Auth{ClientSecret: "s", TenantID: "t", ClientID: "c", UseCLI: &off}).Credential(azcore.ClientOptions{}); err != nil {
		t.Errorf("secret credential: %v", err)
	}
	if _, err := NewImageAPI(Auth{UseCLI: &off, ClientSecret: "s", TenantID: "t", ClientID: "c"}, nil); err == nil || !strings.Contains(err.Error(), "subscription_id") {
		t.Errorf("subscription required: %v", err)
	}
}
