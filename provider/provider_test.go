package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tfprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// fixedDay pins "today" for tests that depend on lifecycle dates.
var fixedDay = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func newTestProvider() tfprovider.Provider {
	return &Provider{version: "test", clock: func() time.Time { return fixedDay }}
}

var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	TypeName: providerserver.NewProtocol6WithError(newTestProvider()),
}

// TestMain gives every test a CLI configuration of its own: the environment may point
// TF_CLI_CONFIG_FILE at a file that does not exist, whose warning breaks terraform-exec's version parsing.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wincontainers-tfrc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	rc := filepath.Join(dir, "empty.tfrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	_ = os.Setenv("TF_CLI_CONFIG_FILE", rc)
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// TestProviderSchema runs the provider server in-process (no CLI) and checks that every schema is
// valid and free of diagnostics.
func TestProviderSchema(t *testing.T) {
	srv, err := providerserver.NewProtocol6WithError(newTestProvider())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("schema diagnostic: %s: %s", d.Summary, d.Detail)
	}
	for _, name := range []string{"wincontainers_host"} {
		s, ok := resp.ResourceSchemas[name]
		if !ok {
			t.Errorf("resource %s missing", name)
			continue
		}
		if s.Block.Description == "" {
			t.Errorf("%s has no description", name)
		}
		for _, a := range s.Block.Attributes {
			if a.Description == "" {
				t.Errorf("%s.%s has no description", name, a.Name)
			}
			if a.NestedType != nil {
				for _, n := range a.NestedType.Attributes {
					if n.Description == "" {
						t.Errorf("%s.%s.%s has no description", name, a.Name, n.Name)
					}
				}
			}
		}
	}
	for _, name := range []string{"wincontainers_compatibility", "wincontainers_base_image", "wincontainers_host_facts"} {
		s, ok := resp.DataSourceSchemas[name]
		if !ok {
			t.Errorf("data source %s missing", name)
			continue
		}
		if s.Block.Description == "" {
			t.Errorf("%s has no description", name)
		}
		for _, a := range s.Block.Attributes {
			if a.Description == "" {
				t.Errorf("%s.%s has no description", name, a.Name)
			}
		}
	}
	for _, name := range []string{"compatible", "base_image"} {
		f, ok := resp.Functions[name]
		if !ok {
			t.Errorf("function %s missing", name)
			continue
		}
		if f.Summary == "" || f.Description == "" {
			t.Errorf("function %s has no summary or description", name)
		}
		for _, p := range f.Parameters {
			if p.Description == "" {
				t.Errorf("function %s: parameter %s has no description", name, p.Name)
			}
		}
	}
	ids, err := srv.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := ids.IdentitySchemas["wincontainers_host"]; !ok || len(id.IdentityAttributes) != 5 {
		t.Errorf("wincontainers_host identity schema: %+v", id)
	}
	v, err := srv.ValidateDataResourceConfig(context.Background(), &tfprotov6.ValidateDataResourceConfigRequest{TypeName: "wincontainers_nope"})
	if err == nil && (v == nil || len(v.Diagnostics) == 0) {
		t.Error("an unknown data source must be rejected")
	}
}
