package machine

import (
	"slices"
	"testing"
)

func TestRegPath(t *testing.T) {
	for in, want := range map[string]string{`HKLM:\SOFTWARE\x\`: `SOFTWARE\x`, `HKEY_LOCAL_MACHINE\a`: `a`, `hklm:`: ``,
		`Microsoft.PowerShell.Core\Registry::HKEY_LOCAL_MACHINE\SOFTWARE`: `SOFTWARE`, `SYSTEM\x`: `SYSTEM\x`} {
		got, err := RegPath(in)
		if err != nil || got != want {
			t.Errorf("RegPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, other := range []string{`HKCU:\Software`, `HKEY_CURRENT_USER\Software`, `Cert:\LocalMachine`} {
		if _, err := RegPath(other); err == nil {
			t.Errorf("RegPath(%q): another hive is not modelled", other)
		}
	}
}

func TestRegistryKeysAndValues(t *testing.T) {
	m := newMachine(Config{Build: 20348})
	if created, err := m.RegCreateKey(`HKLM:\SOFTWARE\Test\Sub`); err != nil || !created {
		t.Fatal(created, err)
	}
	if !m.RegKeyExists(`HKLM:\software\TEST`) {
		t.Fatal("parent key not created")
	}
	if err := m.RegSetValue(`HKLM:\SOFTWARE\Test`, RegValue{Name: "N", Kind: RegDWord, Data: uint32(7)}); err != nil {
		t.Fatal(err)
	}
	if err := m.RegSetValue(`HKLM:\SOFTWARE\Test`, RegValue{Name: "S", Kind: RegDWord, Data: "x"}); err == nil {
		t.Fatal("a DWord holding a string was accepted")
	}
	if err := m.RegSetValue(`HKLM:\SOFTWARE\Missing`, RegValue{Name: "S", Kind: RegString, Data: "x"}); err == nil {
		t.Fatal("a value in a missing key was accepted")
	}
	v, keyOK, ok := m.RegGetValue(`HKLM:\SOFTWARE\Test`, "n")
	if !keyOK || !ok || v.Data != uint32(7) || v.Name != "N" {
		t.Fatalf("RegGetValue = %+v %v %v", v, keyOK, ok)
	}
	if subs, _ := m.RegSubKeys(`HKLM:\SOFTWARE\Test`); !slices.Equal(subs, []string{"Sub"}) {
		t.Fatalf("subkeys %v", subs)
	}
	if ok, _ := m.RegDeleteKey(`HKLM:\SOFTWARE\Test`); !ok || m.RegKeyExists(`HKLM:\SOFTWARE\Test\Sub`) {
		t.Fatal("RegDeleteKey is not a tree delete")
	}
}

// The keys that stand for machine state stay in step with it both ways.
func TestRegistryMirrorsMachineState(t *testing.T) {
	m := newMachine(Config{Build: 20348})
	if m.RegKeyExists(RebootPendingKey) || m.PendingReboot() {
		t.Fatal("a fresh machine has a pending reboot")
	}
	if _, err := m.InstallFeature("Containers"); err != nil {
		t.Fatal(err)
	}
	if !m.RegKeyExists(`HKLM:\` + RebootPendingKey) {
		t.Fatal("a pending feature install shows no RebootPending key")
	}
	m.Boot()
	if m.RegKeyExists(RebootPendingKey) {
		t.Fatal("RebootPending survives the boot")
	}

	// Event sources: dockerd --register-service makes one, Remove-Item of the key removes it.
	m.InstallTool(Dockerd, "27.3.1")
	if err := m.RegisterService("docker"); err != nil {
		t.Fatal(err)
	}
	src := `HKLM:\` + eventLogKey + `\docker`
	if !m.RegKeyExists(src) {
		t.Fatal("the docker event source has no key")
	}
	if ok, _ := m.RegDeleteKey(src); !ok || m.EventSource("docker") {
		t.Fatal("deleting the key left the event source")
	}
	if _, err := m.RegCreateKey(src); err != nil || !m.EventSource("docker") {
		t.Fatal("creating the key made no event source")
	}
	m.RemoveEventSource("docker")
	if m.RegKeyExists(src) {
		t.Fatal("the engine model's removal left the key")
	}
	if !m.RegKeyExists(`HKLM:\`+eventLogKey+`\Application Error`) || m.EventSource("application error") {
		t.Fatal("stock event sources")
	}

	// The verification marker.
	m.SetRegistry("VerifiedSpecHash", "abc")
	if v, _, ok := m.RegGetValue(`HKLM:\SOFTWARE\wincontainers`, "VerifiedSpecHash"); !ok || v.Kind != RegString || v.Data != "abc" {
		t.Fatalf("marker value %+v", v)
	}
	if err := m.RegSetValue(`HKLM:\SOFTWARE\wincontainers`, RegValue{Name: "VerifiedAt", Kind: RegString, Data: "t"}); err != nil || m.Registry("VerifiedAt") != "t" {
		t.Fatal("a registry write is not what Registry reads")
	}
}

// The machine PATH is the REG_EXPAND_SZ value: AddToPath keeps its %SystemRoot% entries; winsim's view
// is the expanded one.
func TestMachinePathIsTheRegistryValue(t *testing.T) {
	m := newMachine(Config{Build: 17763})
	v, _, _ := m.RegGetValue(EnvironmentKey, "Path")
	want := `%SystemRoot%\system32;%SystemRoot%;%SystemRoot%\System32\Wbem;%SYSTEMROOT%\System32\WindowsPowerShell\v1.0\;%SYSTEMROOT%\System32\OpenSSH\`
	if v.Kind != RegExpandString || v.Data != want {
		t.Fatalf("stock Path = %+v", v)
	}
	if got := m.MachinePath(); got[0] != `C:\Windows\system32` || got[4] != `C:\Windows\System32\OpenSSH\` {
		t.Fatalf("MachinePath = %v", got)
	}
	if !m.AddToPath(DockerDir + `\`) {
		t.Fatal("AddToPath")
	}
	v, _, _ = m.RegGetValue(EnvironmentKey, "Path")
	if v.Kind != RegExpandString || v.Data != want+`;`+DockerDir {
		t.Fatalf("Path after AddToPath = %+v", v)
	}
	if !m.RemoveFromPath(DockerDir) || m.RemoveFromPath(DockerDir) {
		t.Fatal("RemoveFromPath")
	}
	if old := newMachine(Config{Build: 14393}); len(old.MachinePath()) != 4 {
		t.Fatalf("Server 2016 has no OpenSSH entry: %v", old.MachinePath())
	}
}
