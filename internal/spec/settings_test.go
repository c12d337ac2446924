package spec

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/settings"
)

// blockValue returns the Spec field holding block b, allocating a pointer block.
func blockValue(s *Spec, b settings.Block) reflect.Value {
	f := reflect.ValueOf(s).Elem().FieldByName(b.Type)
	if f.Kind() == reflect.Pointer {
		f.Set(reflect.New(f.Type().Elem()))
		f = f.Elem()
	}
	return f
}

// sample sets setting st of out to a value of its kind.
func sample(out reflect.Value, st settings.Setting, v string) {
	f := out.FieldByName(st.Field)
	switch st.Kind {
	case settings.Bool:
		f.SetBool(true)
	case settings.StringList:
		f.Set(reflect.ValueOf([]string{v}))
	default:
		f.SetString(v)
	}
}

// TestGeneratedStructs: spec's block structs hold exactly the table's settings, in its order and of its kinds
// (settings_gen.go is not stale), and isZero and eachValue see each of them.
func TestGeneratedStructs(t *testing.T) {
	kinds := map[settings.Kind]reflect.Type{settings.String: reflect.TypeFor[string](), settings.Bool: reflect.TypeFor[bool](),
		settings.StringList: reflect.TypeFor[[]string]()}
	for _, b := range settings.Blocks() {
		var s Spec
		typ := blockValue(&s, b).Type()
		if typ.NumField() != len(b.Settings) {
			t.Errorf("spec.%s has %d fields, the table %d settings: run make generate", b.Type, typ.NumField(), len(b.Settings))
			continue
		}
		for i, st := range b.Settings {
			f := typ.Field(i)
			if f.Name != st.Field || f.Type != kinds[st.Kind] {
				t.Errorf("spec.%s field %d is %s %s, the table says %s: run make generate", b.Type, i, f.Name, f.Type, st.Field)
			}
			var one Spec
			sample(blockValue(&one, b), st, "v")
			zero := map[string]bool{"Engine": one.Engine.isZero(), "LCOW": one.LCOW.isZero(), "Daemon": one.Daemon.isZero(), "Compose": one.Compose.isZero()}
			if zero[b.Type] {
				t.Errorf("spec.%s.isZero is true with %s set", b.Type, st.Field)
			}
			var seen []string
			one.EachValue(func(path, v string) {
				if v != "" {
					seen = append(seen, path)
				}
			})
			if want := st.Kind != settings.Bool; want != slices.Contains(seen, b.Path(st)) {
				t.Errorf("EachValue with %s set saw %v", b.Path(st), seen)
			}
		}
	}
	if !(*Engine)(nil).isZero() || !(&LCOW{}).isZero() || !(*Daemon)(nil).isZero() || !(&Compose{}).isZero() {
		t.Error("isZero is false for an empty block")
	}
}

// TestValidateValues: a block setting outside its allowed values is refused on its path, for every setting
// that has values (spec's own check of engine.type keeps its message).
func TestValidateValues(t *testing.T) {
	checked := 0
	for _, b := range settings.Blocks() {
		for _, st := range b.Settings {
			if len(st.Values) == 0 {
				continue
			}
			for _, v := range append(slices.Clone(st.Values), "no-such-value") {
				s := Spec{Mode: "process"}
				sample(blockValue(&s, b), st, v)
				_, ds := Validate(s, today)
				var at []Diagnostic
				for _, d := range ds.Errors() {
					if d.Path == b.Path(st) {
						at = append(at, d)
					}
				}
				switch {
				case v != "no-such-value" && len(at) > 0:
					t.Errorf("%s = %q (allowed): %v", b.Path(st), v, at)
				case v == "no-such-value" && len(at) != 1:
					t.Errorf("%s = %q: want one error on it, got %v", b.Path(st), v, at)
				case v == "no-such-value" && !checkedByHand(b.Path(st)) && !strings.Contains(at[0].Detail, oneOf(st.Values)):
					t.Errorf("%s: the error does not name the allowed values: %v", b.Path(st), at[0])
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no setting has allowed values")
	}
}

func TestOneOf(t *testing.T) {
	for in, want := range map[string]string{"a": `"a"`, "a,b": `"a" or "b"`, "a,b,c": `"a", "b" or "c"`} {
		if got := oneOf(strings.Split(in, ",")); got != want {
			t.Errorf("oneOf(%s) = %s, want %s", in, got, want)
		}
	}
}
