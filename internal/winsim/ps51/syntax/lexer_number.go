package syntax

import (
	"math"
	"strconv"
	"strings"
)

// Numeric literals as Windows PowerShell 5.1 reads them (about_Numeric_Literals): decimal integers,
// hexadecimal 0x..., reals with a fraction or an exponent, the suffixes l (long) and d (decimal), and
// the multipliers kb mb gb tb pb. (The suffixes u, s, y, n and binary 0b are PowerShell 6.2 and later.)

// NumberKind is the .NET type of a numeric literal.
type NumberKind int

const (
	Int32 NumberKind = iota + 1
	Int64
	Double
	Decimal
)

func (k NumberKind) String() string {
	switch k {
	case Int32:
		return "int"
	case Int64:
		return "long"
	case Double:
		return "double"
	case Decimal:
		return "decimal"
	}
	return "?"
}

// maxDecimal is System.Decimal.MaxValue.
const maxDecimal = 79228162514264337593543950335.0

// scanNumber scans a number from l.start (a digit, '.', or a sign when signed numbers are allowed).
// Characters that do not make a number make a bare word, as in 7z or 1.2.3.
func (l *lexer) scanNumber() token {
	l.pos = l.start
	neg := false
	if c := l.peek(); isDash(c) || c == '+' {
		neg = isDash(c)
		l.pos++
	}
	var digits strings.Builder
	isReal, hex, ok := false, false, true
	switch c := l.get(); {
	case c == '.':
		isReal = true
		digits.WriteString("0.")
		if l.scanDigits(&digits) == 0 {
			ok = false
		}
		ok = l.scanExponent(&digits) && ok
	case c == '0' && (l.peek() == 'x' || l.peek() == 'X'):
		l.pos++
		hex = true
		for isHexDigit(l.peek()) {
			digits.WriteRune(l.get())
		}
		ok = digits.Len() > 0
	case isDigit(c):
		digits.WriteRune(c)
		l.scanDigits(&digits)
		if l.peek() == '.' && l.at(l.pos+1) != '.' {
			l.pos++
			isReal = true
			digits.WriteByte('.')
			l.scanDigits(&digits)
			ok = l.scanExponent(&digits)
		} else if e := l.peek(); e == 'e' || e == 'E' {
			isReal = true
			ok = l.scanExponent(&digits)
		}
	default:
		ok = false
	}
	suffix := rune(0)
	if c := l.peek(); c == 'l' || c == 'L' || c == 'd' || c == 'D' {
		suffix = c | 0x20
		l.pos++
	}
	mult := int64(1)
	if m := multiplier(l.peek()); m > 0 {
		l.pos++
		if c := l.peek(); c == 'b' || c == 'B' {
			l.pos++
			mult = m
		} else {
			ok = false
		}
	}
	if c := l.peek(); !forceStartNewToken(c) && (!l.inExpressionMode() || !forceStartNewTokenAfterNumber(c)) {
		ok = false
	}
	if !ok {
		return l.scanGeneric()
	}
	num, valid := numberValue(digits.String(), neg, isReal, hex, suffix, mult)
	if !valid {
		if !l.inExpressionMode() {
			return l.scanGeneric()
		}
		l.fail(l.start, msgBadNumber, string(l.src[l.start:l.pos]))
	}
	t := l.tok(tNumber)
	num.Text = t.text
	t.num = num
	return t
}

func (l *lexer) scanDigits(b *strings.Builder) int {
	n := 0
	for isDigit(l.peek()) {
		b.WriteRune(l.get())
		n++
	}
	return n
}

// scanExponent reads an optional exponent (e, an optional sign, digits); false when it has no digits.
func (l *lexer) scanExponent(b *strings.Builder) bool {
	if c := l.peek(); c != 'e' && c != 'E' {
		return true
	}
	l.pos++
	b.WriteByte('e')
	if c := l.peek(); c == '+' || isDash(c) {
		l.pos++
		if c == '+' {
			b.WriteByte('+')
		} else {
			b.WriteByte('-')
		}
	}
	return l.scanDigits(b) > 0
}

func multiplier(c rune) int64 {
	switch c | 0x20 {
	case 'k':
		return 1 << 10
	case 'm':
		return 1 << 20
	case 'g':
		return 1 << 30
	case 't':
		return 1 << 40
	case 'p':
		return 1 << 50
	}
	return 0
}

// numberValue gives a literal its type and value: an int when it fits, else a long, else a decimal,
// else a double; hexadecimal literals of up to 32 bits are ints (0xFFFFFFFF is -1).
func numberValue(digits string, neg, isReal, hex bool, suffix rune, mult int64) (Number, bool) {
	sign := ""
	if neg {
		sign = "-"
	}
	switch {
	case hex:
		if len(digits) > 16 {
			return Number{}, false
		}
		u, err := strconv.ParseUint(digits, 16, 64)
		if err != nil {
			return Number{}, false
		}
		v := int64(u)
		kind := Int64
		if suffix == 0 && u <= math.MaxUint32 {
			v, kind = int64(int32(uint32(u))), Int32
		}
		if neg {
			v = -v
		}
		return scaleInt(v, kind, mult, suffix == 'l')
	case suffix == 'd':
		f, err := strconv.ParseFloat(sign+digits, 64)
		if err != nil || math.Abs(f*float64(mult)) > maxDecimal {
			return Number{}, false
		}
		return Number{Kind: Decimal, Float: f * float64(mult)}, true
	case isReal:
		f, err := strconv.ParseFloat(sign+digits, 64)
		if err != nil {
			return Number{}, false
		}
		f *= float64(mult)
		if suffix == 'l' {
			if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
				return Number{}, false
			}
			return Number{Kind: Int64, Int: int64(f)}, true
		}
		return Number{Kind: Double, Float: f}, true
	}
	v, err := strconv.ParseInt(sign+digits, 10, 64)
	if err != nil {
		if suffix == 'l' {
			return Number{}, false
		}
		f, ferr := strconv.ParseFloat(sign+digits, 64)
		if ferr != nil {
			return Number{}, false
		}
		f *= float64(mult)
		if math.Abs(f) <= maxDecimal {
			return Number{Kind: Decimal, Float: f}, true
		}
		return Number{Kind: Double, Float: f}, true
	}
	kind := Int64
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		kind = Int32
	}
	return scaleInt(v, kind, mult, suffix == 'l')
}

// scaleInt applies a multiplier, widening an int to a long and a long to a double when it overflows.
func scaleInt(v int64, kind NumberKind, mult int64, long bool) (Number, bool) {
	if long {
		kind = Int64
	}
	if mult == 1 {
		return Number{Kind: kind, Int: v}, true
	}
	if v != 0 && (v > math.MaxInt64/mult || v < math.MinInt64/mult) {
		if long {
			return Number{}, false
		}
		return Number{Kind: Double, Float: float64(v) * float64(mult)}, true
	}
	v *= mult
	if kind == Int32 && (v < math.MinInt32 || v > math.MaxInt32) {
		kind = Int64
	}
	return Number{Kind: kind, Int: v}, true
}
