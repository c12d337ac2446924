package value

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// defaultOFS is the output field separator when $OFS is not set (about_Preference_Variables "$OFS";
// PowerShell language specification §6.8).
const defaultOFS = " "

// ToString is PowerShell's conversion to [string] (PowerShell language specification §6.8;
// about_Type_Conversion "String type conversion"), in the invariant culture, with the default $OFS.
func ToString(v any) string { return ToStringOFS(v, defaultOFS) }

// ToStringOFS is ToString with an explicit $OFS, which the interpreter passes when the script sets it.
//
//   - $null is "", booleans "True"/"False", a char its one character;
//   - numbers in the invariant culture: a double as .NET Framework's Double.ToString(), 15 significant
//     digits ([string](1/3) is 0.333333333333333 in 5.1; inferred: PowerShell 7 on .NET Core prints the
//     shortest round-trip form instead), "Infinity", "-Infinity", "NaN" (§6.8);
//   - a collection: its elements converted and joined with $OFS; an element that is itself a collection
//     shows as its type name, e.g. System.Object[] (§6.8);
//   - an enum value its name(s); a DateTime "MM/dd/yyyy HH:mm:ss" (invariant culture);
//   - a hashtable its type name; a [pscustomobject] "@{a=1; b=2}"; other objects their ToString().
func ToStringOFS(v any, ofs string) string {
	v = norm(v)
	if items, ok := List(v); ok {
		parts := make([]string, len(items))
		for i, e := range items {
			if _, nested := List(e); nested {
				parts[i] = DotNetString(e)
				continue
			}
			parts[i] = ToStringOFS(e, ofs)
		}
		return strings.Join(parts, ofs)
	}
	if d, ok := v.(DateTime); ok {
		return d.invariantString()
	}
	return DotNetString(v)
}

// DotNetString is the value's .NET ToString() in the en-US culture: what -f's {0} (without a format),
// .ToString() and a PSCustomObject's "@{...}" form show. It differs from ToString for collections
// (their type name, e.g. "System.Object[]", not the joined elements) and DateTime (en-US "G" pattern).
func DotNetString(v any) string {
	switch x := norm(v).(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case Char:
		return string(rune(x))
	case uint8:
		return strconv.Itoa(int(x))
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatDouble(x)
	case Decimal:
		return x.String()
	case Array:
		return "System.Object[]"
	case Enum:
		return x.String()
	case DateTime:
		return x.ToString()
	case Object:
		return x.ToString()
	}
	return fmt.Sprint(v)
}

// formatDouble is .NET Framework's Double.ToString() in the invariant culture: the "G" format with 15
// significant digits (.NET "Standard numeric format strings": G for Double defaults to 15 digits on
// .NET Framework).
func formatDouble(f float64) string { return formatG(f, 15) }

// formatDoubleR is .NET Framework's Double.ToString("R"): the 15-digit form when it parses back to the
// same double, else 17 digits. JavaScriptSerializer writes doubles this way (inferred from .NET
// Framework's reference behaviour; the ConvertTo-Json.md 5.1 example shows 17-digit values such as
// 0.83768775241087956).
func formatDoubleR(f float64) string {
	s := formatG(f, 15)
	if p, err := strconv.ParseFloat(s, 64); err == nil && p == f {
		return s
	}
	return formatG(f, 17)
}

// formatG is .NET's "G<prec>" for a double: scientific notation ("1E+15", "1E-05") when the exponent is
// at least prec or below -4 (0.0001 stays fixed), otherwise fixed; trailing zeros removed.
func formatG(f float64, prec int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		// inferred: .NET Framework prints negative zero as "0".
		return "0"
	}
	digits, exp, neg := decimalDigits(f, prec)
	return formatGeneral(digits, exp, neg, prec, "E")
}

// decimalDigits rounds |f| to prec significant digits: the digits without trailing zeros and the
// decimal exponent of the first digit (f = 0.d1d2... × 10^(exp+1)).
func decimalDigits(f float64, prec int) (string, int, bool) {
	neg := f < 0
	s := strconv.FormatFloat(math.Abs(f), 'e', prec-1, 64)
	mant, e, _ := strings.Cut(s, "e")
	exp, err := strconv.Atoi(e)
	if err != nil {
		return "0", 0, neg
	}
	digits := strings.TrimRight(strings.Replace(mant, ".", "", 1), "0")
	if digits == "" {
		digits = "0"
	}
	return digits, exp, neg
}

func formatGeneral(digits string, exp int, neg bool, prec int, expChar string) string {
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if exp >= prec || exp < -4 {
		b.WriteByte(digits[0])
		if len(digits) > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteString(expChar)
		if exp < 0 {
			b.WriteByte('-')
			exp = -exp
		} else {
			b.WriteByte('+')
		}
		fmt.Fprintf(&b, "%02d", exp)
		return b.String()
	}
	if exp < 0 {
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -exp-1))
		b.WriteString(digits)
		return b.String()
	}
	if len(digits) <= exp+1 {
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", exp+1-len(digits)))
		return b.String()
	}
	b.WriteString(digits[:exp+1])
	b.WriteByte('.')
	b.WriteString(digits[exp+1:])
	return b.String()
}

func refIdentity(v any) string { return fmt.Sprintf("%T:%p", v, v) }
