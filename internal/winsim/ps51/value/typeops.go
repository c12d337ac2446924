package value

import "strings"

// The type operators -is, -isnot and -as (about_Operators "Type operators"; PowerShell language
// specification §7.8.3) for the model's types. typeName is what the type literal names: an accelerator
// (int, string, hashtable, pscustomobject, array, ...) or a full name with or without "System.".

// Is is -is. $null is of no type. A host Object is of its TypeName and of the names its TypeNames
// gives. [pscustomobject] is the accelerator of PSObject, so a [pscustomobject] value is both -is
// [pscustomobject] and -is [Management.Automation.PSCustomObject].
func Is(v any, typeName string) bool {
	v = norm(v)
	if v == nil {
		return false
	}
	want := canonicalType(typeName)
	if n := strings.ToLower(strings.TrimPrefix(strings.ToLower(typeName), "system.")); n == "array" || n == "[array]" {
		// [array] is System.Array for -is, although a cast to it makes an object[].
		want = "System.Array"
	}
	if strings.EqualFold(want, "System.Object") {
		return true
	}
	for _, n := range typeNamesOf(v) {
		if strings.EqualFold(n, want) || strings.EqualFold(strings.TrimPrefix(n, "System."), strings.TrimPrefix(want, "System.")) {
			return true
		}
	}
	return false
}

func typeNamesOf(v any) []string {
	names := []string{TypeName(v)}
	switch x := v.(type) {
	case bool, Char, uint8, int32, int64, float64, Decimal, DateTime:
		names = append(names, "System.ValueType")
	case Enum:
		names = append(names, "System.Enum", "System.ValueType")
	case Array, *TypedArray:
		names = append(names, "System.Array")
	case *Hashtable:
		names = append(names, "System.Collections.IDictionary")
	case *PSObject:
		names = append(names, "System.Management.Automation.PSObject")
	case TypeNamesOf:
		names = append(names, x.TypeNames()...)
	}
	return names
}
