package settings

import (
	"go/token"
	"strings"
	"testing"
)

// TestTable checks what the generators and front doors rely on: unique names, Go field names, defaults and
// values that fit the kind, daemon.json keys only on the daemon block, and a description for each front door.
func TestTable(t *testing.T) {
	blocks := map[string]bool{}
	for _, b := range Blocks() {
		if blocks[b.Name] || !token.IsExported(b.Type) || b.Doc == "" || b.Note == "" || b.PackerNote == "" {
			t.Errorf("block %q: duplicate, unexported type %q, or missing doc", b.Name, b.Type)
		}
		blocks[b.Name] = true
		if got, ok := Lookup(b.Name); !ok || got.Type != b.Type {
			t.Errorf("Lookup(%q) = %v, %v", b.Name, got.Type, ok)
		}
		names, fields := map[string]bool{}, map[string]bool{}
		for _, s := range b.Settings {
			p := b.Path(s)
			if names[s.Name] || fields[s.Field] {
				t.Errorf("%s: duplicate name or field %q", p, s.Field)
			}
			names[s.Name], fields[s.Field] = true, true
			if s.Name != strings.ToLower(s.Name) || strings.ContainsAny(s.Name, " -.") || !token.IsExported(s.Field) {
				t.Errorf("%s: name must be snake_case and field %q an exported Go name", p, s.Field)
			}
			if s.TerraformDoc() == "" || s.PackerDoc() == "" {
				t.Errorf("%s: a front door has no description", p)
			}
			if strings.Contains(s.PackerDoc(), "TODO") {
				t.Errorf("%s: struct-markdown leaves out a field whose doc says TODO", p)
			}
			switch d := s.Default.(type) {
			case nil:
			case bool:
				if s.Kind != Bool {
					t.Errorf("%s: bool default on a non-bool setting", p)
				}
			case string:
				if s.Kind != String || !s.Allows(d) {
					t.Errorf("%s: string default %q on a non-string setting or outside its values", p, d)
				}
			default:
				t.Errorf("%s: default of type %T", p, d)
			}
			if len(s.Values) > 0 && s.Kind != String {
				t.Errorf("%s: allowed values on a non-string setting", p)
			}
			if s.DaemonKey != "" && b.Name != "daemon" {
				t.Errorf("%s: a daemon.json key outside the daemon block", p)
			}
		}
	}
}

func TestAllows(t *testing.T) {
	free := Setting{Kind: String}
	enum := Setting{Kind: String, Values: []string{"a", "b"}}
	for _, c := range []struct {
		s    Setting
		v    string
		want bool
	}{{free, "x", true}, {enum, "a", true}, {enum, "b", true}, {enum, "A", false}, {enum, "c", false}} {
		if got := c.s.Allows(c.v); got != c.want {
			t.Errorf("Allows(%q) with values %v = %v", c.v, c.s.Values, got)
		}
	}
}
