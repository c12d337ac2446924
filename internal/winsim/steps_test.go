package winsim

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// result runs a native step and returns its exit code and result document.
func result(t *testing.T, fn func(*machine.Machine, params, io.Writer) uint32, m *machine.Machine, p params) (uint32, map[string]any) {
	t.Helper()
	var out bytes.Buffer
	code := fn(m, p, &out)
	_, line, ok := strings.Cut(out.String(), "##wincontainers:result ")
	if !ok {
		t.Fatalf("no result line in %q", out.String())
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &doc); err != nil {
		t.Fatal(err)
	}
	return code, doc
}

// engineHost is a ws2022 machine with an engine installed, registered and running.
func engineHost(t *testing.T, engine, version string, cmdline ...string) *machine.Machine {
	t.Helper()
	m := machine.New(machine.Config{Build: 20348})
	if _, err := m.InstallFeature("Containers"); err != nil {
		t.Fatal(err)
	}
	m.Boot()
	for _, err := range []error{m.InstallEngine(engine, version), m.RegisterService(engine, cmdline...), m.StartService(engine)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func TestPrepareImageStep(t *testing.T) {
	cases := []struct {
		name    string
		m       func(t *testing.T) *machine.Machine
		params  params
		removed []string
		gone    []string
		kept    []string
	}{
		{"docker 29: identity, crash leftovers", func(t *testing.T) *machine.Machine {
			m := engineHost(t, "docker", "29.2.1")
			m.WriteFile(machine.DaemonJSON, []byte(`{"exec-opts": ["isolation=process"]}`))
			m.WriteFile(machine.DockerRoot+`\panic.log.old`, []byte("panic: earlier"))
			m.WriteFile(machine.DockerRoot+`\panic.log`, []byte("panic: boom")) // the engine crashed: it stays at the stop
			return m
		}, params{"engine": "docker", "nat_network": "nat"},
			[]string{machine.DockerRoot + `\engine-id`, machine.DockerRoot + `\panic.log`, machine.DockerRoot + `\panic.log.old`},
			nil, []string{machine.DaemonJSON, machine.Dockerd}},
		{"docker 20.10 on a data root: key.json", func(t *testing.T) *machine.Machine {
			m := engineHost(t, "docker", "20.10.24")
			m.StopService("docker")
			m.WriteFile(machine.DaemonJSON, []byte(`{"data-root": "D:\\docker"}`))
			if err := m.StartService("docker"); err != nil {
				t.Fatal(err)
			}
			return m
		}, params{"engine": "docker"}, []string{`D:\docker\config\key.json`}, []string{`D:\docker\docker.pid`}, []string{machine.DaemonJSON}},
		{"containerd: log file and NAT network", func(t *testing.T) *machine.Machine {
			m := engineHost(t, "containerd", "2.1.2", "--log-file", `"C:\Windows\Temp\containerd.log"`)
			m.WriteFile(`C:\Windows\Temp\containerd.log`, []byte("level=info"))
			m.WriteFile(machine.CNIConfig, []byte(`{"name": "nat", "type": "nat"}`))
			m.CreateNetwork("nat", "NAT")
			return m
		}, params{"engine": "containerd", "nat_network": "nat"}, []string{`C:\Windows\Temp\containerd.log`, "HNS network nat"},
			[]string{machine.ContainerdRoot + `\panic.log`}, []string{machine.CNIConfig, machine.Containerd}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := c.m(t)
			engine := c.params.str("engine")
			code, doc := result(t, prepareImage, m, c.params)
			if code != 0 {
				t.Fatalf("exit %d: %v", code, doc)
			}
			var removed []string
			for _, r := range doc["removed"].([]any) { //nolint:forcetypeassert // the step's own result
				removed = append(removed, r.(string)) //nolint:forcetypeassert // the step's own result
			}
			if !slices.Equal(removed, c.removed) {
				t.Errorf("removed %v, want %v", removed, c.removed)
			}
			for _, p := range append(c.removed, c.gone...) {
				if _, ok := m.File(p); ok {
					t.Errorf("%s is still there", p)
				}
			}
			for _, p := range c.kept {
				if _, ok := m.File(p); !ok {
					t.Errorf("%s was removed", p)
				}
			}
			if s, _ := m.Service(engine); s.State != machine.Stopped || s.StartType != machine.Automatic {
				t.Errorf("service %+v", s)
			}
			if len(m.Networks()) != 0 {
				t.Errorf("networks %v", m.Networks())
			}
			// Idempotent: nothing more to remove.
			if code, doc := result(t, prepareImage, m, c.params); code != 0 || len(doc["removed"].([]any)) != 0 { //nolint:forcetypeassert // the step's own result
				t.Errorf("second run: exit %d, %v", code, doc)
			}
			// The first boot of a clone starts the engine, with a new identity.
			m.Boot()
			if s, _ := m.Service(engine); s.State != machine.Running {
				t.Errorf("after boot: %+v", s)
			}
		})
	}
}

func TestPrepareImageStepErrors(t *testing.T) {
	m := machine.New(machine.Config{Build: 20348})
	if code, doc := result(t, prepareImage, m, params{"engine": "docker"}); code != 1 || !strings.Contains(string(mustJSON(t, doc)), "engine_missing") {
		t.Errorf("no engine: exit %d %v", code, doc)
	}
	if code, doc := result(t, prepareImage, m, params{"engine": "podman"}); code != 1 || !strings.Contains(string(mustJSON(t, doc)), "invalid_params") {
		t.Errorf("bad engine: exit %d %v", code, doc)
	}
	m = engineHost(t, "docker", "29.2.1")
	m.WriteFile(machine.DaemonJSON, []byte("{"))
	if code, doc := result(t, prepareImage, m, params{"engine": "docker"}); code != 1 || !strings.Contains(string(mustJSON(t, doc)), "daemon_config_unreadable") {
		t.Errorf("broken daemon.json: exit %d %v", code, doc)
	}
}

func TestWriteManifestStep(t *testing.T) {
	m := machine.New(machine.Config{Build: 20348})
	manifest := map[string]any{"schema": 1, "tool_version": "0.4.0", "built_by": "packer", "container_mode": "process",
		"engine": map[string]any{"type": "docker", "version": "29.2.1"}, "spec_hash": "ab", "os": map[string]any{"build": 20348, "ubr": 1},
		"images": []any{"mcr.microsoft.com/windows/nanoserver:ltsc2022"}, "generalized": true, "verified_at": "2026-11-22T10:00:00Z", "extra": 1}
	code, doc := result(t, writeManifest, m, params{"manifest": manifest})
	if code != 0 || doc["changed"] != true {
		t.Fatalf("exit %d %v", code, doc)
	}
	f, ok := m.File(machine.Manifest)
	if !ok || bytes.HasPrefix(f.Content, []byte("\xef\xbb\xbf")) || strings.Contains(string(f.Content), "extra") ||
		!strings.HasPrefix(string(f.Content), "{\n    \"schema\": 1,\n    \"tool_version\"") {
		t.Fatalf("manifest.json %q", f.Content)
	}
	if code, doc := result(t, writeManifest, m, params{"manifest": manifest}); code != 0 || doc["changed"] != false {
		t.Errorf("second write: exit %d %v", code, doc)
	}
	// The facts script reads it back.
	if got, ok := manifestFact(m).(map[string]any); !ok || got["built_by"] != "packer" {
		t.Errorf("facts manifest %v", manifestFact(m))
	}
	manifest["built_by"] = "ansible"
	if code, _ := result(t, writeManifest, m, params{"manifest": manifest}); code != 1 {
		t.Error("an invalid built_by was written")
	}
	m.WriteFile(machine.Manifest, []byte("not json"))
	if got, ok := manifestFact(m).(map[string]any); !ok || !strings.Contains(got["_unreadable"].(string), "Invalid JSON") { //nolint:forcetypeassert // checked by the test
		t.Errorf("unreadable manifest fact %v", manifestFact(m))
	}
}

func TestPullImagesStep(t *testing.T) {
	m := engineHost(t, "docker", "29.2.1")
	nano := "mcr.microsoft.com/windows/nanoserver:ltsc2022"
	code, doc := result(t, pullImages, m, params{"engine": "docker", "images": []any{nano, nano, " "}})
	if code != 0 || len(doc["pulled"].([]any)) != 1 || len(doc["present"].([]any)) != 0 { //nolint:forcetypeassert // the step's own result
		t.Fatalf("exit %d %v", code, doc)
	}
	code, doc = result(t, pullImages, m, params{"engine": "docker", "images": []any{nano, "mcr.microsoft.com/windows/servercore:ltsc2025"}})
	msg := string(mustJSON(t, doc))
	if code != 1 || !strings.Contains(msg, "pull_failed") || !strings.Contains(msg, "a Windows version 10.0.26100-based image is incompatible with a 10.0.20348 host") {
		t.Fatalf("newer image: exit %d %s", code, msg)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// After an administrator deleted the docker service with sc.exe, its event log source is left behind
// and dockerd --register-service would fail once; install-docker removes the leftover source first, and
// uninstall (sc.exe delete when dockerd.exe is gone) removes it too (issue 16, defect 8).
func TestDockerReregistersAfterScDelete(t *testing.T) {
	m := engineHost(t, "docker", "29.2.1")
	m.StopService("docker")
	if err := m.DeleteService("docker"); err != nil {
		t.Fatal(err)
	}
	url := "https://download.docker.com/win/static/stable/x86_64/docker-29.2.1.zip"
	code, doc := result(t, installDocker, m, params{"version": "29.2.1", "url": url})
	if code != 0 {
		t.Fatalf("install-docker after sc.exe delete: exit %d, %v", code, doc)
	}
	if _, ok := m.Service("docker"); !ok || !m.EventSource("docker") {
		t.Fatal("the service or its event log source is missing after install-docker")
	}
	m.RemoveFile(machine.Dockerd)
	code, doc = result(t, uninstall, m, params{"engine": "docker"})
	removed, _ := doc["removed"].([]any)
	if code != 0 || m.EventSource("docker") || !slices.Contains(removed, any(`HKLM:\`+machine.EventLogKey+`\docker`)) {
		t.Fatalf("uninstall with sc.exe: exit %d, removed %v, source left %v", code, removed, m.EventSource("docker"))
	}
}
