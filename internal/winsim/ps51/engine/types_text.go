package engine

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// [regex], [guid], [IO.Path], [uri], [version], [TimeSpan], [Net.IPAddress].

// regexValue is a System.Text.RegularExpressions.Regex.
type regexValue struct {
	pattern string
	opts    value.RegexOptions
	re      *value.Regex
}

func (r *regexValue) TypeName() string              { return "System.Text.RegularExpressions.Regex" }
func (r *regexValue) Property(n string) (any, bool) { return nil, false }
func (r *regexValue) ToString() string              { return r.pattern }
func (r *regexValue) class() *class                 { return regexClass }

func parseRegexOptions(v any) (value.RegexOptions, error) {
	var o value.RegexOptions
	if v == nil {
		return o, nil
	}
	if e, ok := v.(value.Enum); ok {
		o.IgnoreCase = e.Value&1 != 0
		o.Multiline = e.Value&2 != 0
		o.Singleline = e.Value&16 != 0
		if e.Value&^(1|2|16|512) != 0 {
			return o, notImpl("the regex options %s", e.String())
		}
		return o, nil
	}
	for _, p := range strings.Split(value.ToString(v), ",") {
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "ignorecase":
			o.IgnoreCase = true
		case "multiline":
			o.Multiline = true
		case "singleline":
			o.Singleline = true
		case "none", "cultureinvariant", "":
		default:
			return o, notImpl("the regex option %s", p)
		}
	}
	return o, nil
}

func newRegex(pattern string, opts value.RegexOptions) (*regexValue, error) {
	re, err := value.CompileRegex(pattern, opts)
	if err != nil {
		if value.IsNotModelled(err) {
			return nil, err
		}
		return nil, dotnetError("System.ArgumentException", fmt.Sprintf("parsing \"%s\" - %s", pattern, value.Message(err)))
	}
	return &regexValue{pattern: pattern, opts: opts, re: re}, nil
}

// matchValue is a System.Text.RegularExpressions.Match.
type matchValue struct {
	m     *value.Match
	input string
}

func (m *matchValue) TypeName() string { return "System.Text.RegularExpressions.Match" }
func (m *matchValue) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "value":
		if m.m == nil {
			return "", true
		}
		return m.m.Value(), true
	case "success":
		return m.m != nil, true
	case "index":
		if m.m == nil {
			return int32(0), true
		}
		return int32(len([]rune(m.input[:m.m.Groups[0].Index]))), true //nolint:gosec // small
	case "length":
		if m.m == nil {
			return int32(0), true
		}
		return int32(len([]rune(m.m.Value()))), true //nolint:gosec // small
	case "groups":
		g := &groupCollection{}
		if m.m != nil {
			for _, gr := range m.m.Groups {
				g.items = append(g.items, &groupValue{g: gr})
			}
		}
		return g, true
	case "name":
		return "0", true
	}
	return nil, false
}
func (m *matchValue) ToString() string {
	if m.m == nil {
		return ""
	}
	return m.m.Value()
}
func (m *matchValue) class() *class { return matchClass }

var matchClass = &class{name: "System.Text.RegularExpressions.Match",
	members: "Captures Groups Index Length Name Success Value NextMatch Result"}

type groupCollection struct{ items []any }

func (g *groupCollection) TypeName() string { return "System.Text.RegularExpressions.GroupCollection" }
func (g *groupCollection) Property(name string) (any, bool) {
	if strings.EqualFold(name, "count") {
		return int32(len(g.items)), true //nolint:gosec // small
	}
	return nil, false
}
func (g *groupCollection) ToString() string { return g.TypeName() }
func (g *groupCollection) Items() []any     { return g.items }
func (g *groupCollection) class() *class {
	return &class{name: g.TypeName(), members: "Count IsReadOnly IsSynchronized Item SyncRoot CopyTo GetEnumerator"}
}
func (g *groupCollection) getIndex(_ *Session, i any) (any, error) {
	if n, ok := i.(string); ok {
		for _, it := range g.items {
			if gv := as[*groupValue](it); strings.EqualFold(gv.g.Name, n) || strconv.Itoa(gv.g.Number) == n {
				return gv, nil
			}
		}
		return &groupValue{}, nil
	}
	k, err := value.ToInt32(i)
	if err != nil {
		return nil, err
	}
	for _, it := range g.items {
		if as[*groupValue](it).g.Number == int(k) {
			return it, nil
		}
	}
	return &groupValue{}, nil
}

type groupValue struct{ g value.Group }

func (g *groupValue) TypeName() string { return "System.Text.RegularExpressions.Group" }
func (g *groupValue) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "value":
		return g.g.Value, true
	case "success":
		return g.g.Success, true
	case "name":
		if g.g.Name != "" {
			return g.g.Name, true
		}
		return strconv.Itoa(g.g.Number), true
	case "length":
		return int32(len([]rune(g.g.Value))), true //nolint:gosec // small
	}
	return nil, false
}
func (g *groupValue) ToString() string { return g.g.Value }
func (g *groupValue) class() *class {
	return &class{name: g.TypeName(), members: "Captures Index Length Name Success Value"}
}

// regexReplace is Regex.Replace with a replacement string or a MatchEvaluator script block, which
// PowerShell converts to the delegate: the block is called with the Match as its argument, and its
// output converted to string is the replacement.
func (s *Session) regexReplace(re *value.Regex, input string, repl any) (any, error) {
	sb, isBlock := repl.(*scriptBlock)
	if !isBlock {
		return re.ReplaceAll(input, value.ToString(repl)), nil
	}
	var b strings.Builder
	prev := 0
	for _, m := range re.FindAll(input, -1) {
		whole := m.Groups[0]
		b.WriteString(input[prev:whole.Index])
		out, err := s.Invoke(sb, &matchValue{m: m, input: input})
		if err != nil {
			var pe *psError
			if errors.As(err, &pe) {
				return nil, pe.rec
			}
			return nil, err
		}
		b.WriteString(s.str(unwrapCollected(out)))
		prev = whole.Index + len(whole.Value)
	}
	b.WriteString(input[prev:])
	return b.String(), nil
}

// regexOf compiles args[1] with the options in args[2], if any.
func (s *Session) regexOf(args []any) (*regexValue, error) {
	const at = 1
	opts := value.RegexOptions{}
	if len(args) > at+1 {
		o, err := parseRegexOptions(args[len(args)-1])
		if err != nil {
			return nil, err
		}
		opts = o
	}
	return newRegex(argString(args, at), opts)
}

var regexClass = &class{name: "System.Text.RegularExpressions.Regex",
	members: "MatchTimeout Options RightToLeft GetGroupNames GetGroupNumbers GroupNameFromNumber GroupNumberFromName IsMatch Match Matches Replace Split",
	methods: map[string]method{
		"match": func(_ *Session, self any, args []any) (any, error) {
			r := as[*regexValue](self)
			in := argString(args, 0)
			return &matchValue{m: r.re.FindFirst(in), input: in}, nil
		},
		"ismatch": func(_ *Session, self any, args []any) (any, error) {
			return as[*regexValue](self).re.FindFirst(argString(args, 0)) != nil, nil
		},
		"replace": func(s *Session, self any, args []any) (any, error) {
			if len(args) != 2 {
				return nil, overload("Replace", len(args))
			}
			return cb(s).regexReplace(as[*regexValue](self).re, argString(args, 0), args[1])
		},
		"matches": func(_ *Session, self any, args []any) (any, error) {
			return matchesOf(as[*regexValue](self).re, argString(args, 0)), nil
		},
	}}

func matchesOf(re *value.Regex, in string) any {
	out := &enumeratorValue{}
	for _, m := range re.FindAll(in, -1) {
		out.items = append(out.items, &matchValue{m: m, input: in})
	}
	return &matchCollection{out.items}
}

type matchCollection struct{ items []any }

func (m *matchCollection) TypeName() string { return "System.Text.RegularExpressions.MatchCollection" }
func (m *matchCollection) Property(name string) (any, bool) {
	if strings.EqualFold(name, "count") {
		return int32(len(m.items)), true //nolint:gosec // small
	}
	return nil, false
}
func (m *matchCollection) ToString() string { return m.TypeName() }
func (m *matchCollection) Items() []any     { return m.items }

func regexType() *typeInfo {
	return &typeInfo{fullName: "System.Text.RegularExpressions.Regex", names: []string{"regex"},
		statics: "CacheSize InfiniteMatchTimeout CompileToAssembly Escape IsMatch Match Matches Replace Split Unescape",
		ctor: func(_ *Session, args []any) (any, error) {
			if len(args) < 1 || len(args) > 2 {
				return nil, overload("new", len(args))
			}
			opts := value.RegexOptions{}
			if len(args) == 2 {
				o, err := parseRegexOptions(args[1])
				if err != nil {
					return nil, err
				}
				opts = o
			}
			return newRegex(argString(args, 0), opts)
		},
		methods: map[string]staticMethod{
			"replace": func(s *Session, args []any) (any, error) {
				if len(args) < 3 || len(args) > 4 {
					return nil, overload("Replace", len(args))
				}
				r, err := s.regexOf(args[:2])
				if err != nil {
					return nil, err
				}
				if len(args) == 4 {
					if r, err = s.regexOf([]any{args[0], args[1], args[3]}); err != nil {
						return nil, err
					}
				}
				return cb(s).regexReplace(r.re, argString(args, 0), args[2])
			},
			"match": func(s *Session, args []any) (any, error) {
				if len(args) < 2 || len(args) > 3 {
					return nil, overload("Match", len(args))
				}
				r, err := s.regexOf(args)
				if err != nil {
					return nil, err
				}
				in := argString(args, 0)
				return &matchValue{m: r.re.FindFirst(in), input: in}, nil
			},
			"matches": func(s *Session, args []any) (any, error) {
				if len(args) < 2 || len(args) > 3 {
					return nil, overload("Matches", len(args))
				}
				r, err := s.regexOf(args)
				if err != nil {
					return nil, err
				}
				return matchesOf(r.re, argString(args, 0)), nil
			},
			"ismatch": func(s *Session, args []any) (any, error) {
				if len(args) < 2 || len(args) > 3 {
					return nil, overload("IsMatch", len(args))
				}
				r, err := s.regexOf(args)
				if err != nil {
					return nil, err
				}
				return r.re.FindFirst(argString(args, 0)) != nil, nil
			},
			"escape": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("Escape", len(args))
				}
				return regexEscape(argString(args, 0)), nil
			},
		}}
}

// regexEscape is Regex.Escape: \ * + ? | { [ ( ) ^ $ . # and white space are escaped.
func regexEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\', '*', '+', '?', '|', '{', '[', '(', ')', '^', '$', '.', '#', ' ':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// guidValue is a System.Guid.
type guidValue struct{ b [16]byte }

func (g *guidValue) TypeName() string { return "System.Guid" }
func (g *guidValue) Property(name string) (any, bool) {
	if strings.EqualFold(name, "guid") {
		return g.ToString(), true
	}
	return nil, false
}
func (g *guidValue) ToString() string {
	h := hex.EncodeToString(g.b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
func (g *guidValue) Format(spec string) (string, error) {
	h := strings.ReplaceAll(g.ToString(), "-", "")
	switch strings.ToUpper(spec) {
	case "", "D":
		return g.ToString(), nil
	case "N":
		return h, nil
	case "B":
		return "{" + g.ToString() + "}", nil
	case "P":
		return "(" + g.ToString() + ")", nil
	}
	return "", dotnetError("System.FormatException", "Format String can be only \"D\", \"d\", \"N\", \"n\", \"P\", \"p\", \"B\", \"b\", \"X\" or \"x\".")
}
func (g *guidValue) class() *class {
	return &class{name: "System.Guid", members: "CompareTo Equals ToByteArray ToString"}
}

func guidType() *typeInfo {
	parse := func(s string) (any, error) {
		h := strings.NewReplacer("-", "", "{", "", "}", "", "(", "", ")", "").Replace(strings.TrimSpace(s))
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 16 {
			return nil, dotnetError("System.FormatException", "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).")
		}
		g := &guidValue{}
		copy(g.b[:], b)
		return g, nil
	}
	return &typeInfo{fullName: "System.Guid", names: []string{"guid"}, statics: "Empty NewGuid Parse ParseExact TryParse TryParseExact",
		props: map[string]staticProp{"empty": func(*Session) (any, error) { return &guidValue{}, nil }},
		methods: map[string]staticMethod{
			"newguid": func(*Session, []any) (any, error) {
				g := &guidValue{}
				_, _ = rand.Read(g.b[:])
				g.b[6] = g.b[6]&0x0f | 0x40
				g.b[8] = g.b[8]&0x3f | 0x80
				return g, nil
			},
			"parse": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("Parse", len(args))
				}
				return parse(argString(args, 0))
			},
		},
		ctor: func(_ *Session, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("new", len(args))
			}
			if _, ok := value.List(args[0]); ok {
				// Guid(byte[]): the first three fields are little-endian.
				b, err := toBytes(args[0])
				if err != nil {
					return nil, err
				}
				if len(b) != 16 {
					return nil, dotnetError("System.ArgumentException", "Byte array for GUID must be exactly 16 bytes long.")
				}
				g := &guidValue{}
				copy(g.b[:], []byte{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]})
				copy(g.b[8:], b[8:])
				return g, nil
			}
			return parse(argString(args, 0))
		}}
}

// IO.Path for Windows paths, as strings.
func pathType() *typeInfo {
	return &typeInfo{fullName: "System.IO.Path", statics: "AltDirectorySeparatorChar DirectorySeparatorChar InvalidPathChars PathSeparator VolumeSeparatorChar ChangeExtension Combine GetDirectoryName GetExtension GetFileName GetFileNameWithoutExtension GetFullPath GetInvalidFileNameChars GetInvalidPathChars GetPathRoot GetRandomFileName GetTempFileName GetTempPath HasExtension IsPathRooted",
		props: map[string]staticProp{
			"directoryseparatorchar": func(*Session) (any, error) { return value.Char('\\'), nil },
			"pathseparator":          func(*Session) (any, error) { return value.Char(';'), nil },
		},
		methods: map[string]staticMethod{
			"getfilename": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("GetFileName", len(args))
				}
				if args[0] == nil {
					return nil, nil
				}
				p := value.ToString(args[0])
				return p[strings.LastIndexAny(p, `\/:`)+1:], nil
			},
			"getfilenamewithoutextension": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("GetFileNameWithoutExtension", len(args))
				}
				p := argString(args, 0)
				p = p[strings.LastIndexAny(p, `\/:`)+1:]
				if i := strings.LastIndexByte(p, '.'); i >= 0 {
					p = p[:i]
				}
				return p, nil
			},
			"getextension": func(_ *Session, args []any) (any, error) {
				p := argString(args, 0)
				p = p[strings.LastIndexAny(p, `\/:`)+1:]
				if i := strings.LastIndexByte(p, '.'); i >= 0 && i < len(p)-1 {
					return p[i:], nil
				}
				return "", nil
			},
			"getdirectoryname": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("GetDirectoryName", len(args))
				}
				if args[0] == nil {
					return nil, nil
				}
				return winDirName(value.ToString(args[0])), nil
			},
			"combine": func(_ *Session, args []any) (any, error) {
				parts := args
				if len(args) == 1 {
					parts = itemsOf(args[0])
				}
				out := ""
				for _, a := range parts {
					if a == nil {
						return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: paths")
					}
					p := value.ToString(a)
					switch {
					case p == "":
					case isRooted(p) || out == "":
						out = p
					case strings.HasSuffix(out, `\`) || strings.HasSuffix(out, "/") || strings.HasSuffix(out, ":"):
						out += p
					default:
						out += `\` + p
					}
				}
				return out, nil
			},
			"ispathrooted": func(_ *Session, args []any) (any, error) { return isRooted(argString(args, 0)), nil },
			"getfullpath":  getFullPath,
		}}
}

// getFullPath is Path.GetFullPath for a fully qualified drive path, normalized as "File path formats on
// Windows systems" describes (dotnet/docs docs/standard/io/file-path-formats.md, "Path normalization"):
// "/" becomes "\", runs of separators collapse, "." and ".." segments are evaluated (never above the
// root), a segment that ends in a single period loses it, and when the path does not end in a separator
// its trailing periods and spaces are removed. A relative path would resolve against the process's
// current directory, which winsim does not model: it fails loudly.
func getFullPath(_ *Session, args []any) (any, error) {
	if len(args) != 1 {
		return nil, overload("GetFullPath", len(args))
	}
	if args[0] == nil {
		return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: path")
	}
	p := strings.ReplaceAll(value.ToString(args[0]), "/", `\`)
	if strings.TrimSpace(p) == "" {
		return nil, dotnetError("System.ArgumentException", "The path is not of a legal form.")
	}
	if len(p) < 3 || p[1] != ':' || p[2] != '\\' || !unicode.IsLetter(rune(p[0])) {
		return nil, notImpl("[System.IO.Path]::GetFullPath of %q: only fully qualified drive paths (C:\\...) are modelled; a relative one needs the process's current directory", p)
	}
	endsInSeparator := strings.HasSuffix(p, `\`)
	segs := strings.Split(p[3:], `\`)
	var parts []string
	for i, seg := range segs {
		switch {
		case seg == "" || seg == ".":
			continue
		case seg == "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
			continue
		case i == len(segs)-1 && !endsInSeparator:
			seg = strings.TrimRight(seg, ". ")
		case strings.HasSuffix(seg, ".") && !strings.HasSuffix(seg, ".."):
			seg = seg[:len(seg)-1]
		}
		if seg != "" {
			parts = append(parts, seg)
		}
	}
	out := p[:3] + strings.Join(parts, `\`)
	if endsInSeparator && len(parts) > 0 {
		out += `\`
	}
	return out, nil
}

func isRooted(p string) bool {
	return strings.HasPrefix(p, `\`) || strings.HasPrefix(p, "/") || (len(p) >= 2 && p[1] == ':')
}

// winDirName is Path.GetDirectoryName: the path without its last part; "" for a root ("C:\").
func winDirName(p string) string {
	i := strings.LastIndexAny(p, `\/`)
	if i < 0 {
		return ""
	}
	root := 0
	if len(p) >= 2 && p[1] == ':' {
		root = 2
		if len(p) > 2 && (p[2] == '\\' || p[2] == '/') {
			root = 3
		}
	}
	if len(p) <= root {
		return ""
	}
	if i < root {
		return p[:root]
	}
	d := strings.TrimRight(p[:i], `\/`)
	if len(d) < root {
		return p[:root]
	}
	return d
}

// uriValue is a System.Uri.
type uriValue struct {
	u   *url.URL
	raw string
}

func (u *uriValue) TypeName() string { return "System.Uri" }
func (u *uriValue) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "absolutepath":
		p := u.u.EscapedPath()
		if p == "" {
			p = "/"
		}
		return p, true
	case "absoluteuri":
		return u.u.String(), true
	case "host":
		return u.u.Hostname(), true
	case "scheme":
		return u.u.Scheme, true
	case "query":
		if u.u.RawQuery == "" {
			return "", true
		}
		return "?" + u.u.RawQuery, true
	case "port":
		if p := u.u.Port(); p != "" {
			n, _ := strconv.Atoi(p)
			return int32(n), true //nolint:gosec // ports are small
		}
		switch u.u.Scheme {
		case "https":
			return int32(443), true
		case "http":
			return int32(80), true
		}
		return int32(-1), true
	case "segments":
		p := u.u.EscapedPath()
		var segs []string
		for p != "" {
			i := strings.IndexByte(p[1:], '/')
			if i < 0 {
				segs = append(segs, p)
				break
			}
			segs = append(segs, p[:i+2])
			p = p[i+2:]
		}
		if len(segs) == 0 {
			segs = []string{"/"}
		}
		return stringArray(segs), true
	case "isabsoluteuri":
		return true, true
	}
	return nil, false
}
func (u *uriValue) ToString() string { return u.u.String() }
func (u *uriValue) class() *class {
	return &class{name: "System.Uri", members: "AbsolutePath AbsoluteUri Authority DnsSafeHost Fragment Host HostNameType IdnHost IsAbsoluteUri IsDefaultPort IsFile IsLoopback IsUnc LocalPath OriginalString PathAndQuery Port Query Scheme Segments UserEscaped UserInfo GetComponents GetLeftPart IsBaseOf IsWellFormedOriginalString MakeRelativeUri"}
}

func uriType() *typeInfo {
	return &typeInfo{fullName: "System.Uri", names: []string{"uri"}, ctor: func(_ *Session, args []any) (any, error) {
		if len(args) != 1 {
			return nil, notImpl("new Uri with %d arguments", len(args))
		}
		raw := argString(args, 0)
		if args[0] == nil {
			return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: uriString")
		}
		u, err := url.Parse(raw)
		if err != nil || u.Scheme == "" || (u.Host == "" && u.Scheme != "file") {
			return nil, dotnetError("System.UriFormatException", "Invalid URI: The format of the URI could not be determined.")
		}
		return &uriValue{u: u, raw: raw}, nil
	}}
}

// version is a System.Version.
type version struct{ parts []int }

func (v *version) TypeName() string { return "System.Version" }
func (v *version) Property(name string) (any, bool) {
	idx := map[string]int{"major": 0, "minor": 1, "build": 2, "revision": 3}[strings.ToLower(name)]
	switch strings.ToLower(name) {
	case "major", "minor", "build", "revision":
		if idx < len(v.parts) {
			return int32(v.parts[idx]), true //nolint:gosec // small
		}
		return int32(-1), true
	}
	return nil, false
}
func (v *version) ToString() string {
	s := make([]string, len(v.parts))
	for i, p := range v.parts {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ".")
}
func (v *version) class() *class {
	return &class{name: "System.Version", members: "Build Major MajorRevision Minor MinorRevision Revision Clone CompareTo Equals ToString"}
}

func (v *version) compare(o *version) int {
	for i := 0; i < 4; i++ {
		a, b := -1, -1
		if i < len(v.parts) {
			a = v.parts[i]
		}
		if i < len(o.parts) {
			b = o.parts[i]
		}
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
	}
	return 0
}

func parseVersion(s string) (*version, error) {
	fields := strings.Split(strings.TrimSpace(s), ".")
	if len(fields) < 2 || len(fields) > 4 {
		return nil, dotnetError("System.ArgumentException", "Version string portion was too short or too long.")
	}
	v := &version{}
	for _, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, dotnetError("System.FormatException", "Input string was not in a correct format.")
		}
		if n < 0 {
			return nil, argOutOfRange("version", "Version's parameters must be greater than or equal to zero.")
		}
		v.parts = append(v.parts, n)
	}
	return v, nil
}

func toVersion(x any) (*version, error) {
	switch v := x.(type) {
	case *version:
		return v, nil
	case nil:
		return &version{parts: []int{-1}}, nil
	}
	return parseVersion(value.ToString(x))
}

func versionType() *typeInfo {
	return &typeInfo{fullName: "System.Version", names: []string{"version"}, ctor: func(_ *Session, args []any) (any, error) {
		switch len(args) {
		case 1:
			return parseVersion(argString(args, 0))
		case 2, 3, 4:
			v := &version{}
			for i := range args {
				n, err := argInt(args, i)
				if err != nil {
					return nil, err
				}
				v.parts = append(v.parts, n)
			}
			return v, nil
		}
		return nil, overload("new", len(args))
	}, methods: map[string]staticMethod{"parse": func(_ *Session, args []any) (any, error) { return parseVersion(argString(args, 0)) }}}
}

// timeSpan is a System.TimeSpan in ticks.
type timeSpan int64

const ticksPerSecond = 10_000_000

func (t timeSpan) TypeName() string { return "System.TimeSpan" }
func (t timeSpan) Property(name string) (any, bool) {
	n := int64(t)
	switch strings.ToLower(name) {
	case "ticks":
		return n, true
	case "totalseconds":
		return float64(n) / ticksPerSecond, true
	case "totalmilliseconds":
		return float64(n) / 10_000, true
	case "totalminutes":
		return float64(n) / (60 * ticksPerSecond), true
	case "totalhours":
		return float64(n) / (3600 * ticksPerSecond), true
	case "totaldays":
		return float64(n) / (86400 * ticksPerSecond), true
	case "days":
		return int32(n / (86400 * ticksPerSecond)), true //nolint:gosec // bounded
	case "hours":
		return int32(n / (3600 * ticksPerSecond) % 24), true //nolint:gosec // bounded
	case "minutes":
		return int32(n / (60 * ticksPerSecond) % 60), true //nolint:gosec // bounded
	case "seconds":
		return int32(n / ticksPerSecond % 60), true //nolint:gosec // bounded
	case "milliseconds":
		return int32(n / 10_000 % 1000), true //nolint:gosec // bounded
	}
	return nil, false
}

// ToString is TimeSpan's constant format [-][d.]hh:mm:ss[.fffffff].
func (t timeSpan) ToString() string {
	n := int64(t)
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	d := n / (86400 * ticksPerSecond)
	rest := n % (86400 * ticksPerSecond)
	s := fmt.Sprintf("%02d:%02d:%02d", rest/(3600*ticksPerSecond), rest/(60*ticksPerSecond)%60, rest/ticksPerSecond%60)
	if d > 0 {
		s = fmt.Sprintf("%d.%s", d, s)
	}
	if f := rest % ticksPerSecond; f != 0 {
		s += fmt.Sprintf(".%07d", f)
	}
	return sign + s
}
func (t timeSpan) class() *class {
	return &class{name: "System.TimeSpan", members: "Days Hours Milliseconds Minutes Seconds Ticks TotalDays TotalHours TotalMilliseconds TotalMinutes TotalSeconds Add CompareTo Duration Equals Negate Subtract ToString"}
}

func timeSpanType() *typeInfo {
	from := func(unit float64) staticMethod {
		return func(_ *Session, args []any) (any, error) {
			f, err := value.ToDouble(args0(args))
			if err != nil {
				return nil, err
			}
			return timeSpan(int64(f * unit * ticksPerSecond)), nil
		}
	}
	return &typeInfo{fullName: "System.TimeSpan", names: []string{"timespan"},
		convert: func(_ *Session, v any) (any, error) { return convertTimeSpan(v) },
		isA:     func(v any) bool { _, ok := v.(timeSpan); return ok },
		statics: "MaxValue MinValue TicksPerDay TicksPerHour TicksPerMillisecond TicksPerMinute TicksPerSecond Zero Compare Equals FromDays FromHours FromMilliseconds FromMinutes FromSeconds FromTicks Parse ParseExact TryParse TryParseExact",
		props:   map[string]staticProp{"zero": func(*Session) (any, error) { return timeSpan(0), nil }},
		methods: map[string]staticMethod{
			"fromseconds":      from(1),
			"fromminutes":      from(60),
			"fromhours":        from(3600),
			"fromdays":         from(86400),
			"frommilliseconds": from(0.001),
		},
		ctor: func(_ *Session, args []any) (any, error) {
			nums := make([]int64, len(args))
			for i, a := range args {
				n, err := value.ToInt64(a)
				if err != nil {
					return nil, err
				}
				nums[i] = n
			}
			switch len(nums) {
			case 1:
				return timeSpan(nums[0]), nil
			case 3:
				return timeSpan((nums[0]*3600 + nums[1]*60 + nums[2]) * ticksPerSecond), nil
			case 4:
				return timeSpan((nums[0]*86400 + nums[1]*3600 + nums[2]*60 + nums[3]) * ticksPerSecond), nil
			}
			return nil, overload("new", len(args))
		}}
}

// ipAddress is a System.Net.IPAddress.
type ipAddress struct{ ip net.IP }

func (a *ipAddress) TypeName() string { return "System.Net.IPAddress" }
func (a *ipAddress) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "addressfamily":
		if a.ip.To4() != nil {
			return "InterNetwork", true
		}
		return "InterNetworkV6", true
	case "ipaddresstostring":
		return a.ToString(), true
	}
	return nil, false
}
func (a *ipAddress) ToString() string {
	if v4 := a.ip.To4(); v4 != nil {
		return v4.String()
	}
	return a.ip.String()
}
func (a *ipAddress) class() *class { return ipAddressClass }

var ipAddressClass = &class{name: "System.Net.IPAddress",
	members: "Address AddressFamily IsIPv4MappedToIPv6 IsIPv6LinkLocal IsIPv6Multicast IsIPv6SiteLocal IsIPv6Teredo ScopeId IPAddressToString Equals GetAddressBytes MapToIPv4 MapToIPv6 ToString",
	methods: map[string]method{
		"getaddressbytes": func(_ *Session, self any, _ []any) (any, error) {
			ip := as[*ipAddress](self).ip
			if v4 := ip.To4(); v4 != nil {
				return byteArray(v4), nil
			}
			return byteArray(ip.To16()), nil
		},
	}}

// parseIP is IPAddress.Parse: dotted IPv4 (each part decimal, at most four parts) or IPv6.
func parseIP(s string) (*ipAddress, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ":") {
		ip := net.ParseIP(strings.Trim(s, "[]"))
		if ip == nil {
			return nil, false
		}
		return &ipAddress{ip: ip}, true
	}
	ip := net.ParseIP(s)
	if ip == nil || ip.To4() == nil {
		return nil, false
	}
	return &ipAddress{ip: ip.To4()}, true
}

func ipAddressType() *typeInfo {
	return &typeInfo{fullName: "System.Net.IPAddress", names: []string{"ipaddress"},
		statics: "Any Broadcast IPv6Any IPv6Loopback IPv6None Loopback None HostToNetworkOrder IsLoopback NetworkToHostOrder Parse TryParse",
		props: map[string]staticProp{
			"any":      func(*Session) (any, error) { return &ipAddress{ip: net.IPv4zero.To4()}, nil },
			"loopback": func(*Session) (any, error) { return &ipAddress{ip: net.IPv4(127, 0, 0, 1).To4()}, nil },
		},
		methods: map[string]staticMethod{
			"parse": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("Parse", len(args))
				}
				if args[0] == nil {
					return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: ipString")
				}
				a, ok := parseIP(argString(args, 0))
				if !ok {
					return nil, dotnetError("System.FormatException", "An invalid IP address was specified.")
				}
				return a, nil
			},
			"tryparse": func(_ *Session, args []any) (any, error) {
				if len(args) != 2 {
					return nil, overload("TryParse", len(args))
				}
				r, ok := args[1].(*psRef)
				if !ok {
					return nil, dotnetError("System.Management.Automation.PSInvalidCastException", "Argument: '2' should be a System.Management.Automation.PSReference. Use [ref].")
				}
				a, ok := parseIP(argString(args, 0))
				if !ok {
					r.set(nil)
					return false, nil
				}
				r.set(a)
				return true, nil
			},
		},
		ctor: func(_ *Session, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("new", len(args))
			}
			if _, ok := value.List(args[0]); ok {
				b, err := toBytes(args[0])
				if err != nil {
					return nil, err
				}
				if len(b) != 4 && len(b) != 16 {
					return nil, dotnetError("System.ArgumentException", "An invalid IP address was specified.\r\nParameter name: address")
				}
				return &ipAddress{ip: net.IP(append([]byte{}, b...))}, nil
			}
			n, err := value.ToInt64(args[0])
			if err != nil {
				return nil, err
			}
			return &ipAddress{ip: net.IPv4(byte(n), byte(n>>8), byte(n>>16), byte(n>>24)).To4()}, nil
		},
		convert: func(_ *Session, v any) (any, error) {
			if a, ok := v.(*ipAddress); ok || v == nil {
				return a, nil
			}
			a, ok := parseIP(value.ToString(v))
			if !ok {
				return nil, &value.ConversionError{Value: value.ToString(v), Target: "System.Net.IPAddress", Reason: "An invalid IP address was specified."}
			}
			return a, nil
		}}
}

// stringBuilder is System.Text.StringBuilder.
type stringBuilder struct{ b strings.Builder }

func (sb *stringBuilder) TypeName() string { return "System.Text.StringBuilder" }
func (sb *stringBuilder) Property(name string) (any, bool) {
	if strings.EqualFold(name, "length") {
		return int32(len([]rune(sb.b.String()))), true //nolint:gosec // small
	}
	return nil, false
}
func (sb *stringBuilder) ToString() string { return sb.b.String() }
func (sb *stringBuilder) class() *class    { return stringBuilderClass }

var stringBuilderClass = &class{name: "System.Text.StringBuilder",
	members: "Capacity Chars Length MaxCapacity Append AppendFormat AppendLine Clear CopyTo EnsureCapacity Equals Insert Remove Replace ToString",
	methods: map[string]method{
		"append": func(_ *Session, self any, args []any) (any, error) {
			sb := as[*stringBuilder](self)
			if len(args) != 1 {
				return nil, notImpl("StringBuilder.Append with %d arguments", len(args))
			}
			sb.b.WriteString(value.DotNetString(args[0]))
			return sb, nil
		},
		"appendline": func(_ *Session, self any, args []any) (any, error) {
			sb := as[*stringBuilder](self)
			if len(args) == 1 {
				sb.b.WriteString(value.DotNetString(args[0]))
			}
			sb.b.WriteString("\r\n")
			return sb, nil
		},
		"appendformat": func(_ *Session, self any, args []any) (any, error) {
			sb := as[*stringBuilder](self)
			if len(args) < 1 {
				return nil, overload("AppendFormat", len(args))
			}
			t, err := value.FormatComposite(argString(args, 0), args[1:])
			if err != nil {
				return nil, err
			}
			sb.b.WriteString(t)
			return sb, nil
		},
		"clear": func(_ *Session, self any, _ []any) (any, error) {
			sb := as[*stringBuilder](self)
			sb.b.Reset()
			return sb, nil
		},
	}}

func stringBuilderType() *typeInfo {
	return &typeInfo{fullName: "System.Text.StringBuilder", ctor: func(_ *Session, args []any) (any, error) {
		sb := &stringBuilder{}
		if len(args) == 1 {
			if s, ok := args[0].(string); ok {
				sb.b.WriteString(s)
			}
		}
		return sb, nil
	}}
}
