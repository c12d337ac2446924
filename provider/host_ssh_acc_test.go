package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
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
	keyFile, _, authorized := sshKeyFile(t, dir)
	w, h := startSSHServer(t, "WIN-SSH", authorized)
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

// startSSHServer serves a ws2022 host named computerName over SSH only (no WinRM listener), with
// authorized as administrators_authorized_keys; h points at its SSH port.
func startSSHServer(t *testing.T, computerName string, authorized []byte) (w *winsimtest.Server, h *simServer) {
	t.Helper()
	o := accSimOptions(t, winsim.Options{Profile: "ws2022", ComputerName: computerName})
	o.HTTPS, o.SSH, o.SSHAuthorizedKeys = false, true, authorized
	w = winsimtest.Start(t, o)
	return w, &simServer{sim: w.Sim, host: w.Addr, port: w.SSHPort}
}

// sshKeyFile writes a fresh Ed25519 key to dir and returns its path, its PEM text and its public key
// in authorized_keys form.
func sshKeyFile(t *testing.T, dir string) (path, pemText string, authorized []byte) {
	t.Helper()
	priv, pub := winsimtest.NewSSHKey(t)
	path, pemText = filepath.Join(dir, "id_ed25519"), string(priv)
	if err := os.WriteFile(path, priv, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, pemText, ssh.MarshalAuthorizedKey(pub)
}

// notInState fails when any of the strings appears anywhere in the state Terraform holds (terraform
// show -json of the state file, sensitive values included).
type notInState []string

func (n notInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	b, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	for _, s := range n {
		if bytes.Contains(b, []byte(s)) {
			resp.Error = fmt.Errorf("the state holds %.12q...", s)
			return
		}
	}
}

// sshOnly checks that the host was reached over SSH alone: no WS-Management request.
func sshOnly(st winsim.State) error {
	if st.Requests.Total != 0 || st.SSH == nil || st.SSH.Execs == 0 {
		return fmt.Errorf("%d WS-Man requests, SSH %+v: want SSH alone", st.Requests.Total, st.SSH)
	}
	return nil
}

// With the private key only write-only, create connects over SSH with it and the state never holds it
// (not as private_key_wo, not as private_key, nowhere in the state file); refresh, which Terraform gives
// no write-only value, keeps the last known state and the plan stays empty; once the provider's ssh block
// has the key, destroy uninstalls over SSH with it.
func TestAccHostSSHWriteOnlyKey(t *testing.T) {
	accPreCheck(t)
	dir := t.TempDir()
	keyFile, keyPEM, authorized := sshKeyFile(t, dir)
	w, h := startSSHServer(t, "WIN-SSH-WO", authorized)
	cfg := func(providerSSH, onDestroy string) string {
		return fmt.Sprintf(`
provider "wincontainers" {
  %s
}
resource "wincontainers_host" "test" {
  host = %q
  port = %d
  ssh = {
    user           = "Administrator"
    private_key_wo = file(%q)
    known_hosts    = %q
  }
  container_mode = "process"
  on_destroy     = %q
}
`, providerSSH, h.host, h.port, keyFile, w.KnownHosts, onDestroy)
	}
	// A line of the key's body: the state file is JSON, where the PEM's line breaks are escaped.
	keyLines := strings.Split(keyPEM, "\n")
	secrets := notInState{keyLines[1], keyLines[2]}
	const addr = "wincontainers_host.test"
	resource.Test(t, resource.TestCase{
		// Write-only attributes need Terraform 1.11 (OpenTofu 1.11).
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if st := h.sim.Snapshot(); st.Services["docker"].State == "Running" || st.Requests.Total != 0 {
				return fmt.Errorf("destroy over SSH with the provider's key left docker %+v (%d WS-Man requests)", st.Services["docker"], st.Requests.Total)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg("", "keep"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ssh").AtMapKey("private_key_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ssh").AtMapKey("private_key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("facts").AtMapKey("computer_name"), knownvalue.StringExact("WIN-SSH-WO")),
					secrets,
				},
				Check: checkSim(h, func(st winsim.State) error {
					if err := sshOnly(st); err != nil {
						return err
					}
					return dockerRunning(st)
				}),
			},
			// Refresh has no key: the state is kept as last known (a warning), and nothing is planned.
			{Config: cfg("", "keep"), PlanOnly: true},
			{
				// on_destroy changes in the state alone; the provider's key is what destroy connects with.
				Config:            cfg(fmt.Sprintf(`ssh = { private_key = file(%q) }`, keyFile), "uninstall"),
				ConfigStateChecks: []statecheck.StateCheck{secrets},
			},
		},
	})
}

// terraform import over SSH: with an ssh://host:port ID the facts are read through the host's OpenSSH
// server with the provider's ssh block (no WS-Management request), the imported state has an ssh block
// and equals the one the apply recorded, and the next plan with ssh = {} is empty.
func TestAccHostSSHImport(t *testing.T) {
	accPreCheck(t)
	dir := t.TempDir()
	keyFile, keyPEM, authorized := sshKeyFile(t, dir)
	w, h := startSSHServer(t, "WIN-SSH-IMP", authorized)
	providerOnly := fmt.Sprintf(`
provider "wincontainers" {
  ssh = {
    user        = "Administrator"
    private_key = file(%q)
    known_hosts = %q
  }
}
`, keyFile, w.KnownHosts)
	cfg := providerOnly + fmt.Sprintf(`
resource "wincontainers_host" "test" {
  host           = %q
  port           = %d
  ssh            = {}
  container_mode = "process"
  # What import reads from the host: the engine and its version.
  engine = { type = "docker", version = "29.2.1" }
}
`, h.host, h.port)
	const addr = "wincontainers_host.test"
	var execsBeforeImport int
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{notInState{strings.Split(keyPEM, "\n")[1]}},
				Check: resource.ComposeTestCheckFunc(checkSim(h, func(st winsim.State) error {
					if err := sshOnly(st); err != nil {
						return err
					}
					execsBeforeImport = st.SSH.Execs
					return dockerRunning(st)
				})),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "ssh://" + net.JoinHostPort(h.host, strconv.Itoa(h.port)),
				ImportStateVerify: true,
				// Set only in configuration or by the apply, and not recoverable from the host.
				ImportStateVerifyIgnore: []string{"timeouts", "observed_sha256", "verified_at", "os_version"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["ssh.%"] == "" || states[0].Attributes["container_mode"] != "process" {
						return fmt.Errorf("imported %d states: %v; want one with an ssh block and process mode", len(states), states)
					}
					st := h.sim.Snapshot()
					if err := sshOnly(st); err != nil {
						return err
					}
					if st.SSH.Execs <= execsBeforeImport {
						return fmt.Errorf("the import ran no command over SSH (%d execs before, %d after)", execsBeforeImport, st.SSH.Execs)
					}
					return nil
				},
			},
			{
				// Forget the resource without destroying it, then import it with an import block: the plan
				// imports it with no change, and the next plan is empty.
				Config: providerOnly + `
removed {
  from = wincontainers_host.test
  lifecycle {
    destroy = false
  }
}
`,
				Check: checkSim(h, dockerRunning),
			},
			{
				Config: cfg + fmt.Sprintf(`
import {
  to = wincontainers_host.test
  id = "ssh://%s"
}
`, net.JoinHostPort(h.host, strconv.Itoa(h.port))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ssh").AtMapKey("user"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("container_mode"), knownvalue.StringExact("process")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.Int64Exact(int64(h.port))),
				},
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// wincontainers_host_facts over SSH with nothing but `ssh = {}` on the data source: the user, the key
// and the known_hosts come from the provider's ssh block, and the host sees no WS-Man request.
func TestAccHostFactsSSHProviderDefaults(t *testing.T) {
	accPreCheck(t)
	dir := t.TempDir()
	keyFile, _, authorized := sshKeyFile(t, dir)
	w, h := startSSHServer(t, "WIN-SSH-DS", authorized)
	cfg := fmt.Sprintf(`
provider "wincontainers" {
  ssh = {
    user        = "Administrator"
    private_key = file(%q)
    known_hosts = %q
  }
}
data "wincontainers_host_facts" "ssh" {
  host = %q
  port = %d
  ssh  = {}
}
`, keyFile, w.KnownHosts, h.host, h.port)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { accPreCheck(t) },
		ProtoV6ProviderFactories: fastProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr("data.wincontainers_host_facts.ssh", "facts.computer_name", "WIN-SSH-DS"),
				resource.TestCheckResourceAttr("data.wincontainers_host_facts.ssh", "facts.build", "20348"),
				checkSim(h, sshOnly),
			),
		}},
	})
}
