package pshost

import (
	"context"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// composeTestHost is a started Docker <dockerVersion> on build <build> with the Compose <compose> plugin
// downloaded into Program Files and a one-service compose file.
func composeTestHost(t *testing.T, build int, dockerVersion, compose string, network string) *testHost {
	t.Helper()
	th := newTestHost(t, machine.Config{Build: build}).withContainers()
	for _, err := range []error{th.m.InstallEngine("docker", dockerVersion), th.m.RegisterService("docker"), th.m.StartService("docker")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if compose != "" {
		exe := "https://github.com/docker/compose/releases/download/v" + compose + "/docker-compose-windows-x86_64.exe"
		if _, err := th.m.Download(exe, `C:\Program Files\Docker\cli-plugins\docker-compose.exe`); err != nil {
			t.Fatal(err)
		}
	}
	image := "mcr.microsoft.com/windows/nanoserver:ltsc2022"
	if build == 14393 {
		image = "mcr.microsoft.com/windows/servercore:ltsc2016"
	}
	body := "services:\n  probe:\n    image: '" + image + "'\n    command: ['ping', '-t', 'localhost']\n    isolation: 'process'\n"
	if network == "nat" {
		body += "networks:\n  default:\n    name: nat\n    external: true\n"
	}
	th.m.WriteFile(`C:\p\compose.yaml`, []byte(body))
	return th
}

func (th *testHost) compose(args ...string) (stdout, stderr string, code int) {
	r := runDockerCLI(context.Background(), th.h, `C:\Program Files\Docker\docker.exe`, append([]string{"compose", "-p", "p", "-f", `C:\p\compose.yaml`}, args...))
	return r.Stdout, r.Stderr, r.ExitCode
}

func TestComposeProgram(t *testing.T) {
	t.Run("up, ps and down on 2022", func(t *testing.T) {
		th := composeTestHost(t, 20348, "29.2.1", "5.5.0", "project")
		if _, errOut, code := th.compose("up", "-d"); code != 0 || !strings.Contains(errOut, "Network p_default  Created") || !strings.Contains(errOut, "Container p-probe-1  Started") {
			t.Fatalf("up: exit %d, stderr %q", code, errOut)
		}
		if out, _, code := th.compose("ps", "--services", "--status", "running"); code != 0 || out != "probe\r\n" {
			t.Fatalf("ps: exit %d, %q", code, out)
		}
		if _, _, code := th.compose("down"); code != 0 {
			t.Fatalf("down exit %d", code)
		}
		if out, _, _ := th.compose("ps", "-a", "-q"); out != "" || th.m.Networks()["p_default"] != "" {
			t.Fatalf("after down: ps %q, networks %v", out, th.m.Networks())
		}
	})
	t.Run("project network on 2016", func(t *testing.T) {
		th := composeTestHost(t, 14393, "20.10.24", "5.5.0", "project")
		_, errOut, code := th.compose("up", "-d")
		want := "failed to create network p_default: Error response from daemon: HNS failed with error : The parameter is incorrect. \r\n"
		if code != 1 || !strings.HasSuffix(errOut, want) {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if _, errOut, code := composeTestHost(t, 14393, "20.10.24", "5.5.0", "nat").compose("up", "-d"); code != 0 {
			t.Fatalf("nat external on 2016: exit %d, %q", code, errOut)
		}
	})
	t.Run("client API floor", func(t *testing.T) {
		th := composeTestHost(t, 14393, "18.09.11", "5.5.0", "nat")
		_, errOut, code := th.compose("up", "-d")
		if code != 1 || errOut != "API version 1.39 is not supported by this client: the minimum supported API version is 1.40\r\n" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if _, errOut, code := composeTestHost(t, 14393, "18.09.11", "2.40.3", "nat").compose("up", "-d"); code != 0 {
			t.Fatalf("compose v2 on 18.09: exit %d, %q", code, errOut)
		}
	})
	t.Run("DOCKER_API_VERSION too new", func(t *testing.T) {
		th := composeTestHost(t, 14393, "20.10.24", "5.5.0", "nat")
		if err := th.m.RegSetValue(machine.EnvironmentKey, machine.RegValue{Name: "DOCKER_API_VERSION", Kind: machine.RegString, Data: "1.44"}); err != nil {
			t.Fatal(err)
		}
		_, errOut, code := th.compose("up", "-d")
		if code != 1 || errOut != "Error response from daemon: client version 1.44 is too new. Maximum supported API version is 1.41\r\n" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("no plugin", func(t *testing.T) {
		_, errOut, code := composeTestHost(t, 20348, "29.2.1", "", "nat").compose("version")
		if code != 1 || errOut != "docker: 'compose' is not a docker command.\r\nSee 'docker --help'\r\n" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("version", func(t *testing.T) {
		out, _, code := composeTestHost(t, 20348, "29.2.1", "5.5.0", "nat").compose("version", "--short")
		if code != 0 || out != "5.5.0\r\n" {
			t.Fatalf("exit %d, %q", code, out)
		}
	})
}
