package value

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// ToBool is PowerShell's truthiness, used by if, -not, -and, -or and [bool] casts (about_Booleans;
// PowerShell language specification §6.2): $null, "", a numeric or char zero are $false; any other
// string (even "False") is $true; a collection is $false when empty, the truth of its element when it
// has one element (an element that is itself a collection is $true when it is not empty), $true when
// it has more; every other object, an empty hashtable included, is $true. inferred: an enum value is
// $true even when zero (LanguagePrimitives.IsTrue treats enums as objects, not numbers).
func ToBool(v any) bool {
	switch x := norm(v).(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case Char:
		return x != 0
	case uint8:
		return x != 0
	case int32:
		return x != 0
	case int64:
		return x != 0
	case float64:
		return x != 0 // NaN is true, as NaN != 0
	case Decimal:
		return !x.IsZero()
	}
	if items, ok := List(v); ok {
		switch len(items) {
		case 0:
			return false
		case 1:
			if inner, nested := List(items[0]); nested {
				return len(inner) > 0
			}
			return ToBool(items[0])
		}
		return true
	}
	return true
}

func convErr(v any, target, reason string) error {
	return &ConversionError{Value: ToString(v), Target: target, Reason: reason}
}

func castErr(v any, target string) error {
	return &ConversionError{Value: DotNetString(v), Source: TypeName(v), Target: target}
}

// ToInt32 is the [int] cast (PowerShell language specification §6.4): $null is 0, booleans 0/1, a
// double or decimal rounds half to even ([int]2.5 is 2, [int]3.5 is 4: about_Arithmetic_Operators
// "Division and rounding"), a string per §6.16 (" 42 " is 42, "0x1F" is 31, "" is 0, "1.5" is 2), an
// enum its value; out-of-range values and other objects are errors.
func ToInt32(v any) (int32, error) {
	n, err := toInteger(v, "System.Int32", math.MinInt32, math.MaxInt32, 32)
	return int32(n), err //nolint:gosec // range checked in toInteger
}

// ToInt64 is the [long] cast, with ToInt32's rules.
func ToInt64(v any) (int64, error) {
	return toInteger(v, "System.Int64", math.MinInt64, math.MaxInt64, 64)
}

// ToByte is the [byte] cast, with ToInt32's rules and the range 0..255.
func ToByte(v any) (uint8, error) {
	n, err := toInteger(v, "System.Byte", 0, 255, 32)
	return uint8(n), err //nolint:gosec // range checked in toInteger
}

func toInteger(v any, target string, lo, hi int64, bits int) (int64, error) {
	v = norm(v)
	inRange := func(n int64) (int64, error) {
		if n < lo || n > hi {
			return 0, convErr(v, target, overflowReason(target))
		}
		return n, nil
	}
	switch x := v.(type) {
	case nil:
		return 0, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case Char:
		return inRange(int64(x))
	case uint8:
		return inRange(int64(x))
	case int32:
		return inRange(int64(x))
	case int64:
		return inRange(x)
	case float64:
		return floatToInteger(v, x, target, lo, hi)
	case Decimal:
		n, ok := x.toInt64()
		if !ok {
			return 0, convErr(v, target, overflowReason(target))
		}
		return inRange(n)
	case Enum:
		return inRange(x.Value)
	case string:
		if trimDotNet(x) == "" {
			return 0, nil
		}
		n, ok, ovf := parseIntegerStrict(x, bits)
		if ok && !ovf {
			return inRange(n)
		}
		// inferred: when the integer converter fails, LanguagePrimitives tries the string as a double
		// and converts that ("1.5" → 2, "1e3" → 1000); the error reported is the integer one.
		num, isNum := parseNumber(x)
		if !isNum {
			return 0, convErr(v, target, msgFormat)
		}
		if f, isF := num.(float64); isF {
			return floatToInteger(v, f, target, lo, hi)
		}
		if ovf {
			return 0, convErr(v, target, overflowReason(target))
		}
		return toInteger(num, target, lo, hi, bits)
	}
	return 0, castErr(v, target)
}

func floatToInteger(orig any, f float64, target string, lo, hi int64) (int64, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, convErr(orig, target, overflowReason(target))
	}
	r := math.RoundToEven(f)
	if r < float64(lo) || r >= float64(hi)+1 {
		return 0, convErr(orig, target, overflowReason(target))
	}
	return int64(r), nil
}

// ToDouble is the [double] cast (PowerShell language specification §6.5): $null is 0, booleans 0/1,
// numbers exactly (or nearly, for long and decimal), strings per §6.16; other objects are errors.
func ToDouble(v any) (float64, error) {
	v = norm(v)
	switch x := v.(type) {
	case nil:
		return 0, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case Char:
		return float64(x), nil
	case uint8:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case Decimal:
		return x.Float64(), nil
	case Enum:
		return float64(x.Value), nil
	case string:
		n, ok := parseNumber(x)
		if !ok {
			return 0, convErr(v, "System.Double", msgFormat)
		}
		return ToDouble(n)
	}
	return 0, castErr(v, "System.Double")
}

// toDecimal is the [decimal] cast (PowerShell language specification §6.6).
func toDecimal(v any) (Decimal, error) {
	v = norm(v)
	switch x := v.(type) {
	case nil:
		return Decimal{}, nil
	case bool:
		if x {
			return decimalFromInt(1), nil
		}
		return Decimal{}, nil
	case Char:
		return decimalFromInt(int64(x)), nil
	case uint8:
		return decimalFromInt(int64(x)), nil
	case int32:
		return decimalFromInt(int64(x)), nil
	case int64:
		return decimalFromInt(x), nil
	case float64:
		d, ok := DecimalFromFloat(x)
		if !ok {
			return Decimal{}, convErr(v, "System.Decimal", overflowReason("System.Decimal"))
		}
		return d, nil
	case Decimal:
		return x, nil
	case string:
		if trimDotNet(x) == "" {
			return Decimal{}, nil
		}
		if d, ok := ParseDecimal(x); ok {
			return d, nil
		}
		n, ok := parseNumber(x)
		if !ok {
			return Decimal{}, convErr(v, "System.Decimal", msgFormat)
		}
		return toDecimal(n)
	}
	return Decimal{}, castErr(v, "System.Decimal")
}

// ToChar is the [char] cast (PowerShell language specification §6.3): $null is U+0000, an integer in
// range its code, a one-character string its character; a longer string, a bool, a double or a decimal
// is an error.
func ToChar(v any) (Char, error) {
	v = norm(v)
	switch x := v.(type) {
	case nil:
		return 0, nil
	case Char:
		return x, nil
	case string:
		if utf8.RuneCountInString(x) != 1 {
			// inferred: .NET's Convert.ToChar(string) message.
			return 0, convErr(v, "System.Char", "String must be exactly one character long.")
		}
		r, _ := utf8.DecodeRuneInString(x)
		return Char(r), nil
	case uint8, int32, int64:
		n, err := ToInt64(x)
		if err != nil {
			return 0, err
		}
		if n < 0 || n > 0xFFFF {
			return 0, convErr(v, "System.Char", overflowReason("System.Char"))
		}
		return Char(n), nil
	}
	return 0, castErr(v, "System.Char")
}

// toArray is the [array] / [object[]] cast (PowerShell language specification §6.9): $null stays $null,
// a collection is copied into a new object[], any other value (a string, a hashtable) becomes a
// one-element array.
func toArray(v any) any {
	v = norm(v)
	if v == nil {
		return nil
	}
	if items, ok := List(v); ok {
		return append(Array{}, items...)
	}
	return Array{v}
}

// toTypedArray converts to elem[] element by element (§6.9); a string to [char[]] becomes its chars.
func toTypedArray(v any, elem string, conv func(any) (any, error)) (any, error) {
	v = norm(v)
	if v == nil {
		return nil, nil
	}
	var items []any
	if s, ok := v.(string); ok && elem == "System.Char" {
		for _, r := range s {
			items = append(items, Char(r))
		}
	} else if l, ok := List(v); ok {
		items = l
	} else {
		items = []any{v}
	}
	out := make(Array, len(items))
	for i, e := range items {
		c, err := conv(e)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return &TypedArray{Elem: elem, Values: out}, nil
}

// Convert is the cast [T]v for the type names the model knows (accelerators and full names, any case,
// with or without "System."): int/int32, long/int64, byte, double, decimal, bool/boolean, char, string,
// object, array/object[], string[], int[], long[], byte[], char[], hashtable, pscustomobject/psobject,
// datetime (from a DateTime only: strings are not parsed; that fails loudly). An unknown name is 5.1's
// "Unable to find type [T]." (about_Type_Conversion; PowerShell language specification chapter 6).
func Convert(v any, typeName string) (any, error) {
	v = norm(v)
	switch canonicalType(typeName) {
	case "System.Int32":
		return wrap1(ToInt32(v))
	case "System.Int64":
		return wrap1(ToInt64(v))
	case "System.Byte":
		return wrap1(ToByte(v))
	case "System.Double":
		return wrap1(ToDouble(v))
	case "System.Decimal":
		return wrap1(toDecimal(v))
	case "System.Boolean":
		return ToBool(v), nil
	case "System.Char":
		return wrap1(ToChar(v))
	case "System.String":
		// §6.8: $null converts to "" ([string]$null -eq '' is True).
		return ToString(v), nil
	case "System.Object":
		return v, nil
	case "System.Object[]":
		return toArray(v), nil
	case "System.String[]":
		return toTypedArray(v, "System.String", func(e any) (any, error) {
			if e == nil {
				return nil, nil
			}
			return ToString(e), nil
		})
	case "System.Int32[]":
		return toTypedArray(v, "System.Int32", func(e any) (any, error) { return wrap1(ToInt32(e)) })
	case "System.Int64[]":
		return toTypedArray(v, "System.Int64", func(e any) (any, error) { return wrap1(ToInt64(e)) })
	case "System.Byte[]":
		return toTypedArray(v, "System.Byte", func(e any) (any, error) { return wrap1(ToByte(e)) })
	case "System.Char[]":
		return toTypedArray(v, "System.Char", func(e any) (any, error) { return wrap1(ToChar(e)) })
	case "System.Collections.Hashtable":
		if h, ok := v.(*Hashtable); ok {
			if !h.Ordered {
				return h, nil
			}
			c := h.Clone()
			c.Ordered = false
			return c, nil
		}
		if v == nil {
			return nil, nil
		}
		return nil, castErr(v, "System.Collections.Hashtable")
	case "System.Management.Automation.PSCustomObject", "System.Management.Automation.PSObject":
		h, ok := v.(*Hashtable)
		if !ok {
			// inferred: [pscustomobject] of a non-dictionary value wraps it unchanged.
			return v, nil
		}
		o := NewPSObject()
		for i, k := range h.keys {
			o.Set(ToString(k), h.vals[i])
		}
		return o, nil
	case "System.DateTime":
		switch x := v.(type) {
		case DateTime:
			return x, nil
		case nil:
			return DateTime{}, nil
		}
		return nil, &NotModelledError{What: fmt.Sprintf("conversion of %s to [datetime]", TypeName(v))}
	case "ordered":
		// about_Hash_Tables: [ordered] applies only to a hashtable literal; the parser handles it.
		return nil, &RuntimeError{ID: "OrderedAttributeOnlyOnHashLiteralNode",
			Message: "The ordered attribute can be specified only on a hash literal node."}
	}
	return nil, &RuntimeError{ID: "TypeNotFound", Message: fmt.Sprintf("Unable to find type [%s].", typeName)}
}

func wrap1[T any](v T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

// ConvertToEnum is [EnumType]v: a string names a member (or, for a flags enum, several joined by
// commas), a number is taken as the value (PowerShell language specification §6.13).
func ConvertToEnum(v any, t *EnumType) (Enum, error) {
	v = norm(v)
	switch x := v.(type) {
	case Enum:
		if x.Type.Name == t.Name {
			return x, nil
		}
		return Enum{Type: t, Value: x.Value}, nil
	case string:
		return t.Parse(x)
	case uint8, int32, int64, float64, Decimal, Char:
		n, err := ToInt64(x)
		if err != nil {
			return Enum{}, err
		}
		return Enum{Type: t, Value: n}, nil
	}
	return Enum{}, castErr(v, t.Name)
}

var typeAliases = map[string]string{
	"int": "System.Int32", "int32": "System.Int32",
	"long": "System.Int64", "int64": "System.Int64",
	"byte":    "System.Byte",
	"double":  "System.Double",
	"decimal": "System.Decimal",
	"bool":    "System.Boolean", "boolean": "System.Boolean",
	"char":   "System.Char",
	"string": "System.String",
	"object": "System.Object",
	"array":  "System.Object[]", "object[]": "System.Object[]",
	"string[]": "System.String[]",
	"int[]":    "System.Int32[]", "int32[]": "System.Int32[]",
	"long[]": "System.Int64[]", "int64[]": "System.Int64[]",
	"byte[]":    "System.Byte[]",
	"char[]":    "System.Char[]",
	"hashtable": "System.Collections.Hashtable", "collections.hashtable": "System.Collections.Hashtable",
	"collections.specialized.ordereddictionary": "System.Collections.Specialized.OrderedDictionary",
	"pscustomobject":                       "System.Management.Automation.PSObject",
	"psobject":                             "System.Management.Automation.PSObject",
	"management.automation.pscustomobject": "System.Management.Automation.PSCustomObject",
	"management.automation.psobject":       "System.Management.Automation.PSObject",
	"datetime":                             "System.DateTime",
	"ordered":                              "ordered",
	"enum":                                 "System.Enum",
	"valuetype":                            "System.ValueType",
}

// canonicalType maps an accelerator or a type name (any case, with or without "System.") onto the full
// .NET name; unknown names come back unchanged.
func canonicalType(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if strings.HasPrefix(n, "[") && strings.HasSuffix(n, "]") {
		n = n[1 : len(n)-1]
	}
	n = strings.TrimPrefix(n, "system.")
	if full, ok := typeAliases[n]; ok {
		return full
	}
	return name
}
