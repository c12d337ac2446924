package value

import "math"

// The bitwise operators -band, -bor, -bxor, -bnot, -shl, -shr (about_Arithmetic_Operators "Bitwise
// operators"; PowerShell language specification §7.8.5, §7.9, §7.2.3). Operands are converted to
// integers (strings per §6.16; doubles rounded half to even); the result is an [int] when both operands
// are [int]-sized, else a [long]. Two values of the same enum type combine into a value of that type, so
// [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12 stays a
// SecurityProtocolType (inferred: PowerShell's binder operates on the enum's underlying value and
// converts back when both operands have the enum's type; with one enum operand the result takes the
// enum's type too).

type bitOp byte

const (
	bitAnd bitOp = '&'
	bitOr  bitOp = '|'
	bitXor bitOp = '^'
)

func bitInt(v any) (int64, bool, error) {
	switch x := norm(v).(type) {
	case Enum:
		return x.Value, x.Value >= math.MinInt32 && x.Value <= math.MaxInt32, nil
	case int64:
		return x, false, nil
	case float64, Decimal:
		n, err := ToInt64(x)
		return n, false, err
	case string:
		n, ok := parseNumber(x)
		if !ok {
			return 0, false, convErr(x, "System.Int32", msgFormat)
		}
		return bitInt(n)
	}
	n, err := ToInt64(v)
	if err != nil {
		return 0, false, err
	}
	return n, n >= math.MinInt32 && n <= math.MaxInt32, nil
}

func bitwise(op bitOp, left, right any) (any, error) {
	left, right = norm(left), norm(right)
	a, aSmall, err := bitInt(left)
	if err != nil {
		return nil, err
	}
	b, bSmall, err := bitInt(right)
	if err != nil {
		return nil, err
	}
	var r int64
	switch op {
	case bitAnd:
		r = a & b
	case bitOr:
		r = a | b
	default:
		r = a ^ b
	}
	if e, ok := left.(Enum); ok {
		return Enum{Type: e.Type, Value: r}, nil
	}
	if e, ok := right.(Enum); ok {
		return Enum{Type: e.Type, Value: r}, nil
	}
	if aSmall && bSmall {
		return int32(r), nil //nolint:gosec // both operands fit 32 bits, so does the result
	}
	return r, nil
}

// BAnd is -band.
func BAnd(left, right any) (any, error) { return bitwise(bitAnd, left, right) }

// BOr is -bor.
func BOr(left, right any) (any, error) { return bitwise(bitOr, left, right) }

// BXor is -bxor.
func BXor(left, right any) (any, error) { return bitwise(bitXor, left, right) }

// BNot is -bnot.
func BNot(v any) (any, error) {
	v = norm(v)
	n, small, err := bitInt(v)
	if err != nil {
		return nil, err
	}
	if e, ok := v.(Enum); ok {
		return Enum{Type: e.Type, Value: ^n}, nil
	}
	if small {
		return ^int32(n), nil //nolint:gosec // fits 32 bits
	}
	return ^n, nil
}

// Shl is -shl: an [int] shifts by the count modulo 32, a [long] modulo 64 (.NET shift semantics).
func Shl(left, right any) (any, error) { return shift(left, right, true) }

// Shr is -shr: an arithmetic (sign-propagating) shift for the signed types.
func Shr(left, right any) (any, error) { return shift(left, right, false) }

func shift(left, right any, leftShift bool) (any, error) {
	n, small, err := bitInt(left)
	if err != nil {
		return nil, err
	}
	c, _, err := bitInt(right)
	if err != nil {
		return nil, err
	}
	if small {
		x := int32(n) //nolint:gosec // fits 32 bits
		s := uint(c & 31)
		if leftShift {
			return x << s, nil
		}
		return x >> s, nil
	}
	s := uint(c & 63)
	if leftShift {
		return n << s, nil
	}
	return n >> s, nil
}

// The logical operators (about_Logical_Operators; §7.10). -and and -or short-circuit, which is the
// interpreter's business: it evaluates the right operand only when needed and uses ToBool. -xor and
// -not evaluate every operand.

// Xor is -xor: true when exactly one operand is true.
func Xor(left, right any) bool { return ToBool(left) != ToBool(right) }

// Not is -not and !.
func Not(v any) bool { return !ToBool(v) }
