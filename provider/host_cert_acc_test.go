package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
	"github.com/wincontainers/wincontainers/internal/winsim/wsman"
)

// A host whose WinRM service has certificate authentication on (Service\Auth\Certificate, Basic off)
// and maps certificates its client CA issued for administrator@localhost to the local Administrator
// (WSMan:\localhost\ClientCertificate). With auth = "certificate", no user name and no password, a
// certificate for another UPN is refused with the explained 401 (nothing recorded); the mapped one
// converges the host with no 401 at all, and the next plan is empty.
func TestAccHostCertificate(t *testing.T) {
	accPreCheck(t)
	ca := winsimtest.NewClientCA(t, "wincontainers acceptance client CA")
	h := startSimServer(t, winsim.Options{Profile: "ws2022", Auth: "ntlm", ComputerName: "WIN-CERT", CertificateAuth: true,
		TrustedRoots: ca.PEM, CertMappings: []wsman.CertMapping{ca.Mapping("administrator@localhost", "Administrator")}})
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cert, key := ca.Issue(t, "administrator@localhost", true)
	wrong, wrongKey := ca.Issue(t, "intruder@localhost", true)
	certFile, keyFile := write("cert.pem", cert), write("key.pem", key)
	wrongFile, wrongKeyFile := write("wrong.pem", wrong), write("wrong-key.pem", wrongKey)
	cfg := func(cert, key string) string {
		return fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host = %q
  port = %d
  winrm = {
    auth        = "certificate"
    client_cert = file(%q)
    client_key  = file(%q)
    ca_cert     = file(%q)
  }
  container_mode = "process"
  on_destroy     = "keep"
}
`, h.host, h.port, cert, key, h.caFile)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg(wrongFile, wrongKeyFile),
				ExpectError: regexp.MustCompile(`(?s)refused\s+the\s+client\s+certificate.*intruder@localhost.*ClientCertificate`),
			},
			{
				PreConfig: func() {
					if st := h.sim.Snapshot(); st.Requests.Total != 0 || st.Requests.AuthChallenges == 0 {
						t.Errorf("the refused certificate: %d SOAP requests got past it, %d 401s", st.Requests.Total, st.Requests.AuthChallenges)
					}
					h.sim.ResetCounts()
				},
				Config: cfg(certFile, keyFile),
				Check: resource.ComposeTestCheckFunc(checkSim(h, dockerRunning), checkSim(h, func(st winsim.State) error {
					if st.Requests.AuthChallenges != 0 {
						return fmt.Errorf("winsim answered %d 401s to the mapped certificate", st.Requests.AuthChallenges)
					}
					return nil
				}), resource.TestCheckResourceAttr("wincontainers_host.test", "winrm.auth", "certificate")),
			},
			{Config: cfg(certFile, keyFile), PlanOnly: true},
		},
	})
}
