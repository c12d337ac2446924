package value

import (
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		l, p    any
		cs, neg bool
		want    any
		matches *Hashtable // nil: $Matches not set
	}{
		{"header line", docCmp, "wincontainers-script/1 42", `^wincontainers-script/1 (\d+)$`, false, false, true,
			ht(0, "wincontainers-script/1 42", 1, "42")},
		{"-notmatch on a match sets $Matches", docCmp, "wincontainers-script/1 42", `^wincontainers-script/1 (\d+)$`, false, true, false,
			ht(0, "wincontainers-script/1 42", 1, "42")},
		{"no match leaves $Matches", docAutoVar, "x", `y`, false, false, false, nil},
		{"case-insensitive by default", docCmp, "PowerShell", "powershell", false, false, true, ht(0, "PowerShell")},
		{"-cmatch", docCmp, "PowerShell", "powershell", true, false, false, nil},
		{"$ before a final newline", docRegex + " + .NET anchors", "abc\n", `c$`, false, false, true, ht(0, "c")},
		{"(?m) multiline", docRegex, "a\nhypervisorlaunchtype    Auto\nb", `(?m)^hypervisorlaunchtype\s+(\S+)`, false, false, true,
			ht(0, "hypervisorlaunchtype    Auto", 1, "Auto")},
		{"unsuccessful groups are left out", docAutoVar, `--log-file=x.log`, `--log-file(?:=|\s+)(?:"([^"]+)"|(\S+))`, false, false, true,
			ht(0, "--log-file=x.log", 2, "x.log")},
		{"named group", docRegex + " (named captures)", "v1.2.3", `v(?<ver>\d+\.\d+\.\d+)`, false, false, true,
			ht(0, "v1.2.3", "ver", "1.2.3")},
		{".NET numbers unnamed groups before named", ".NET grouping constructs", "ab", `(?<x>a)(b)`, false, false, true,
			ht(0, "ab", 1, "b", "x", "a")},
		{"array left filters and sets no $Matches", docCmp, Array{"abc", "xyz", "abd"}, "^ab", false, false, Array{"abc", "abd"}, nil},
		{"-notmatch on an array", docCmp, Array{"abc", "xyz"}, "^ab", false, true, Array{"xyz"}, nil},
		{"\\d matches Unicode digits", ".NET character classes", "\u0663", `^\d$`, false, false, true, ht(0, "\u0663")},
		{"\\w matches Unicode letters", ".NET character classes", "é", `^\w$`, false, false, true, ht(0, "é")},
		{"sha256sum line", docCmp, "ab12  *file.zip", `^\s*([0-9A-Fa-f]{4})\s+\*?(\S+)\s*$`, false, false, true,
			ht(0, "ab12  *file.zip", 1, "ab12", 2, "file.zip")},
		{"version", docCmp, "Docker version 27.3.1, build ce12230", `version (\d+\.\d+\.\d+[0-9A-Za-z.\-]*)`, false, false, true,
			ht(0, "version 27.3.1", 1, "27.3.1")},
	}
	for _, tt := range tests {
		r, err := MatchOp(tt.l, tt.p, tt.cs, tt.neg)
		if err != nil {
			t.Errorf("%s [%s]: %v", tt.name, tt.src, err)
			continue
		}
		check(t, tt.name, tt.src, r.Value, tt.want)
		if tt.matches == nil {
			if r.Matches != nil {
				t.Errorf("%s [%s]: $Matches set to %v", tt.name, tt.src, r.Matches.Keys())
			}
			continue
		}
		check(t, tt.name+" $Matches", tt.src, r.Matches, tt.matches)
	}
}

func TestRegexRejects(t *testing.T) {
	for _, p := range []string{`(?<=a)b`, `(?<!a)b`, `a(?=b)`, `a(?!b)`, `(?>a)`, `(a)\1`, `\k<x>`, `(?x) a`, `\G`, `[a-z-[aeiou]]`, `(?(a)b|c)`} {
		_, err := CompileRegex(p, RegexOptions{})
		if !IsNotModelled(err) {
			t.Errorf("%q [%s]: want a not-modelled error, got %v", p, "brief: reject loudly", err)
		}
	}
	if _, err := CompileRegex(`(`, RegexOptions{}); err == nil || IsNotModelled(err) {
		t.Errorf("a malformed pattern is an ordinary error: %v", err)
	}
}

func TestReplace(t *testing.T) {
	tests := []struct {
		name string
		src  string
		l    any
		args any
		cs   bool
		want any
	}{
		{"'x' -replace 'X','y'", docCmp, "x", Array{"X", "y"}, false, "y"},
		{"-creplace", docCmp, "x", Array{"X", "y"}, true, "x"},
		{"remove dashes", docCmp, "AB-CD-EF", Array{"-", ""}, false, "ABCDEF"},
		{"one operand removes", docCmp, "a-b", "-", false, "ab"},
		{"$1 substitution", docCmp + " (substitutions)", "Hello World", Array{`(\w+) (\w+)`, `$2 $1`}, false, "World Hello"},
		{"${name} substitution", docCmp + " (substitutions)", "Hello World", Array{`(?<a>\w+) (?<b>\w+)`, `${b}, ${a}`}, false, "World, Hello"},
		{"group names are case-sensitive", "inferred: .NET group names compare ordinally; an unknown ${A} stays literal", "Bar", Array{`(?<a>a)`, `${A}`}, false, "B${A}r"},
		{"$0 and $&", ".NET substitutions", "ab", Array{`b`, `[$0$&]`}, false, "a[bb]"},
		{"$$ is a dollar", ".NET substitutions", "ab", Array{`b`, `$$`}, false, "a$"},
		{"unknown group is literal", ".NET substitutions", "ab", Array{`b`, `$3`}, false, "a$3"},
		{"array left", docCmp + " (substituting in a collection)", Array{"a1", "b1"}, Array{"1", "2"}, false, Array{"a2", "b2"}},
		{"number left", docCmp, 123, Array{"2", "x"}, false, "1x3"},
	}
	for _, tt := range tests {
		got, err := Replace(tt.l, tt.args, tt.cs)
		if err != nil {
			t.Errorf("%s [%s]: %v", tt.name, tt.src, err)
			continue
		}
		check(t, tt.name, tt.src, got, tt.want)
	}
	if _, err := Replace("a", Array{"a", "b", "c"}, false); err == nil {
		t.Errorf("-replace with three operands [%s]: no error", inferred)
	}
}

func TestSplitJoin(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		l     any
		delim string
		max   int
		opts  SplitOptions
		cs    bool
		want  Array
	}{
		{"'a,b' -split ','", docSplit, "a,b", ",", 0, SplitOptions{}, false, Array{"a", "b"}},
		{"empty fields kept", docSplit, "a,,b,", ",", 0, SplitOptions{}, false, Array{"a", "", "b", ""}},
		{"regex delimiter", docSplit, "a1b22c", `\d+`, 0, SplitOptions{}, false, Array{"a", "b", "c"}},
		{"case-insensitive", docSplit, "aXbxc", "x", 0, SplitOptions{}, false, Array{"a", "b", "c"}},
		{"-csplit", docSplit, "aXbxc", "x", 0, SplitOptions{}, true, Array{"aXb", "c"}},
		{"max substrings", docSplit, "Mercury,Venus,Earth,Mars,Jupiter,Saturn,Uranus,Neptune", ",", 5, SplitOptions{}, false,
			Array{"Mercury", "Venus", "Earth", "Mars", "Jupiter,Saturn,Uranus,Neptune"}},
		{"captures included", docSplit, "Chocolate-Vanilla-Strawberry-Blueberry", "(-)", 3, SplitOptions{}, false,
			Array{"Chocolate", "-", "Vanilla", "-", "Strawberry-Blueberry"}},
		{"array left, max per string", docSplit, Array{"a,b,c", "1,2,3,4,5"}, ",", 3, SplitOptions{}, false,
			Array{"a", "b", "c", "1", "2", "3,4,5"}},
		{"SimpleMatch", docSplit, "a.b.c", ".", 0, SplitOptions{SimpleMatch: true}, false, Array{"a", "b", "c"}},
		{"\\r?\\n lines", docSplit, "x\r\ny\nz", "\r?\n", 0, SplitOptions{}, false, Array{"x", "y", "z"}},
		{"PATH", docSplit, `C:\a;C:\b;`, ";", 0, SplitOptions{}, false, Array{`C:\a`, `C:\b`, ""}},
		{"$null splits to one empty string", inferred, nil, ";", 0, SplitOptions{}, false, Array{""}},
	}
	for _, tt := range tests {
		got, err := Split(tt.l, tt.delim, tt.max, tt.opts, tt.cs)
		if err != nil {
			t.Errorf("%s [%s]: %v", tt.name, tt.src, err)
			continue
		}
		check(t, tt.name, tt.src, got, tt.want)
	}
	check(t, "unary -split", docSplit, UnarySplit("  a b\t c  "), Array{"a", "b", "c"})
	o, err := ParseSplitOptions("SimpleMatch, IgnoreCase")
	if err != nil || !o.SimpleMatch || !o.IgnoreCase {
		t.Errorf("split options [%s]: %+v %v", docSplit, o, err)
	}
	if _, err := ParseSplitOptions("SimpleMatch,Multiline"); err == nil {
		t.Errorf("SimpleMatch with Multiline [%s]: no error", docSplit)
	}

	joins := []struct {
		name string
		got  string
		want string
	}{
		{"1,2,3 -join ','", Join(Array{1, 2, 3}, ","), "1,2,3"},
		{"-join 'a','b'", UnaryJoin(Array{"a", "b"}), "ab"},
		{"scalar -join", Join(5, ","), "5"},
		{"$null elements", Join(Array{"a", nil, "b"}, "|"), "a||b"},
		{"nested array element", Join(Array{1, Array{2, 3}}, ","), "1,2 3"},
		{"number separator", Join(Array{"a", "b"}, 0), "a0b"},
	}
	for _, j := range joins {
		if j.got != j.want {
			t.Errorf("%s [%s]: %q, want %q", j.name, docJoin, j.got, j.want)
		}
	}
}
