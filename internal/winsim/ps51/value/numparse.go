package value

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// trimDotNet is String.Trim(): .NET white space (Char.IsWhiteSpace), which unicode.IsSpace matches for
// the characters that occur in practice.
func trimDotNet(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }

// parseNumber converts a string to a number as PowerShell does when a string meets a numeric operator
// or a numeric cast (PowerShell language specification §6.16): leading and trailing white space is
// ignored; an empty or all-space string is [int]0; one leading sign; a hexadecimal prefix 0x/0X on an
// integer; a fraction and an optionally signed exponent; "Infinity", "-Infinity" and "NaN"
// (case-distinct); no type suffixes or multipliers. The result has the type a literal of that text would
// have: [int] when it fits, else [long], else [decimal] for integers beyond [long] (about_Numeric_Literals),
// else [double]; anything with a fraction or an exponent is a [double]. A hexadecimal number of up to 8
// digits is an [int] even above 0x7FFFFFFF (0xFFFFFFFF is -1), of up to 16 digits a [long]
// (about_Numeric_Literals "Hexadecimal literals"). False when the string is not a number.
func parseNumber(s string) (any, bool) {
	t := trimDotNet(s)
	if t == "" {
		return int32(0), true
	}
	switch t {
	case "Infinity", "+Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	case "NaN":
		return math.NaN(), true
	}
	neg := false
	body := t
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	if len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') {
		return parseHex(body[2:], neg)
	}
	if body == "" {
		return nil, false
	}
	isInt := true
	sawDigit := false
	for i, r := range body {
		switch {
		case r >= '0' && r <= '9':
			sawDigit = true
		case r == '.':
			isInt = false
		case (r == 'e' || r == 'E') && i > 0:
			isInt = false
		case (r == '+' || r == '-') && i > 0 && (body[i-1] == 'e' || body[i-1] == 'E'):
		default:
			return nil, false
		}
	}
	if !sawDigit {
		return nil, false
	}
	if isInt {
		bi, ok := new(big.Int).SetString(body, 10)
		if !ok {
			return nil, false
		}
		if neg {
			bi.Neg(bi)
		}
		if bi.IsInt64() {
			n := bi.Int64()
			if n >= math.MinInt32 && n <= math.MaxInt32 {
				return int32(n), true
			}
			return n, true
		}
		if d, ok := newDecimal(bi, 0); ok {
			return d, true
		}
		f, _ := new(big.Float).SetInt(bi).Float64()
		return f, true
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if isRange(err) {
			// inferred: an out-of-range value is ±Infinity or 0, as PowerShell's number parser gives.
			return f, true
		}
		return nil, false
	}
	return f, true
}

func parseHex(h string, neg bool) (any, bool) {
	if h == "" || len(h) > 16 {
		return nil, false
	}
	u, err := strconv.ParseUint(h, 16, 64)
	if err != nil {
		return nil, false
	}
	var v any
	if len(h) <= 8 {
		n := int32(uint32(u)) //nolint:gosec // reinterpretation is the documented behaviour
		if neg {
			n = -n
		}
		v = n
	} else {
		n := int64(u) //nolint:gosec // reinterpretation is the documented behaviour
		if neg {
			n = -n
		}
		v = n
	}
	return v, true
}

// parseIntegerStrict is Int32Converter/Int64Converter.ConvertFromString in the invariant culture: white
// space trimmed, an optional sign, decimal digits, or a 0x prefix with hex digits (parsed as the
// unsigned type of that width and reinterpreted). ok is false for a format error; ovf reports overflow.
func parseIntegerStrict(s string, bits int) (n int64, ok, ovf bool) {
	t := trimDotNet(s)
	if len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		u, err := strconv.ParseUint(t[2:], 16, bits)
		if err != nil {
			if isRange(err) {
				return 0, true, true
			}
			return 0, false, false
		}
		if bits == 32 {
			return int64(int32(uint32(u))), true, false //nolint:gosec // reinterpretation
		}
		return int64(u), true, false //nolint:gosec // reinterpretation
	}
	v, err := strconv.ParseInt(t, 10, bits)
	if err != nil {
		if isRange(err) {
			return 0, true, true
		}
		return 0, false, false
	}
	return v, true, false
}

func isRange(err error) bool { return errors.Is(err, strconv.ErrRange) }
