package value

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Numeric formatting: .NET's Int32/Int64/Double/Decimal.ToString(format) in the en-US culture, which
// -f uses (.NET "Standard numeric format strings" and "Custom numeric format strings"). A double is
// first reduced to 15 significant digits and then rounded half away from zero, as .NET Framework does
// ('{0:N2}' -f 1.005 is 1.01 there; inferred from .NET Framework's documented 15-digit precision for
// Double formatting).

// digitsNum is a non-negative decimal number: digits d1d2...dn with the decimal point after the
// first point digits (point may be negative or beyond len(digits)).
type digitsNum struct {
	neg    bool
	digits string // no leading zeros; "" for zero
	point  int
}

func numFromBig(b *big.Int, scale int) digitsNum {
	neg := b.Sign() < 0
	s := new(big.Int).Abs(b).String()
	s = strings.TrimLeft(s, "0")
	return digitsNum{neg: neg, digits: s, point: len(s) - scale}.trim()
}

func numFromDouble(f float64, sig int) digitsNum {
	if f == 0 {
		return digitsNum{neg: math.Signbit(f)}
	}
	digits, exp, neg := decimalDigits(f, sig)
	return digitsNum{neg: neg, digits: digits, point: exp + 1}.trim()
}

func (n digitsNum) trim() digitsNum {
	n.digits = strings.TrimRight(n.digits, "0")
	if n.digits == "" {
		n.point = 0
	}
	return n
}

// roundFrac rounds half away from zero to frac digits after the point.
func (n digitsNum) roundFrac(frac int) digitsNum {
	keep := n.point + frac
	return n.roundAt(keep)
}

// roundSig rounds to sig significant digits.
func (n digitsNum) roundSig(sig int) digitsNum { return n.roundAt(sig) }

func (n digitsNum) roundAt(keep int) digitsNum {
	if keep >= len(n.digits) {
		return n
	}
	if keep < 0 {
		return digitsNum{neg: n.neg}
	}
	up := n.digits[keep] >= '5'
	d := []byte(n.digits[:keep])
	if up {
		i := len(d) - 1
		for i >= 0 && d[i] == '9' {
			d[i] = '0'
			i--
		}
		if i < 0 {
			d = append([]byte{'1'}, d...)
			n.point++
		} else {
			d[i]++
		}
	}
	n.digits = string(d)
	return n.trim()
}

func (n digitsNum) isZero() bool { return n.digits == "" }

// intPart is the digits before the point ("0" for none).
func (n digitsNum) intPart() string {
	if n.point <= 0 {
		return "0"
	}
	if n.point >= len(n.digits) {
		return n.digits + strings.Repeat("0", n.point-len(n.digits))
	}
	return n.digits[:n.point]
}

// fracPart is exactly frac digits after the point (the number must already be rounded).
func (n digitsNum) fracPart(frac int) string {
	var b strings.Builder
	for i := range frac {
		idx := n.point + i
		if idx >= 0 && idx < len(n.digits) {
			b.WriteByte(n.digits[idx])
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

func group3(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	first := len(s) % 3
	if first > 0 {
		b.WriteString(s[:first])
	}
	for i := first; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

func fixed(n digitsNum, prec int, grouped bool) string {
	n = n.roundFrac(prec)
	ip := n.intPart()
	if grouped {
		ip = group3(ip)
	}
	s := ip
	if prec > 0 {
		s += "." + n.fracPart(prec)
	}
	if n.neg && !n.isZero() {
		s = "-" + s
	}
	return s
}

func scientific(n digitsNum, prec int, e byte, minExp int) string {
	if n.isZero() {
		n.point = 1
	}
	exp := n.point - 1
	n = n.roundSig(prec + 1)
	if !n.isZero() {
		exp = n.point - 1
	}
	d := n.digits + strings.Repeat("0", prec+1)
	s := d[:1]
	if prec > 0 {
		s += "." + d[1:prec+1]
	}
	sign := "+"
	if exp < 0 {
		sign, exp = "-", -exp
	}
	es := strconv.Itoa(exp)
	for len(es) < minExp {
		es = "0" + es
	}
	s += string(e) + sign + es
	if n.neg && !n.isZero() {
		s = "-" + s
	}
	return s
}

func general(n digitsNum, prec int, e byte) string {
	if n.isZero() {
		return "0"
	}
	if prec > 0 {
		n = n.roundSig(prec)
	} else {
		prec = max(len(n.digits), n.point)
	}
	return formatGeneral(n.digits, n.point-1, n.neg, prec, string(e))
}

var errFormat = &RuntimeError{ID: "FormatException", Message: msgFormat}

// formatNumber formats a number value (an integer kind, a double or a decimal) with a .NET numeric
// format string.
func formatNumber(v any, spec string) (string, error) {
	isInt := false
	var n digitsNum
	var bitsWidth int
	var ival int64
	switch x := v.(type) {
	case uint8:
		isInt, ival, bitsWidth = true, int64(x), 8
	case int32:
		isInt, ival, bitsWidth = true, int64(x), 32
	case int64:
		isInt, ival, bitsWidth = true, x, 64
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return formatDouble(x), nil
		}
		n = numFromDouble(x, 15)
	case Decimal:
		n = numFromBig(x.c(), int(x.scale))
	}
	if isInt {
		n = numFromBig(big.NewInt(ival), 0)
	}
	if spec == "" {
		return DotNetString(v), nil
	}
	if std, prec, ok := standardSpec(spec); ok {
		switch std {
		case 'D', 'd':
			if !isInt {
				return "", errFormat
			}
			s := n.intPart()
			for len(s) < prec {
				s = "0" + s
			}
			if n.neg {
				s = "-" + s
			}
			return s, nil
		case 'X', 'x':
			if !isInt {
				return "", errFormat
			}
			u := uint64(ival) //nolint:gosec // two's complement is the documented output
			if bitsWidth < 64 {
				u &= 1<<bitsWidth - 1
			}
			s := strconv.FormatUint(u, 16)
			if std == 'X' {
				s = strings.ToUpper(s)
			}
			for len(s) < prec {
				s = "0" + s
			}
			return s, nil
		case 'F', 'f':
			return fixed(n, precOr(prec, 2), false), nil
		case 'N', 'n':
			return fixed(n, precOr(prec, 2), true), nil
		case 'P', 'p':
			n.point += 2
			// inferred: en-US on .NET Framework puts a space before the percent sign ("n %").
			s := fixed(n, precOr(prec, 2), true)
			return s + " %", nil
		case 'C', 'c':
			s := fixed(digitsNum{digits: n.digits, point: n.point}, precOr(prec, 2), true)
			if n.neg && !n.roundFrac(precOr(prec, 2)).isZero() {
				// en-US .NET Framework currency negative pattern 0: ($n).
				return "($" + s + ")", nil
			}
			return "$" + s, nil
		case 'E', 'e':
			return scientific(n, precOr(prec, 6), std, 3), nil
		case 'G', 'g':
			e := byte('E')
			if std == 'g' {
				e = 'e'
			}
			if f, ok := v.(float64); ok && prec == -1 {
				return formatDouble(f), nil
			}
			return general(n, max(prec, 0), e), nil
		case 'R', 'r':
			if f, ok := v.(float64); ok {
				return formatDoubleR(f), nil
			}
			return "", errFormat
		}
		return "", errFormat
	}
	return customFormat(n, spec)
}

func precOr(p, def int) int {
	if p < 0 {
		return def
	}
	return p
}

// standardSpec recognises a standard format: one letter and up to two digits of precision (-1 when
// absent).
func standardSpec(spec string) (byte, int, bool) {
	if len(spec) == 0 || len(spec) > 3 {
		return 0, 0, false
	}
	c := spec[0]
	if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
		return 0, 0, false
	}
	if len(spec) == 1 {
		return c, -1, true
	}
	p, err := strconv.Atoi(spec[1:])
	if err != nil || spec[1] == '+' || spec[1] == '-' {
		return 0, 0, false
	}
	return c, p, true
}

// customFormat implements the custom numeric specifiers 0 # . , % and literals ('...', "...", \x),
// with up to three ;-separated sections. Exponent specifiers are not modelled.
func customFormat(n digitsNum, spec string) (string, error) {
	sections := splitSections(spec)
	sec := sections[0]
	useNeg := false
	switch {
	case n.neg && len(sections) >= 2 && sections[1] != "":
		sec, useNeg = sections[1], true
	case n.isZero() && len(sections) >= 3:
		sec = sections[2]
	}
	type item struct {
		lit   string
		digit byte // '0' or '#', 0 for a literal
	}
	var items []item
	point := -1
	grouped := false
	percent := 0
	scaleCommas := 0
	rs := []rune(sec)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case '0', '#':
			items = append(items, item{digit: byte(c)})
		case '.':
			if point < 0 {
				point = len(items)
			}
		case ',':
			// a comma right before the point or at the end of the digits scales by 1000; between
			// digit placeholders it turns grouping on
			j := i + 1
			for j < len(rs) && rs[j] == ',' {
				j++
			}
			if j >= len(rs) || rs[j] == '.' || (rs[j] != '0' && rs[j] != '#') {
				scaleCommas += j - i
			} else {
				grouped = true
			}
			i = j - 1
		case '%':
			percent++
			items = append(items, item{lit: "%"})
		case 'E', 'e':
			if i+1 < len(rs) && (rs[i+1] == '0' || rs[i+1] == '+' || rs[i+1] == '-') {
				return "", &NotModelledError{What: "exponent in custom numeric format " + strconvQuote(spec)}
			}
			items = append(items, item{lit: string(c)})
		case '\'', '"':
			j := i + 1
			for j < len(rs) && rs[j] != c {
				j++
			}
			items = append(items, item{lit: string(rs[i+1 : min(j, len(rs))])})
			i = j
		case '\\':
			if i+1 < len(rs) {
				items = append(items, item{lit: string(rs[i+1])})
				i++
			}
		default:
			items = append(items, item{lit: string(c)})
		}
	}
	if point < 0 {
		point = len(items)
	}
	n.point += 2*percent - 3*scaleCommas
	minInt, fracZero, fracMax := 0, 0, 0
	firstInt := -1
	for i, it := range items {
		if it.digit == 0 {
			continue
		}
		if i < point {
			if firstInt < 0 {
				firstInt = i
			}
			if it.digit == '0' || minInt > 0 {
				minInt++
			}
		} else {
			fracMax++
			if it.digit == '0' {
				fracZero = fracMax
			}
		}
	}
	n = n.roundFrac(fracMax)
	ip := strings.TrimLeft(n.intPart(), "0")
	for len(ip) < minInt {
		ip = "0" + ip
	}
	if grouped {
		ip = group3(ip)
	}
	frac := strings.TrimRight(n.fracPart(fracMax), "0")
	for len(frac) < fracZero {
		frac += "0"
	}
	// lay the integer digits into the integer placeholders from the right
	var out strings.Builder
	var intSlots []int
	for i := 0; i < point; i++ {
		if items[i].digit != 0 {
			intSlots = append(intSlots, i)
		}
	}
	assigned := map[int]string{}
	rest := ip
	for k := len(intSlots) - 1; k >= 0; k-- {
		if k == 0 {
			assigned[intSlots[k]] = rest
			break
		}
		if rest == "" {
			assigned[intSlots[k]] = ""
			continue
		}
		assigned[intSlots[k]] = rest[len(rest)-1:]
		rest = rest[:len(rest)-1]
	}
	if len(intSlots) == 0 && ip != "" && ip != "0" {
		out.WriteString(ip)
	}
	fi := 0
	for i, it := range items {
		if i == point && frac != "" {
			out.WriteByte('.')
		}
		switch {
		case it.digit == 0:
			out.WriteString(it.lit)
		case i < point:
			out.WriteString(assigned[i])
		default:
			if fi < len(frac) {
				out.WriteByte(frac[fi])
			}
			fi++
		}
	}
	if point == len(items) && frac != "" {
		out.WriteString("." + frac)
	}
	s := out.String()
	if n.neg && !useNeg && !(n.isZero()) {
		s = "-" + s
	}
	return s, nil
}

func splitSections(spec string) []string {
	var out []string
	var cur strings.Builder
	rs := []rune(spec)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case '\\':
			cur.WriteRune(c)
			if i+1 < len(rs) {
				cur.WriteRune(rs[i+1])
				i++
			}
		case '\'', '"':
			cur.WriteRune(c)
			for i++; i < len(rs) && rs[i] != c; i++ {
				cur.WriteRune(rs[i])
			}
			if i < len(rs) {
				cur.WriteRune(c)
			}
		case ';':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(c)
		}
	}
	return append(out, cur.String())
}

func strconvQuote(s string) string { return strconv.Quote(s) }
