package value

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Decimal is a System.Decimal: a 96-bit integer coefficient and a scale of 0..28 decimal places. It is
// modelled because ConvertFrom-Json (JavaScriptSerializer) returns a Decimal for every JSON number that
// has a decimal point and no exponent, and ConvertTo-Json writes it back with its scale ("1.50" stays
// "1.50"). Comparison, conversion, +, - and * are exact; / and % go through double (not modelled: .NET's
// 28-digit decimal division).
type Decimal struct {
	coef  *big.Int // nil means zero
	scale uint8
}

var decMax = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 96), big.NewInt(1))

func (d Decimal) c() *big.Int {
	if d.coef == nil {
		return new(big.Int)
	}
	return d.coef
}

// newDecimal makes coef × 10^-scale; false when it does not fit a System.Decimal.
func newDecimal(coef *big.Int, scale int) (Decimal, bool) {
	c := new(big.Int).Set(coef)
	if scale > 28 {
		c = roundPow10(c, scale-28)
		scale = 28
	}
	if new(big.Int).Abs(c).Cmp(decMax) > 0 || scale < 0 {
		return Decimal{}, false
	}
	return Decimal{coef: c, scale: uint8(scale)}, true //nolint:gosec // 0..28
}

// roundPow10 divides by 10^n rounding half to even (.NET's decimal rounding when a literal has more
// digits than fit, and Convert.ToInt32(decimal); inferred).
func roundPow10(c *big.Int, n int) *big.Int {
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
	q, r := new(big.Int).QuoRem(c, div, new(big.Int))
	r.Abs(r)
	r.Lsh(r, 1)
	if cmp := r.Cmp(div); cmp > 0 || (cmp == 0 && q.Bit(0) == 1) {
		if c.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// decimalFromInt is the decimal of an integer (scale 0).
func decimalFromInt(i int64) Decimal { return Decimal{coef: big.NewInt(i)} }

// DecimalFromFloat is [decimal] of a double: .NET rounds the double to 15 significant digits (the
// Decimal(Double) constructor, about_Type_Conversion "Numeric operations"); false on overflow or NaN.
func DecimalFromFloat(f float64) (Decimal, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, false
	}
	d, ok := ParseDecimal(strconv.FormatFloat(f, 'e', 14, 64))
	if !ok {
		return Decimal{}, false
	}
	return d.trimZeros(), true
}

func (d Decimal) trimZeros() Decimal {
	c := d.c()
	s := int(d.scale)
	ten := big.NewInt(10)
	for s > 0 {
		q, r := new(big.Int).QuoRem(c, ten, new(big.Int))
		if r.Sign() != 0 {
			break
		}
		c = q
		s--
	}
	return Decimal{coef: c, scale: uint8(s)} //nolint:gosec // 0..28
}

// ParseDecimal parses a decimal number: optional sign, digits, optional fraction, optional exponent
// (the exponent is allowed here so that [decimal] casts of "1e3" work; JSON never passes one). False
// when it is not a number or does not fit.
func ParseDecimal(s string) (Decimal, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 1000 || e < -1000 {
			return Decimal{}, false
		}
		exp = e
		s = s[:i]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return Decimal{}, false
	}
	digits := intPart + frac
	for _, r := range digits {
		if r < '0' || r > '9' {
			return Decimal{}, false
		}
	}
	c, ok := new(big.Int).SetString(strings.TrimLeft(digits, "0")+"0", 10)
	if !ok {
		return Decimal{}, false
	}
	c.Quo(c, big.NewInt(10))
	if neg {
		c.Neg(c)
	}
	scale := len(frac) - exp
	for scale < 0 {
		c.Mul(c, big.NewInt(10))
		scale++
	}
	return newDecimal(c, scale)
}

// String is the invariant ToString(): the scale is kept ("1.50"), per PowerShell language specification
// §6.8 ("For a decimal conversion, the scale is preserved").
func (d Decimal) String() string {
	c := d.c()
	neg := c.Sign() < 0
	s := new(big.Int).Abs(c).String()
	if d.scale > 0 {
		for len(s) <= int(d.scale) {
			s = "0" + s
		}
		s = s[:len(s)-int(d.scale)] + "." + s[len(s)-int(d.scale):]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func (d Decimal) normalized() string { return d.trimZeros().String() }

// Float64 converts to double.
func (d Decimal) Float64() float64 {
	f, err := strconv.ParseFloat(d.String(), 64)
	if err != nil {
		return 0
	}
	return f
}

// Cmp compares two decimals numerically.
func (d Decimal) Cmp(o Decimal) int {
	a, b := d.c(), o.c()
	sa, sb := int(d.scale), int(o.scale)
	a, b = alignScale(a, sa, b, sb)
	return a.Cmp(b)
}

func alignScale(a *big.Int, sa int, b *big.Int, sb int) (*big.Int, *big.Int) {
	a, b = new(big.Int).Set(a), new(big.Int).Set(b)
	for ; sa < sb; sa++ {
		a.Mul(a, big.NewInt(10))
	}
	for ; sb < sa; sb++ {
		b.Mul(b, big.NewInt(10))
	}
	return a, b
}

func decOverflow() error {
	return &RuntimeError{ID: "OverflowException", Message: "Value was either too large or too small for a Decimal."}
}

func (d Decimal) add(o Decimal, sign int) (Decimal, error) {
	a, b := alignScale(d.c(), int(d.scale), o.c(), int(o.scale))
	if sign < 0 {
		b.Neg(b)
	}
	r, ok := newDecimal(a.Add(a, b), max(int(d.scale), int(o.scale)))
	if !ok {
		return Decimal{}, decOverflow()
	}
	return r, nil
}

func (d Decimal) mul(o Decimal) (Decimal, error) {
	r, ok := newDecimal(new(big.Int).Mul(d.c(), o.c()), int(d.scale)+int(o.scale))
	if !ok {
		return Decimal{}, decOverflow()
	}
	return r, nil
}

// IsZero reports whether the value is zero.
func (d Decimal) IsZero() bool { return d.c().Sign() == 0 }

// toInt64 rounds half to even to an integer; false when out of the int64 range.
func (d Decimal) toInt64() (int64, bool) {
	c := roundPow10(d.c(), int(d.scale))
	if !c.IsInt64() {
		return 0, false
	}
	return c.Int64(), true
}
