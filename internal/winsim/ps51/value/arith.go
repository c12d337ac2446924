package value

import (
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// The arithmetic operators (about_Arithmetic_Operators; about_Type_Conversion "Numeric operations";
// PowerShell language specification §6.15, §7.6, §7.7). The left operand decides: a string
// concatenates (+) or replicates (*); a collection appends (+) or replicates (*); a hashtable merges
// (+); a number (or $null, a bool, a char) does arithmetic with the right operand converted to a number
// (a string by §6.16: 1 + '2' is 3).
//
// Numbers: the operation is done in the wider of the two operand types (decimal, else double, else
// long, else int). An [int] or [long] result that overflows becomes a [double] ([int]::MaxValue + 1 is
// the double 2147483648: about_Type_Conversion "Numeric operations"); decimal overflow is an error. /
// of integers gives an integer when the division is exact (6 / 2 is the [int] 3) and a double otherwise
// (7 / 2 is 3.5) (about_Type_Conversion "Numeric operations"; §7.6.4).

type numKind int

const (
	kInt numKind = iota
	kLong
	kDouble
	kDecimal
)

type arithOp byte

const (
	opAdd arithOp = '+'
	opSub arithOp = '-'
	opMul arithOp = '*'
	opDiv arithOp = '/'
	opRem arithOp = '%'
)

func opName(op arithOp) string {
	switch op {
	case opAdd:
		return "op_Addition"
	case opSub:
		return "op_Subtraction"
	case opMul:
		return "op_Multiply"
	case opDiv:
		return "op_Division"
	}
	return "op_Modulus"
}

// noMethod is 5.1's error for an operator the left operand's type does not define (inferred: the
// RuntimeException text "Method invocation failed because [T] does not contain a method named
// 'op_Addition'.").
func noMethod(left any, op arithOp) error {
	return &RuntimeError{ID: "MethodNotFound", Message: fmt.Sprintf(
		"Method invocation failed because [%s] does not contain a method named '%s'.", TypeName(left), opName(op))}
}

// toOperand turns an operand into a number for arithmetic: $null is [int]0, a bool [int]0/1
// (about_Type_Conversion "Numeric operations": "$true becomes [int]1"), a char its code, an enum its
// value, a string per §6.16; other values are conversion errors naming target.
func toOperand(v any, target string) (any, error) {
	switch x := norm(v).(type) {
	case nil:
		return int32(0), nil
	case bool:
		return int32(b2i(x)), nil
	case Char:
		return int32(x), nil
	case uint8:
		return int32(x), nil
	case int32, int64, float64, Decimal:
		return x, nil
	case Enum:
		if x.Value >= math.MinInt32 && x.Value <= math.MaxInt32 {
			return int32(x.Value), nil
		}
		return x.Value, nil
	case string:
		n, ok := parseNumber(x)
		if !ok {
			return nil, convErr(x, target, msgFormat)
		}
		return n, nil
	}
	return nil, castErr(v, target)
}

func kindOf(v any) numKind {
	switch v.(type) {
	case int64:
		return kLong
	case float64:
		return kDouble
	case Decimal:
		return kDecimal
	}
	return kInt
}

func targetOf(v any) string {
	switch norm(v).(type) {
	case int64:
		return "System.Int64"
	case float64:
		return "System.Double"
	case Decimal:
		return "System.Decimal"
	}
	return "System.Int32"
}

// numeric does op on two operands already converted to numbers.
func numeric(op arithOp, a, b any) (any, error) {
	k := max(kindOf(a), kindOf(b))
	switch k {
	case kDecimal:
		x, err := toDecimal(a)
		if err != nil {
			return nil, err
		}
		y, err := toDecimal(b)
		if err != nil {
			return nil, err
		}
		return decimalOp(op, x, y)
	case kDouble:
		x, _ := ToDouble(a)
		y, _ := ToDouble(b)
		return doubleOp(op, x, y), nil
	}
	x, _ := ToInt64(a)
	y, _ := ToInt64(b)
	r, err := longOp(op, x, y)
	if err != nil {
		return nil, err
	}
	if k == kInt {
		if n, isLong := r.(int64); isLong && n >= math.MinInt32 && n <= math.MaxInt32 {
			return int32(n), nil
		}
		if n, isLong := r.(int64); isLong {
			// an [int] result that overflows [int] becomes a double, not a long
			return float64(n), nil
		}
	}
	return r, nil
}

func doubleOp(op arithOp, x, y float64) float64 {
	switch op {
	case opAdd:
		return x + y
	case opSub:
		return x - y
	case opMul:
		return x * y
	case opDiv:
		// inferred: double division by zero gives ±Infinity or NaN; only integer division by zero
		// is an error.
		return x / y
	}
	return math.Mod(x, y)
}

func divideByZero() error {
	return &RuntimeError{ID: "RuntimeException", Message: msgDivZero,
		Err: &RuntimeError{ID: "DivideByZeroException", Message: msgDivZero}}
}

// longOp works in 64 bits and falls back to double on overflow.
func longOp(op arithOp, x, y int64) (any, error) {
	switch op {
	case opAdd:
		s := x + y
		if (x >= 0) == (y >= 0) && (s >= 0) != (x >= 0) {
			return float64(x) + float64(y), nil
		}
		return s, nil
	case opSub:
		s := x - y
		if (x >= 0) != (y >= 0) && (s >= 0) != (x >= 0) {
			return float64(x) - float64(y), nil
		}
		return s, nil
	case opMul:
		hi, lo := bits.Mul64(uint64(abs64(x)), uint64(abs64(y))) //nolint:gosec // magnitudes
		neg := (x < 0) != (y < 0)
		if hi != 0 || lo > math.MaxInt64+b2u(neg) || x == math.MinInt64 || y == math.MinInt64 {
			return float64(x) * float64(y), nil
		}
		if neg {
			return -int64(lo), nil //nolint:gosec // range checked
		}
		return int64(lo), nil //nolint:gosec // range checked
	case opDiv:
		if y == 0 {
			return nil, divideByZero()
		}
		if x == math.MinInt64 && y == -1 {
			return -float64(x), nil
		}
		if x%y == 0 {
			return x / y, nil
		}
		return float64(x) / float64(y), nil
	}
	if y == 0 {
		return nil, divideByZero()
	}
	if y == -1 {
		return int64(0), nil
	}
	return x % y, nil
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func decimalOp(op arithOp, x, y Decimal) (any, error) {
	switch op {
	case opAdd:
		return wrap1(x.add(y, 1))
	case opSub:
		return wrap1(x.add(y, -1))
	case opMul:
		return wrap1(x.mul(y))
	}
	if y.IsZero() {
		return nil, divideByZero()
	}
	// not modelled: .NET's 28-digit decimal division; the quotient goes through double.
	d, ok := DecimalFromFloat(doubleOp(op, x.Float64(), y.Float64()))
	if !ok {
		return nil, decOverflow()
	}
	return d, nil
}

// Add is the + operator.
func Add(left, right any) (any, error) {
	left, right = norm(left), norm(right)
	switch l := left.(type) {
	case nil:
		// inferred: $null + x is x ($null + 1 is 1, $null + 'a' is 'a', $null + @(1) is @(1)).
		if right == nil {
			return nil, nil
		}
		if isNumeric(right) {
			return right, nil
		}
		if _, ok := right.(string); ok {
			return right, nil
		}
		if items, ok := List(right); ok {
			return append(Array{}, items...), nil
		}
		return right, nil
	case string:
		// §7.7.2: string concatenation with the right operand converted to string.
		return l + ToString(right), nil
	case *Hashtable:
		r, ok := right.(*Hashtable)
		if !ok {
			// inferred: 5.1's ExtendedTypeSystem AddHashTableToNonHashTable text.
			return nil, &RuntimeError{ID: "AddHashTableToNonHashTable", Message: "A hash table can only be added to another hash table."}
		}
		// §7.7.4; about_Arithmetic_Operators: "the operation fails" when a key is in both.
		out := l.Clone()
		for i, k := range r.keys {
			if err := out.Add(k, r.vals[i]); err != nil {
				return nil, err
			}
		}
		return out, nil
	case DateTime:
		return nil, &NotModelledError{What: "DateTime arithmetic with +"}
	}
	if items, ok := List(left); ok {
		// §7.7.3: array concatenation; a collection on the right contributes its elements.
		out := append(Array{}, items...)
		if r, isList := List(right); isList {
			return append(out, r...), nil
		}
		return append(out, right), nil
	}
	return arithmetic(opAdd, left, right)
}

func arithmetic(op arithOp, left, right any) (any, error) {
	switch left.(type) {
	case nil, bool, Char, uint8, int32, int64, float64, Decimal, Enum, string:
	default:
		return nil, noMethod(left, op)
	}
	a, err := toOperand(left, targetOf(right))
	if err != nil {
		return nil, err
	}
	if _, isList := List(right); isList {
		return nil, castErr(right, targetOf(a))
	}
	b, err := toOperand(right, targetOf(a))
	if err != nil {
		return nil, err
	}
	return numeric(op, a, b)
}

// Sub is the - operator: numbers only; strings on either side are converted to numbers ('10' - '2' is
// 8: about_Type_Conversion "Numeric operations").
func Sub(left, right any) (any, error) { return arithmetic(opSub, norm(left), norm(right)) }

// Mul is the * operator: a string is replicated ('10' * '2' is '1010'), a collection is replicated
// (§7.6.2, §7.6.3), numbers multiply; $true * $false is an error ("The operation '[System.Boolean] *
// [System.Boolean]' is not defined.", about_Type_Conversion "Numeric operations").
func Mul(left, right any) (any, error) {
	left, right = norm(left), norm(right)
	if _, ok := left.(bool); ok {
		if _, rb := right.(bool); rb {
			return nil, &RuntimeError{ID: "OperatorNotDefined",
				Message: "The operation '[System.Boolean] * [System.Boolean]' is not defined."}
		}
	}
	if s, ok := left.(string); ok {
		n, err := ToInt32(right)
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return "", nil
		}
		return strings.Repeat(s, int(n)), nil
	}
	if _, ok := left.(*Hashtable); ok {
		return nil, noMethod(left, opMul)
	}
	if items, ok := List(left); ok {
		n, err := ToInt32(right)
		if err != nil {
			return nil, err
		}
		out := Array{}
		for range max(n, 0) {
			out = append(out, items...)
		}
		return out, nil
	}
	return arithmetic(opMul, left, right)
}

// Div is the / operator.
func Div(left, right any) (any, error) { return arithmetic(opDiv, norm(left), norm(right)) }

// Rem is the % operator: the remainder has the sign of the dividend (§7.6.5).
func Rem(left, right any) (any, error) { return arithmetic(opRem, norm(left), norm(right)) }

// Negate is unary minus (§7.2.5): -[int]::MinValue becomes a double.
func Negate(v any) (any, error) {
	n, err := toOperand(v, "System.Int32")
	if err != nil {
		return nil, err
	}
	return numeric(opSub, int32(0), n)
}

// Plus is unary plus (§7.2.4): the operand as a number.
func Plus(v any) (any, error) { return toOperand(v, "System.Int32") }
