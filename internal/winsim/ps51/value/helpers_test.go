package value

import (
	"reflect"
	"testing"
)

// Doc sources cited by the test rows.
const (
	docCmp     = "about_Comparison_Operators"
	docArith   = "about_Arithmetic_Operators"
	docTypeCv  = "about_Type_Conversion"
	docBool    = "about_Booleans"
	docSplit   = "about_Split"
	docJoin    = "about_Join"
	docOps     = "about_Operators (-f)"
	docHash    = "about_Hash_Tables"
	docSpec6   = "PowerShell language specification ch. 6"
	docSpec7   = "PowerShell language specification ch. 7"
	docToJSON  = "ConvertTo-Json.md (5.1)"
	docFrJSON  = "ConvertFrom-Json.md (5.1)"
	docRegex   = "about_Regular_Expressions"
	docNetFmt  = ".NET composite/numeric formatting"
	inferred   = "inferred"
	docWild    = "about_Wildcards"
	docAutoVar = "about_Automatic_Variables ($Matches)"
)

// same compares two values: by type and value, recursively for arrays, hashtables and objects.
func same(a, b any) bool {
	a, b = norm(a), norm(b)
	switch x := a.(type) {
	case Array:
		y, ok := b.(Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !same(x[i], y[i]) {
				return false
			}
		}
		return true
	case *TypedArray:
		y, ok := b.(*TypedArray)
		return ok && x.Elem == y.Elem && same(x.Values, y.Values)
	case *Hashtable:
		y, ok := b.(*Hashtable)
		if !ok || x.Len() != y.Len() || x.Ordered != y.Ordered {
			return false
		}
		for i, k := range x.keys {
			if !same(k, y.keys[i]) || !same(x.vals[i], y.vals[i]) {
				return false
			}
		}
		return true
	case *PSObject:
		y, ok := b.(*PSObject)
		if !ok || !reflect.DeepEqual(x.names, y.names) {
			return false
		}
		for i := range x.vals {
			if !same(x.vals[i], y.vals[i]) {
				return false
			}
		}
		return true
	case Decimal:
		y, ok := b.(Decimal)
		return ok && x.String() == y.String()
	case Enum:
		y, ok := b.(Enum)
		return ok && x.Type.Name == y.Type.Name && x.Value == y.Value
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (x != x && y != y))
	}
	return reflect.TypeOf(a) == reflect.TypeOf(b) && a == b
}

func dec(s string) Decimal {
	d, ok := ParseDecimal(s)
	if !ok {
		panic("bad decimal " + s)
	}
	return d
}

func ht(kv ...any) *Hashtable {
	h := NewHashtable()
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func ordered(kv ...any) *Hashtable {
	h := ht(kv...)
	h.Ordered = true
	return h
}

func pso(kv ...any) *PSObject {
	o := NewPSObject()
	for i := 0; i+1 < len(kv); i += 2 {
		s, _ := kv[i].(string)
		o.Set(s, kv[i+1])
	}
	return o
}

func check(t *testing.T, name, src string, got, want any) {
	t.Helper()
	if !same(got, want) {
		t.Errorf("%s [%s]: got %#v (%T), want %#v (%T)", name, src, got, got, want, want)
	}
}
