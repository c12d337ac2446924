package engine

import (
	"bytes"
	"testing"
)

// runScript runs a script in a fresh session and returns stdout, stderr and the exit code.
func runScript(t testing.TB, script string, cfgs ...func(*Config)) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cfg := Config{Stdout: &out, Stderr: &errb}
	for _, f := range cfgs {
		f(&cfg)
	}
	s := NewSession(cfg)
	code := s.Run(script)
	return out.String(), errb.String(), code
}
