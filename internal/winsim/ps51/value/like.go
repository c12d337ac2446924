package value

import (
	"unicode"
)

// The -like and -notlike operators (about_Comparison_Operators "-like and -notlike"; about_Wildcards;
// PowerShell language specification §7.8.4.1). The left operand is converted to string; with a
// collection on the left the operators filter. Wildcards: * any run of characters, ? one character,
// [abc] one of a set, [a-z] one of a range, and the backtick escapes the next character. Matching is
// of the whole string and ignores case unless cs.

type wildPart struct {
	kind   byte // 'l' literal, '?', '*', '['
	r      rune
	ranges [][2]rune
}

// compileWildcard parses a pattern; a '[' without its ']' is 5.1's WildcardPatternException.
func compileWildcard(p string) ([]wildPart, error) {
	rs := []rune(p)
	var out []wildPart
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '`':
			if i+1 < len(rs) {
				i++
				out = append(out, wildPart{kind: 'l', r: rs[i]})
			} else {
				out = append(out, wildPart{kind: 'l', r: '`'})
			}
		case '*':
			out = append(out, wildPart{kind: '*'})
		case '?':
			out = append(out, wildPart{kind: '?'})
		case '[':
			j := i + 1
			var ranges [][2]rune
			for j < len(rs) && rs[j] != ']' {
				c := rs[j]
				if c == '`' && j+1 < len(rs) {
					j++
					c = rs[j]
				}
				if j+2 < len(rs) && rs[j+1] == '-' && rs[j+2] != ']' {
					ranges = append(ranges, [2]rune{c, rs[j+2]})
					j += 3
					continue
				}
				ranges = append(ranges, [2]rune{c, c})
				j++
			}
			if j >= len(rs) {
				// inferred: 5.1's WildcardPatternException text.
				return nil, &RuntimeError{ID: "WildcardPatternException",
					Message: "The specified wildcard character pattern is not valid: " + p}
			}
			out = append(out, wildPart{kind: '[', ranges: ranges})
			i = j
		default:
			out = append(out, wildPart{kind: 'l', r: rs[i]})
		}
	}
	return out, nil
}

func foldRune(r rune, cs bool) rune {
	if cs {
		return r
	}
	return unicode.ToLower(r)
}

func (w wildPart) matches(r rune, cs bool) bool {
	switch w.kind {
	case '?':
		return true
	case 'l':
		return foldRune(w.r, cs) == foldRune(r, cs)
	case '[':
		for _, rg := range w.ranges {
			if r >= rg[0] && r <= rg[1] {
				return true
			}
			if !cs {
				lr := unicode.ToLower(r)
				ur := unicode.ToUpper(r)
				lo, hi := unicode.ToLower(rg[0]), unicode.ToLower(rg[1])
				if (lr >= lo && lr <= hi) || (ur >= unicode.ToUpper(rg[0]) && ur <= unicode.ToUpper(rg[1])) {
					return true
				}
			}
		}
	}
	return false
}

// wildMatch matches the whole string with the usual star-backtracking algorithm (linear in practice).
func wildMatch(parts []wildPart, s []rune, cs bool) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(parts) && parts[pi].kind == '*':
			star, mark = pi, si
			pi++
		case pi < len(parts) && parts[pi].matches(s[si], cs):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(parts) && parts[pi].kind == '*' {
		pi++
	}
	return pi == len(parts)
}

// Like is -like (-clike when cs): a bool for a scalar left operand, the matching elements for a
// collection.
func Like(left, pattern any, cs bool) (any, error) { return likeOp(left, pattern, cs, false) }

// NotLike is -notlike (-cnotlike when cs).
func NotLike(left, pattern any, cs bool) (any, error) { return likeOp(left, pattern, cs, true) }

func likeOp(left, pattern any, cs, negate bool) (any, error) {
	parts, err := compileWildcard(ToString(pattern))
	if err != nil {
		return nil, err
	}
	test := func(v any) bool { return wildMatch(parts, []rune(ToString(v)), cs) != negate }
	if items, ok := List(norm(left)); ok {
		out := Array{}
		for _, e := range items {
			if test(e) {
				out = append(out, e)
			}
		}
		return out, nil
	}
	return test(left), nil
}
