package wincontainers

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// A real `packer build` with the null builder and Packer's SSH communicator against winsim's OpenSSH
// server: the provisioner sees ConnType "ssh" and sends its scripts on stdin (which the SSH
// communicator carries) instead of staging them, converges hyperv with one restart that drops the SSH
// connection, and the host never sees a staged script nor a WinRM request.
func TestAccPackerBuildSSH(t *testing.T) {
	e := newPackerEnv(t)
	accInternetOnce.Do(func() { accInternet = machine.NewInternet() })
	h := winsimtest.Start(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed", User: "Administrator", Password: accPassword,
		StateDir: t.TempDir(), SSH: true, RebootTime: 200 * time.Millisecond, Internet: accInternet})
	tmpl := nullBuild(fmt.Sprintf(`  communicator = "ssh"
  ssh_host     = %q
  ssh_port     = %d
  ssh_username = "Administrator"
  ssh_password = var.winrm_password
  ssh_timeout  = "2m"`, h.Addr, h.SSHPort), `    container_mode  = "hyperv"
    restart_timeout = "5m"`)
	file := filepath.Join(e.dir, "ssh.pkr.hcl")
	if err := os.WriteFile(file, []byte(tmpl), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, err := e.run("ssh.pkr.hcl.log", "build", "-color=false", file)
	t.Logf("packer build over SSH took %s", time.Since(start).Round(100*time.Millisecond))
	if err != nil {
		t.Fatalf("packer build: %v\n%s", err, out)
	}
	for _, w := range []string{"install-features", "restarting", "verified hyperv"} {
		if !strings.Contains(out, w) {
			t.Errorf("build output lacks %q:\n%s", w, out)
		}
	}
	st := h.Sim.Snapshot()
	if st.Reboots != 1 || st.Verified == "" || st.Features["Hyper-V"] != "Installed" || st.Services["docker"].State != "Running" {
		t.Errorf("winsim: %d restarts, verified %q, features %v, docker %+v", st.Reboots, st.Verified, st.Features, st.Services["docker"])
	}
	if st.Requests.Total != 0 || st.SSH == nil || st.SSH.Execs == 0 || st.SSH.Connections < 2 {
		t.Errorf("%d WS-Man requests, SSH %+v: want SSH alone, reconnected after the restart", st.Requests.Total, st.SSH)
	}
	for _, line := range h.Sim.Host.CommandLines() {
		if strings.Contains(decodedCommand(line), powershell.StagedBootstrapMarker) {
			t.Errorf("a staged script ran over SSH: %.120s", line)
		}
	}
	if log, _ := os.ReadFile(filepath.Join(e.dir, "ssh.pkr.hcl.log")); strings.Contains(out+string(log), accPassword) {
		t.Error("the password is in the build output or PACKER_LOG")
	}
}

// decodedCommand is the script of a powershell.exe -EncodedCommand line ("" for other lines).
func decodedCommand(line string) string {
	_, enc, ok := strings.Cut(line, "-EncodedCommand ")
	if !ok {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil || len(b)%2 != 0 {
		return ""
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
