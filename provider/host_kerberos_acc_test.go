package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/wincontainers/wincontainers/internal/testkdc"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// A domain member's setup through the Terraform CLI: WinRM over HTTP (AllowUnencrypted=false) with
// Kerberos against a real MIT KDC (testkdc), every message sealed with the Kerberos session key. The host
// is reached as localhost, the name its HTTP/localhost principal is registered for. A realm the krb5.conf
// cannot reach is refused at plan time, before any request; then the host converges and the next plan
// is empty.
func TestAccHostKerberos(t *testing.T) {
	accPreCheck(t)
	k := testkdc.Start(t, testkdc.Options{})
	o := accSimOptions(t, winsim.Options{Profile: "ws2022", Auth: "kerberos", Keytab: k.Keytab, ComputerName: "WIN-KRB03"})
	o.User, o.HTTPS, o.RequireEncryption = k.User, false, true
	w := winsimtest.Start(t, o)
	h := &simServer{sim: w.Sim, host: w.Addr, port: w.Port}
	cfg := func(realm string) string {
		return fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host = "localhost"
  port = %d
  winrm = {
    username   = %q
    password   = %q
    https      = false
    auth       = "kerberos"
    krb_config = %q
    krb_realm  = %q
  }
  container_mode = "process"
  on_destroy     = "keep"
}
`, h.port, k.User, k.Password, k.Krb5Conf, realm)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg("OTHER.TEST"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Kerberos.*OTHER\.TEST`)},
			{
				Config: cfg(k.Realm),
				Check: resource.ComposeTestCheckFunc(checkSim(h, dockerRunning), checkSim(h, func(st winsim.State) error {
					if st.Requests.Total == 0 || st.Requests.Sealed != st.Requests.Total {
						return fmt.Errorf("%d of %d SOAP requests came sealed", st.Requests.Sealed, st.Requests.Total)
					}
					return nil
				})),
			},
			{Config: cfg(k.Realm), PlanOnly: true},
		},
	})
	if st := h.sim.Snapshot(); st.Requests.Total == 0 {
		t.Error("the host saw no request")
	}
}
