package pshost

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// The WQL where clause Get-CimInstance -Filter takes (Get-CimInstance.md -Filter: "Specifies a where
// clause to use as a filter. Specify the clause in either the WQL or the CQL query language."). The
// model reads comparisons of a property with a literal (=, <>, !=), joined by AND; string comparisons
// ignore case, as WMI's do. Anything else is refused as not modelled.

type wqlCond struct {
	prop    string
	negate  bool
	literal any // string, int64 or bool
}

func parseWQL(filter string) ([]wqlCond, error) {
	rest := strings.TrimSpace(filter)
	var out []wqlCond
	for {
		i := 0
		for i < len(rest) && (isIdentChar(rest[i])) {
			i++
		}
		if i == 0 {
			return nil, notModelled("the WQL filter %q", filter)
		}
		cond := wqlCond{prop: rest[:i]}
		rest = strings.TrimSpace(rest[i:])
		switch {
		case strings.HasPrefix(rest, "<>"), strings.HasPrefix(rest, "!="):
			cond.negate, rest = true, strings.TrimSpace(rest[2:])
		case strings.HasPrefix(rest, "="):
			rest = strings.TrimSpace(rest[1:])
		default:
			return nil, notModelled("the WQL filter %q", filter)
		}
		lit, n, err := wqlLiteral(rest)
		if err != nil {
			return nil, notModelled("the WQL filter %q", filter)
		}
		cond.literal = lit
		out = append(out, cond)
		rest = strings.TrimSpace(rest[n:])
		if rest == "" {
			return out, nil
		}
		if len(rest) < 4 || !strings.EqualFold(rest[:4], "and ") {
			return nil, notModelled("the WQL filter %q", filter)
		}
		rest = strings.TrimSpace(rest[4:])
	}
}

func isIdentChar(b byte) bool {
	return b == '_' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

// wqlLiteral reads a quoted string ('...' or "...", a backslash escapes the next character), a number
// or TRUE/FALSE; it returns the value and the bytes read.
func wqlLiteral(s string) (any, int, error) {
	if s == "" {
		return nil, 0, fmt.Errorf("no literal")
	}
	if q := s[0]; q == '\'' || q == '"' {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case q:
				return b.String(), i + 1, nil
			default:
				b.WriteByte(s[i])
			}
		}
		return nil, 0, fmt.Errorf("unterminated string")
	}
	i := 0
	for i < len(s) && isIdentChar(s[i]) {
		i++
	}
	word := s[:i]
	switch strings.ToUpper(word) {
	case "TRUE":
		return true, i, nil
	case "FALSE":
		return false, i, nil
	}
	n, err := strconv.ParseInt(word, 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("not a literal: %w", err)
	}
	return n, i, nil
}

// matches evaluates the conditions on an instance; unknown is the first property the class does not
// have (WMI's "Invalid query").
func (c wqlCond) matches(o *object) (ok bool, unknown bool) {
	v, has := o.Property(c.prop)
	if !has {
		return false, true
	}
	var eq bool
	switch lit := c.literal.(type) {
	case string:
		eq = v != nil && strings.EqualFold(value.ToString(v), lit)
	case bool:
		eq = v != nil && value.ToBool(v) == lit
	case int64:
		n, err := value.ToInt64(v)
		eq = v != nil && err == nil && n == lit
	}
	return eq != c.negate, false
}
