package crosscheck

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// FuzzHostileParamReachesHostAsData sends a hostile value as a step parameter over WinRM to winsim
// (configure-daemon writes it into daemon.json as a key's value) and checks that it arrives as data,
// byte for byte, and that no command line the host received carries it: the command line is the
// fixed bootstrap, and the value travels on stdin inside one base64 JSON literal.
func FuzzHostileParamReachesHostAsData(f *testing.F) {
	for _, s := range []string{`'`, `"`, "$(Stop-Computer -Force)", "`$env:PATH`", "a\nb", "a\r\nRemove-Item C:\\ -Recurse",
		`..\..\Windows`, "\x00", "'; exit 0; '", "@'\n'@", "#>", "\u2018$(whoami)\u2019", strings.Repeat("$(x)", 5000)} {
		f.Add(s)
	}
	sim, r := startSim(f, winsim.Options{Profile: "ws2022"})
	bootstrap := powershell.CommandLine(powershell.MustLoad().Bootstrap())
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) {
			t.Skip("JSON carries valid UTF-8 (FuzzParamsInjection covers the rest)")
		}
		_, err := r.Run(context.Background(), "configure-daemon", map[string]any{"engine": "docker", "managed": map[string]any{"labels": []string{v}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		st := sim.Snapshot()
		got, _ := st.DaemonConfig["labels"].([]any)
		if len(got) != 1 || got[0] != v {
			t.Fatalf("the host received %q, want %q", got, v)
		}
		for _, l := range sim.Host.CommandLines() {
			if l != bootstrap {
				t.Fatalf("a command line is not the fixed bootstrap: %.200q", l)
			}
		}
		sim.Machine.RemoveFile(machine.DaemonJSON)
	})
}
