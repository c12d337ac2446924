package pshost

import (
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

var testClock = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

// newTestMachine is a ws2022 machine named WS2022 with the installation type given.
func newTestMachine(installation string) *machine.Machine {
	return machine.New(machine.Config{Build: 20348, Clock: testClock, Release: machine.WindowsRelease{
		ProductName: "Windows Server 2022 Datacenter", DisplayVersion: "21H2", InstallationType: installation, ComputerName: "WS2022", UBR: 2966}})
}

// result is what a script run produced.
type result struct {
	out, err string
	code     int
	fault    error
}

// run runs a script in a fresh session on m with this package's cmdlets and types, the machine's
// environment as the process environment.
func run(t *testing.T, m *machine.Machine, script string) result {
	t.Helper()
	cmds, types := fileSystem(m)
	var out, errb strings.Builder
	s := engine.NewSession(engine.Config{Commands: cmds, Types: types, Stdout: &out, Stderr: &errb,
		Env: m.SystemEnvironment(), Clock: testClock})
	code := s.Run(script)
	return result{out: strings.ReplaceAll(out.String(), "\r\n", "\n"), err: errb.String(), code: code, fault: s.Fault()}
}

// lines runs a script that must end normally and returns its stdout lines.
func lines(t *testing.T, m *machine.Machine, script string) []string {
	t.Helper()
	r := run(t, m, script)
	if r.fault != nil || r.code != 0 {
		t.Fatalf("script failed (exit %d, fault %v):\n%s\nstderr: %s", r.code, r.fault, script, r.err)
	}
	return strings.Split(strings.TrimRight(r.out, "\n"), "\n")
}

// say is the prelude every test script uses to print: [Console]::Out.WriteLine of each argument.
const say = "function say { foreach ($a in $args) { [Console]::Out.WriteLine([string]$a) } }\n"

func wantLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
