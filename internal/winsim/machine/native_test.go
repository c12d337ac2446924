package machine

import (
	"encoding/json"
	"strings"
	"testing"
)

// containerdHost is a ws2022 machine with containerd and nerdctl installed, registered and running.
func containerdHost(t *testing.T, nerdctl string) *Machine {
	t.Helper()
	m := newMachine(Config{Build: 20348})
	if _, err := m.InstallFeature("Containers"); err != nil {
		t.Fatal(err)
	}
	m.Boot()
	m.InstallTool(Nerdctl, nerdctl)
	for _, err := range []error{m.InstallEngine("containerd", "2.1.2"), m.RegisterService("containerd"), m.StartService("containerd")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// nerdctl version on Windows: the JSON on stdout, logrus's buildctl and runc warnings on stderr
// (pkg/infoutil/infoutil.go). Merged the way 2>&1 merges them, the text no longer parses as JSON, which
// is what broke start-service and verify (issue 16, defect 2).
func TestNerdctlVersionWarnsOnStderr(t *testing.T) {
	for _, c := range []struct {
		nerdctl, warning string
	}{
		{"2.1.2", `level=warning msg="unable to determine buildctl version" error="exec: \"buildctl\": executable file not found in %PATH%"`},
		{"1.7.7", `level=warning msg="unable to determine buildctl version: exec: \"buildctl\": executable file not found in %PATH%"`},
	} {
		t.Run(c.nerdctl, func(t *testing.T) {
			m := containerdHost(t, c.nerdctl)
			r := m.NerdctlVersion()
			if r.ExitCode != 0 {
				t.Fatalf("exit %d: %s", r.ExitCode, r.Stderr)
			}
			var v struct {
				Client struct{ Version, Os, Arch string }
				Server struct {
					Components []struct{ Name, Version string }
				}
			}
			if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, r.Stdout)
			}
			if v.Client.Os != "windows" || v.Client.Version != "v"+c.nerdctl || len(v.Server.Components) != 2 ||
				v.Server.Components[0].Name != "containerd" || v.Server.Components[0].Version != "v2.1.2" {
				t.Errorf("version document %+v", v)
			}
			lines := strings.Split(strings.TrimSpace(r.Stderr), "\r\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], `time="2026-03-01T12:00:00Z" `) || !strings.HasSuffix(lines[0], c.warning) ||
				!strings.Contains(lines[1], "unable to determine runc version") {
				t.Errorf("stderr %q", r.Stderr)
			}
			var merged any
			if json.Unmarshal([]byte(r.Stderr+r.Stdout), &merged) == nil {
				t.Error("stdout and stderr together parse as JSON; the warnings must break a parser that reads both")
			}
		})
	}
	m := containerdHost(t, "2.1.2")
	m.StopService("containerd")
	if r := m.NerdctlVersion(); r.ExitCode != 1 || !strings.Contains(r.Stderr, `level=fatal msg="cannot access containerd socket`) || !strings.Contains(r.Stdout, `"Server":null`) {
		t.Errorf("with containerd stopped: %+v", r)
	}
}

// dockerd --register-service creates the service, then its event log source, and fails when the source's
// key exists (golang.org/x/sys eventlog.Install). sc.exe delete leaves the key, so the next registration
// fails once, leaving the service registered; --unregister-service removes both (issue 16, defect 8).
func TestDockerEventLogSourceOutlivesScDelete(t *testing.T) {
	m := newMachine(Config{Build: 20348})
	if err := m.InstallEngine("docker", "29.2.1"); err != nil {
		t.Fatal(err)
	}
	checkErr(t, m.RegisterService("docker"), "")
	if !m.EventSource("docker") {
		t.Fatal("no event log source after --register-service")
	}
	checkErr(t, m.DeleteService("docker"), "")
	if hasService(m, "docker") || !m.EventSource("docker") {
		t.Fatalf("after sc.exe delete: service %v, source %v", hasService(m, "docker"), m.EventSource("docker"))
	}
	checkErr(t, m.RegisterService("docker"), `SYSTEM\CurrentControlSet\Services\EventLog\Application\docker registry key already exists`)
	if !hasService(m, "docker") {
		t.Error("the failed registration must leave the service it created")
	}
	checkErr(t, m.RegisterService("docker"), "The specified service already exists.")
	checkErr(t, m.UnregisterService("docker"), "")
	if hasService(m, "docker") || m.EventSource("docker") {
		t.Error("--unregister-service must remove the service and its event log source")
	}
	checkErr(t, m.RegisterService("docker"), "")
	checkErr(t, m.DeleteService("nosuch"), "The specified service does not exist as an installed service.")
}
