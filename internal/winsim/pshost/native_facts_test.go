package pshost

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// facts.ps1 itself, through the engine, on this host and the file system part: the values this part
// provides are the ones the machine model holds.
func TestEngineFactsScript(t *testing.T) {
	lib, err := powershell.Load()
	if err != nil {
		t.Fatal(err)
	}
	facts, err := lib.Script("facts")
	if err != nil {
		t.Fatal(err)
	}
	th := newTestHost(t, machine.Config{Virtualization: "exposed"}).withContainers().withDocker(false)
	// A start that fails (daemon.json is not JSON) leaves its reason in the event log: last_error.
	th.m.WriteFile(machine.DaemonJSON, []byte("{not json"))
	if err := th.m.StartService("docker"); err == nil {
		t.Fatal("docker started with a broken daemon.json")
	}
	cmdlets, types, natives := System(th.m, th.w)
	fsCmdlets, fsTypes := fileSystem(th.m, CertProvider(th.w))
	var out, errOut strings.Builder
	s := engine.NewSession(engine.Config{Commands: append(cmdlets, fsCmdlets...), Types: append(types, fsTypes...), Natives: natives,
		Stdout: &out, Stderr: &errOut,
		Env: map[string]string{"Path": `C:\Windows\system32;C:\Windows`, "PATHEXT": ".COM;.EXE", "SystemRoot": `C:\Windows`,
			"ProgramFiles": `C:\Program Files`, "ProgramData": `C:\ProgramData`, "SystemDrive": "C:", "COMPUTERNAME": "WINSIM-TEST"}})
	prelude := "function Write-WcResult($Object) { [Console]::Out.WriteLine('##wincontainers:result ' + ($Object | ConvertTo-Json -Compress -Depth 8)) }\r\n" +
		"function Get-WcParams { return $null }\r\n"
	code := s.Run(prelude + facts.Body)
	if f := s.Fault(); f != nil || code != 0 {
		t.Fatalf("exit %d fault %v\n%s\n%s", code, f, out.String(), errOut.String())
	}
	_, line, ok := strings.Cut(out.String(), "##wincontainers:result ")
	if !ok {
		t.Fatalf("no result: %s", out.String())
	}
	var doc struct {
		Boot           map[string]string
		Features       map[string]string
		Virtualization map[string]any
		Engine         struct {
			Type, Version string
			Service       map[string]string
		}
		Disk map[string]any
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &doc); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	wantBoot := th.w.BootTime().UnixNano()/100 + 621355968000000000
	if doc.Boot["boot_id"] != strings.TrimSpace(jsonNumber(wantBoot)) {
		t.Errorf("boot_id %s, want %d", doc.Boot["boot_id"], wantBoot)
	}
	if doc.Features["Containers"] != "Installed" || doc.Features["Hyper-V"] != "Available" {
		t.Errorf("features %v", doc.Features)
	}
	v := doc.Virtualization
	if v["hypervisor_present"] != true || v["firmware_enabled"] != true || v["manufacturer"] != "Microsoft Corporation" || v["hypervisor_launch_type"] != "" {
		t.Errorf("virtualization %v", v)
	}
	if doc.Engine.Type != "docker" || doc.Engine.Version != "29.2.1" || doc.Engine.Service["state"] != "Stopped" || doc.Engine.Service["start_type"] != "Automatic" ||
		doc.Engine.Service["last_error"] != strings.TrimSpace(th.m.LastError("docker")) || doc.Engine.Service["last_error"] == "" {
		t.Errorf("engine %+v", doc.Engine)
	}
	if doc.Disk["free_bytes"] != float64(64<<30) {
		t.Errorf("disk %v", doc.Disk)
	}
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
