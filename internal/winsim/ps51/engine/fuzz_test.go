package engine

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
)

// FuzzRun feeds scripts to a session with a step limit: the engine must never panic or hang, whatever
// the script does.
func FuzzRun(f *testing.F) {
	for _, s := range []string{
		"1..3 | % { $_ * 2 }", "try { throw 'x' } catch { $_.Exception.Message } finally { 'f' }",
		"function f([int]$a = 1) { $a + $args.Count }; f 2 3", "$h = @{a=1}; $h.a += 1; $h | ConvertTo-Json -Compress",
		"while ($true) { $i++ }", "function r { r }; r", "[regex]::Replace('ab', 'b', { param($m) $m.Value.ToUpper() })",
		"'a' * 10 -split ''", "$x = @(1,2) + @(3); $x[-1]; $x[5]", "[int]'x'; 'after'", "exit 7",
		"$ErrorActionPreference = 'Stop'; Write-Error boom", "1,2 | Select-Object -First 1", "'x' | Out-String",
	} {
		f.Add(s)
	}
	for _, c := range corpusSeeds() {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, script string) {
		if _, err := syntax.Parse(script); err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var out, errb bytes.Buffer
		s := NewSession(Config{Context: ctx, Stdout: &out, Stderr: &errb, MaxSteps: 20000,
			Sleep: func(context.Context, time.Duration) error { return nil }})
		s.Run(script)
	})
}

func corpusSeeds() []string {
	var out []string
	cases, _ := parseCorpusDir()
	for _, c := range cases {
		if len(out) < 200 && !strings.Contains(c.script, "Start-Sleep") {
			out = append(out, c.script)
		}
	}
	return out
}
