package pshost

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Scripts through winsim's PowerShell engine against this host (the issue 16 regressions).

func (th *testHost) script(src string) (code int, stdout, stderr string) {
	th.t.Helper()
	cmdlets, types, natives := System(th.m, th.w)
	var out, errOut bytes.Buffer
	s := engine.NewSession(engine.Config{Context: context.Background(), Commands: cmdlets, Types: types, Natives: natives,
		Stdout: &out, Stderr: &errOut, MaxSteps: 200000,
		Env: map[string]string{"Path": `C:\Windows\system32;C:\Windows;C:\Program Files\Docker;C:\Program Files\nerdctl`,
			"PATHEXT": ".COM;.EXE;.BAT;.CMD", "SystemRoot": `C:\Windows`, "ProgramFiles": `C:\Program Files`, "ProgramData": `C:\ProgramData`}})
	code = s.Run(src)
	if f := s.Fault(); f != nil {
		th.t.Fatalf("engine fault: %v\n%s", f, errOut.String())
	}
	return code, out.String(), errOut.String()
}

func nativeInclude(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../powershell/scripts/include/native.ps1")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shutdown.exe's 1190 is on stderr: with 2>&1 under Stop the record ends the script; through
// Invoke-WcNative it is a record to read.
func TestEngineShutdown1190(t *testing.T) {
	th := newTestHost(t, machine.Config{})
	th.w.SetRestart(func() {})
	code, out, errOut := th.script("$ErrorActionPreference = 'Stop'\r\n" +
		"& 'C:\\Windows\\System32\\shutdown.exe' /r /t 30 2>&1\r\n" +
		"& 'C:\\Windows\\System32\\shutdown.exe' /r /t 30 2>&1\r\n" +
		"[Console]::Out.WriteLine('not reached')\r\n")
	if code == 0 || strings.Contains(out, "not reached") || !strings.Contains(errOut, "A system shutdown has already been scheduled.(1190)") {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	if err := th.w.AbortShutdown(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = th.script("$ErrorActionPreference = 'Stop'\r\n" + nativeInclude(t) +
		"$r = Invoke-WcNative 'C:\\Windows\\System32\\shutdown.exe' @('/r', '/f', '/t', '30', '/d', 'p:4:1', '/c', 'wincontainers restart')\r\n" +
		"$r = Invoke-WcNative 'C:\\Windows\\System32\\shutdown.exe' @('/r', '/f', '/t', '30', '/d', 'p:4:1', '/c', 'wincontainers restart')\r\n" +
		"[Console]::Out.WriteLine(('{0}|{1}|{2}' -f $r.code, $r.stdout, $r.stderr))\r\n")
	if code != 0 || out != "1190||A system shutdown has already been scheduled.(1190)\r\n" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

// nerdctl version's JSON is stdout; merged with its stderr warnings it does not parse (issue 16).
func TestEngineNerdctlVersion(t *testing.T) {
	th := newTestHost(t, machine.Config{}).withContainers()
	th.m.InstallTool(machine.Nerdctl, "2.1.2")
	for _, err := range []error{th.m.InstallEngine("containerd", "2.1.2"), th.m.RegisterService("containerd"), th.m.StartService("containerd")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := th.script("$ErrorActionPreference = 'Stop'\r\n" + nativeInclude(t) +
		"$r = Invoke-WcNative (Join-Path $env:ProgramFiles 'nerdctl\\nerdctl.exe') @('--address', '\\\\.\\pipe\\containerd-containerd', 'version', '--format', '{{json .}}')\r\n" +
		"$v = $r.stdout | ConvertFrom-Json\r\n" +
		"[Console]::Out.WriteLine(('{0}/{1}' -f $v.Client.Os, $v.Client.Arch))\r\n" +
		"try { $null = $r.output | ConvertFrom-Json; [Console]::Out.WriteLine('parsed') } catch { [Console]::Out.WriteLine($_.Exception.Message) }\r\n")
	// The merged text does not parse (the README quotes JavaScriptSerializer's "Invalid JSON primitive:
	// time."; the exact remainder is the value layer's).
	if code != 0 || !strings.HasPrefix(out, "windows/amd64\r\nInvalid JSON primitive: ") {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

// The module inventory as scripts see it: Get-HnsNetwork only with the Containers feature from
// 17763, New-HnsNetwork nowhere, ServerManager only on servers.
func TestEngineInventory(t *testing.T) {
	probe := "Import-Module HostNetworkingService -ErrorAction SilentlyContinue\r\n" +
		"[Console]::Out.WriteLine([string]($null -ne (Get-Command Get-HnsNetwork -ErrorAction SilentlyContinue)))\r\n" +
		"[Console]::Out.WriteLine([string]($null -ne (Get-Command New-HnsNetwork -ErrorAction SilentlyContinue)))\r\n" +
		"[Console]::Out.WriteLine([string]($null -ne (Get-Command Get-WindowsFeature -ErrorAction SilentlyContinue)))\r\n"
	for _, c := range []struct {
		cfg  machine.Config
		feat bool
		want string
	}{
		{machine.Config{Build: 14393}, true, "False\r\nFalse\r\nTrue\r\n"},
		{machine.Config{Build: 20348}, false, "False\r\nFalse\r\nTrue\r\n"},
		{machine.Config{Build: 20348}, true, "True\r\nFalse\r\nTrue\r\n"},
		{machine.Config{Build: 26100, Client: true}, true, "True\r\nFalse\r\nFalse\r\n"},
	} {
		th := newTestHost(t, c.cfg)
		if c.feat {
			th.withContainers()
		}
		if _, out, errOut := th.script(probe); out != c.want {
			t.Errorf("%+v: %q (stderr %q)", c.cfg, out, errOut)
		}
	}
}

// Install-WindowsFeature's RestartNeeded is an enum: -ne 'No' is the test (install-features.ps1).
func TestEngineRestartNeeded(t *testing.T) {
	th := newTestHost(t, machine.Config{})
	_, out, errOut := th.script("$r = Install-WindowsFeature -Name Containers\r\n" +
		"[Console]::Out.WriteLine(('{0} {1} {2} {3}' -f $r.Success, $r.RestartNeeded, $r.ExitCode, ([string]$r.RestartNeeded -ne 'No')))\r\n" +
		"$s = Get-Service -Name docker -ErrorAction SilentlyContinue\r\n" +
		"[Console]::Out.WriteLine([string]($null -eq $s))\r\n")
	if out != "True Yes SuccessRestartRequired True\r\nTrue\r\n" {
		t.Fatalf("%q (stderr %q)", out, errOut)
	}
}
