package provider

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"golang.org/x/crypto/ssh"

	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// A host reached through its OpenSSH server: ssh conflicts with winrm and needs credentials (both at
// plan time); a known_hosts file that does not vouch for the host is refused before logging on; with
// the administrator's key (administrators_authorized_keys) and the host's key in known_hosts, the host
// converges (hyperv with containerd, one restart over a connection the restart drops) through SSH alone,
// the next plan is empty, wincontainers_host_facts reads it over SSH with a password and a pinned host
// key, and destroy uninstalls over SSH.
func TestAccHostSSH(t *testing.T) {
	accPreCheck(t)
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	o := accSimOptions(t, winsim.Options{Profile: "ws2022", ComputerName: "WIN-SSH"})
	o.HTTPS, o.SSH, o.SSHAuthorizedKeys = false, true, ssh.MarshalAuthorizedKey(signer.PublicKey())
	w := winsimtest.Start(t, o)
	h := &simServer{sim: w.Sim, host: w.Addr, port: w.SSHPort}
	emptyKnownHosts := filepath.Join(dir, "empty_known_hosts")
	if err := os.WriteFile(emptyKnownHosts, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	hostKey := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(w.Sim.SSHHostKey())))
	resourceCfg := func(sshBlock, extra string) string {
		return fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host = %q
  port = %d
  ssh = {
    %s
  }
  %s
  container_mode = "hyperv"
  engine         = { type = "containerd" }
}
`, h.host, h.port, sshBlock, extra)
	}
	withKey := fmt.Sprintf(`user = "Administrator"
    private_key = file(%q)
    known_hosts = %q`, keyFile, w.KnownHosts)
	facts := fmt.Sprintf(`
data "wincontainers_host_facts" "ssh" {
  host = %q
  port = %d
  ssh = {
    user     = "Administrator"
    password = %q
    host_key = %q
  }
  depends_on = [wincontainers_host.test]
}
`, h.host, h.port, simPassword, hostKey)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if st := h.sim.Snapshot(); st.Services["containerd"].State == "Running" {
				return fmt.Errorf("destroy over SSH left containerd %+v", st.Services["containerd"])
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: resourceCfg(withKey, `winrm = { username = "Administrator" }`), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*winrm`)},
			{Config: resourceCfg(`user = "Administrator"`, ""), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)no SSH credentials.*ssh.private_key`)},
			{Config: resourceCfg(fmt.Sprintf(`user = "Administrator"
    password = %q
    known_hosts = %q`, simPassword, emptyKnownHosts), ""),
				ExpectError: regexp.MustCompile(`(?s)is not in .*empty_known_hosts`)},
			{
				Config: resourceCfg(withKey, ""),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("wincontainers_host.test", "facts.computer_name", "WIN-SSH"),
					checkSim(h, func(st winsim.State) error {
						if st.Engine.Type != "containerd" || st.Services["containerd"].State != "Running" || st.Verified == "" {
							return fmt.Errorf("winsim: engine %+v, containerd %+v, verified %q", st.Engine, st.Services["containerd"], st.Verified)
						}
						if st.Requests.Total != 0 || st.SSH == nil || st.SSH.Execs == 0 || st.Reboots != 1 {
							return fmt.Errorf("%d WS-Man requests, SSH %+v, %d reboots: want SSH alone and one restart", st.Requests.Total, st.SSH, st.Reboots)
						}
						return nil
					})),
			},
			{Config: resourceCfg(withKey, ""), PlanOnly: true},
			{
				Config: resourceCfg(withKey, "") + facts,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("data.wincontainers_host_facts.ssh", "facts.build", "20348"),
					resource.TestCheckResourceAttr("data.wincontainers_host_facts.ssh", "facts.engine_type", "containerd"),
				),
			},
		},
	})
}
