package syntax

import (
	"strings"
	"testing"
	"time"
)

// TestLinearShapes guards against inputs that make the parser quadratic or worse: each shape of
// tens of thousands of characters parses (or fails) well within a second even on a loaded machine.
func TestLinearShapes(t *testing.T) {
	shapes := map[string]string{
		"parens":             strings.Repeat("(", 300),
		"parens2":            strings.Repeat("(", 300) + strings.Repeat(")", 300),
		"brackets":           strings.Repeat("[", 300),
		"atparen":            strings.Repeat("@(", 300),
		"dollarparen":        strings.Repeat("$(", 300),
		"curly":              strings.Repeat("{", 300),
		"hash":               strings.Repeat("@{a=", 300),
		"strsub":             strings.Repeat("\"$(", 100),
		"strsub2":            strings.Repeat("\"$(", 30) + strings.Repeat(")\"", 30),
		"unary":              strings.Repeat("-not ", 300),
		"comma":              strings.Repeat(",", 300),
		"minus":              strings.Repeat("-", 300),
		"casts":              strings.Repeat("[int]", 300),
		"members":            "$a" + strings.Repeat(".b", 3000),
		"calls":              "$a" + strings.Repeat(".b()", 3000),
		"index":              "$a" + strings.Repeat("[1]", 3000),
		"genericnest":        strings.Repeat("[List[", 100),
		"ifs":                strings.Repeat("if(1){", 200),
		"typeargs":           "[a" + strings.Repeat("[b", 300),
		"cmdparen":           strings.Repeat("x (", 300),
		"binops":             "1" + strings.Repeat(" + 1", 5000),
		"pipes":              "a" + strings.Repeat(" | a", 5000),
		"strings":            strings.Repeat("'a' ", 5000),
		"hashes":             strings.Repeat("@{", 200) + strings.Repeat("}", 200),
		"subexpr-in-generic": strings.Repeat("a$(", 100),
		"member-paren":       strings.Repeat("$a.(", 200),
		"member-str":         strings.Repeat("$a.\"$(", 50),
		"members2":           "$a" + strings.Repeat(".b", 20000),
		"index2":             "$a" + strings.Repeat("[1]", 20000),
		"cmdargs":            "a" + strings.Repeat(" b.c", 20000),
		"cmdargs2":           "a" + strings.Repeat(" $b.c", 20000),
		"cmdargs3":           "a" + strings.Repeat(" -b:1", 20000),
		"cmdargs4":           "a" + strings.Repeat(" 1,", 20000) + "1",
		"plus":               "1" + strings.Repeat("+1", 20000),
		"stmts":              strings.Repeat("$a=1;", 20000),
		"newlines":           strings.Repeat("\n", 50000),
		"comments":           strings.Repeat("# x\n", 20000),
		"hashbig":            "@{" + strings.Repeat("a=1;", 20000) + "}",
		"arraybig":           strings.Repeat("1,", 20000) + "1",
		"calls2":             "$a" + strings.Repeat(".b(1,2)", 10000),
		"strparts":           "\"" + strings.Repeat("$a.b ", 20000) + "\"",
		"genericparts":       "x " + strings.Repeat("a$b", 20000),
		"types":              strings.Repeat("[int]::a+", 10000) + "1",
		"ifchain":            "if(1){}" + strings.Repeat("elseif(1){}", 10000),
		"catches":            "try{}" + strings.Repeat("catch [a]{}", 10000),
		"nlops":              "1" + strings.Repeat(" -and\n1", 10000),
		"deepparens":         strings.Repeat("(", 100000),
		"deepcmdparen":       strings.Repeat("x (", 100000),
		"deepstrsub":         strings.Repeat("\"$(", 30000),
		"deepblocks":         strings.Repeat("{", 100000),
		"deeptypes":          "[a" + strings.Repeat("[b", 100000),
		"staticchain":        "[a]" + strings.Repeat("::b", 20000),
	}
	for name, src := range shapes {
		start := time.Now()
		_, err := Parse(src)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: %v (%v)", name, d, err)
		}
	}
}
