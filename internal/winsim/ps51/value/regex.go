package value

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Regular expressions. PowerShell's -match, -replace and -split use .NET regular expressions
// (about_Regular_Expressions; PowerShell language specification §7.8.4.2 to §7.8.4.6). This model
// translates a .NET pattern into Go's RE2 syntax where the two agree and rejects, with a
// NotModelledError naming the construct, what RE2 cannot express: backreferences, lookahead,
// lookbehind, atomic groups, conditionals, balancing groups, \G, character class subtraction, and the
// x and n inline options.
//
// Translated so that the meaning is .NET's:
//   - \d, \w, \s and their negations are Unicode-aware in .NET: \d is \p{Nd}; \w is
//     [\p{L}\p{Mn}\p{Nd}\p{Pc}]; \s is [\f\n\r\t\v\x85\p{Z}] (.NET "Character classes in regular
//     expressions"). \b stays RE2's ASCII word boundary (inferred: differs only next to non-ASCII
//     letters);
//   - $ and \Z without the Multiline option match at the end or before a final newline (.NET "Anchors
//     in regular expressions"). RE2 has no such anchor: the model uses (?m:$) when the input has no
//     newline before its last character, which is then exact, and \z otherwise, which misses only the
//     position before a final newline of a multi-line input;
//   - \uXXXX, \e, \cX and octal \0nn escapes; named groups (?<n>...) and (?'n'...);
//   - group numbering: .NET numbers unnamed groups first, left to right, then named groups (.NET
//     "Grouping constructs"), which Matches and the $n substitutions follow.

// RegexOptions are the System.Text.RegularExpressions.RegexOptions the operators use.
type RegexOptions struct {
	IgnoreCase bool
	Multiline  bool
	Singleline bool
}

// Regex is a translated .NET regular expression.
type Regex struct {
	pattern string
	exact   *regexp.Regexp // $ as (?m:$): exact for inputs without an interior newline
	end     *regexp.Regexp // $ as \z
	groups  []groupInfo    // by RE2 subexpression index (0 is the whole match)
	numbers map[int]int    // .NET group number -> RE2 index
	names   map[string]int // group name -> RE2 index
}

type groupInfo struct {
	number int    // .NET group number
	name   string // "" for unnamed groups
}

// Group is one group of a match.
type Group struct {
	Number  int
	Name    string // "" for a numbered group
	Success bool
	Value   string
	Index   int // byte offset in the input
}

// Match is one match of a regex.
type Match struct {
	Groups []Group // in .NET group-number order; Groups[0] is the whole match
}

// Value is the matched text ($Matches[0]).
func (m *Match) Value() string { return m.Groups[0].Value }

// Table is the $Matches hashtable of a successful -match: the successful groups only, numbered groups
// under [int] keys and named groups under their names (about_Automatic_Variables "$Matches";
// about_Regular_Expressions "Named captures"), in group-number order.
func (m *Match) Table() *Hashtable {
	h := NewHashtable()
	for _, g := range m.Groups {
		if !g.Success {
			continue
		}
		if g.Name != "" {
			h.Set(g.Name, g.Value)
		} else {
			h.Set(int32(g.Number), g.Value) //nolint:gosec // group numbers are small
		}
	}
	return h
}

func notModelledRegex(construct, pattern string) error {
	return &NotModelledError{What: fmt.Sprintf(".NET regular expression construct %s in %q", construct, pattern)}
}

// CompileRegex translates a .NET pattern. A pattern RE2 rejects is reported with .NET's wording where
// the model knows it ("parsing \"...\" - ...": inferred form of 5.1's ArgumentException text), else
// with RE2's reason.
func CompileRegex(pattern string, opts RegexOptions) (*Regex, error) {
	t := &translator{src: []rune(pattern), pattern: pattern, multiline: opts.Multiline}
	body, err := t.translate()
	if err != nil {
		return nil, err
	}
	var flags string
	if opts.IgnoreCase {
		flags += "i"
	}
	if opts.Multiline {
		flags += "m"
	}
	if opts.Singleline {
		flags += "s"
	}
	if flags != "" {
		flags = "(?" + flags + ")"
	}
	exact, err := regexp.Compile(flags + strings.ReplaceAll(body, dollarMark, `(?m:$)`))
	if err != nil {
		return nil, &RuntimeError{ID: "ArgumentException", Err: err,
			Message: fmt.Sprintf("parsing \"%s\" - %s", pattern, err.Error())}
	}
	end, err := regexp.Compile(flags + strings.ReplaceAll(body, dollarMark, `\z`))
	if err != nil {
		return nil, &RuntimeError{ID: "ArgumentException", Err: err,
			Message: fmt.Sprintf("parsing \"%s\" - %s", pattern, err.Error())}
	}
	r := &Regex{pattern: pattern, exact: exact, end: end, numbers: map[int]int{}, names: map[string]int{}}
	r.number(t.groupNames)
	return r, nil
}

// dollarMark stands for a non-multiline $ until the two programs are made.
const dollarMark = "\x00DOLLAR\x00"

// number assigns .NET group numbers: unnamed groups 1..k in order, then named groups k+1.. in order.
func (r *Regex) number(names []string) {
	r.groups = make([]groupInfo, len(names)+1)
	r.numbers[0] = 0
	n := 1
	for i, name := range names {
		if name == "" {
			r.groups[i+1] = groupInfo{number: n}
			r.numbers[n] = i + 1
			n++
		}
	}
	for i, name := range names {
		if name != "" {
			if _, dup := r.names[name]; dup {
				// .NET merges same-named groups; the model keeps the first.
				continue
			}
			r.groups[i+1] = groupInfo{number: n, name: name}
			r.numbers[n] = i + 1
			r.names[name] = i + 1
			n++
		}
	}
}

func (r *Regex) prog(input string) *regexp.Regexp {
	if i := strings.IndexByte(input, '\n'); i >= 0 && i < len(input)-1 {
		return r.end
	}
	return r.exact
}

func (r *Regex) build(input string, loc []int) *Match {
	m := &Match{Groups: make([]Group, 0, len(r.groups))}
	for n := 0; n < len(r.groups); n++ {
		idx, ok := r.numbers[n]
		if !ok {
			continue
		}
		g := Group{Number: n, Name: r.groups[idx].name}
		if s, e := loc[2*idx], loc[2*idx+1]; s >= 0 {
			g.Success, g.Value, g.Index = true, input[s:e], s
		}
		m.Groups = append(m.Groups, g)
	}
	return m
}

// FindFirst is Regex.Match: the first match or nil.
func (r *Regex) FindFirst(input string) *Match {
	loc := r.prog(input).FindStringSubmatchIndex(input)
	if loc == nil {
		return nil
	}
	return r.build(input, loc)
}

// FindAll is Regex.Matches: every non-overlapping match, limited to n when n >= 0.
func (r *Regex) FindAll(input string, n int) []*Match {
	locs := r.prog(input).FindAllStringSubmatchIndex(input, n)
	out := make([]*Match, len(locs))
	for i, loc := range locs {
		out[i] = r.build(input, loc)
	}
	return out
}

// group returns a group by .NET number, or nil.
func (m *Match) group(n int) *Group {
	for i := range m.Groups {
		if m.Groups[i].Number == n {
			return &m.Groups[i]
		}
	}
	return nil
}

func (m *Match) named(name string) *Group {
	for i := range m.Groups {
		// .NET group names are case-sensitive: ${A} is not the group a (a literal in a substitution).
		if m.Groups[i].Name != "" && m.Groups[i].Name == name {
			return &m.Groups[i]
		}
	}
	return nil
}

type translator struct {
	src        []rune
	pattern    string
	pos        int
	out        strings.Builder
	groupNames []string
	multiline  bool
}

func (t *translator) peek(off int) rune {
	if t.pos+off < len(t.src) {
		return t.src[t.pos+off]
	}
	return -1
}

func (t *translator) translate() (string, error) {
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		switch c {
		case '\\':
			if err := t.escape(false); err != nil {
				return "", err
			}
			continue
		case '[':
			if err := t.class(); err != nil {
				return "", err
			}
			continue
		case '(':
			if err := t.group(); err != nil {
				return "", err
			}
			continue
		case '$':
			if t.multiline {
				t.out.WriteByte('$')
			} else {
				t.out.WriteString(dollarMark)
			}
		default:
			t.out.WriteRune(c)
		}
		t.pos++
	}
	return t.out.String(), nil
}

const (
	wordSet  = `\p{L}\p{Mn}\p{Nd}\p{Pc}`
	spaceSet = `\f\n\r\t\v\x{85}\p{Z}`
)

// escape translates the escape at t.pos (a backslash) and advances past it.
func (t *translator) escape(inClass bool) error {
	n := t.peek(1)
	if n < 0 {
		return &RuntimeError{ID: "ArgumentException",
			Message: fmt.Sprintf("parsing \"%s\" - Illegal \\ at end of pattern.", t.pattern)}
	}
	t.pos += 2
	w := &t.out
	switch n {
	case 'd':
		w.WriteString(`\p{Nd}`)
	case 'D':
		w.WriteString(`\P{Nd}`)
	case 'w':
		if inClass {
			w.WriteString(wordSet)
		} else {
			w.WriteString("[" + wordSet + "]")
		}
	case 'W':
		if inClass {
			return notModelledRegex(`\W inside a character class`, t.pattern)
		}
		w.WriteString("[^" + wordSet + "]")
	case 's':
		if inClass {
			w.WriteString(spaceSet)
		} else {
			w.WriteString("[" + spaceSet + "]")
		}
	case 'S':
		if inClass {
			return notModelledRegex(`\S inside a character class`, t.pattern)
		}
		w.WriteString("[^" + spaceSet + "]")
	case 'b':
		if inClass {
			w.WriteString(`\x08`)
		} else {
			w.WriteString(`\b`)
		}
	case 'B', 'A', 'z':
		w.WriteRune('\\')
		w.WriteRune(n)
	case 'Z':
		w.WriteString(dollarMark)
	case 'G':
		return notModelledRegex(`\G (contiguous match)`, t.pattern)
	case 'k':
		return notModelledRegex(`\k<name> (named backreference)`, t.pattern)
	case 'e':
		w.WriteString(`\x1B`)
	case 'u':
		hex := string(t.src[t.pos:min(t.pos+4, len(t.src))])
		if len(hex) != 4 || !isHex(hex) {
			return &RuntimeError{ID: "ArgumentException",
				Message: fmt.Sprintf("parsing \"%s\" - Insufficient hexadecimal digits.", t.pattern)}
		}
		fmt.Fprintf(w, `\x{%s}`, hex)
		t.pos += 4
	case 'c':
		l := t.peek(0)
		if l < 0 {
			return &RuntimeError{ID: "ArgumentException",
				Message: fmt.Sprintf("parsing \"%s\" - Missing control character.", t.pattern)}
		}
		fmt.Fprintf(w, `\x{%X}`, (l|0x20)-'a'+1)
		t.pos++
	case '0':
		v := 0
		for k := 0; k < 2 && t.peek(0) >= '0' && t.peek(0) <= '7'; k++ {
			v = v*8 + int(t.peek(0)-'0')
			t.pos++
		}
		fmt.Fprintf(w, `\x{%X}`, v)
	case '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if inClass {
			return notModelledRegex(`octal escape \`+string(n)+` inside a character class`, t.pattern)
		}
		return notModelledRegex(`\`+string(n)+` (backreference)`, t.pattern)
	case 'p', 'P':
		w.WriteRune('\\')
		w.WriteRune(n)
	case '[', ']':
		w.WriteRune('\\')
		w.WriteRune(n)
	default:
		w.WriteRune('\\')
		w.WriteRune(n)
	}
	return nil
}

func isHex(s string) bool {
	_, err := strconv.ParseUint(s, 16, 32)
	return err == nil
}

// class translates a character class [...] at t.pos.
func (t *translator) class() error {
	w := &t.out
	w.WriteByte('[')
	t.pos++
	if t.peek(0) == '^' {
		w.WriteByte('^')
		t.pos++
	}
	first := true
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		switch {
		case c == ']' && !first:
			w.WriteByte(']')
			t.pos++
			return nil
		case c == '\\':
			if err := t.escape(true); err != nil {
				return err
			}
			first = false
			continue
		case c == '-' && t.peek(1) == '[':
			return notModelledRegex("character class subtraction -[...]", t.pattern)
		case c == '[':
			w.WriteString(`\[`)
		case c == ']':
			w.WriteString(`\]`)
		default:
			w.WriteRune(c)
		}
		first = false
		t.pos++
	}
	return &RuntimeError{ID: "ArgumentException",
		Message: fmt.Sprintf("parsing \"%s\" - Unterminated [] set.", t.pattern)}
}

// group translates the opening of a group at t.pos.
func (t *translator) group() error {
	w := &t.out
	if t.peek(1) != '?' {
		t.groupNames = append(t.groupNames, "")
		w.WriteByte('(')
		t.pos++
		return nil
	}
	rest := string(t.src[t.pos+2:])
	switch {
	case strings.HasPrefix(rest, ":"):
		w.WriteString("(?:")
		t.pos += 3
	case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"):
		return notModelledRegex("lookahead (?= or (?!", t.pattern)
	case strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
		return notModelledRegex("lookbehind (?<= or (?<!", t.pattern)
	case strings.HasPrefix(rest, ">"):
		return notModelledRegex("atomic group (?>", t.pattern)
	case strings.HasPrefix(rest, "("):
		return notModelledRegex("conditional (?(", t.pattern)
	case strings.HasPrefix(rest, "#"):
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return &RuntimeError{ID: "ArgumentException",
				Message: fmt.Sprintf("parsing \"%s\" - Unterminated (?#...) comment.", t.pattern)}
		}
		t.pos += 2 + len([]rune(rest[:end+1]))
	case strings.HasPrefix(rest, "<"), strings.HasPrefix(rest, "'"), strings.HasPrefix(rest, "P<"):
		open := rest[0]
		body := rest[1:]
		if open == 'P' {
			body = rest[2:]
		}
		closer := ">"
		if open == '\'' {
			closer = "'"
		}
		end := strings.Index(body, closer)
		if end < 0 {
			return &RuntimeError{ID: "ArgumentException",
				Message: fmt.Sprintf("parsing \"%s\" - Invalid group name: Group names must begin with a word character.", t.pattern)}
		}
		name := body[:end]
		if strings.Contains(name, "-") {
			return notModelledRegex("balancing group (?<a-b>", t.pattern)
		}
		if name == "" || (name[0] >= '0' && name[0] <= '9') {
			return notModelledRegex("numbered group name (?<"+name+">", t.pattern)
		}
		t.groupNames = append(t.groupNames, name)
		fmt.Fprintf(w, "(?P<%s>", name)
		consumed := len(rest) - len(body) + end + len(closer)
		t.pos += 2 + len([]rune(rest[:consumed]))
	default:
		// Inline options (?imsx-imsx) or (?imsx-imsx:...).
		i := 0
		for i < len(rest) && strings.IndexByte("imsnx-", rest[i]) >= 0 {
			i++
		}
		if i == 0 || i >= len(rest) || (rest[i] != ')' && rest[i] != ':') {
			return &RuntimeError{ID: "ArgumentException",
				Message: fmt.Sprintf("parsing \"%s\" - Unrecognized grouping construct.", t.pattern)}
		}
		flags := rest[:i]
		if strings.ContainsAny(flags, "nx") {
			return notModelledRegex("inline option n or x in (?"+flags, t.pattern)
		}
		if rest[i] == ')' && strings.Contains(flags, "m") && !strings.Contains(flags, "-") {
			t.multiline = true
		}
		w.WriteString("(?" + flags + string(rest[i]))
		t.pos += 2 + i + 1
	}
	return nil
}
