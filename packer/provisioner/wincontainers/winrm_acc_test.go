package wincontainers

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/testkdc"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// A real `packer build` against a machine as Windows ships it: WinRM over plain HTTP (5985) with
// AllowUnencrypted=false and Negotiate only (winsim --auth ntlm --require-encryption), which Packer's
// own WinRM communicator cannot reach (it sends every message in clear text over HTTP). The source has
// communicator = "none" and the provisioner connects itself through its winrm block: NTLM with message
// encryption, with no change on the machine. Basic over HTTP is refused by `packer validate`, before
// any request, naming the secure setups.
func TestAccPackerBuildWindowsAsShipped(t *testing.T) {
	e := newPackerEnv(t)
	accInternetOnce.Do(func() { accInternet = machine.NewInternet() })
	h := winsimtest.Start(t, winsim.Options{Profile: "ws2022", User: "Administrator", Password: accPassword, Auth: "ntlm",
		RequireEncryption: true, ComputerName: "WIN-SHIPPED", StateDir: t.TempDir(), RebootTime: 200 * time.Millisecond, Internet: accInternet})
	if !strings.HasPrefix(h.URL, "http://") {
		t.Fatalf("winsim listens on %s: want plain HTTP", h.URL)
	}
	tmpl := func(winrm string) string {
		return nullBuild(`  communicator = "none"`, fmt.Sprintf(`    container_mode  = "process"
    restart_timeout = "5m"
    winrm {
      host     = %q
      port     = %d
      username = "WIN-SHIPPED\\Administrator"
      password = var.winrm_password
      https    = false
%s
    }`, h.Addr, h.Port, winrm))
	}
	write := func(name, body string) string {
		t.Helper()
		file := filepath.Join(e.dir, name)
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}

	// Basic over plain HTTP: refused when the template is validated.
	out, err := e.run("basic.log", "validate", write("basic.pkr.hcl", tmpl("")))
	if err == nil {
		t.Fatalf("packer validate accepted Basic over plain HTTP:\n%s", out)
	}
	if !regexp.MustCompile(`(?s)auth\s+=\s+"basic".*auth\s+=\s+"ntlm"\s+or\s+"kerberos"\s+over\s+HTTP`).MatchString(out) {
		t.Errorf("the refusal does not name the secure setups:\n%s", out)
	}
	if st := h.Sim.Snapshot(); st.Requests.Total != 0 {
		t.Fatalf("validate sent %d requests to the machine", st.Requests.Total)
	}

	// NTLM over HTTP: every message sealed.
	file := write("ntlm.pkr.hcl", tmpl(`      auth     = "ntlm"`))
	if out, err := e.run("ntlm-validate.log", "validate", file); err != nil {
		t.Fatalf("packer validate: %v\n%s", err, out)
	}
	start := time.Now()
	out, err = e.run("ntlm.log", "build", "-color=false", file)
	t.Logf("packer build over HTTP with message encryption took %s", time.Since(start).Round(100*time.Millisecond))
	if err != nil {
		t.Fatalf("packer build: %v\n%s", err, out)
	}
	for _, w := range []string{"HTTP with message encryption, ntlm", "install-features", "restarting", "verified process"} {
		if !strings.Contains(out, w) {
			t.Errorf("build output lacks %q:\n%s", w, out)
		}
	}
	st := h.Sim.Snapshot()
	if st.Reboots != 1 || st.Verified == "" || st.Features["Containers"] != "Installed" || st.Services["docker"].State != "Running" {
		t.Errorf("winsim: %d restarts, verified %q, features %v, docker %+v", st.Reboots, st.Verified, st.Features, st.Services["docker"])
	}
	if st.Requests.Total == 0 || st.Requests.Sealed != st.Requests.Total {
		t.Errorf("%d of %d SOAP requests came sealed: want all", st.Requests.Sealed, st.Requests.Total)
	}
	if st.Requests.AuthChallenges == 0 {
		t.Error("winsim answered no 401: the NTLM handshake never happened")
	}
	for _, line := range h.Sim.Host.CommandLines() {
		if strings.Contains(line, accPassword) {
			t.Errorf("the password is on a command line: %.120s", line)
		}
	}
	log, _ := os.ReadFile(filepath.Join(e.dir, "ntlm.log"))
	if strings.Contains(out+string(log), accPassword) {
		t.Error("the password is in the build output or PACKER_LOG")
	}
}

// A real `packer build` through the provisioner's winrm block with Kerberos against a real MIT KDC
// (testkdc): a domain-joined machine's setup, WinRM over HTTP with Kerberos message encryption and
// AllowUnencrypted=false. The machine is reached as localhost, the name its HTTP/localhost service
// principal is registered for; the krb5.conf is the test realm's.
func TestAccPackerBuildKerberos(t *testing.T) {
	e := newPackerEnv(t)
	k := testkdc.Start(t, testkdc.Options{User: "builder", Password: accPassword})
	accInternetOnce.Do(func() { accInternet = machine.NewInternet() })
	h := winsimtest.Start(t, winsim.Options{Profile: "ws2022", User: k.User, Password: "not-used-by-kerberos", Auth: "kerberos", Keytab: k.Keytab,
		RequireEncryption: true, ComputerName: "WIN-KRB02", StateDir: t.TempDir(), RebootTime: 200 * time.Millisecond, Internet: accInternet})
	tmpl := nullBuild(`  communicator = "none"`, fmt.Sprintf(`    container_mode  = "process"
    restart_timeout = "5m"
    winrm {
      host       = "localhost"
      port       = %d
      username   = %q
      password   = var.winrm_password
      https      = false
      auth       = "kerberos"
      krb_config = %q
    }`, h.Port, k.Principal(), k.Krb5Conf))
	file := filepath.Join(e.dir, "kerberos.pkr.hcl")
	if err := os.WriteFile(file, []byte(tmpl), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := e.run("kerberos.log", "build", "-color=false", file)
	if err != nil {
		t.Fatalf("packer build: %v\n%s", err, out)
	}
	if !strings.Contains(out, "HTTP with message encryption, kerberos") || !strings.Contains(out, "verified process") {
		t.Errorf("build output:\n%s", out)
	}
	st := h.Sim.Snapshot()
	if st.Reboots != 1 || st.Verified == "" || st.Services["docker"].State != "Running" {
		t.Errorf("winsim: %d restarts, verified %q, docker %+v", st.Reboots, st.Verified, st.Services["docker"])
	}
	if st.Requests.Total == 0 || st.Requests.Sealed != st.Requests.Total {
		t.Errorf("%d of %d SOAP requests came sealed: want all", st.Requests.Sealed, st.Requests.Total)
	}
	log, _ := os.ReadFile(filepath.Join(e.dir, "kerberos.log"))
	if strings.Contains(out+string(log), accPassword) {
		t.Error("the password is in the build output or PACKER_LOG")
	}
}
