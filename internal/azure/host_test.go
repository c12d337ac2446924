package azure

import (
	"context"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/azure/azurefake"
	"github.com/wincontainers/wincontainers/internal/azure/azuretest"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

func TestParseImportID(t *testing.T) {
	for _, c := range []struct {
		id, rg, vm string
		azure      bool
		err        string
	}{
		{id: "10.0.0.5"},
		{id: "azure:lab-rg/ctr-host-1", rg: "lab-rg", vm: "ctr-host-1", azure: true},
		{id: "azure:lab-rg", azure: true, err: "azure:<resource group>/<vm name>"},
		{id: "azure:lab-rg/a/b", azure: true, err: "azure:<resource group>/<vm name>"},
		{id: "azure:rg./vm", azure: true, err: "not a resource group"},
		{id: "azure:rg/v m", azure: true, err: "not a VM name"},
	} {
		rg, vm, ok, err := ParseImportID(c.id)
		if ok != c.azure || rg != c.rg || vm != c.vm || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: %q %q %v %v", c.id, rg, vm, ok, err)
		}
	}
}

func TestVMCheck(t *testing.T) {
	err := VM{Auth: Auth{}, ResourceGroup: "rg"}.Check()
	if err == nil || !strings.Contains(err.Error(), "ARM_SUBSCRIPTION_ID") || !strings.Contains(err.Error(), "VM name") {
		t.Errorf("%v", err)
	}
}

// Open builds the Conn from credentials and VM coordinates, with the provider's real credential chain
// talking to a fake Entra, and the preflight reads the size through the API.
func TestOpenHostAndPreflight(t *testing.T) {
	f := azuretest.New(t)
	v := azurefake.New(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed"})
	v.Size = "Standard_B2ms"
	no := false
	h, err := Open(VM{
		Auth: Auth{SubscriptionID: azuretest.Subscription, TenantID: azuretest.Tenant, ClientID: azuretest.ClientID, ClientSecret: azuretest.Secret,
			UseCLI: &no, ResourceManagerEndpoint: f.URL, AuthorityHost: f.URL},
		Transport: v.WithEntra(f.Client()), ResourceGroup: "rg", Name: "vm1", PollFrequency: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if h.Uploader != nil {
		t.Error("an Azure host must not claim to upload")
	}
	fs, err := h.Facts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.Preflight(context.Background(), fs, false)
	if err != nil {
		t.Fatal(err)
	}
	if p.OK || p.Err() == nil || !strings.Contains(p.Err().Error(), "Standard_B2ms") || !strings.Contains(p.Err().Error(), "B-series") {
		t.Errorf("a B-series size passed the preflight: %+v", p)
	}
}
