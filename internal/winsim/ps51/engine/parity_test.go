package engine

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
)

// The library parity check: every command, parameter, .NET type, static member and method name the
// library's scripts use is implemented by the engine or declared host-provided in host_inventory.go,
// so the library cannot outgrow the engine unnoticed.

type libraryScript struct{ name, text string }

func libraryScripts(t *testing.T) []libraryScript {
	t.Helper()
	lib := powershell.MustLoad()
	out := []libraryScript{{"bootstrap.ps1", lib.Bootstrap()}, {"bootstrap-staged.ps1", lib.StagedBootstrap()}}
	for _, n := range lib.Names() {
		sc, err := lib.Script(n)
		if err != nil {
			t.Fatal(err)
		}
		body, err := powershell.Body(sc, map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, libraryScript{n, body})
	}
	for _, f := range []string{"runcommand.ps1", "runcommand-chunk.ps1"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "azure", "scripts", f))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, libraryScript{"azure/" + f, string(b)})
	}
	return out
}

// usage is what the scripts use.
type usage struct {
	commands map[string]map[string]bool // command -> parameters
	types    map[string]bool
	statics  map[string]bool // Type::Member
	methods  map[string]bool
	defined  map[string]bool // functions the scripts define
}

func newUsage() *usage {
	return &usage{commands: map[string]map[string]bool{}, types: map[string]bool{}, statics: map[string]bool{},
		methods: map[string]bool{}, defined: map[string]bool{}}
}

// walk visits every node of a syntax tree (by reflection over the AST's exported fields).
func walk(v reflect.Value, visit func(any)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
			visit(v.Interface())
		}
		walk(v.Elem(), visit)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i), visit)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), visit)
		}
	}
}

func (u *usage) collect(t *testing.T, name, text string) {
	sb, err := syntax.Parse(text)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	walk(reflect.ValueOf(sb), func(n any) {
		switch x := n.(type) {
		case *syntax.FunctionDef:
			u.defined[strings.ToLower(x.Name)] = true
		case *syntax.Command:
			lit, ok := x.Name.(*syntax.StringLit)
			if !ok {
				return
			}
			cmd := lit.Value
			if u.commands[cmd] == nil {
				u.commands[cmd] = map[string]bool{}
			}
			for _, a := range x.Args {
				if p, ok := a.(*syntax.CommandParameter); ok {
					u.commands[cmd][p.Name] = true
				}
			}
			if strings.EqualFold(cmd, "New-Object") {
				for _, a := range x.Args {
					if s, ok := a.(*syntax.StringLit); ok {
						u.types[s.Value] = true
						break
					}
				}
			}
		case *syntax.TypeName:
			if len(x.ArrayRanks) == 0 {
				u.types[x.String()] = true
			}
		case *syntax.InvokeMember:
			name, ok := x.Name.(*syntax.StringLit)
			if !ok {
				return
			}
			if x.Static {
				if tl, ok := x.Target.(*syntax.TypeLit); ok {
					u.statics[tl.Type.String()+"::"+name.Value] = true
				}
				return
			}
			u.methods[name.Value] = true
		case *syntax.Member:
			name, ok := x.Name.(*syntax.StringLit)
			if !ok || !x.Static {
				return
			}
			if tl, ok := x.Target.(*syntax.TypeLit); ok {
				u.statics[tl.Type.String()+"::"+name.Value] = true
			}
		}
	})
}

func libraryUsage(t *testing.T) *usage {
	u := newUsage()
	for _, s := range libraryScripts(t) {
		u.collect(t, s.name, s.text)
	}
	return u
}

// engineMethods are the instance methods the engine's own types implement, plus the methods every
// object has.
func engineMethods() map[string]bool {
	out := map[string]bool{"gettype": true, "tostring": true, "equals": true}
	for _, c := range allClasses() {
		for m := range c.methods {
			out[m] = true
		}
	}
	return out
}

func TestLibraryParity(t *testing.T) {
	u := libraryUsage(t)
	inv := hostInventory()
	s := NewSession(Config{})
	var missing []string
	for cmd, params := range u.commands {
		lc := strings.ToLower(cmd)
		if u.defined[lc] {
			continue
		}
		if c, ok := s.commands[lc]; ok {
			for p := range params {
				if _, _, err := s.findCmdletParam(c, p); err != nil {
					missing = append(missing, "parameter "+cmd+" -"+p)
				}
			}
			continue
		}
		if hp, ok := inv.Commands[cmd]; ok {
			for p := range params {
				if !containsFold(hp, p) && !isCommonParamName(p) {
					missing = append(missing, "host parameter "+cmd+" -"+p+" (add it to host_inventory.go)")
				}
			}
			continue
		}
		if containsFold(inv.Natives, cmd) {
			continue
		}
		missing = append(missing, "command "+cmd)
	}
	for tn := range u.types {
		if _, err := s.resolveTypeName(tn); err == nil {
			continue
		}
		if !containsFold(inv.Types, canonicalTypeName(tn)) {
			missing = append(missing, "type ["+tn+"]")
		}
	}
	for st := range u.statics {
		i := strings.Index(st, "::")
		tn, member := st[:i], st[i+2:]
		if containsFold(inv.Statics, canonicalTypeName(tn)+"::"+member) {
			continue
		}
		ti, err := s.resolveTypeName(tn)
		if err != nil {
			missing = append(missing, "static ["+tn+"]::"+member)
			continue
		}
		lm := strings.ToLower(member)
		_, m := ti.methods[lm]
		_, p := ti.props[lm]
		_, e := s.getStaticEnum(ti, member)
		if !m && !p && !e && (lm != "new" || ti.ctor == nil) {
			missing = append(missing, "static ["+tn+"]::"+member)
		}
	}
	em := engineMethods()
	for m := range u.methods {
		if em[strings.ToLower(m)] || containsFold(inv.Methods, m) {
			continue
		}
		missing = append(missing, "method ."+m+"()")
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("the library uses %s, which the engine does not implement and host_inventory.go does not declare", m)
	}
}

func (s *Session) getStaticEnum(t *typeInfo, member string) (any, bool) {
	if t.enum == nil {
		return nil, false
	}
	return t.enum.Of(member)
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// canonicalTypeName writes a type name with its System. prefix, as the inventory lists it.
func canonicalTypeName(tn string) string {
	if strings.Contains(tn, ".") && !strings.HasPrefix(strings.ToLower(tn), "system.") && !strings.HasPrefix(strings.ToLower(tn), "microsoft.") {
		return "System." + tn
	}
	return tn
}

// TestHostInventoryIsUsed keeps the inventory honest: every entry is something the library uses.
func TestHostInventoryIsUsed(t *testing.T) {
	u := libraryUsage(t)
	inv := hostInventory()
	for c := range inv.Commands {
		if _, ok := u.commands[c]; !ok {
			t.Errorf("host_inventory.go lists the command %s, which the library does not use", c)
		}
	}
	for _, tn := range inv.Types {
		found := false
		for used := range u.types {
			found = found || strings.EqualFold(canonicalTypeName(used), tn)
		}
		if !found {
			t.Errorf("host_inventory.go lists the type %s, which the library does not use", tn)
		}
	}
}

func isCommonParamName(p string) bool {
	for _, c := range commonParams {
		if strings.EqualFold(c.Name, p) || containsFold(c.Aliases, p) {
			return true
		}
	}
	return false
}
