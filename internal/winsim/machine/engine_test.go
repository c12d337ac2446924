package machine

import (
	"errors"
	"testing"
	"time"
)

const daemonPrefix = `unable to configure the Docker daemon with file C:\ProgramData\docker\config\daemon.json: `

// Feature states a test host can be set up with.
const (
	featNone = iota
	featPending
	featInstalled
)

func TestDockerStart(t *testing.T) {
	cases := []struct {
		name       string
		build      int
		client     bool
		containers int
		version    string
		daemonJSON string // "" = no daemon.json
		args       []string
		want       string
		iso        string
		exp        bool
		root       string // docker info's DockerRootDir; "" = DockerRoot
	}{
		{name: "29 on 14393 refused", build: 14393, containers: featInstalled, version: "29.2.1",
			want: "failed to start daemon: this version of Windows does not support the docker daemon (Windows build 17763 or higher is required)"},
		{name: "23.0.0 on 17134 refused", build: 17134, containers: featInstalled, version: "23.0.0",
			want: "(Windows build 17763 or higher is required)"},
		{name: "build check before feature check", build: 16299, containers: featNone, version: "24.0.7",
			want: "Windows build 17763 or higher is required"},
		{name: "20.10.24 on 14393", build: 14393, containers: featInstalled, version: "20.10.24", iso: "process"},
		{name: "29 on 17763", build: 17763, containers: featInstalled, version: "29.2.1", iso: "process"},
		{name: "no Containers feature", build: 17763, containers: featNone, version: "29.2.1",
			want: "failed to start daemon: failed to load vmcompute.dll, ensure that the Containers feature is installed"},
		{name: "Containers not rebooted", build: 20348, containers: featPending, version: "29.2.1",
			want: "failed to load vmcompute.dll, ensure that the Containers feature is installed"},
		{name: "client without Containers", build: 22631, client: true, containers: featNone, version: "29.2.1",
			want: "failed to load vmcompute.dll"},
		{name: "daemon.json invalid JSON", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"debug": true,`, want: daemonPrefix + "unexpected end of JSON input"},
		{name: "daemon.json not an object", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `["debug"]`, want: daemonPrefix},
		{name: "daemon.json unknown keys", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"isolation": "hyperv", "debug": true, "bip": "x", "zzz": 1, "aaa": null}`,
			want:       daemonPrefix + "the following directives don't match any configuration option: aaa, bip, isolation, zzz"},
		{name: "hosts as -H flag and in file", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"hosts": ["npipe://"]}`, args: []string{"-H", "npipe://"},
			want: daemonPrefix + "the following directives are specified both as a flag and in the configuration file: hosts"},
		{name: "hosts as --host flag and in file", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"hosts": ["npipe://"]}`, args: []string{"--host", "npipe://"},
			want: "specified both as a flag and in the configuration file: hosts"},
		{name: "hosts only in file", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"hosts": ["npipe://"]}`, iso: "process"},
		{name: "hosts only as flag", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"debug": true}`, args: []string{"-H", "npipe://"}, iso: "process"},
		{name: "exec-opts isolation=hyperv on server", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"exec-opts": ["isolation=hyperv"]}`, iso: "hyperv"},
		{name: "exec-opts isolation=Process on client", build: 22631, client: true, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"exec-opts": ["isolation=Process"]}`, iso: "process"},
		{name: "exec-opts isolation=default on client", build: 22631, client: true, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"exec-opts": ["isolation=default"]}`, iso: "hyperv"},
		{name: "exec-opts isolation invalid", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"exec-opts": ["isolation=bogus"]}`,
			want:       "failed to start daemon: Invalid exec-opt value for 'isolation':'bogus'. Must be one of 'default', 'process' or 'hyperv'."},
		{name: "client default isolation", build: 22631, client: true, containers: featInstalled, version: "29.2.1", iso: "hyperv"},
		{name: "experimental", build: 17763, containers: featInstalled, version: "20.10.24",
			daemonJSON: `{"experimental": true}`, iso: "process", exp: true},
		{name: "data-root and registry settings", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"data-root": "D:\\docker", "registry-mirrors": ["https://mirror.example.com"], "insecure-registries": ["registry.local:5000"], "dns": ["10.0.0.2"]}`,
			iso:        "process", root: `D:\docker`},
		{name: "empty data-root is the default", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"data-root": ""}`, iso: "process"},
		{name: "log-level debug", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"log-level": "debug"}`, iso: "process"},
		{name: "log-level in capitals", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"log-level": "WARN"}`, iso: "process"},
		{name: "log-level trace", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"log-level": "trace"}`, iso: "process"},
		{name: "log-level empty is the default", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"log-level": ""}`, iso: "process"},
		{name: "log-level invalid", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"log-level": "verbose"}`,
			want:       daemonPrefix + "merged configuration validation from file and command line flags failed: invalid logging level: verbose"},
		{name: "log-level checked before TLS files", build: 20348, containers: featInstalled, version: "29.2.1",
			daemonJSON: `{"log-level": "loud", "tlsverify": true, "tlscert": "C:\\none.pem", "tlskey": "C:\\none.key", "tlscacert": "C:\\ca.pem"}`,
			want:       "invalid logging level: loud"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(Config{Build: c.build, Client: c.client, Virtualization: "exposed"})
			if c.containers != featNone {
				if _, err := m.InstallFeature("Containers"); err != nil {
					t.Fatal(err)
				}
			}
			if c.containers == featInstalled {
				m.Boot()
			}
			checkErr(t, m.InstallEngine("docker", c.version), "")
			if c.daemonJSON != "" {
				m.WriteFile(DaemonJSON, []byte(c.daemonJSON))
			}
			checkErr(t, m.RegisterService("docker", c.args...), "")
			err := m.StartService("docker")
			s, _ := m.Service("docker")
			if !checkErr(t, err, c.want) {
				var ee *EngineError
				if !errors.As(err, &ee) {
					t.Fatalf("error %T is not an *EngineError", err)
				}
				if s.State != Stopped {
					t.Fatalf("service is %s after a failed start", s.State)
				}
				ev := m.Events("Docker")
				if len(ev) != 1 || ev[0].Source != "docker" || ev[0].Message != err.Error() || !ev[0].Time.Equal(testTime) {
					t.Fatalf("events %+v, want one docker event with the error", ev)
				}
				if _, err := m.Info("docker"); err == nil {
					t.Fatal("Info answers after a failed start")
				}
				return
			}
			if s.State != Running {
				t.Fatalf("service is %s", s.State)
			}
			if ev := m.Events("docker"); len(ev) != 0 {
				t.Fatalf("events after a good start: %+v", ev)
			}
			info, err := m.Info("docker")
			checkErr(t, err, "")
			if c.root == "" {
				c.root = DockerRoot
			}
			want := EngineInfo{Version: c.version, OSArch: "windows/amd64", Isolation: c.iso, Experimental: c.exp, DataRoot: c.root}
			if info != want {
				t.Fatalf("Info = %+v, want %+v", info, want)
			}
		})
	}
}

func TestEngineInfoNotRunning(t *testing.T) {
	const dockerPipe = "open //./pipe/docker_engine: The system cannot find the file specified."
	const ctrdPipe = `open \\.\pipe\containerd-containerd: The system cannot find the file specified.`
	cases := []struct {
		name   string
		engine string
		setup  func(t *testing.T, m *Machine)
		want   string
	}{
		{"docker never installed", "docker", func(*testing.T, *Machine) {}, dockerPipe},
		{"docker registered, not started", "docker", func(t *testing.T, m *Machine) {
			checkErr(t, m.InstallEngine("docker", "29.2.1"), "")
			checkErr(t, m.RegisterService("docker"), "")
		}, dockerPipe},
		{"docker stopped", "docker", func(t *testing.T, m *Machine) {
			checkErr(t, m.InstallEngine("docker", "29.2.1"), "")
			checkErr(t, m.RegisterService("docker"), "")
			checkErr(t, m.StartService("docker"), "")
			m.StopService("docker")
		}, dockerPipe},
		{"containerd stopped", "containerd", func(t *testing.T, m *Machine) {
			checkErr(t, m.InstallEngine("containerd", "1.7.22"), "")
			checkErr(t, m.RegisterService("containerd"), "")
			checkErr(t, m.StartService("containerd"), "")
			m.StopService("containerd")
		}, ctrdPipe},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(Config{Build: 20348})
			if _, err := m.InstallFeature("Containers"); err != nil {
				t.Fatal(err)
			}
			m.Boot()
			c.setup(t, m)
			_, err := m.Info(c.engine)
			checkErr(t, err, c.want)
			if c.engine == "docker" {
				checkErr(t, err, "error during connect: ")
			}
		})
	}
}

func TestServiceManagement(t *testing.T) {
	newHost := func(t *testing.T) *Machine {
		t.Helper()
		m := newMachine(Config{Build: 20348})
		if _, err := m.InstallFeature("Containers"); err != nil {
			t.Fatal(err)
		}
		m.Boot()
		return m
	}
	cases := []struct {
		name string
		run  func(t *testing.T, m *Machine) error
		want string
	}{
		{"register before install", func(_ *testing.T, m *Machine) error { return m.RegisterService("docker") },
			`The term 'C:\Program Files\Docker\dockerd.exe' is not recognized as the name of a cmdlet`},
		{"register unknown engine", func(_ *testing.T, m *Machine) error { return m.RegisterService("podman") }, `unknown engine "podman"`},
		{"install unknown engine", func(_ *testing.T, m *Machine) error { return m.InstallEngine("podman", "1.0.0") }, `unknown engine "podman"`},
		{"register twice", func(t *testing.T, m *Machine) error {
			checkErr(t, m.InstallEngine("docker", "29.2.1"), "")
			checkErr(t, m.RegisterService("docker", "-H", "npipe://"), "")
			s, _ := m.Service("docker")
			want := Service{Name: "docker", DisplayName: "Docker Engine", State: Stopped, StartType: Automatic,
				PathName: `"C:\Program Files\Docker\dockerd.exe" --run-service -H npipe://`}
			if s != want {
				t.Fatalf("service %+v, want %+v", s, want)
			}
			return m.RegisterService("docker")
		}, "The specified service already exists."},
		{"containerd service line", func(t *testing.T, m *Machine) error {
			checkErr(t, m.InstallEngine("containerd", "1.7.22"), "")
			checkErr(t, m.RegisterService("containerd"), "")
			s, _ := m.Service("containerd")
			if s.PathName != `"C:\Program Files\containerd\bin\containerd.exe" --run-service` || s.StartType != Automatic {
				t.Fatalf("service %+v", s)
			}
			for _, f := range []string{Containerd, ContainerdDir + `\bin\ctr.exe`, ContainerdDir + `\bin\containerd-shim-runhcs-v1.exe`} {
				if got, ok := m.File(f); !ok || got.Version != "1.7.22" {
					t.Fatalf("%s = %+v, %v", f, got, ok)
				}
			}
			return nil
		}, ""},
		{"install while running", func(t *testing.T, m *Machine) error {
			checkErr(t, m.InstallEngine("docker", "28.5.2"), "")
			checkErr(t, m.RegisterService("docker"), "")
			checkErr(t, m.StartService("docker"), "")
			err := m.InstallEngine("docker", "29.2.1")
			if f, _ := m.File(Dockerd); f.Version != "28.5.2" {
				t.Fatalf("a refused install replaced dockerd with %s", f.Version)
			}
			return err
		}, `Copy-Item : The process cannot access the file 'C:\Program Files\Docker\dockerd.exe' because it is being used by another process.`},
		{"install after stop upgrades", func(t *testing.T, m *Machine) error {
			checkErr(t, m.InstallEngine("docker", "28.5.2"), "")
			checkErr(t, m.RegisterService("docker"), "")
			checkErr(t, m.StartService("docker"), "")
			m.StopService("docker")
			checkErr(t, m.InstallEngine("docker", "29.2.1"), "")
			checkErr(t, m.StartService("docker"), "")
			for _, f := range []string{Dockerd, DockerCLI} {
				if got, _ := m.File(f); got.Version != "29.2.1" {
					t.Fatalf("%s version %q", f, got.Version)
				}
			}
			info, err := m.Info("docker")
			if err != nil || info.Version != "29.2.1" {
				t.Fatalf("Info = %+v, %v", info, err)
			}
			return nil
		}, ""},
		{"start unknown service", func(_ *testing.T, m *Machine) error { return m.StartService("nope") },
			"Start-Service : Cannot find any service with service name 'nope'."},
		{"start without binary", func(t *testing.T, m *Machine) error {
			checkErr(t, m.InstallEngine("docker", "29.2.1"), "")
			checkErr(t, m.RegisterService("docker"), "")
			m.RemoveFile(Dockerd)
			return m.StartService("docker")
		}, "The system cannot find the file specified."},
		{"start running is a no-op", func(t *testing.T, m *Machine) error {
			checkErr(t, m.InstallEngine("docker", "29.2.1"), "")
			checkErr(t, m.RegisterService("docker"), "")
			checkErr(t, m.StartService("docker"), "")
			m.WriteFile(DaemonJSON, []byte("{"))
			return m.StartService("docker")
		}, ""},
		{"unregister running", func(t *testing.T, m *Machine) error {
			checkErr(t, m.InstallEngine("docker", "29.2.1"), "")
			checkErr(t, m.RegisterService("docker"), "")
			checkErr(t, m.StartService("docker"), "")
			return m.UnregisterService("docker")
		}, "The service cannot accept control messages at this time."},
		{"unregister stopped", func(t *testing.T, m *Machine) error {
			checkErr(t, m.InstallEngine("docker", "29.2.1"), "")
			checkErr(t, m.RegisterService("docker"), "")
			checkErr(t, m.UnregisterService("docker"), "")
			if hasService(m, "docker") {
				t.Fatal("service still registered")
			}
			checkErr(t, m.UnregisterService("docker"), "")
			return m.RegisterService("docker")
		}, ""},
		{"set start type of unknown service", func(_ *testing.T, m *Machine) error { return m.SetStartType("nope", Manual) },
			"Set-Service : Service nope was not found on computer '.'."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkErr(t, c.run(t, newHost(t)), c.want)
		})
	}
}

func TestBootStartsAutomaticServices(t *testing.T) {
	cases := []struct {
		name       string
		daemonJSON string
		ctrdType   string
		wantDocker string
		wantCtrd   string
		wantEvent  string
	}{
		{"all start", `{"debug": true}`, Automatic, Running, Running, ""},
		{"docker fails", `{"debug": true`, Automatic, Stopped, Running, daemonPrefix + "unexpected end of JSON input"},
		{"manual stays stopped", `{}`, Manual, Running, Stopped, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(Config{Build: 20348})
			if _, err := m.InstallFeature("Containers"); err != nil {
				t.Fatal(err)
			}
			checkErr(t, m.InstallEngine("docker", "29.2.1"), "")
			checkErr(t, m.InstallEngine("containerd", "1.7.22"), "")
			checkErr(t, m.RegisterService("docker"), "")
			checkErr(t, m.RegisterService("containerd"), "")
			checkErr(t, m.SetStartType("containerd", c.ctrdType), "")
			m.WriteFile(DaemonJSON, []byte(c.daemonJSON))
			// Before the reboot the feature is pending: docker cannot start yet.
			checkErr(t, m.StartService("docker"), "failed to load vmcompute.dll")
			m.Boot()
			got := map[string]string{}
			for n, s := range m.Services() {
				got[n] = s.State
			}
			want := map[string]string{"docker": c.wantDocker, "containerd": c.wantCtrd, "hns": Stopped, "vmcompute": Stopped}
			if !mapsEqual(got, want) {
				t.Fatalf("services after boot %v, want %v", got, want)
			}
			ev := m.Events("docker")
			if last := ev[len(ev)-1].Message; c.wantEvent != "" && last != c.wantEvent {
				t.Fatalf("last docker event %q, want %q", last, c.wantEvent)
			}
			wantEvents := 1
			if c.wantEvent != "" {
				wantEvents = 2
			}
			if len(ev) != wantEvents {
				t.Fatalf("%d docker events, want %d", len(ev), wantEvents)
			}
			if _, err := m.Info("docker"); (err == nil) != (c.wantDocker == Running) {
				t.Fatalf("Info error %v with docker %s", err, c.wantDocker)
			}
		})
	}
}

// TestHNSFirstBoot: moby#50093. With the fault armed, the next boot's start of the Automatic docker
// service fails with hnsCall's 0x23e and leaves it Stopped; a start after the boot works, the fault is
// spent, and the error is the engine's last error only until the next boot.
func TestHNSFirstBoot(t *testing.T) {
	now := testTime
	m := New(Config{Build: 20348, Clock: func() time.Time { now = now.Add(time.Second); return now }})
	m.UseInternet(testNet)
	if _, err := m.InstallFeature("Containers"); err != nil {
		t.Fatal(err)
	}
	checkErr(t, m.InstallEngine("docker", "28.1.1"), "")
	checkErr(t, m.RegisterService("docker"), "")
	m.SetFaults(Faults{HNSFirstBoot: true})
	if m.LastError("docker") != "" {
		t.Fatalf("a fault that has not fired left an error: %q", m.LastError("docker"))
	}
	m.Boot()
	if s, _ := m.Service("docker"); s.State != Stopped {
		t.Fatalf("docker is %s after the first boot, want Stopped", s.State)
	}
	if got := m.LastError("docker"); got != HNSFirstBootText {
		t.Fatalf("last error %q, want %q", got, HNSFirstBootText)
	}
	if m.CurrentFaults().HNSFirstBoot {
		t.Fatal("the fault is still armed after it fired")
	}
	// A start after the boot finds HNS ready.
	checkErr(t, m.StartService("docker"), "")
	if _, err := m.Info("docker"); err != nil {
		t.Fatalf("docker does not answer after the second start: %v", err)
	}
	// The next boot starts it, and the old error is from before that boot.
	m.Boot()
	if s, _ := m.Service("docker"); s.State != Running {
		t.Fatalf("docker is %s after the second boot, want Running", s.State)
	}
	m.StopService("docker")
	if got := m.LastError("docker"); got != "" {
		t.Fatalf("an error from before the boot is reported as the last one: %q", got)
	}
	// A manual start is not a boot: the armed fault waits for one.
	m.SetFaults(Faults{HNSFirstBoot: true})
	checkErr(t, m.StartService("docker"), "")
	if !m.CurrentFaults().HNSFirstBoot {
		t.Fatal("a start outside a boot spent the fault")
	}
}
