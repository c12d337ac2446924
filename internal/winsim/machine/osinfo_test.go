package machine

import "testing"

func TestCurrentVersionValues(t *testing.T) {
	for _, c := range []struct {
		build          int
		display        string
		wantDisplay    string
		wantRelease    string
		wantDotNet     uint32
		installationIn string
		installation   string
	}{
		{14393, "1607", "", "1607", 394802, "", "Server"},
		{17763, "1809", "", "1809", 461814, "Server Core", "Server Core"},
		{19042, "20H2", "20H2", "2009", 528372, "", "Server"},
		{20348, "21H2", "21H2", "2009", 528449, "", "Server"},
		{26100, "24H2", "24H2", "2009", 533509, "", "Server"},
	} {
		m := newMachine(Config{Build: c.build, Release: WindowsRelease{DisplayVersion: c.display, InstallationType: c.installationIn, UBR: 2966}})
		get := func(name string) any {
			v, _, ok := m.RegGetValue(`HKLM:\`+CurrentVersionKey, name)
			if !ok {
				return nil
			}
			return v.Data
		}
		if got := get("DisplayVersion"); (c.wantDisplay == "" && got != nil) || (c.wantDisplay != "" && got != c.wantDisplay) {
			t.Errorf("%d DisplayVersion = %v", c.build, got)
		}
		if got := get("ReleaseId"); got != c.wantRelease {
			t.Errorf("%d ReleaseId = %v", c.build, got)
		}
		if got := get("UBR"); got != uint32(2966) {
			t.Errorf("%d UBR = %v", c.build, got)
		}
		if got := get("InstallationType"); got != c.installation {
			t.Errorf("%d InstallationType = %v", c.build, got)
		}
		if v, _, _ := m.RegGetValue(`SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full`, "Release"); v.Data != c.wantDotNet {
			t.Errorf("%d .NET Release = %v", c.build, v.Data)
		}
	}
}

func TestExpandEnv(t *testing.T) {
	env := map[string]string{"SystemRoot": `C:\Windows`, "X": "1"}
	for in, want := range map[string]string{
		`%SYSTEMROOT%\system32`: `C:\Windows\system32`, `%nope%;%X%`: `%nope%;1`, `50%`: `50%`, `%%X%`: `%1`, `a%X%b%X%`: `a1b1`,
	} {
		if got := ExpandEnv(in, env); got != want {
			t.Errorf("ExpandEnv(%q) = %q, want %q", in, got, want)
		}
	}
}
