package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/wincontainers/wincontainers/internal/winsim"
)

// A host whose WinRM service allows Negotiate only (winsim --auth ntlm, Basic disabled): the default
// Basic is refused with the explained 401 and nothing is recorded; with auth = "ntlm" the host converges
// through NTLM (masterzen's ClientNTLM) over HTTPS.
func TestAccHostNTLM(t *testing.T) {
	accPreCheck(t)
	h := startSimHost(t, winsim.Options{Profile: "ws2022", Auth: "ntlm", ComputerName: "WIN-NTLM"})
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
