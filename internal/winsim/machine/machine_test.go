package machine

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// testNet is shared by every machine the tests create, so each synthetic artifact is hashed at most once.
var testNet = NewInternet()

var testTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newMachine returns a machine on the shared internet with a fixed clock.
func newMachine(cfg Config) *Machine {
	cfg.Clock = func() time.Time { return testTime }
	m := New(cfg)
	m.UseInternet(testNet)
	return m
}

// checkErr reports whether the test may go on: err must be nil when want is "", else contain want.
func checkErr(t *testing.T, err error, want string) bool {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("got no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error\n  %q\ndoes not contain\n  %q", err.Error(), want)
	}
	return want == ""
}

func hasService(m *Machine, name string) bool {
	_, ok := m.Service(name)
	return ok
}

func TestFeatureLifecycle(t *testing.T) {
	cases := []struct {
		name     string
		client   bool
		feature  string // as the caller spells it
		key      string // as Features() reports it
		absent   string
		pending  string
		present  string
		removing string
	}{
		{"server Containers", false, "Containers", "Containers", Available, InstallPending, Installed, UninstallPending},
		{"server containers lower-case", false, "containers", "Containers", Available, InstallPending, Installed, UninstallPending},
		{"server Hyper-V", false, "Hyper-V", "Hyper-V", Available, InstallPending, Installed, UninstallPending},
		{"client containers", true, "containers", "Containers", Disabled, EnablePending, Enabled, DisablePending},
		{"client Microsoft-Hyper-V", true, "Microsoft-Hyper-V", "Microsoft-Hyper-V", Disabled, EnablePending, Enabled, DisablePending},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(Config{Build: 20348, Client: c.client, Virtualization: "exposed"})
			containers := c.key == "Containers"
			if got := m.Features()[c.key]; got != c.absent {
				t.Fatalf("fresh Features()[%q] = %q, want %q", c.key, got, c.absent)
			}
			if m.PendingReboot() {
				t.Fatal("fresh machine has a pending reboot")
			}

			restart, err := m.InstallFeature(c.feature)
			checkErr(t, err, "")
			if !restart || m.Feature(c.feature) != c.pending || !m.PendingReboot() {
				t.Fatalf("after install: restart=%v state=%q pending=%v, want true %q true", restart, m.Feature(c.feature), m.PendingReboot(), c.pending)
			}
			if containers && (hasService(m, "hns") || hasService(m, "vmcompute")) {
				t.Fatal("hns/vmcompute exist before the reboot")
			}

			restart, err = m.InstallFeature(c.feature)
			checkErr(t, err, "")
			if !restart || m.Feature(c.feature) != c.pending {
				t.Fatalf("second install: restart=%v state=%q, want true %q", restart, m.Feature(c.feature), c.pending)
			}

			m.Boot()
			if m.Feature(c.feature) != c.present || m.PendingReboot() {
				t.Fatalf("after boot: state=%q pending=%v, want %q false", m.Feature(c.feature), m.PendingReboot(), c.present)
			}
			if containers != hasService(m, "hns") || containers != hasService(m, "vmcompute") {
				t.Fatalf("after boot: hns=%v vmcompute=%v, want %v", hasService(m, "hns"), hasService(m, "vmcompute"), containers)
			}

			restart, err = m.InstallFeature(c.feature)
			checkErr(t, err, "")
			if restart || m.PendingReboot() {
				t.Fatalf("installing an installed feature: restart=%v pending=%v, want false false", restart, m.PendingReboot())
			}

			if !m.RemoveFeature(c.feature) {
				t.Fatal("RemoveFeature of an installed feature needs no restart")
			}
			if m.Feature(c.feature) != c.removing || !m.PendingReboot() {
				t.Fatalf("after remove: state=%q pending=%v, want %q true", m.Feature(c.feature), m.PendingReboot(), c.removing)
			}
			m.Boot()
			if m.Feature(c.feature) != c.absent || m.PendingReboot() {
				t.Fatalf("after remove+boot: state=%q pending=%v, want %q false", m.Feature(c.feature), m.PendingReboot(), c.absent)
			}
			if hasService(m, "hns") || hasService(m, "vmcompute") {
				t.Fatal("hns/vmcompute survive the removal of Containers")
			}
			if m.RemoveFeature(c.feature) {
				t.Fatal("removing an absent feature needs a restart")
			}
		})
	}
}

func TestFeatureNames(t *testing.T) {
	cases := []struct {
		client bool
		hyperV string
		want   []string
	}{
		{false, "Hyper-V", []string{"Containers", "Hyper-V"}},
		{true, "Microsoft-Hyper-V", []string{"Containers", "Microsoft-Hyper-V"}},
	}
	for _, c := range cases {
		m := newMachine(Config{Build: 26100, Client: c.client})
		if got := m.HyperVName(); got != c.hyperV {
			t.Errorf("client=%v: HyperVName() = %q, want %q", c.client, got, c.hyperV)
		}
		if got := sortedKeys(m.Features()); !slices.Equal(got, c.want) {
			t.Errorf("client=%v: features %v, want %v", c.client, got, c.want)
		}
	}
}

func TestRemovePendingFeature(t *testing.T) {
	for _, client := range []bool{false, true} {
		m := newMachine(Config{Build: 17763, Client: client})
		if _, err := m.InstallFeature("Containers"); err != nil {
			t.Fatal(err)
		}
		if m.RemoveFeature("Containers") {
			t.Errorf("client=%v: cancelling a pending install reports a restart", client)
		}
		if got, want := m.Feature("Containers"), m.absent(); got != want {
			t.Errorf("client=%v: state %q after cancelling, want %q", client, got, want)
		}
		m.Boot()
		if got, want := m.Feature("Containers"), m.absent(); got != want {
			t.Errorf("client=%v: state %q after cancelling and boot, want %q", client, got, want)
		}
	}
}

func TestInstallFeatureErrors(t *testing.T) {
	const noVT = "Hyper-V cannot be installed: The processor does not have required virtualization capabilities."
	cases := []struct {
		name    string
		client  bool
		virt    string
		feature string
		want    string
		prefix  string
	}{
		{"server Hyper-V no virtualization", false, "none", "Hyper-V", noVT, "Install-WindowsFeature : A prerequisite check for the Hyper-V feature failed."},
		{"server Hyper-V virtualization unset", false, "", "Hyper-V", noVT, "Install-WindowsFeature : "},
		{"client Hyper-V no virtualization", true, "none", "Microsoft-Hyper-V", noVT, "Enable-WindowsOptionalFeature : A prerequisite check for the Hyper-V feature failed."},
		{"server unknown", false, "exposed", "Foo", "ArgumentNotValid: The role, role service, or feature name is not valid: 'Foo'. The name was not found.", "Install-WindowsFeature : "},
		{"server client-only name", false, "exposed", "Microsoft-Hyper-V", "feature name is not valid: 'Microsoft-Hyper-V'", "Install-WindowsFeature : "},
		{"client unknown", true, "exposed", "Foo", "Feature name Foo is unknown.", "Enable-WindowsOptionalFeature : "},
		{"client server-only name", true, "exposed", "Hyper-V", "Feature name Hyper-V is unknown.", "Enable-WindowsOptionalFeature : "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(Config{Build: 20348, Client: c.client, Virtualization: c.virt})
			before := m.Features()
			restart, err := m.InstallFeature(c.feature)
			checkErr(t, err, c.want)
			var fe *FeatureError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *FeatureError", err)
			}
			if !strings.HasPrefix(err.Error(), c.prefix) {
				t.Fatalf("error %q does not start with %q", err, c.prefix)
			}
			if restart || m.PendingReboot() {
				t.Fatalf("failed install: restart=%v pending=%v", restart, m.PendingReboot())
			}
			if after := m.Features(); !mapsEqual(before, after) {
				t.Fatalf("failed install changed the features: %v -> %v", before, after)
			}
			if _, known := before[c.feature]; !known && m.Feature(c.feature) != "" {
				t.Fatalf("Feature(%q) = %q for an unknown name, want \"\"", c.feature, m.Feature(c.feature))
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// dockerHost is a 17763 server with Containers installed and Docker 29 running.
func dockerHost(t *testing.T) *Machine {
	t.Helper()
	m := newMachine(Config{Build: 17763, Virtualization: "exposed"})
	if _, err := m.InstallFeature("Containers"); err != nil {
		t.Fatal(err)
	}
	m.Boot()
	if err := m.InstallEngine("docker", "29.2.1"); err != nil {
		t.Fatal(err)
	}
	m.WriteFile(DaemonJSON, []byte(`{"debug": false}`))
	if err := m.RegisterService("docker"); err != nil {
		t.Fatal(err)
	}
	if err := m.StartService("docker"); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestApplyDrift(t *testing.T) {
	cfgText := `{"experimental": true}`
	cases := []struct {
		name  string
		drift Drift
		want  string
		check func(t *testing.T, m *Machine)
	}{
		{"stop_service", Drift{StopService: "docker"}, "", func(t *testing.T, m *Machine) {
			if s, _ := m.Service("docker"); s.State != Stopped {
				t.Fatalf("docker is %s", s.State)
			}
			if _, err := m.Info("docker"); err == nil {
				t.Fatal("Info answers for a stopped engine")
			}
		}},
		{"stop_service upper-case", Drift{StopService: "Docker"}, "", func(t *testing.T, m *Machine) {
			if s, _ := m.Service("docker"); s.State != Stopped {
				t.Fatalf("docker is %s", s.State)
			}
		}},
		{"stop_service unknown", Drift{StopService: "nope"}, `stop_service: no service "nope" on the host`, nil},
		{"remove_feature", Drift{RemoveFeature: "containers"}, "", func(t *testing.T, m *Machine) {
			if got := m.Feature("Containers"); got != Available {
				t.Fatalf("Containers is %s", got)
			}
			if m.PendingReboot() {
				t.Fatal("a drift-removed feature leaves a pending reboot")
			}
			if hasService(m, "hns") || hasService(m, "vmcompute") {
				t.Fatal("hns/vmcompute survive the removal")
			}
			m.StopService("docker")
			checkErr(t, m.StartService("docker"), "failed to load vmcompute.dll, ensure that the Containers feature is installed")
		}},
		{"remove_feature unknown", Drift{RemoveFeature: "Foo"}, `remove_feature: no feature "Foo" (have Containers, Hyper-V)`, nil},
		{"delete_file", Drift{DeleteFile: strings.ToUpper(DaemonJSON)}, "", func(t *testing.T, m *Machine) {
			if _, ok := m.File(DaemonJSON); ok {
				t.Fatal("daemon.json is still there")
			}
		}},
		{"delete_file missing", Drift{DeleteFile: `C:\nope.txt`}, `delete_file: no file "C:\\nope.txt" on the host`, nil},
		{"set_daemon_config", Drift{SetDaemonConfig: &cfgText}, "", func(t *testing.T, m *Machine) {
			f, ok := m.File(DaemonJSON)
			if !ok || string(f.Content) != cfgText || f.Size != int64(len(cfgText)) {
				t.Fatalf("daemon.json = %+v", f)
			}
			m.StopService("docker")
			checkErr(t, m.StartService("docker"), "")
			if info, _ := m.Info("docker"); !info.Experimental {
				t.Fatal("the drifted daemon.json was not read at start")
			}
		}},
		{"pending_reboot", Drift{PendingReboot: true}, "", func(t *testing.T, m *Machine) {
			if !m.PendingReboot() {
				t.Fatal("no pending reboot")
			}
			m.Boot()
			if m.PendingReboot() {
				t.Fatal("the pending reboot survives a boot")
			}
		}},
		{"empty", Drift{}, "drift: give one of", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := dockerHost(t)
			err := m.ApplyDrift(c.drift)
			if !checkErr(t, err, c.want) {
				if s, _ := m.Service("docker"); s.State != Running {
					t.Fatalf("a rejected drift changed docker to %s", s.State)
				}
				return
			}
			c.check(t, m)
		})
	}
}

func TestFilesAndPath(t *testing.T) {
	m := newMachine(Config{Build: 20348})
	m.WriteFile(`C:\Data\A.txt`, []byte("hello"))
	m.PutFile(`C:\Data\sub\b.bin`, File{Size: 7, SHA256: "abc"})
	m.PutFile(`C:\Database\c.bin`, File{Size: 1})
	f, ok := m.File(`c:\data\a.TXT`)
	if !ok || string(f.Content) != "hello" || f.Size != 5 || f.SHA256 != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
		t.Fatalf("File = %+v, %v", f, ok)
	}
	if got, want := m.Paths(`C:\Data\`), []string{`c:\data\a.txt`, `c:\data\sub\b.bin`}; !slices.Equal(got, want) {
		t.Fatalf("Paths = %v, want %v", got, want)
	}
	if n := m.RemoveTree(`C:\DATA`); n != 2 {
		t.Fatalf("RemoveTree removed %d, want 2", n)
	}
	if _, ok := m.File(`C:\Database\c.bin`); !ok {
		t.Fatal("RemoveTree removed a sibling directory's file")
	}
	if !m.RemoveFile(`c:\database\C.BIN`) || m.RemoveFile(`c:\database\c.bin`) {
		t.Fatal("RemoveFile reports wrongly")
	}

	pathCases := []struct {
		op   string
		dir  string
		want bool
	}{
		{"add", DockerDir, true},
		{"add", strings.ToLower(DockerDir) + `\`, false},
		{"add", `C:\Windows\System32\WindowsPowerShell\v1.0`, false},
		{"remove", DockerDir + `\`, true},
		{"remove", DockerDir, false},
	}
	for _, c := range pathCases {
		var got bool
		if c.op == "add" {
			got = m.AddToPath(c.dir)
		} else {
			got = m.RemoveFromPath(c.dir)
		}
		if got != c.want {
			t.Errorf("%s %q = %v, want %v (PATH %v)", c.op, c.dir, got, c.want, m.MachinePath())
		}
	}
	if slices.Contains(m.MachinePath(), DockerDir) {
		t.Error("Docker is still in PATH")
	}

	m.SetRegistry("Mode", "docker")
	if m.Registry("Mode") != "docker" {
		t.Error("registry value not set")
	}
	m.SetRegistry("Mode", "")
	if m.Registry("Mode") != "" {
		t.Error("registry value not removed")
	}
}
