package facts

import (
	"errors"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
)

func TestRelease(t *testing.T) {
	cases := []struct {
		name    string
		os      OS
		release string
		channel compat.Channel
	}{
		// The Annual Channel calls itself Windows Server 2022: only build 25398 tells [WSD-SC].
		{"annual by build", OS{Build: 25398, ProductName: "Windows Server 2022 Datacenter", DisplayVersion: "23H2", InstallationType: "Server Core"}, "23H2", compat.Annual},
		{"ltsc 2022", OS{Build: 20348, ProductName: "Windows Server 2022 Datacenter", DisplayVersion: "21H2", InstallationType: "Server Core"}, "2022", compat.LTSC},
		{"2019 by name", OS{Build: 17763, ProductName: "Windows Server 2019 Standard", DisplayVersion: "1809", InstallationType: "Server"}, "2019", compat.LTSC},
		{"1809 SAC", OS{Build: 17763, ProductName: "Windows Server Datacenter", DisplayVersion: "1809", InstallationType: "Server Core"}, "1809", compat.SAC},
		{"2016", OS{Build: 14393, ProductName: "Windows Server 2016 Datacenter", InstallationType: "Server"}, "2016", compat.LTSC},
		{"20H2", OS{Build: 19042, ProductName: "Windows Server Standard", InstallationType: "Server Core"}, "20H2", compat.SAC},
		{"2025", OS{Build: 26100, ProductName: "Windows Server 2025 Datacenter", InstallationType: "Server Core"}, "2025", compat.LTSC},
		// Client builds overlap server builds.
		{"win11 24h2", OS{Build: 26100, ProductName: "Windows 10 Pro", InstallationType: "Client"}, "win11-24h2", compat.ClientGA},
		{"win10 1809", OS{Build: 17763, ProductName: "Windows 10 Enterprise", InstallationType: "Client"}, "win10-1809", compat.ClientGA},
		{"win10 22h2", OS{Build: 19045, InstallationType: "Client"}, "win10-22h2", compat.ClientGA},
	}
	for _, c := range cases {
		r, err := Facts{OS: c.os}.Release()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if r.Name != c.release || r.Channel != c.channel {
			t.Errorf("%s: got %s/%s, want %s/%s", c.name, r.Name, r.Channel, c.release, c.channel)
		}
	}
	for _, bad := range []OS{{Build: 9600, ProductName: "Windows Server 2012 R2", InstallationType: "Server"}, {Build: 19045, InstallationType: "Server"}, {Build: 20348, InstallationType: "Client"}} {
		if _, err := (Facts{OS: bad}).Release(); !errors.Is(err, compat.ErrUnknownOS) {
			t.Errorf("%+v: want ErrUnknownOS, got %v", bad, err)
		}
	}
}

func TestEditionAndInstallation(t *testing.T) {
	cases := map[string]compat.Edition{
		"ServerDatacenter": compat.Datacenter, "ServerDatacenterCor": compat.Datacenter, "ServerStandard": compat.Standard,
		"ServerStandardEval": compat.Standard, "Professional": compat.Pro, "Enterprise": compat.Enterprise, "Core": "home",
		"ServerSolution": "serversolution",
	}
	for id, want := range cases {
		if got := (Facts{OS: OS{EditionID: id}}).Edition(); got != want {
			t.Errorf("%s: %s want %s", id, got, want)
		}
	}
	for it, want := range map[string]compat.Installation{"Server Core": compat.Core, "Server": compat.Desktop, "Client": "", "Nano Server": ""} {
		if got := (Facts{OS: OS{InstallationType: it}}).Installation(); got != want {
			t.Errorf("%s: %s want %s", it, got, want)
		}
	}
}

func TestFeatureStates(t *testing.T) {
	server := Facts{OS: OS{InstallationType: "Server Core"}, Features: map[string]string{
		"Containers": "InstallPending", "Hyper-V": "Available",
	}}
	if server.Feature("Containers") != FeatureInstallPending || server.Feature("Hyper-V") != FeatureAbsent || server.Feature("Nope") != FeatureUnknown {
		t.Errorf("server states: %v %v", server.Feature("Containers"), server.Feature("Hyper-V"))
	}
	client := Facts{OS: OS{InstallationType: "Client"}, Features: map[string]string{
		"Containers": "Enabled", "Microsoft-Hyper-V": "DisabledWithPayloadRemoved", "Hyper-V": "Enabled",
	}}
	if client.Feature("Containers") != FeatureInstalled || client.Feature("Hyper-V") != FeaturePayloadRemoved {
		t.Errorf("client states: %v %v", client.Feature("Containers"), client.Feature("Hyper-V"))
	}
}

func TestVirtualization(t *testing.T) {
	cases := []struct {
		v       Virtualization
		enable  bool
		virtual bool
	}{
		// A VM always sees a hypervisor; without exposed extensions it cannot run Hyper-V (no nesting).
		{Virtualization{HypervisorPresent: true, Manufacturer: "Microsoft Corporation", Model: "Virtual Machine"}, false, true},
		{Virtualization{HypervisorPresent: true, FirmwareEnabled: true, SLAT: true, VMMonitorModeExtensions: true, Manufacturer: "Microsoft Corporation", Model: "Virtual Machine"}, true, true},
		{Virtualization{HypervisorPresent: true, Manufacturer: "Dell Inc.", Model: "PowerEdge R650"}, true, false},
		{Virtualization{FirmwareEnabled: true, SLAT: true, VMMonitorModeExtensions: true, Manufacturer: "Dell Inc."}, true, false},
		{Virtualization{FirmwareEnabled: true, SLAT: false, VMMonitorModeExtensions: true}, false, false},
		{Virtualization{Manufacturer: "VMware, Inc.", Model: "VMware7,1"}, false, true},
		{Virtualization{Manufacturer: "QEMU", Model: "Standard PC (Q35 + ICH9, 2009)"}, false, true},
	}
	for _, c := range cases {
		if c.v.CanEnableHyperV() != c.enable || c.v.LooksVirtual() != c.virtual {
			t.Errorf("%+v: enable=%v virtual=%v", c.v, c.v.CanEnableHyperV(), c.v.LooksVirtual())
		}
	}
}

const sample = `{"schema":1,"os":{"build":20348,"ubr":2700,"product_name":"Windows Server 2022 Datacenter","display_version":"21H2",
"edition_id":"ServerDatacenter","installation_type":"Server Core","computer_name":"WIN-1"},"boot":{"boot_id":"b1","last_boot_up_time":"2026-11-22T10:00:00Z"},
"features":{"Containers":"Installed","Hyper-V":"Available"},"pending_reboot":{"component_based_servicing":false},
"virtualization":{"hypervisor_present":true},"engine":{"type":"docker","version":"27.3.1","service":{"name":"docker","state":"Running","start_type":"Automatic"},
"daemon_config":{"hosts":["npipe://"]},"data_root":"C:\\ProgramData\\docker"},"lcow":{"path":"C:\\Program Files\\Linux Containers","files":{}},
"disk":{"system_drive":"C:","free_bytes":53687091200},"powershell":{"version":"5.1.20348.2700","dotnet_release":528449}}`

func TestDecode(t *testing.T) {
	f, err := Decode([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if f.OS.Build != 20348 || f.Engine.Service.State != "Running" || !f.Engine.Service.Exists() || f.Feature("Containers") != FeatureInstalled ||
		string(f.Engine.DaemonConfig) != `{"hosts":["npipe://"]}` || f.Disk.FreeBytes != 53687091200 {
		t.Errorf("decoded %+v", f)
	}
	for _, bad := range []string{
		``, `{`, `[]`, `{"schema":2,"os":{"build":20348}}`, `{"schema":1,"os":{"build":0}}`,
		`{"schema":1,"os":{"build":20348,"ubr":-1}}`, `{"schema":1,"os":{"build":"20348"}}`,
	} {
		if _, err := Decode([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: want ErrMalformed, got %v", bad, err)
		}
	}
	_, err = Decode([]byte(`{"schema":2,"os":{"build":20348}}`))
	if err == nil || !strings.Contains(err.Error(), "matching versions") {
		t.Errorf("schema mismatch advice missing: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(`{"schema":1,"os":{"build":25398}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"schema":1,"os":{"build":20348},"manifest":{"images":7,"os":{"build":"x"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// Whatever decodes must be interpretable without panicking.
		_, _ = fs.Release()
		_ = fs.Edition()
		_ = fs.Feature("Hyper-V")
		_ = fs.PendingReboot.Reasons()
		if fs.Manifest != nil {
			_ = fs.Manifest.Images
		}
	})
}
