package engine

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// System.String's instance members (.NET Framework 4.x String class). Positions and lengths count
// runes; .NET counts UTF-16 code units, which differ only outside the Basic Multilingual Plane.

func argString(args []any, i int) string {
	if i >= len(args) || args[i] == nil {
		return ""
	}
	return value.ToString(args[i])
}

func argInt(args []any, i int) (int, error) {
	if i >= len(args) {
		return 0, nil
	}
	n, err := value.ToInt32(args[i])
	return int(n), err
}

// argChars collects a params char[] argument list: chars, strings (each character) and char arrays.
func argChars(args []any) ([]rune, error) {
	var out []rune
	for _, a := range args {
		switch x := a.(type) {
		case value.Char:
			out = append(out, rune(x))
		case string:
			out = append(out, []rune(x)...)
		case nil:
		default:
			if items, ok := value.List(a); ok {
				for _, it := range items {
					c, err := value.ToChar(it)
					if err != nil {
						return nil, err
					}
					out = append(out, rune(c))
				}
				continue
			}
			c, err := value.ToChar(a)
			if err != nil {
				return nil, err
			}
			out = append(out, rune(c))
		}
	}
	return out, nil
}

func isDotNetSpace(r rune) bool { return unicode.IsSpace(r) || r == 0x85 || r == 0xA0 }

func trimFunc(chars []rune) func(rune) bool {
	if len(chars) == 0 {
		return isDotNetSpace
	}
	return func(r rune) bool {
		for _, c := range chars {
			if c == r {
				return true
			}
		}
		return false
	}
}

func argOutOfRange(param, msg string) error {
	return dotnetError("System.ArgumentOutOfRangeException", msg+"\r\nParameter name: "+param)
}

func stringArray(items []string) *value.TypedArray {
	out := &value.TypedArray{Elem: "System.String", Values: make(value.Array, len(items))}
	for i, s := range items {
		out.Values[i] = s
	}
	return out
}

// stringComparison reads a StringComparison argument: true when it ignores case.
func stringComparison(a any) (bool, error) {
	n := strings.ToLower(value.ToString(a))
	switch n {
	case "ordinal", "4", "currentculture", "0", "invariantculture", "2":
		return false, nil
	case "ordinalignorecase", "5", "currentcultureignorecase", "1", "invariantcultureignorecase", "3":
		return true, nil
	}
	return false, &value.ConversionError{Value: value.ToString(a), Target: "System.StringComparison", Reason: "Unable to match the identifier name " + value.ToString(a) + " to a valid enumerator name. Specify one of the following enumerator names and try again:\r\nCurrentCulture, CurrentCultureIgnoreCase, InvariantCulture, InvariantCultureIgnoreCase, Ordinal, OrdinalIgnoreCase"}
}

var stringClass = &class{name: "System.String",
	members: "Chars Length Clone CompareTo Contains CopyTo EndsWith Equals GetEnumerator GetHashCode GetType GetTypeCode IndexOf IndexOfAny Insert IsNormalized LastIndexOf LastIndexOfAny Normalize PadLeft PadRight Remove Replace Split StartsWith Substring ToBoolean ToByte ToChar ToCharArray ToDateTime ToDecimal ToDouble ToInt16 ToInt32 ToInt64 ToLower ToLowerInvariant ToSByte ToSingle ToString ToType ToUInt16 ToUInt32 ToUInt64 ToUpper ToUpperInvariant Trim TrimEnd TrimStart",
	props: map[string]getter{
		"length": func(_ *Session, self any) (any, error) {
			return int32(len([]rune(as[string](self)))), nil //nolint:gosec // strings are far below 2^31
		},
	},
	methods: map[string]method{
		"trim":             strTrim(strings.TrimFunc),
		"trimend":          strTrim(strings.TrimRightFunc),
		"trimstart":        strTrim(strings.TrimLeftFunc),
		"tolower":          strCase(strings.ToLower),
		"tolowerinvariant": strCase(strings.ToLower),
		"toupper":          strCase(strings.ToUpper),
		"toupperinvariant": strCase(strings.ToUpper),
		"substring":        strSubstring,
		"split":            strSplit,
		"replace": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 2 {
				return nil, overload("Replace", len(args))
			}
			if c, ok := args[0].(value.Char); ok {
				nc, err := value.ToChar(args[1])
				if err != nil {
					return nil, err
				}
				return strings.ReplaceAll(as[string](self), string(rune(c)), string(rune(nc))), nil
			}
			old := argString(args, 0)
			if old == "" {
				if args[0] == nil {
					return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: oldValue")
				}
				return nil, dotnetError("System.ArgumentException", "String cannot be of zero length.\r\nParameter name: oldValue")
			}
			return strings.ReplaceAll(as[string](self), old, argString(args, 1)), nil
		},
		"startswith": strAffix(strings.HasPrefix, "StartsWith"),
		"endswith":   strAffix(strings.HasSuffix, "EndsWith"),
		"contains": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("Contains", len(args))
			}
			if args[0] == nil {
				return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: value")
			}
			return strings.Contains(as[string](self), value.ToString(args[0])), nil
		},
		"indexof":     strIndexOf(false),
		"lastindexof": strIndexOf(true),
		"padleft":     strPad(true),
		"padright":    strPad(false),
		"tochararray": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 0 {
				return nil, overload("ToCharArray", len(args))
			}
			return &value.TypedArray{Elem: "System.Char", Values: runesOf(as[string](self))}, nil
		},
		"equals": func(_ *Session, self any, args []any) (any, error) {
			if len(args) == 1 {
				o, ok := args[0].(string)
				return ok && o == as[string](self), nil
			}
			if len(args) == 2 {
				ic, err := stringComparison(args[1])
				if err != nil {
					return nil, err
				}
				if ic {
					return strings.EqualFold(as[string](self), argString(args, 0)), nil
				}
				return as[string](self) == argString(args, 0), nil
			}
			return nil, overload("Equals", len(args))
		},
		"insert": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 2 {
				return nil, overload("Insert", len(args))
			}
			i, err := argInt(args, 0)
			if err != nil {
				return nil, err
			}
			r := []rune(as[string](self))
			if i < 0 || i > len(r) {
				return nil, argOutOfRange("startIndex", "Index must be within the bounds of the List.")
			}
			return string(r[:i]) + argString(args, 1) + string(r[i:]), nil
		},
		"remove": func(_ *Session, self any, args []any) (any, error) {
			r := []rune(as[string](self))
			start, err := argInt(args, 0)
			if err != nil {
				return nil, err
			}
			count := len(r) - start
			if len(args) == 2 {
				if count, err = argInt(args, 1); err != nil {
					return nil, err
				}
			} else if len(args) != 1 {
				return nil, overload("Remove", len(args))
			}
			if start < 0 || count < 0 || start+count > len(r) {
				return nil, argOutOfRange("count", "Index and count must refer to a location within the string.")
			}
			return string(r[:start]) + string(r[start+count:]), nil
		},
	}}

func strTrim(f func(string, func(rune) bool) string) method {
	return func(_ *Session, self any, args []any) (any, error) {
		chars, err := argChars(args)
		if err != nil {
			return nil, err
		}
		return f(as[string](self), trimFunc(chars)), nil
	}
}

func strCase(f func(string) string) method {
	return func(_ *Session, self any, args []any) (any, error) {
		if len(args) > 1 {
			return nil, overload("ToLower", len(args))
		}
		return f(as[string](self)), nil
	}
}

func strSubstring(_ *Session, self any, args []any) (any, error) {
	r := []rune(as[string](self))
	start, err := argInt(args, 0)
	if err != nil {
		return nil, err
	}
	switch len(args) {
	case 1:
		if start < 0 {
			return nil, argOutOfRange("startIndex", "StartIndex cannot be less than zero.")
		}
		if start > len(r) {
			return nil, argOutOfRange("startIndex", "startIndex cannot be larger than length of string.")
		}
		return string(r[start:]), nil
	case 2:
		n, err := argInt(args, 1)
		if err != nil {
			return nil, err
		}
		if start < 0 {
			return nil, argOutOfRange("startIndex", "StartIndex cannot be less than zero.")
		}
		if n < 0 {
			return nil, argOutOfRange("length", "Length cannot be less than zero.")
		}
		if start+n > len(r) {
			return nil, argOutOfRange("length", "Index and length must refer to a location within the string.")
		}
		return string(r[start : start+n]), nil
	}
	return nil, overload("Substring", len(args))
}

// strSplit is String.Split: with no argument at white space; with chars (a string argument is
// converted to char[], so '::' splits at each ':'); with a string[] and StringSplitOptions at whole
// strings; an optional count.
func strSplit(_ *Session, self any, args []any) (any, error) {
	str := as[string](self)
	removeEmpty := false
	count := -1
	var seps []string
	if len(args) >= 2 {
		last := args[len(args)-1]
		if e, ok := last.(value.Enum); ok && strings.HasSuffix(e.Type.Name, "StringSplitOptions") {
			removeEmpty = e.Value == 1
			args = args[:len(args)-1]
		} else if n := strings.ToLower(value.ToString(last)); n == "removeemptyentries" || n == "none" {
			removeEmpty = n == "removeemptyentries"
			args = args[:len(args)-1]
		}
	}
	if len(args) == 2 {
		switch args[1].(type) {
		case int32, int64:
			n, err := argInt(args, 1)
			if err != nil {
				return nil, err
			}
			count = n
			args = args[:1]
		}
	}
	if ta, ok := args0(args).(*value.TypedArray); ok && ta.Elem == "System.String" && removeEmptyOrStrings(args) {
		for _, v := range ta.Values {
			seps = append(seps, value.ToString(v))
		}
	} else {
		chars, err := argChars(args)
		if err != nil {
			return nil, err
		}
		for _, c := range chars {
			seps = append(seps, string(c))
		}
	}
	var parts []string
	if len(seps) == 0 {
		parts = splitAny(str, func(s string) (int, int) {
			for i, r := range s {
				if isDotNetSpace(r) {
					return i, len(string(r))
				}
			}
			return -1, 0
		}, count)
	} else {
		parts = splitAny(str, func(s string) (int, int) {
			best, blen := -1, 0
			for _, sep := range seps {
				if sep == "" {
					continue
				}
				if i := strings.Index(s, sep); i >= 0 && (best < 0 || i < best) {
					best, blen = i, len(sep)
				}
			}
			return best, blen
		}, count)
	}
	if removeEmpty {
		kept := parts[:0]
		for _, p := range parts {
			if p != "" {
				kept = append(kept, p)
			}
		}
		parts = kept
	}
	return stringArray(parts), nil
}

func args0(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

func removeEmptyOrStrings(args []any) bool { return len(args) == 1 }

func splitAny(s string, next func(string) (int, int), count int) []string {
	var out []string
	for {
		if count > 0 && len(out) == count-1 {
			return append(out, s)
		}
		i, n := next(s)
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+n:]
	}
}

func strAffix(f func(string, string) bool, name string) method {
	return func(_ *Session, self any, args []any) (any, error) {
		switch len(args) {
		case 1:
			if args[0] == nil {
				return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: value")
			}
			return f(as[string](self), value.ToString(args[0])), nil
		case 2:
			ic, err := stringComparison(args[1])
			if err != nil {
				return nil, err
			}
			if ic {
				return f(strings.ToLower(as[string](self)), strings.ToLower(value.ToString(args[0]))), nil
			}
			return f(as[string](self), value.ToString(args[0])), nil
		}
		return nil, overload(name, len(args))
	}
}

func strIndexOf(last bool) method {
	return func(_ *Session, self any, args []any) (any, error) {
		r := []rune(as[string](self))
		if len(args) == 0 || len(args) > 2 {
			return nil, overload("IndexOf", len(args))
		}
		var needle []rune
		if c, ok := args[0].(value.Char); ok {
			needle = []rune{rune(c)}
		} else {
			needle = []rune(value.ToString(args[0]))
		}
		start := 0
		if len(args) == 2 {
			if _, ok := args[1].(string); ok {
				return nil, notImpl("String.IndexOf with a StringComparison")
			}
			n, err := argInt(args, 1)
			if err != nil {
				return nil, err
			}
			if n < 0 || n > len(r) {
				return nil, argOutOfRange("startIndex", "Index was out of range. Must be non-negative and less than the size of the collection.")
			}
			start = n
		}
		hay := string(r[start:])
		var i int
		if last {
			i = strings.LastIndex(string(r), string(needle))
		} else {
			i = strings.Index(hay, string(needle))
		}
		if i < 0 {
			return int32(-1), nil
		}
		if last {
			return int32(len([]rune(string(r)[:i]))), nil //nolint:gosec // small
		}
		return int32(start + len([]rune(hay[:i]))), nil //nolint:gosec // small
	}
}

func strPad(left bool) method {
	return func(_ *Session, self any, args []any) (any, error) {
		if len(args) == 0 || len(args) > 2 {
			return nil, overload("PadLeft", len(args))
		}
		n, err := argInt(args, 0)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, argOutOfRange("totalWidth", "Non-negative number required.")
		}
		pad := ' '
		if len(args) == 2 {
			c, err := value.ToChar(args[1])
			if err != nil {
				return nil, err
			}
			pad = rune(c)
		}
		str := as[string](self)
		if n > maxRange {
			return nil, notImpl("padding a string to more than %d characters", maxRange)
		}
		k := n - len([]rune(str))
		if k <= 0 {
			return str, nil
		}
		p := strings.Repeat(string(pad), k)
		if left {
			return p + str, nil
		}
		return str + p, nil
	}
}

// stringStatics are [string]'s static members.
func stringStatics() map[string]staticMethod {
	return map[string]staticMethod{
		"isnullorempty": func(_ *Session, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("IsNullOrEmpty", len(args))
			}
			return args[0] == nil || value.ToString(args[0]) == "", nil
		},
		"isnullorwhitespace": func(_ *Session, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("IsNullOrWhiteSpace", len(args))
			}
			return strings.TrimFunc(value.ToString(args[0]), isDotNetSpace) == "", nil
		},
		"join": func(_ *Session, args []any) (any, error) {
			if len(args) < 2 {
				return nil, overload("Join", len(args))
			}
			sep := argString(args, 0)
			items := args[1:]
			if len(args) == 2 {
				if l, ok := value.List(args[1]); ok {
					items = l
				}
			}
			parts := make([]string, len(items))
			for i, it := range items {
				parts[i] = value.DotNetString(it)
			}
			return strings.Join(parts, sep), nil
		},
		"format": func(_ *Session, args []any) (any, error) {
			if len(args) < 1 {
				return nil, overload("Format", len(args))
			}
			rest := args[1:]
			if len(rest) == 1 {
				if l, ok := value.List(rest[0]); ok {
					rest = l
				}
			}
			return value.FormatComposite(argString(args, 0), rest)
		},
		"concat": func(_ *Session, args []any) (any, error) {
			var b strings.Builder
			items := args
			if len(args) == 1 {
				if l, ok := value.List(args[0]); ok {
					items = l
				}
			}
			for _, a := range items {
				b.WriteString(value.DotNetString(a))
			}
			return b.String(), nil
		},
		"compare": func(_ *Session, args []any) (any, error) {
			if len(args) < 2 {
				return nil, overload("Compare", len(args))
			}
			ic := false
			if len(args) == 3 {
				if b, ok := args[2].(bool); ok {
					ic = b
				} else {
					var err error
					if ic, err = stringComparison(args[2]); err != nil {
						return nil, err
					}
				}
			}
			c, err := value.Compare(argString(args, 0), argString(args, 1), !ic)
			return int32(c), err //nolint:gosec // -1..1
		},
	}
}

func newString(_ *Session, args []any) (any, error) {
	switch len(args) {
	case 1:
		chars, err := argChars(args)
		if err != nil {
			return nil, err
		}
		return string(chars), nil
	case 2:
		c, err := value.ToChar(args[0])
		if err != nil {
			return nil, err
		}
		n, err := argInt(args, 1)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, argOutOfRange("count", "Non-negative number required.")
		}
		if n > maxRange {
			return nil, notImpl("a string of more than %d characters", maxRange)
		}
		return strings.Repeat(string(rune(c)), n), nil
	}
	return nil, fmt.Errorf("%w", overload("new", len(args)))
}
