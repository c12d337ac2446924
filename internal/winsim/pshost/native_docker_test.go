package pshost

import (
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

const nano2022 = "mcr.microsoft.com/windows/nanoserver:ltsc2022"

func TestDockerVersionInfoAndPull(t *testing.T) {
	th := newTestHost(t, machine.Config{}).withContainers().withDocker(false)
	r := th.run(machine.DockerCLI, "version", "--format", "{{.Server.Os}}/{{.Server.Arch}}")
	if r.ExitCode != 1 || !strings.Contains(r.Stderr, "docker daemon is not running") || r.Stdout != "" {
		t.Fatalf("down: %+v", r)
	}
	if err := th.m.StartService("docker"); err != nil {
		t.Fatal(err)
	}
	if r := th.run(machine.DockerCLI, "version", "--format", "{{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}"); r.Stdout != "29.2.1 windows/amd64\r\n" {
		t.Fatalf("%+v", r)
	}
	if r := th.run(machine.DockerCLI, "info", "--format", "{{.Isolation}} {{.ExperimentalBuild}}"); r.Stdout != "process false\r\n" {
		t.Fatalf("%+v", r)
	}
	if r := th.run(machine.DockerCLI, "version", "--format", "{{json .}}"); !strings.Contains(r.Stderr, "does not implement") {
		t.Fatalf("an unmodelled template: %+v", r)
	}
	if r := th.run(machine.DockerCLI, "image", "inspect", nano2022); r.ExitCode != 1 || r.Stderr != "Error: No such image: "+nano2022+"\r\n" {
		t.Fatalf("%+v", r)
	}
	r = th.run(machine.DockerCLI, "pull", nano2022)
	if r.ExitCode != 0 || !strings.HasSuffix(r.Stdout, "\r\n"+nano2022+"\r\n") {
		t.Fatalf("%+v", r)
	}
	if r := th.run(machine.DockerCLI, "image", "inspect", "--format", "{{.Id}}", nano2022); r.ExitCode != 0 || !strings.HasPrefix(r.Stdout, "sha256:") {
		t.Fatalf("%+v", r)
	}
	r = th.run(machine.DockerCLI, "pull", "mcr.microsoft.com/windows/nanoserver:ltsc2025")
	if r.ExitCode != 1 || !strings.Contains(r.Stderr, "a Windows version 10.0.26100-based image is incompatible with a 10.0.20348 host") {
		t.Fatalf("%+v", r)
	}
}

// verify.ps1's Hyper-V proof: a detached ping -t is invisible on the host while vmwp runs; with process
// isolation the container's ping is a host process with the PID docker top shows.
func TestDetachedPingAndProcesses(t *testing.T) {
	th := newTestHost(t, machine.Config{Virtualization: "exposed"})
	for _, f := range []string{"Containers", "Hyper-V"} {
		if _, err := th.m.InstallFeature(f); err != nil {
			t.Fatal(err)
		}
	}
	th.m.Boot()
	th.withDocker(true)
	if r := th.run(machine.DockerCLI, "pull", nano2022); r.ExitCode != 0 {
		t.Fatal(r.Stderr)
	}
	if r := th.run(machine.DockerCLI, "run", "--rm", "--isolation=hyperv", nano2022, "cmd", "/c", "ver"); r.ExitCode != 0 || !strings.Contains(r.Stdout, "Microsoft Windows [Version 10.0.20348") {
		t.Fatalf("%+v", r)
	}
	r := th.run(machine.DockerCLI, "run", "-d", "--isolation=hyperv", nano2022, "ping", "-t", "localhost")
	if r.ExitCode != 0 {
		t.Fatalf("%+v", r)
	}
	id := strings.TrimSpace(r.Stdout)
	top := th.run(machine.DockerCLI, "top", id)
	if top.ExitCode != 0 || !strings.HasPrefix(top.Stdout, "Name                PID                 CPU                 Private Working Set\r\n") || !strings.Contains(top.Stdout, "\r\nping.exe ") {
		t.Fatalf("top: %q", top.Stdout)
	}
	if r := th.run(machine.DockerCLI, "inspect", "--format", "{{.State.Running}}", id); r.Stdout != "true\r\n" {
		t.Fatalf("%+v", r)
	}
	if r := th.call("Get-Process", map[string]any{"Name": []string{"ping"}}); len(r.out) != 0 || len(r.errs) != 1 ||
		r.errs[0].Exception.Message != `Cannot find a process with the name "ping". Verify the process name and call the cmdlet again.` {
		t.Fatalf("ping seen on the host: %+v %s", r, r.errText())
	}
	if r := th.call("Get-Process", map[string]any{"Name": []string{"vmwp"}}); len(r.out) != 1 {
		t.Fatalf("vmwp: %+v", r)
	}
	if r := th.run(machine.DockerCLI, "rm", "-f", id); r.ExitCode != 0 || r.Stdout != id+"\r\n" {
		t.Fatalf("%+v", r)
	}
	if r := th.run(machine.DockerCLI, "rm", "-f", id); r.ExitCode != 0 {
		t.Fatalf("rm -f of a removed container: %+v", r)
	}
	if r := th.call("Get-Process", map[string]any{"Name": []string{"vmwp"}}); len(r.out) != 0 {
		t.Fatal("vmwp after rm")
	}
	// Process isolation: the container's ping is a host process.
	r = th.run(machine.DockerCLI, "run", "-d", "--isolation=process", nano2022, "ping", "-t", "localhost")
	id = strings.TrimSpace(r.Stdout)
	pr := th.call("Get-Process", map[string]any{"Name": []string{"ping"}})
	top = th.run(machine.DockerCLI, "top", id)
	if len(pr.out) != 1 || !strings.Contains(top.Stdout, "ping.exe            "+prop(t, pr.out[0], "Id")+" ") {
		t.Fatalf("process isolation: %+v %q", pr, top.Stdout)
	}
	// The engine's stop stops its containers.
	th.m.StopService("docker")
	if r := th.call("Get-Process", map[string]any{"Name": []string{"ping"}}); len(r.out) != 0 {
		t.Fatal("ping after the engine stopped")
	}
}

func TestDockerRunLinuxOnWindowsDaemon(t *testing.T) {
	th := newTestHost(t, machine.Config{}).withContainers().withDocker(true)
	r := th.run(machine.DockerCLI, "run", "--rm", "--platform", "linux", "busybox", "uname")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "unsupported os linux") {
		t.Fatalf("%+v", r)
	}
}
