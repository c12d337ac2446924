package pshost

import (
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

func TestResolve(t *testing.T) {
	env := map[string]string{"Path": `C:\Windows\system32;C:\Windows;C:\Program Files\Docker`, "PATHEXT": ".COM;.EXE;.BAT;.CMD"}
	old := newTestHost(t, machine.Config{Build: 14393})
	n := &natives{h: old.h}
	if _, ok := n.Resolve("tar.exe", env); ok {
		t.Fatal("tar.exe on build 14393")
	}
	if _, ok := n.Resolve(`C:\Windows\System32\tar.exe`, env); ok {
		t.Fatal("tar.exe by path on build 14393")
	}
	if p, ok := n.Resolve("shutdown", env); !ok || !strings.EqualFold(p, `C:\Windows\system32\shutdown.exe`) {
		t.Fatalf("shutdown: %q %v", p, ok)
	}
	th := newTestHost(t, machine.Config{}).withDocker(false)
	n = &natives{h: th.h}
	if p, ok := n.Resolve("tar", env); !ok || !strings.HasSuffix(strings.ToLower(p), `\tar.exe`) {
		t.Fatalf("tar: %q %v", p, ok)
	}
	if p, ok := n.Resolve("dockerd", env); !ok || !strings.EqualFold(p, machine.Dockerd) {
		t.Fatalf("dockerd: %q %v", p, ok)
	}
	if _, ok := n.Resolve("nerdctl", env); ok {
		t.Fatal("nerdctl is not installed")
	}
	if r := th.run(`C:\Windows\System32\ping.exe`, "127.0.0.1"); r.ExitCode == 0 || !strings.Contains(r.Stderr, "does not implement") {
		t.Fatalf("an unmodelled program must fail loudly: %+v", r)
	}
}

// shutdown.exe's 1190 is on stderr (issue 16): a second /r while one is scheduled.
func TestShutdownAlreadyScheduled(t *testing.T) {
	th := newTestHost(t, machine.Config{})
	restarts := make(chan struct{}, 4)
	th.w.SetRestart(func() { restarts <- struct{}{} })
	sd := `C:\Windows\System32\shutdown.exe`
	args := []string{"/r", "/f", "/t", "30", "/d", "p:4:1", "/c", "wincontainers restart"}
	if r := th.run(sd, args...); r.ExitCode != 0 || r.Stdout != "" || r.Stderr != "" {
		t.Fatalf("first: %+v", r)
	}
	r := th.run(sd, args...)
	if r.ExitCode != 1190 || r.Stdout != "" || r.Stderr != "A system shutdown has already been scheduled.(1190)\r\n" {
		t.Fatalf("second: %+v", r)
	}
	if r := th.run(sd, "/a"); r.ExitCode != 0 {
		t.Fatalf("abort: %+v", r)
	}
	if r := th.run(sd, "/a"); r.ExitCode != 1116 || !strings.Contains(r.Stderr, "(1116)") {
		t.Fatalf("abort again: %+v", r)
	}
	if r := th.run(sd, "/r", "/t", "0"); r.ExitCode != 0 {
		t.Fatalf("now: %+v", r)
	}
	select {
	case <-restarts:
	case <-time.After(5 * time.Second):
		t.Fatal("no restart")
	}
	if r := th.run(sd, "/r", "/t", "5"); r.ExitCode != 1115 {
		t.Fatalf("in progress: %+v", r)
	}
	if r := th.run(sd, "/r", "/t", "x"); r.ExitCode != 87 {
		t.Fatalf("bad /t: %+v", r)
	}
}

func TestBcdedit(t *testing.T) {
	th := newTestHost(t, machine.Config{Virtualization: "exposed"})
	bcd := `C:\Windows\System32\bcdedit.exe`
	r := th.run(bcd, "/enum", "{current}")
	if r.ExitCode != 0 || strings.Contains(r.Stdout, "hypervisorlaunchtype") || !strings.Contains(r.Stdout, "Windows Boot Loader\r\n") {
		t.Fatalf("%+v", r)
	}
	if err := th.m.ApplyDrift(machine.Drift{HypervisorLaunchType: "off"}); err != nil {
		t.Fatal(err)
	}
	r = th.run(bcd, "/enum", "{current}")
	if !strings.Contains(r.Stdout, "\r\nhypervisorlaunchtype    Off\r\n") {
		t.Fatalf("%q", r.Stdout)
	}
}

// After sc.exe delete, dockerd's event log source stays and --register-service fails (issue 16);
// --unregister-service removes both.
func TestDockerdRegisterAfterSCDelete(t *testing.T) {
	th := newTestHost(t, machine.Config{}).withContainers().withDocker(false)
	if r := th.run(machine.Dockerd, "--version"); r.ExitCode != 0 || !strings.HasPrefix(r.Stdout, "Docker version 29.2.1, build ") {
		t.Fatalf("%+v", r)
	}
	r := th.run(`C:\Windows\System32\sc.exe`, "delete", "docker")
	if r.ExitCode != 0 || r.Stdout != "[SC] DeleteService SUCCESS\r\n" {
		t.Fatalf("sc: %+v", r)
	}
	r = th.run(`C:\Windows\System32\sc.exe`, "delete", "docker")
	if r.ExitCode != 1060 || !strings.Contains(r.Stdout, "[SC] OpenService FAILED 1060:") {
		t.Fatalf("sc again: %+v", r)
	}
	r = th.run(machine.Dockerd, "--register-service")
	if r.ExitCode != 1 || !strings.Contains(r.Stderr, `EventLog\Application\docker registry key already exists`) {
		t.Fatalf("register: %+v", r)
	}
	if r := th.run(machine.Dockerd, "--unregister-service"); r.ExitCode != 0 {
		t.Fatalf("unregister: %+v", r)
	}
	if r := th.run(machine.Dockerd, "--register-service"); r.ExitCode != 0 {
		t.Fatalf("register after unregister: %+v", r)
	}
}

// nerdctl version: the JSON on stdout, logrus's warnings on stderr (issue 16).
func TestNerdctlVersionStreams(t *testing.T) {
	th := newTestHost(t, machine.Config{}).withContainers()
	th.m.InstallTool(machine.Nerdctl, "2.1.2")
	for _, err := range []error{th.m.InstallEngine("containerd", "2.1.2"), th.m.RegisterService("containerd"), th.m.StartService("containerd")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	r := th.run(machine.Nerdctl, "--address", `\\.\pipe\containerd-containerd`, "version", "--format", "{{json .}}")
	if r.ExitCode != 0 || !strings.HasPrefix(r.Stdout, "{") || !strings.Contains(r.Stderr, "unable to determine buildctl version") {
		t.Fatalf("%+v", r)
	}
	if r := th.run(machine.Containerd, "--version"); !strings.HasPrefix(r.Stdout, "containerd github.com/containerd/containerd/v2 v2.1.2 ") {
		t.Fatalf("%+v", r)
	}
	if r := th.run(machine.Containerd, "config", "default"); r.ExitCode != 0 || !strings.HasPrefix(r.Stdout, "version = 3\r\n") {
		t.Fatalf("%+v", r)
	}
}

func TestTarExtractsReleaseArchive(t *testing.T) {
	th := newTestHost(t, machine.Config{})
	url := "https://github.com/containerd/containerd/releases/download/v2.1.2/containerd-2.1.2-windows-amd64.tar.gz"
	archive := machine.Downloads + `\containerd-2.1.2-windows-amd64.tar.gz`
	if _, err := th.m.Download(url, archive); err != nil {
		t.Fatal(err)
	}
	tar := `C:\Windows\System32\tar.exe`
	staging := machine.ContainerdDir + ".wincontainers-staging"
	if r := th.run(tar, "-xf", archive, "-C", staging); r.ExitCode != 0 {
		t.Fatalf("%+v", r)
	}
	f, ok := th.m.File(staging + `\bin\containerd.exe`)
	if !ok || f.Version != "2.1.2" {
		t.Fatalf("extracted %+v %v", f, ok)
	}
	// The same binary winsim's native install places.
	ref := machine.New(machine.Config{Build: 20348})
	if err := ref.InstallEngine("containerd", "2.1.2"); err != nil {
		t.Fatal(err)
	}
	if want, _ := ref.File(machine.Containerd); want.SHA256 != f.SHA256 {
		t.Fatal("hash differs from InstallEngine's")
	}
	r := th.run(tar, "-xf", machine.Downloads+`\nothing.tar.gz`, "-C", staging)
	if r.ExitCode != 1 || !strings.Contains(r.Stderr, "tar.exe: Error opening archive: Failed to open") {
		t.Fatalf("%+v", r)
	}
	th.m.WriteFile(machine.Downloads+`\junk.tar.gz`, []byte("not an archive"))
	r = th.run(tar, "-xf", machine.Downloads+`\junk.tar.gz`, "-C", staging)
	if r.ExitCode != 1 || !strings.Contains(r.Stderr, "Unrecognized archive format") {
		t.Fatalf("%+v", r)
	}
}
