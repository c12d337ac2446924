package machine

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type bootClock struct{ t time.Time }

func (c *bootClock) now() time.Time { return c.t }

// windowsHost is a ws2022 machine with the Containers feature, Docker running, its Windows state.
func windowsHost(t *testing.T, virt string) (*Machine, *Windows, *bootClock) {
	t.Helper()
	clk := &bootClock{t: time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)}
	m := New(Config{Build: 20348, Virtualization: virt, Clock: clk.now})
	m.UseInternet(testNet)
	for _, f := range []string{"Containers", "Hyper-V"} {
		if _, err := m.InstallFeature(f); err != nil && virt == "exposed" {
			t.Fatal(err)
		}
	}
	m.Boot()
	for _, err := range []error{m.InstallEngine("docker", "29.2.1"), m.RegisterService("docker"), m.StartService("docker")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	m.images["mcr.microsoft.com/windows/nanoserver:ltsc2022"] = true
	return m, NewWindows(m, OSInfo{BuildNumber: 20348, ComputerName: "WS"}), clk
}

func TestDetachedContainersEndWithTheBootOrTheEngine(t *testing.T) {
	m, w, clk := windowsHost(t, "exposed")
	clk.t = clk.t.Add(time.Minute)
	o := RunOptions{Engine: "docker", Image: "mcr.microsoft.com/windows/nanoserver:ltsc2022", Isolation: "hyperv"}
	c, err := w.RunDetached(o, []string{"ping", "-t", "localhost"})
	if err != nil || !c.Running() || c.WorkerPID == 0 || len(c.ID) != 64 {
		t.Fatalf("%+v %v", c, err)
	}
	if !hasProcess(w, "vmwp") || hasProcess(w, "ping") {
		t.Fatal("a Hyper-V container shows vmwp, not its ping")
	}
	if _, err := w.Container("docker", c.ID[:12]); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(time.Minute)
	m.Boot()
	if _, err := w.Container("docker", c.ID); !errors.As(err, new(*NoSuchContainerError)) {
		t.Fatalf("after a restart: %v", err)
	}
	clk.t = clk.t.Add(time.Minute)
	o.Isolation = "process"
	c, _ = w.RunDetached(o, []string{"ping", "-t", "localhost"})
	if !hasProcess(w, "ping") {
		t.Fatal("a process-isolated container's ping is a host process")
	}
	m.StopService("docker")
	if len(w.Containers()) != 0 {
		t.Fatal("containers outlive their engine")
	}
	if err := w.RemoveContainer("docker", c.ID); err == nil {
		t.Fatal("removed twice")
	}
	// The run's own checks apply: no hypervisor without the extensions.
	m2, w2, _ := windowsHost(t, "none")
	_ = m2
	if _, err := w2.RunDetached(RunOptions{Engine: "docker", Image: "mcr.microsoft.com/windows/nanoserver:ltsc2022", Isolation: "hyperv"}, []string{"ping", "-t", "x"}); err == nil {
		t.Fatal("Hyper-V isolation without Hyper-V")
	}
}

func hasProcess(w *Windows, name string) bool {
	for _, p := range w.Processes() {
		if p.Name == name {
			return true
		}
	}
	return false
}

func TestShutdownScheduleClearsAtBoot(t *testing.T) {
	m, w, clk := windowsHost(t, "none")
	if err := w.ScheduleRestart(time.Hour); err == nil {
		t.Fatal("no restart wired")
	}
	w.SetRestart(func() {})
	if err := w.ScheduleRestart(time.Hour); err != nil {
		t.Fatal(err)
	}
	var se *ShutdownError
	if err := w.ScheduleRestart(time.Hour); !errors.As(err, &se) || se.Code != 1190 || se.Error() != "A system shutdown has already been scheduled.(1190)" {
		t.Fatalf("%v", err)
	}
	clk.t = clk.t.Add(time.Minute)
	m.Boot() // the restart happened
	if scheduled, inProgress := w.ShutdownState(); scheduled || inProgress {
		t.Fatal("the schedule survived the boot")
	}
	if err := w.AbortShutdown(); !errors.As(err, &se) || se.Code != 1116 {
		t.Fatalf("%v", err)
	}
}

func TestListenersCertificatesFirewall(t *testing.T) {
	_, w, _ := windowsHost(t, "none")
	if l := w.Listeners(); len(l) != 1 || l[0].Transport != "HTTP" || l[0].Port != 5985 {
		t.Fatalf("a server's default listener: %+v", l)
	}
	var we *WinRMError
	if err := w.CreateListener(Listener{Address: "*", Transport: "HTTPS", CertificateThumbprint: "00"}); !errors.As(err, &we) || !we.Provider {
		t.Fatalf("%v", err)
	}
	if _, err := w.AddCertificate(`LocalMachine\Root`, Certificate{Raw: []byte{1}}); err == nil {
		t.Fatal("an unmodelled store")
	}
	tp, err := w.AddCertificate(LocalMachineMy, Certificate{Raw: []byte("der")})
	if err != nil || tp != Thumbprint([]byte("der")) {
		t.Fatal(err)
	}
	if err := w.CreateListener(Listener{Address: "*", Transport: "https", CertificateThumbprint: tp}); err != nil {
		t.Fatal(err)
	}
	l, err := w.Listener("*", "HTTPS")
	if err != nil || l.Port != 5986 || !l.Enabled || l.URLPrefix != "wsman" {
		t.Fatalf("%+v %v", l, err)
	}
	if err := w.CreateListener(Listener{Address: "*", Transport: "HTTPS", CertificateThumbprint: tp}); !errors.As(err, &we) || we.Code != 2147942583 {
		t.Fatalf("%v", err)
	}
	if err := w.RemoveListener("*", "HTTPS"); err != nil {
		t.Fatal(err)
	}
	if err := w.RemoveListener("*", "HTTPS"); !errors.As(err, &we) || we.Code != 2150858752 {
		t.Fatalf("%v", err)
	}
	if len(w.FirewallRules()) != 2 || w.AddFirewallRule(FirewallRule{Name: "winrm-http-in-tcp"}) == nil {
		t.Fatal("the built-in WinRM rules")
	}
	client := NewWindows(newMachine(Config{Build: 26100, Client: true}), OSInfo{Client: true})
	if len(client.Listeners()) != 0 || len(client.FirewallRules()) != 0 {
		t.Fatal("a client has no listener")
	}
}

// A pushed archive (received by size and hash) is known by its publisher's file name and its hash.
func TestArtifactFilesOfPushedArchive(t *testing.T) {
	m := newMachine(Config{Build: 20348})
	url := "https://github.com/containerd/nerdctl/releases/download/v2.1.2/nerdctl-2.1.2-windows-amd64.tar.gz"
	a, err := m.Artifact(url)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	local := filepath.Join(dir, "n.tgz")
	if err := a.Save(local); err != nil {
		t.Fatal(err)
	}
	sum, err := m.Internet().SHA256(a)
	if err != nil {
		t.Fatal(err)
	}
	pushed := Downloads + `\nerdctl-2.1.2-windows-amd64.tar.gz`
	m.PutFile(pushed, File{Size: a.Size, SHA256: sum})
	files, err := m.ArtifactFiles(pushed)
	if err != nil || len(files) != 1 || files[0].Name != "nerdctl.exe" || files[0].File.Version != "2.1.2" {
		t.Fatalf("%+v %v", files, err)
	}
	m.PutFile(Downloads+`\nerdctl-2.1.3-windows-amd64.tar.gz`, File{Size: a.Size, SHA256: sum})
	var ae *ArchiveError
	if _, err := m.ArtifactFiles(Downloads + `\nerdctl-2.1.3-windows-amd64.tar.gz`); !errors.As(err, &ae) || ae.Reason != "unrecognized" {
		t.Fatalf("another release's name with these bytes: %v", err)
	}
	f, _ := os.Open(local)
	defer f.Close()
	if n, _ := io.Copy(io.Discard, f); n != a.Size {
		t.Fatal("size")
	}
}

func TestServiceExitCodes(t *testing.T) {
	m := newMachine(Config{Build: 20348})
	for _, err := range []error{m.InstallEngine("docker", "29.2.1"), m.RegisterService("docker")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if a, b := m.ServiceExitCodes("docker"); a != 0 || b != 0 {
		t.Fatal("never started")
	}
	_ = m.StartService("docker") // no Containers feature
	if a, b := m.ServiceExitCodes("docker"); a != errorServiceSpecific || b != 1 {
		t.Fatalf("%d %d", a, b)
	}
}
