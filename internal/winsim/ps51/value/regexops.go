package value

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// MatchResult is the outcome of -match or -notmatch. Value is what the expression yields: a bool for a
// scalar left operand, the filtered object[] for a collection. Matches is the new $Matches when the
// operator sets it: only for a scalar left operand whose text matched, for -match and -notmatch alike;
// otherwise nil and the interpreter leaves $Matches as it was (about_Comparison_Operators "-match and
// -notmatch": with a collection "$Matches" is not populated; about_Automatic_Variables "$Matches").
type MatchResult struct {
	Value   any
	Matches *Hashtable
}

// MatchOp is -match (-cmatch when cs; -notmatch/-cnotmatch when negate). The left operand is converted
// to string; the pattern is a .NET regular expression, case-insensitive unless cs.
func MatchOp(left, pattern any, cs, negate bool) (MatchResult, error) {
	re, err := CompileRegex(ToString(pattern), RegexOptions{IgnoreCase: !cs})
	if err != nil {
		return MatchResult{}, err
	}
	if items, ok := List(norm(left)); ok {
		out := Array{}
		for _, e := range items {
			if (re.FindFirst(ToString(e)) != nil) != negate {
				out = append(out, e)
			}
		}
		return MatchResult{Value: out}, nil
	}
	m := re.FindFirst(ToString(left))
	if m == nil {
		return MatchResult{Value: negate}, nil
	}
	return MatchResult{Value: !negate, Matches: m.Table()}, nil
}

// Replace is -replace (-creplace when cs): every match of the pattern in the left operand's text is
// replaced by the substitution, whose $1, ${name}, $0/$&, $$, $`, $', $+ and $_ are .NET's
// substitutions (about_Comparison_Operators "Regular expressions substitutions"; .NET "Substitutions in
// regular expressions"). With a collection on the left each element is replaced and the result is an
// object[] of strings (about_Comparison_Operators "Substituting in a collection"). args is the right
// operand: the pattern alone (replaced by "") or pattern and substitution; more is an error.
func Replace(left, args any, cs bool) (any, error) {
	var pattern, subst string
	if items, ok := List(norm(args)); ok {
		switch len(items) {
		case 1:
			pattern = ToString(items[0])
		case 2:
			pattern, subst = ToString(items[0]), ToString(items[1])
		default:
			// inferred: 5.1's ParserStrings BadReplaceArgument text.
			return nil, &RuntimeError{ID: "BadReplaceArgument", Message: fmt.Sprintf(
				"The -replace operator allows only two elements to follow it, not %d.", len(items))}
		}
	} else {
		pattern = ToString(args)
	}
	re, err := CompileRegex(pattern, RegexOptions{IgnoreCase: !cs})
	if err != nil {
		return nil, err
	}
	if items, ok := List(norm(left)); ok {
		out := make(Array, len(items))
		for i, e := range items {
			out[i] = re.ReplaceAll(ToString(e), subst)
		}
		return out, nil
	}
	return re.ReplaceAll(ToString(left), subst), nil
}

// ReplaceAll is Regex.Replace(input, substitution).
func (r *Regex) ReplaceAll(input, subst string) string {
	var b strings.Builder
	prev := 0
	for _, m := range r.FindAll(input, -1) {
		whole := m.Groups[0]
		b.WriteString(input[prev:whole.Index])
		r.expand(&b, subst, m, input)
		prev = whole.Index + len(whole.Value)
	}
	b.WriteString(input[prev:])
	return b.String()
}

// expand writes the substitution for one match. A $ that does not start a valid substitution (an
// unknown group, a lone $) is literal, as in .NET.
func (r *Regex) expand(b *strings.Builder, subst string, m *Match, input string) {
	whole := m.Groups[0]
	for i := 0; i < len(subst); i++ {
		c := subst[i]
		if c != '$' || i+1 >= len(subst) {
			b.WriteByte(c)
			continue
		}
		n := subst[i+1]
		switch {
		case n == '$':
			b.WriteByte('$')
			i++
		case n == '&':
			b.WriteString(whole.Value)
			i++
		case n == '`':
			b.WriteString(input[:whole.Index])
			i++
		case n == '\'':
			b.WriteString(input[whole.Index+len(whole.Value):])
			i++
		case n == '_':
			b.WriteString(input)
			i++
		case n == '+':
			if len(m.Groups) > 1 {
				last := m.Groups[len(m.Groups)-1]
				b.WriteString(last.Value)
			}
			i++
		case n >= '0' && n <= '9':
			j := i + 1
			for j < len(subst) && subst[j] >= '0' && subst[j] <= '9' {
				j++
			}
			num, err := strconv.Atoi(subst[i+1 : j])
			if g := m.group(num); err == nil && g != nil {
				b.WriteString(g.Value)
				i = j - 1
				continue
			}
			b.WriteByte('$')
		case n == '{':
			end := strings.IndexByte(subst[i+2:], '}')
			if end < 0 {
				b.WriteByte('$')
				continue
			}
			name := subst[i+2 : i+2+end]
			var g *Group
			if num, err := strconv.Atoi(name); err == nil {
				g = m.group(num)
			} else {
				g = m.named(name)
			}
			if g == nil {
				b.WriteByte('$')
				continue
			}
			b.WriteString(g.Value)
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
}

// SplitOptions are -split's options (about_Split "Options"). SimpleMatch splits on the literal
// delimiter; the others are the RegexOptions. CultureInvariant is accepted and has no effect here.
// IgnorePatternWhitespace and ExplicitCapture are not modelled.
type SplitOptions struct {
	SimpleMatch      bool
	IgnoreCase       bool
	Multiline        bool
	Singleline       bool
	CultureInvariant bool
}

// ParseSplitOptions parses the options string, e.g. "SimpleMatch,IgnoreCase" (about_Split "Options").
// inferred: the names are matched case-insensitively, as PowerShell's enum conversion does, and an
// unknown name is the enum conversion error.
func ParseSplitOptions(s string) (SplitOptions, error) {
	var o SplitOptions
	regexMatch := false
	for _, p := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "", "none":
		case "simplematch":
			o.SimpleMatch = true
		case "regexmatch":
			regexMatch = true
		case "ignorecase":
			o.IgnoreCase = true
		case "multiline":
			o.Multiline = true
		case "singleline":
			o.Singleline = true
		case "cultureinvariant":
			o.CultureInvariant = true
		case "ignorepatternwhitespace", "explicitcapture":
			return o, &NotModelledError{What: "-split option " + strings.TrimSpace(p)}
		default:
			return o, &ConversionError{Value: s, Target: "System.Management.Automation.SplitOptions", Reason: fmt.Sprintf(
				"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again:\r\nSimpleMatch, RegexMatch, CultureInvariant, IgnorePatternWhitespace, Multiline, Singleline, IgnoreCase, ExplicitCapture",
				strings.TrimSpace(p))}
		}
	}
	if o.SimpleMatch && (regexMatch || o.Multiline || o.Singleline) {
		// inferred: 5.1's ParserStrings InvalidSplitOptionCombination text.
		return o, &RuntimeError{ID: "InvalidSplitOptionCombination",
			Message: "Cannot combine SimpleMatch with RegexMatch, Multiline, Singleline, CultureInvariant, IgnorePatternWhitespace or ExplicitCapture."}
	}
	return o, nil
}

// Split is the binary -split (-csplit when cs): each string of the left operand (a collection is split
// element by element) is split at the matches of the delimiter, a case-insensitive regular expression
// unless cs or SimpleMatch; captured groups of the delimiter are included in the result, and max > 0
// limits the number of substrings per input string (the last holds the rest); maxSubstrings <= 0 means all
// (about_Split; PowerShell language specification §7.8.4.5). inferred: a negative maxSubstrings, which
// PowerShell 7 counts from the end, is "all" in 5.1. The result is always an object[] of strings.
func Split(left any, delimiter string, maxSubstrings int, opts SplitOptions, cs bool) (Array, error) {
	pattern := delimiter
	if opts.SimpleMatch {
		pattern = regexp.QuoteMeta(delimiter)
	}
	re, err := CompileRegex(pattern, RegexOptions{IgnoreCase: !cs || opts.IgnoreCase,
		Multiline: opts.Multiline, Singleline: opts.Singleline})
	if err != nil {
		return nil, err
	}
	out := Array{}
	for _, s := range splitInputs(left) {
		for _, part := range re.split(s, maxSubstrings) {
			out = append(out, part)
		}
	}
	return out, nil
}

func splitInputs(left any) []string {
	if items, ok := List(norm(left)); ok {
		ss := make([]string, len(items))
		for i, e := range items {
			ss[i] = ToString(e)
		}
		return ss
	}
	return []string{ToString(left)}
}

// split is .NET's Regex.Split(input, count): count <= 0 splits everywhere, count 1 returns the input,
// count n makes at most n-1 splits; the text of each successful capture group follows the piece before
// its match.
func (r *Regex) split(input string, count int) []string {
	if count == 1 {
		return []string{input}
	}
	n := -1
	if count > 1 {
		n = count - 1
	}
	var parts []string
	prev := 0
	for _, m := range r.FindAll(input, n) {
		whole := m.Groups[0]
		parts = append(parts, input[prev:whole.Index])
		for _, g := range m.Groups[1:] {
			if g.Success {
				parts = append(parts, g.Value)
			}
		}
		prev = whole.Index + len(whole.Value)
	}
	return append(parts, input[prev:])
}

// UnarySplit is -split <string>: each input string is trimmed and split at runs of white space, so
// leading and trailing white space yields no empty strings (about_Split "Unary and binary split
// operators"; inferred: the trimming, which PowerShell's SplitImplOptions.TrimContent does).
func UnarySplit(operand any) Array {
	out := Array{}
	for _, s := range splitInputs(operand) {
		t := strings.TrimFunc(s, unicode.IsSpace)
		if t == "" {
			out = append(out, "")
			continue
		}
		for _, f := range strings.FieldsFunc(t, isRegexSpace) {
			out = append(out, f)
		}
	}
	return out
}

func isRegexSpace(r rune) bool {
	switch r {
	case '\f', '\n', '\r', '\t', '\v', 0x85:
		return true
	}
	return unicode.Is(unicode.Z, r)
}

// Join is the binary -join: the left operand's elements (a scalar is one element) converted to string
// and joined with the separator converted to string (about_Join; PowerShell language specification
// §7.8.4.4). $null elements are empty strings.
func Join(left, separator any) string {
	sep := ToString(separator)
	items, ok := List(norm(left))
	if !ok {
		return ToString(left)
	}
	parts := make([]string, len(items))
	for i, e := range items {
		parts[i] = ToString(e)
	}
	return strings.Join(parts, sep)
}

// UnaryJoin is -join <values>: the elements joined with no separator (about_Join; §7.2.7).
func UnaryJoin(operand any) string { return Join(operand, "") }
