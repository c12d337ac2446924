package provider

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wincontainers/wincontainers/internal/azure/azurefake"
	"github.com/wincontainers/wincontainers/internal/azure/azuretest"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// listenerPinned checks that the state's fingerprint is the SHA-256 of its ca_cert, that the PEM is a
// certificate for the names asked, and that it is the one the VM's HTTPS listener uses; it returns
// the fingerprint through got.
func listenerPinned(v *azurefake.VM, addr string, port int, got *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		a := rs.Primary.Attributes
		block, _ := pem.Decode([]byte(a["ca_cert"]))
		if block == nil {
			return fmt.Errorf("ca_cert is not PEM: %q", a["ca_cert"])
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(block.Bytes)
		if fp := hex.EncodeToString(sum[:]); fp != a["fingerprint_sha256"] {
			return fmt.Errorf("fingerprint_sha256 %s, the PEM's SHA-256 %s", a["fingerprint_sha256"], fp)
		}
		pool := x509.NewCertPool()
		pool.AddCert(c)
		for _, name := range []string{"VM1", "vm1.westeurope.cloudapp.azure.com", "20.1.2.3"} {
			if _, err := c.Verify(x509.VerifyOptions{Roots: pool, DNSName: name}); err != nil {
				return fmt.Errorf("pinned as ca_cert, the certificate does not verify %s: %w", name, err)
			}
		}
		p, fp, ok := v.Sim.HTTPSListener()
		if !ok || p != port || fp != a["fingerprint_sha256"] {
			return fmt.Errorf("the VM's listener: present %v, port %d, SHA-256 %s; state %s", ok, p, fp, a["fingerprint_sha256"])
		}
		if len(v.Commands) != 0 {
			return fmt.Errorf("%d run commands left on the VM", len(v.Commands))
		}
		*got = fp
		return nil
	}
}

// wincontainers_azure_winrm_listener through the terraform CLI against the armcompute fakes: create
// (the certificate pins: fingerprint = SHA-256 of ca_cert, verifies for the names), a no-op refresh,
// the listener removed outside Terraform planned as a create with a new certificate, destroy removes
// it. winsim records the listener without serving WinRM on it, so no wincontainers_host connects
// through it here (the ca_cert path is covered by the WinRM connection's own ca_cert tests).
func TestAccAzureWinRMListener(t *testing.T) {
	accPreCheck(t)
	v, f := startAzureVM(t, winsim.Options{Profile: "ws2022", ComputerName: "VM1"})
	const addr = "wincontainers_azure_winrm_listener.test"
	cfg := azureConfig(f, azuretest.Secret, `
resource "wincontainers_azure_winrm_listener" "test" {
  resource_group = "rg"
  vm_name        = "vm1"
  port           = 5990
  dns_names      = ["vm1.westeurope.cloudapp.azure.com"]
  ip_addresses   = ["20.1.2.3"]
}
`)
	var first, second string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: azureHostFactories(v, f),
		CheckDestroy: func(*terraform.State) error {
			if _, _, ok := v.Sim.HTTPSListener(); ok {
				return fmt.Errorf("destroy left the HTTPS listener")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("azure:rg/vm1:5990")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("valid_days"), knownvalue.Int64Exact(365)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("thumbprint"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9A-F]{40}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("names"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("VM1"), knownvalue.StringExact("vm1.westeurope.cloudapp.azure.com"), knownvalue.StringExact("20.1.2.3"),
					})),
				},
				Check: listenerPinned(v, addr, 5990, &first),
			},
			{Config: cfg, PlanOnly: true},
			{
				PreConfig: v.Sim.RemoveHTTPSListener,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeTestCheckFunc(listenerPinned(v, addr, 5990, &second), func(*terraform.State) error {
					if second == first {
						return fmt.Errorf("the re-created listener kept the removed certificate %s", first)
					}
					return nil
				}),
			},
		},
	})
}

// Issue 18 item 6: the listener takes a timeouts block, and imports by the ID its docs give,
// azure:<resource group>/<vm name>:<port>: import reads the listener's certificate from the VM, and the
// state it builds matches the one the create wrote (dns_names and ip_addresses from the certificate's
// names, valid_days from its validity).
func TestAccAzureWinRMListenerImport(t *testing.T) {
	accPreCheck(t)
	v, f := startAzureVM(t, winsim.Options{Profile: "ws2022", ComputerName: "VM1"})
	const addr = "wincontainers_azure_winrm_listener.test"
	cfg := azureConfig(f, azuretest.Secret, `
resource "wincontainers_azure_winrm_listener" "test" {
  resource_group = "rg"
  vm_name        = "vm1"
  port           = 5990
  dns_names      = ["vm1.westeurope.cloudapp.azure.com"]
  ip_addresses   = ["20.1.2.3"]
  valid_days     = 90
  timeouts       = { create = "10m", read = "2m", delete = "5m" }
}
`)
	var fp string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: azureHostFactories(v, f),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("10m")),
				},
				Check: listenerPinned(v, addr, 5990, &fp),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           "azure:rg/vm1:5990",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "azure:rg/vm1:5991",
				ExpectError:   regexp.MustCompile(`(?s)HTTPS\s+listener\s+on\s+port\s+5990,\s+not\s+5991`),
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "azure:rg/vm1",
				ExpectError:   regexp.MustCompile(`(?s)azure:<resource\s+group>/<vm\s+name>:<port>`),
			},
		},
	})
}
