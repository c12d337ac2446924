package winsim

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/powershell"
)

// The Go implementations of the step scripts (steps.go, azure_steps.go, host/host.go) stand for the
// scripts until winsim runs the .ps1 text itself. These tests keep them from promising what no script
// does: every error code winsim reports is one a script emits, and verify's check names are the script's.

var (
	scriptCode = regexp.MustCompile(`(?:Exit-WcError|Exit-WcInstallError)\s+'([a-z_]+)'|\bcode\s*=\s*'([a-z_]+)'`)
	goCode     = regexp.MustCompile(`fail\(out, "([a-z_]+)"|"code":\s*"([a-z_]+)"`)
	scriptChk  = regexp.MustCompile(`Add-WcCheck\s+'([a-z_]+)'`)
)

// scriptCodes returns every error code a library script can emit.
func scriptCodes(t *testing.T) map[string]bool {
	t.Helper()
	lib := powershell.MustLoad()
	codes := map[string]bool{}
	for _, n := range lib.Names() {
		s, _ := lib.Script(n)
		for _, m := range scriptCode.FindAllStringSubmatch(s.Body, -1) {
			codes[m[1]+m[2]] = true
		}
	}
	return codes
}

func TestWinsimErrorCodesAreTheScripts(t *testing.T) {
	codes := scriptCodes(t)
	if !codes["install_failed"] || !codes["verify_failed"] {
		t.Fatalf("the script scan found too little: %v", codes)
	}
	for _, file := range []string{"steps.go", "azure_steps.go", "host/host.go"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goCode.FindAllStringSubmatch(string(src), -1) {
			if c := m[1] + m[2]; !codes[c] {
				t.Errorf("%s reports error code %q, which no library script emits", file, c)
			}
		}
	}
}

func TestWinsimVerifyChecksAreTheScripts(t *testing.T) {
	lib := powershell.MustLoad()
	s, _ := lib.Script("verify")
	names := map[string]bool{"run_process": true, "run_hyperv": true} // $runName = 'run_' + $runIsolation
	for _, m := range scriptChk.FindAllStringSubmatch(s.Body, -1) {
		names[m[1]] = true
	}
	seen := map[string]bool{}
	for _, c := range []struct {
		engine, mode string
		up           bool
	}{
		{"docker", "process", true}, {"docker", "hyperv", true}, {"docker", "lcow", true},
		{"containerd", "process", true}, {"containerd", "hyperv", true}, {"containerd", "lcow", true},
		{"docker", "hyperv", false}, {"containerd", "lcow", false},
	} {
		m := engineHost(t, c.engine, map[string]string{"docker": "20.10.24", "containerd": "2.1.2"}[c.engine])
		if !c.up {
			m.StopService(c.engine)
		}
		_, doc := result(t, verify, m, params{"engine": c.engine, "mode": c.mode, "image": "mcr.microsoft.com/windows/nanoserver:ltsc2022", "pull": true})
		checks, _ := doc["checks"].([]any)
		if len(checks) == 0 {
			t.Errorf("%s %s: no checks in %v", c.engine, c.mode, doc)
		}
		for _, ch := range checks {
			name, _ := ch.(map[string]any)["name"].(string)
			seen[name] = true
			if !names[name] {
				t.Errorf("%s %s: winsim reports check %q, which verify.ps1 does not have", c.engine, c.mode, name)
			}
		}
	}
	var got []string
	for n := range seen {
		got = append(got, n)
	}
	sort.Strings(got)
	if !slices.Contains(got, "engine") || !strings.Contains(strings.Join(got, " "), "run_") {
		t.Errorf("checks seen: %v", got)
	}
}
