package syntax

import (
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
)

// libraryTexts returns every text the library makes Windows PowerShell run, as the host receives it:
// each script's assembled body with its $WcParams prelude, and both bootstraps as -EncodedCommand
// carries them (the staged one with its generated $WcIn and $WcWait lines).
func libraryTexts(tb testing.TB) map[string]string {
	tb.Helper()
	lib := powershell.MustLoad()
	out := map[string]string{}
	params := map[string]any{"version": "1.2.3", "features": []string{"Containers"}, "client": false}
	for _, name := range lib.Names() {
		s, err := lib.Script(name)
		if err != nil {
			tb.Fatal(err)
		}
		body, err := powershell.Body(s, params)
		if err != nil {
			tb.Fatal(err)
		}
		out[name] = body
		if out[name+" (no params)"], err = powershell.Body(s, nil); err != nil {
			tb.Fatal(err)
		}
	}
	out["bootstrap"] = decodeCommandLine(tb, powershell.CommandLine(lib.Bootstrap()))
	path, err := powershell.NewStagedPath()
	if err != nil {
		tb.Fatal(err)
	}
	staged, err := powershell.StagedCommandLine(lib, path, time.Minute)
	if err != nil {
		tb.Fatal(err)
	}
	out["bootstrap-staged"] = decodeCommandLine(tb, staged)
	return out
}

func decodeCommandLine(tb testing.TB, commandLine string) string {
	tb.Helper()
	const flag = "-EncodedCommand "
	i := strings.LastIndex(commandLine, flag)
	if i < 0 {
		tb.Fatalf("no %s in %q", flag, commandLine)
	}
	text, err := powershell.DecodeCommand(commandLine[i+len(flag):])
	if err != nil {
		tb.Fatal(err)
	}
	return text
}

// TestLibraryParses is the check that the library cannot outgrow the engine unnoticed: every script
// and both bootstraps parse, with nothing outside the supported subset.
func TestLibraryParses(t *testing.T) {
	texts := libraryTexts(t)
	if len(texts) < 4 {
		t.Fatalf("only %d library texts", len(texts))
	}
	for name, text := range texts {
		t.Run(name, func(t *testing.T) {
			sb, err := Parse(text)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(sb.Statements) == 0 {
				t.Fatalf("%s: no statements", name)
			}
			if f := Format(sb); strings.Contains(f, "(unknown-node") {
				t.Errorf("%s: the printer does not know a node: %s", name, f)
			}
		})
	}
}
