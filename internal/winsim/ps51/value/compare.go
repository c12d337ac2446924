package value

import (
	"cmp"
	"fmt"
	"strings"
	"unicode"
)

// The comparison operators (about_Comparison_Operators; PowerShell language specification §7.8.1).
//
// With a scalar on the left they return a bool. With a collection on the left they filter: the result is
// an object[] of the elements for which the comparison holds ("When the left-hand side is a collection,
// -eq returns those members that match the right-hand side", about_Comparison_Operators "-eq and -ne");
// 1,2,3 -eq 2 is @(2) and @() -eq $null is @(). The right operand is converted to the type of the left
// operand (of each element, when filtering) before the comparison ("the value on the right-hand side
// of the comparison can be converted to the type of the left-hand side value", ibid.), so '10' -gt 9
// compares the strings "10" and "9" (False) and 9 -gt '10' compares the numbers (False). String
// comparison ignores case unless cs (the -c variants) is set.

func isNumeric(v any) bool {
	switch v.(type) {
	case uint8, int32, int64, float64, Decimal:
		return true
	}
	return false
}

// Equal is PowerShell's equality of two scalars (LanguagePrimitives.Equals as -eq uses it): $null
// equals only $null; a string on the left compares with the right converted to string; two numbers
// compare by value whatever their types; otherwise the right is converted to the left's type and the
// comparison is false when that conversion fails. The error is non-nil only for a construct the model
// does not implement.
func Equal(left, right any, cs bool) (bool, error) {
	left, right = norm(left), norm(right)
	if left == nil {
		return right == nil, nil
	}
	if right == nil {
		return false, nil
	}
	if ls, ok := left.(string); ok {
		return stringsEqual(ls, ToString(right), cs), nil
	}
	if isNumeric(left) && isNumeric(right) {
		c, err := numericCompare(left, right)
		return err == nil && c == 0, nil
	}
	if identical(left, right) {
		return true, nil
	}
	conv, err := convertLike(right, left)
	if err != nil {
		if IsNotModelled(err) {
			return false, err
		}
		return false, nil
	}
	switch l := left.(type) {
	case Char:
		r, ok := conv.(Char)
		if !ok {
			return false, nil
		}
		if cs {
			return l == r, nil
		}
		return unicode.ToUpper(rune(l)) == unicode.ToUpper(rune(r)), nil
	case uint8, int32, int64, float64, Decimal:
		c, err := numericCompare(left, conv)
		return err == nil && c == 0, nil
	}
	return identical(left, conv), nil
}

// identical is Object.Equals for the model's types: value equality for value types, identity for
// reference types.
func identical(a, b any) bool {
	switch x := a.(type) {
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case Char:
		y, ok := b.(Char)
		return ok && x == y
	case Enum:
		y, ok := b.(Enum)
		return ok && x.Type.Name == y.Type.Name && x.Value == y.Value
	case DateTime:
		y, ok := b.(DateTime)
		return ok && x.Ticks == y.Ticks
	case string:
		y, ok := b.(string)
		return ok && x == y
	case Array:
		y, ok := b.(Array)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case *Hashtable, *PSObject, *TypedArray:
		return a == b
	}
	if isNumeric(a) {
		return false
	}
	defer func() { _ = recover() }() // uncomparable host values are simply not identical
	return a == b
}

// convertLike converts v to the type of like, as LanguagePrimitives.ConvertTo(v, like.GetType()).
func convertLike(v, like any) (any, error) {
	switch l := like.(type) {
	case bool:
		return ToBool(v), nil
	case Char:
		return wrap1(ToChar(v))
	case uint8:
		return wrap1(ToByte(v))
	case int32:
		return wrap1(ToInt32(v))
	case int64:
		return wrap1(ToInt64(v))
	case float64:
		return wrap1(ToDouble(v))
	case Decimal:
		return wrap1(toDecimal(v))
	case string:
		return ToString(v), nil
	case Enum:
		return wrap1(ConvertToEnum(v, l.Type))
	case DateTime:
		return Convert(v, "datetime")
	}
	if identical(v, like) {
		return v, nil
	}
	return nil, castErr(v, TypeName(like))
}

func stringsEqual(a, b string, cs bool) bool {
	if cs {
		return a == b
	}
	return strings.EqualFold(a, b)
}

// compareStrings approximates the culture-sensitive comparison PowerShell uses for -lt/-gt on strings
// (CultureInfo.CompareInfo.Compare). inferred: characters compare by their lower-case code point; when
// the strings are equal but for case and the comparison is case-sensitive, lower case sorts before upper
// case, as the Windows culture collation does ('a' -clt 'A' is True). Punctuation weights and other
// linguistic rules of the collation are not modelled.
func compareStrings(a, b string, cs bool) int {
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		la, lb := unicode.ToLower(ra[i]), unicode.ToLower(rb[i])
		if la != lb {
			return sign(int(la) - int(lb))
		}
	}
	if len(ra) != len(rb) {
		return sign(len(ra) - len(rb))
	}
	if cs {
		for i := range ra {
			if ra[i] != rb[i] {
				if unicode.IsLower(ra[i]) {
					return -1
				}
				return 1
			}
		}
	}
	return 0
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// numericCompare compares two numbers of any numeric types: as decimals when one is a decimal and the
// other is not a double, else as doubles when either is a double, else as 64-bit integers
// (PowerShell language specification §6.15, usual arithmetic conversions).
func numericCompare(a, b any) (int, error) {
	_, ad := a.(Decimal)
	_, bd := b.(Decimal)
	_, af := a.(float64)
	_, bf := b.(float64)
	switch {
	case (ad || bd) && !af && !bf:
		x, err := toDecimal(a)
		if err != nil {
			return 0, err
		}
		y, err := toDecimal(b)
		if err != nil {
			return 0, err
		}
		return x.Cmp(y), nil
	case af || bf || ad || bd:
		x, err := ToDouble(a)
		if err != nil {
			return 0, err
		}
		y, err := ToDouble(b)
		if err != nil {
			return 0, err
		}
		// cmp.Compare orders NaN below every number and equal to itself, as Double.CompareTo does.
		return cmp.Compare(x, y), nil
	}
	x, err := ToInt64(a)
	if err != nil {
		return 0, err
	}
	y, err := ToInt64(b)
	if err != nil {
		return 0, err
	}
	return cmp.Compare(x, y), nil
}

// Compare orders two scalars as -lt/-gt/-le/-ge do (LanguagePrimitives.Compare): a string on the left
// compares with the right converted to string; two numbers by value; otherwise the right is converted to
// the left's type. $null sorts below zero and positive numbers and above negative ones, and below any
// other value (inferred from LanguagePrimitives' CompareObjectToNull). A failed conversion is the error
// `Could not compare "1" to "abc". Error: "Cannot convert value ..."` (inferred: 5.1's
// ExtendedTypeSystem ComparisonFailure text).
func Compare(left, right any, cs bool) (int, error) {
	left, right = norm(left), norm(right)
	if left == nil {
		if right == nil {
			return 0, nil
		}
		return -compareToNull(right), nil
	}
	if right == nil {
		return compareToNull(left), nil
	}
	if ls, ok := left.(string); ok {
		return compareStrings(ls, ToString(right), cs), nil
	}
	if isNumeric(left) && isNumeric(right) {
		return numericCompare(left, right)
	}
	conv, err := convertLike(right, left)
	if err != nil {
		if IsNotModelled(err) {
			return 0, err
		}
		return 0, &RuntimeError{ID: "ComparisonFailure", Err: err, Message: fmt.Sprintf(
			"Could not compare \"%s\" to \"%s\". Error: \"%s\"", DotNetString(left), DotNetString(right), err.Error())}
	}
	switch l := left.(type) {
	case bool:
		r, _ := conv.(bool)
		return sign(b2i(l) - b2i(r)), nil
	case Char:
		r, _ := conv.(Char)
		if !cs {
			return sign(int(unicode.ToLower(rune(l))) - int(unicode.ToLower(rune(r)))), nil
		}
		return sign(int(l) - int(r)), nil
	case Enum:
		r, _ := conv.(Enum)
		return sign64(l.Value - r.Value), nil
	case DateTime:
		r, _ := conv.(DateTime)
		return l.Compare(r), nil
	case uint8, int32, int64, float64, Decimal:
		return numericCompare(left, conv)
	}
	return 0, &RuntimeError{ID: "NotIcomparable", Message: fmt.Sprintf(
		"Cannot compare \"%s\" because it is not IComparable.", DotNetString(left))}
}

func compareToNull(v any) int {
	if isNumeric(v) {
		if c, err := numericCompare(v, int32(0)); err == nil && c < 0 {
			return -1
		}
	}
	return 1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sign64(n int64) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// CompareOp names a comparison operator without its c/i prefix.
type CompareOp string

// The comparison operators.
const (
	OpEq CompareOp = "eq"
	OpNe CompareOp = "ne"
	OpGt CompareOp = "gt"
	OpGe CompareOp = "ge"
	OpLt CompareOp = "lt"
	OpLe CompareOp = "le"
)

func scalarCompare(op CompareOp, l, r any, cs bool) (bool, error) {
	switch op {
	case OpEq:
		return Equal(l, r, cs)
	case OpNe:
		eq, err := Equal(l, r, cs)
		return !eq, err
	}
	c, err := Compare(l, r, cs)
	if err != nil {
		return false, err
	}
	switch op {
	case OpGt:
		return c > 0, nil
	case OpGe:
		return c >= 0, nil
	case OpLt:
		return c < 0, nil
	case OpLe:
		return c <= 0, nil
	}
	return false, fmt.Errorf("value: unknown comparison operator %q", op)
}

// CompareValues applies a comparison operator: a bool for a scalar left operand, the filtered object[]
// for a collection.
func CompareValues(op CompareOp, left, right any, cs bool) (any, error) {
	if items, ok := List(norm(left)); ok {
		out := Array{}
		for _, e := range items {
			hit, err := scalarCompare(op, e, right, cs)
			if err != nil {
				return nil, err
			}
			if hit {
				out = append(out, e)
			}
		}
		return out, nil
	}
	return wrap1(scalarCompare(op, left, right, cs))
}

// Contains is -contains (-ccontains when cs): whether any element of the left collection (a scalar
// counts as a collection of one) equals the right operand, each element being the left side of the
// equality and so driving the conversion (about_Comparison_Operators "-contains and -notcontains";
// about_Type_Conversion "Comparison operations": 'true','false' -contains $true is True).
func Contains(collection, item any, cs bool) (bool, error) {
	items, ok := List(norm(collection))
	if !ok {
		items = []any{collection}
	}
	for _, e := range items {
		eq, err := Equal(e, item, cs)
		if err != nil {
			return false, err
		}
		if eq {
			return true, nil
		}
	}
	return false, nil
}

// NotContains is -notcontains.
func NotContains(collection, item any, cs bool) (bool, error) {
	c, err := Contains(collection, item, cs)
	return !c, err
}

// In is -in: item -in collection is collection -contains item (about_Comparison_Operators "-in and
// -notin").
func In(item, collection any, cs bool) (bool, error) { return Contains(collection, item, cs) }

// NotIn is -notin.
func NotIn(item, collection any, cs bool) (bool, error) {
	c, err := Contains(collection, item, cs)
	return !c, err
}
