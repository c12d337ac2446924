package azure

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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

// ARM_USE_OIDC=true alone works where azurerm's does: in GitHub Actions (the token request variables) and
// in Azure Pipelines (a service connection with SYSTEM_ACCESSTOKEN); elsewhere it says what is missing.
func TestOIDCFromCI(t *testing.T) {
	off := false
	github := map[string]string{"ARM_USE_OIDC": "true", "ARM_TENANT_ID": "t", "ARM_CLIENT_ID": "c",
		"ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/idtoken?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-secret"}
	a := Auth{UseCLI: &off}.WithEnv(func(k string) string { return github[k] })
	if !a.UseOIDC || a.OIDCRequestURL != github["ACTIONS_ID_TOKEN_REQUEST_URL"] || a.OIDCRequestToken != "request-secret" {
		t.Fatalf("GitHub Actions variables not read: %+v", a)
	}
	if _, err := a.Credential(azcore.ClientOptions{}); err != nil {
		t.Fatalf("GitHub Actions OIDC: %v", err)
	}
	override := map[string]string{"ARM_OIDC_REQUEST_URL": "https://other/x", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh/x"}
	if got := (Auth{}).WithEnv(func(k string) string { return override[k] }).OIDCRequestURL; got != "https://other/x" {
		t.Errorf("ARM_OIDC_REQUEST_URL must win over ACTIONS_ID_TOKEN_REQUEST_URL: %s", got)
	}

	t.Setenv("SYSTEM_OIDCREQUESTURI", "https://dev.azure.example/org/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken")
	ado := map[string]string{"ARM_USE_OIDC": "true", "ARM_TENANT_ID": "t", "ARM_CLIENT_ID": "c", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID": "sc-1"}
	a = Auth{UseCLI: &off}.WithEnv(func(k string) string { return ado[k] })
	if _, err := a.Credential(azcore.ClientOptions{}); err == nil || !strings.Contains(err.Error(), "SYSTEM_ACCESSTOKEN") {
		t.Errorf("Azure Pipelines without SYSTEM_ACCESSTOKEN: %v", err)
	}
	ado["SYSTEM_ACCESSTOKEN"] = "pipeline-secret"
	a = Auth{UseCLI: &off}.WithEnv(func(k string) string { return ado[k] })
	if _, err := a.Credential(azcore.ClientOptions{}); err != nil {
		t.Errorf("Azure Pipelines OIDC: %v", err)
	}

	nothing := map[string]string{"ARM_USE_OIDC": "true", "ARM_TENANT_ID": "t", "ARM_CLIENT_ID": "c"}
	a = Auth{UseCLI: &off}.WithEnv(func(k string) string { return nothing[k] })
	if _, err := a.Credential(azcore.ClientOptions{}); err == nil || !strings.Contains(err.Error(), "ACTIONS_ID_TOKEN_REQUEST_URL") {
		t.Errorf("OIDC with no token source: %v", err)
	}
}

// The token request as GitHub Actions' token service expects it: GET with the audience Entra ID expects,
// the request token as a bearer token; the answer's value is the assertion.
func TestRequestOIDCToken(t *testing.T) {
	var got *http.Request
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		if r.Header.Get("Authorization") != "Bearer request-secret" {
			http.Error(w, "denied", http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, `{"count":1,"value":"header.payload.signature"}`)
	}))
	defer srv.Close()
	tok, err := requestOIDCToken(context.Background(), srv.Client(), srv.URL+"/idtoken?api-version=2.0", "request-secret")
	if err != nil || tok != "header.payload.signature" {
		t.Fatalf("token %q, %v", tok, err)
	}
	if q := got.URL.Query(); q.Get("audience") != "api://AzureADTokenExchange" || q.Get("api-version") != "2.0" || got.Method != http.MethodGet {
		t.Errorf("request %s %s", got.Method, got.URL)
	}
	if _, err := requestOIDCToken(context.Background(), srv.Client(), srv.URL+"/idtoken", "wrong"); err == nil ||
		!strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "id-token: write") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("a refused request: %v", err)
	}
	if _, err := requestOIDCToken(context.Background(), srv.Client(), "http://example.com/idtoken", "x"); err == nil {
		t.Error("a plain-HTTP token URL off loopback was accepted")
	}
}
