package spec

import (
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
)

func TestDaemonGroup(t *testing.T) {
	for _, c := range []struct {
		group string
		ok    bool
	}{
		{"docker-users", true},
		{`CORP\Docker Operators`, true},
		{"Administrators", true},
		{"", true},
		{`a"b`, false},
		{"$(Remove-Item C:\\)", false},
		{"users;whoami", false},
		{"line\nbreak", false},
		{" padded", false},
		{"dot.", false},
		{`\nodomain`, false},
		{`dom\`, false},
		{"a@b", false},
		{strings.Repeat("g", 257), false},
		{"\xff\xfe", false},
	} {
		s := Spec{Mode: "process", Daemon: &Daemon{Group: c.group}}
		r, ds := Validate(s, compat.D(2026, 11, 22))
		var bad []Diagnostic
		for _, d := range ds.Errors() {
			if d.Path == PathDaemonGroup {
				bad = append(bad, d)
			}
		}
		if c.ok != (len(bad) == 0) {
			t.Errorf("group %q: errors %v, want ok=%v", c.group, bad, c.ok)
		}
		if c.ok && c.group != "" && (r.Daemon == nil || r.Daemon.Group != c.group) {
			t.Errorf("group %q not resolved: %+v", c.group, r.Daemon)
		}
	}
}
