package value

import (
	"strings"
)

// The format operator -f (about_Operators "Format operator -f"; PowerShell language specification
// §7.5): .NET composite formatting (String.Format) of the left operand, converted to string, with the
// right operand as the argument list: a collection is the list, any other value the single argument.
// Format items are {index[,alignment][:formatString]}; {{ and }} are literal braces (.NET "Composite
// formatting"). The culture is the current culture, which this model takes to be en-US (it matters for
// N, C, P and date formats). Each argument is formatted by its IFormattable.ToString(format, culture)
// when it has one (numbers, dates, enums) and otherwise by ToString(): an array argument shows as
// System.Object[] and $null as "".
//
// A malformed format string or an index beyond the arguments is 5.1's error "Error formatting a
// string: <.NET message>." (inferred: the RuntimeException text PowerShell wraps around String.Format's
// FormatException; .NET's own message already ends with a period, so the text ends with two).

// Format is the -f operator.
func Format(format, args any) (string, error) {
	list, ok := List(norm(args))
	if !ok {
		list = []any{args}
	}
	s, err := FormatComposite(ToString(format), list)
	if err != nil {
		return "", &RuntimeError{ID: "FormatError", Err: err,
			Message: "Error formatting a string: " + err.Error() + "."}
	}
	return s, nil
}

const msgIndex = "Index (zero based) must be greater than or equal to zero and less than the size of the argument list."

// FormatComposite is String.Format(en-US, format, args...). Its errors carry .NET's FormatException
// messages.
func FormatComposite(format string, args []any) (string, error) {
	var b strings.Builder
	rs := []rune(format)
	n := len(rs)
	for pos := 0; pos < n; {
		c := rs[pos]
		pos++
		switch c {
		case '}':
			if pos < n && rs[pos] == '}' {
				pos++
				b.WriteByte('}')
				continue
			}
			return "", errFormat
		case '{':
			if pos < n && rs[pos] == '{' {
				pos++
				b.WriteByte('{')
				continue
			}
		default:
			b.WriteRune(c)
			continue
		}
		// a format item
		if pos >= n || rs[pos] < '0' || rs[pos] > '9' {
			return "", errFormat
		}
		index := 0
		for pos < n && rs[pos] >= '0' && rs[pos] <= '9' && index < 1000000 {
			index = index*10 + int(rs[pos]-'0')
			pos++
		}
		if index >= 1000000 {
			return "", errFormat
		}
		pos = skipSpaces(rs, pos)
		width, left := 0, false
		if pos < n && rs[pos] == ',' {
			pos = skipSpaces(rs, pos+1)
			if pos < n && rs[pos] == '-' {
				left = true
				pos++
			}
			if pos >= n || rs[pos] < '0' || rs[pos] > '9' {
				return "", errFormat
			}
			for pos < n && rs[pos] >= '0' && rs[pos] <= '9' && width < 1000000 {
				width = width*10 + int(rs[pos]-'0')
				pos++
			}
			if width >= 1000000 {
				return "", errFormat
			}
		}
		pos = skipSpaces(rs, pos)
		var spec strings.Builder
		if pos < n && rs[pos] == ':' {
			pos++
			for {
				if pos >= n {
					return "", errFormat
				}
				ch := rs[pos]
				pos++
				if ch == '{' {
					if pos < n && rs[pos] == '{' {
						pos++
					} else {
						return "", errFormat
					}
				} else if ch == '}' {
					if pos < n && rs[pos] == '}' {
						pos++
					} else {
						pos--
						break
					}
				}
				spec.WriteRune(ch)
			}
		}
		if pos >= n || rs[pos] != '}' {
			return "", errFormat
		}
		pos++
		if index >= len(args) {
			return "", &RuntimeError{ID: "FormatException", Message: msgIndex}
		}
		s, err := FormatValue(args[index], spec.String())
		if err != nil {
			return "", err
		}
		pad := width - len([]rune(s))
		if pad > 0 && !left {
			b.WriteString(strings.Repeat(" ", pad))
		}
		b.WriteString(s)
		if pad > 0 && left {
			b.WriteString(strings.Repeat(" ", pad))
		}
	}
	return b.String(), nil
}

func skipSpaces(rs []rune, pos int) int {
	for pos < len(rs) && rs[pos] == ' ' {
		pos++
	}
	return pos
}

// Formattable is implemented by host objects that format themselves like .NET's IFormattable.
type Formattable interface {
	Format(spec string) (string, error)
}

// FormatValue is the argument's text for one format item: IFormattable.ToString(spec, en-US) for
// numbers, DateTime and enums (and host objects implementing Formattable), DotNetString otherwise
// (strings and booleans ignore the format string).
func FormatValue(v any, spec string) (string, error) {
	switch x := norm(v).(type) {
	case uint8, int32, int64, float64, Decimal:
		return formatNumber(x, spec)
	case DateTime:
		if spec == "" {
			return x.ToString(), nil
		}
		return x.Format(spec)
	case Enum:
		return formatEnum(x, spec)
	case Formattable:
		if spec != "" {
			return x.Format(spec)
		}
	}
	return DotNetString(v), nil
}

// formatEnum is Enum.ToString(format): G/F the name(s), D the number, X eight hex digits (.NET
// "Enumeration format strings").
func formatEnum(e Enum, spec string) (string, error) {
	switch spec {
	case "", "G", "g", "F", "f":
		return e.String(), nil
	case "D", "d":
		return formatNumber(e.Value, "D")
	case "X", "x":
		return formatNumber(int32(e.Value), "X8") //nolint:gosec // the modelled enums are Int32-based
	}
	return "", errFormat
}
