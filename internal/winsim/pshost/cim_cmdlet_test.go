package pshost

import (
	"strconv"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// The values facts.ps1 reads are the machine model's.
func TestCimInstancesForFacts(t *testing.T) {
	th := newTestHost(t, machine.Config{Virtualization: "exposed"})
	os := th.call("Get-CimInstance", map[string]any{"ClassName": "Win32_OperatingSystem"})
	if len(os.out) != 1 {
		t.Fatalf("%+v", os)
	}
	lb, _ := os.out[0].(value.Object).Property("LastBootUpTime")
	dt, ok := lb.(value.DateTime)
	if !ok {
		t.Fatalf("LastBootUpTime is %T", lb)
	}
	boot := th.w.BootTime()
	// facts.ps1: boot_id = [string]$os.LastBootUpTime.ToUniversalTime().Ticks, as host.BootID computes it.
	if got, want := dt.ToUniversalTime().Ticks, boot.UnixNano()/100+621355968000000000; got != want {
		t.Fatalf("ticks %d, want %d", got, want)
	}
	cs := th.call("Get-CimInstance", map[string]any{"ClassName": "Win32_ComputerSystem"}).out[0]
	cpu := th.call("Get-CimInstance", map[string]any{"ClassName": "Win32_Processor"}).out[0]
	for obj, want := range map[any]map[string]string{
		cs:  {"HypervisorPresent": "True", "Manufacturer": "Microsoft Corporation", "Model": "Virtual Machine"},
		cpu: {"VirtualizationFirmwareEnabled": "True", "SecondLevelAddressTranslationExtensions": "True", "VMMonitorModeExtensions": "True"},
	} {
		for k, v := range want {
			if got := prop(t, obj, k); got != v {
				t.Errorf("%s = %s, want %s", k, got, v)
			}
		}
	}
	disk := th.call("Get-CimInstance", map[string]any{"ClassName": "Win32_LogicalDisk", "Filter": "DeviceID='C:'"})
	if len(disk.out) != 1 || prop(t, disk.out[0], "FreeSpace") != strconv.FormatInt(64<<30, 10) {
		t.Fatalf("%+v", disk)
	}
	if r := th.call("Get-CimInstance", map[string]any{"ClassName": "Win32_LogicalDisk", "Filter": "DeviceID='D:'"}); len(r.out) != 0 || len(r.errs) != 0 {
		t.Fatalf("%+v", r)
	}
	none := newTestHost(t, machine.Config{})
	if got := prop(t, none.call("Get-CimInstance", map[string]any{"ClassName": "Win32_Processor"}).out[0], "VirtualizationFirmwareEnabled"); got != "False" {
		t.Fatalf("without exposed virtualization: %s", got)
	}
}

func TestWin32Service(t *testing.T) {
	th := newTestHost(t, machine.Config{Clock: time.Now}).withDocker(false)
	th.m.Boot()
	q := map[string]any{"ClassName": "Win32_Service", "Filter": "Name='docker'"}
	r := th.call("Get-CimInstance", q)
	if len(r.out) != 1 {
		t.Fatalf("%+v", r)
	}
	for k, want := range map[string]string{"Name": "docker", "State": "Stopped", "StartMode": "Auto", "PathName": `"C:\Program Files\Docker\dockerd.exe" --run-service`} {
		if got := prop(t, r.out[0], k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// A failed start (no Containers feature): ERROR_SERVICE_SPECIFIC_ERROR with dockerd's code 1.
	_ = th.m.StartService("docker")
	r = th.call("Get-CimInstance", q)
	if prop(t, r.out[0], "ExitCode") != "1066" || prop(t, r.out[0], "ServiceSpecificExitCode") != "1" {
		t.Fatalf("exit codes %s/%s", prop(t, r.out[0], "ExitCode"), prop(t, r.out[0], "ServiceSpecificExitCode"))
	}
	if r := th.call("Get-CimInstance", map[string]any{"ClassName": "Win32_Service", "Filter": "Name='containerd'"}); len(r.out) != 0 || len(r.errs) != 0 {
		t.Fatalf("a missing service is no output, no error: %+v", r)
	}
	r = th.call("Get-CimInstance", map[string]any{"ClassName": "Win32_Service", "Filter": "Nom='docker'"})
	if len(r.errs) != 1 || r.errs[0].Exception.Message != "Invalid query " {
		t.Fatalf("%s", r.errText())
	}
	if r := th.call("Get-CimInstance", map[string]any{"ClassName": "Win32_Bios"}); r.err == nil {
		t.Fatal("an unmodelled class must fail loudly")
	}
}
