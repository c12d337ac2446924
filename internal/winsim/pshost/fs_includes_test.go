package pshost

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// include reads one of the library's include files (internal/powershell/scripts/include).
func include(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "powershell", "scripts", "include", name+".ps1"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// The library's own PATH helpers run against the machine: the value stays REG_EXPAND_SZ with its
// %SystemRoot% entries, and winsim's view (MachinePath) sees the new folder.
func TestLibraryMachinePathHelpers(t *testing.T) {
	m := newTestMachine("Server Core")
	before, _, _ := m.RegGetValue(machine.EnvironmentKey, "Path")
	got := lines(t, m, say+include(t, "path")+`
Add-WcMachinePath 'C:\Program Files\Docker'
Add-WcMachinePath 'C:\Program Files\Docker\'
say (Remove-WcMachinePath 'C:\Program Files\nerdctl')
say (@($env:Path -split ';' | Where-Object { $_ -eq 'C:\Program Files\Docker' }).Count)`)
	wantLines(t, got, "False", "1")
	v, _, _ := m.RegGetValue(machine.EnvironmentKey, "Path")
	if v.Kind != machine.RegExpandString || v.Data != before.Data.(string)+`;C:\Program Files\Docker` {
		t.Errorf("Path = %+v", v)
	}
	if p := m.MachinePath(); p[len(p)-1] != `C:\Program Files\Docker` {
		t.Errorf("MachinePath = %v", p)
	}
	if _, _, ok := m.RegGetValue(machine.EnvironmentKey, "WINCONTAINERS_PATH_CHANGED"); ok {
		t.Error("the broadcast call left a value")
	}
}

// Move-WcReplace (include replace): Replace when the target exists, Move when it does not.
func TestLibraryMoveWcReplace(t *testing.T) {
	m := newTestMachine("Server Core")
	m.WriteFile(`C:\d\a.partial`, []byte("one"))
	m.WriteFile(`C:\d\b.partial`, []byte("two"))
	lines(t, m, say+include(t, "replace")+`
Move-WcReplace 'C:\d\a.partial' 'C:\d\a'
Move-WcReplace 'C:\d\b.partial' 'C:\d\a'
say ok`)
	if f, _ := m.File(`C:\d\a`); string(f.Content) != "two" {
		t.Errorf("a = %q", f.Content)
	}
	for _, p := range []string{`C:\d\a.partial`, `C:\d\b.partial`} {
		if _, ok := m.File(p); ok {
			t.Errorf("%s stays", p)
		}
	}
}
