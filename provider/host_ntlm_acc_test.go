package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// A host whose WinRM service allows Negotiate only (winsim --auth ntlm, Basic disabled): the default
// Basic is refused with the explained 401 and nothing is recorded; with auth = "ntlm" the host converges
// through NTLM (masterzen's ClientNTLM) over HTTPS.
func TestAccHostNTLM(t *testing.T) {
	accPreCheck(t)
	h := startSimServer(t, winsim.Options{Profile: "ws2022", Auth: "ntlm", ComputerName: "WIN-NTLM"})
	cfg := func(auth string) string {
		return fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host = %q
  port = %d
  winrm = {
    username = "WIN-NTLM\\Administrator"
    password = %q
    ca_cert  = file(%q)
    auth     = %q
  }
  container_mode = "process"
  on_destroy     = "keep"
}
`, h.host, h.port, simPassword, h.caFile, auth)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg("basic"), ExpectError: regexp.MustCompile(`rejected the credentials`)},
			{
				Config: cfg("ntlm"),
				Check: resource.ComposeTestCheckFunc(checkSim(h, dockerRunning), checkSim(h, func(st winsim.State) error {
					if st.Requests.AuthChallenges == 0 {
						return fmt.Errorf("winsim answered no 401: the handshake never happened")
					}
					return nil
				})),
			},
			{Config: cfg("ntlm"), PlanOnly: true},
		},
	})
}

// A host as Windows ships it: WinRM over plain HTTP (5985) with AllowUnencrypted=false and Negotiate
// only (winsim --auth ntlm --require-encryption). With https = false and auth = "ntlm", and no
// allow_unencrypted, the host converges with every SOAP message sealed (message encryption), and the
// next plan is empty. Basic over HTTP is refused at plan time, before any request, naming the secure
// setups.
func TestAccHostNTLMSealedHTTP(t *testing.T) {
	accPreCheck(t)
	o := accSimOptions(t, winsim.Options{Profile: "ws2022", Auth: "ntlm", ComputerName: "WIN-SEALED"})
	o.HTTPS, o.RequireEncryption = false, true
	w := winsimtest.Start(t, o)
	h := &simServer{sim: w.Sim, host: w.Addr, port: w.Port}
	cfg := func(winrm string) string {
		return fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host = %q
  port = %d
  winrm = {
    username = "WIN-SEALED\\Administrator"
    password = %q
    https    = false
    %s
  }
  container_mode = "process"
  on_destroy     = "keep"
}
`, h.host, h.port, simPassword, winrm)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg(""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Plain\s+HTTP\s+without\s+message\s+encryption.*auth\s+=\s+"basic".*auth\s+=\s+"ntlm"\s+or\s+"kerberos"\s+over\s+HTTP`),
			},
			{
				Config: cfg(`auth = "ntlm"`),
				Check: resource.ComposeTestCheckFunc(checkSim(h, dockerRunning), checkSim(h, func(st winsim.State) error {
					if st.Requests.Total == 0 || st.Requests.Sealed != st.Requests.Total {
						return fmt.Errorf("%d of %d SOAP requests came sealed", st.Requests.Sealed, st.Requests.Total)
					}
					return nil
				})),
			},
			{Config: cfg(`auth = "ntlm"`), PlanOnly: true},
		},
	})
	if st := h.sim.Snapshot(); st.Requests.Sealed != st.Requests.Total {
		t.Errorf("%d of %d SOAP requests came sealed", st.Requests.Sealed, st.Requests.Total)
	}
}
