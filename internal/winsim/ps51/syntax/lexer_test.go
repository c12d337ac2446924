package syntax

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// tokens scans src in one mode to the end and renders each token as kind:value.
func tokens(src string, m mode) (out []string, err error) {
	runes := []rune(src)
	l := newLexer(runes, lineStartsOf(runes), 0, len(runes))
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	for {
		t := l.scan(m, 0)
		if t.kind == tEOF {
			return out, nil
		}
		out = append(out, renderToken(t))
	}
}

func renderToken(t token) string {
	switch t.kind {
	case tNewline:
		return "NL"
	case tVariable, tSplat:
		name := t.val
		if t.scope != "" {
			name = t.scope + ":" + name
		}
		return t.kind.String() + ":" + name
	case tNumber:
		v := strconv.FormatInt(t.num.Int, 10)
		if t.num.Kind == Double || t.num.Kind == Decimal {
			v = strconv.FormatFloat(t.num.Float, 'g', -1, 64)
		}
		return fmt.Sprintf("number:%s(%s)", v, t.num.Kind)
	case tString, tExpandable, tGeneric:
		s := t.kind.String() + ":" + strconv.Quote(t.val)
		for _, p := range t.parts {
			switch {
			case p.variable != nil:
				s += " [$" + p.variable.val + "]"
			case p.sub:
				s += " [sub]"
			default:
				s += " [" + strconv.Quote(p.lit) + "]"
			}
		}
		return s
	case tParameter:
		if t.colon {
			return "param:" + t.val + ":"
		}
		return "param:" + t.val
	case tOperator, tIdentifier, tKeyword, tLabel:
		return t.kind.String() + ":" + t.val
	case tRedirection:
		return "redir:" + t.text
	}
	return t.kind.String()
}

func TestLexer(t *testing.T) {
	const cmd, expr = modeCommand, modeExpression
	tests := []struct {
		src  string
		mode mode
		want string
	}{
		// Argument mode against expression mode (about_Parsing).
		{"Write-Host -x", cmd, `generic token:"Write-Host" | param:x`},
		{"$a -x", expr, `variable:a | param:x`},
		{"$a -EQ 1", expr, `variable:a | operator:-eq | number:1(int)`},
		{"$a -ceq $b -ireplace 'x'", expr, `variable:a | operator:-ceq | variable:b | operator:-ireplace | string:"x"`},
		{"-Name:value", cmd, `param:Name: | identifier:value`},
		{"-Name:value", expr, `param:Name | generic token:":value"`},
		{"/r /f /t 5 /d p:4:1", cmd, `generic token:"/r" | generic token:"/f" | generic token:"/t" | number:5(int) | generic token:"/d" | generic token:"p:4:1"`},
		{"--register-service --version", cmd, `generic token:"--register-service" | generic token:"--version"`},
		{"$i--", expr, `variable:i | operator:--`},
		{`C:\x\y.txt .\run.ps1 ..\up`, cmd, `generic token:"C:\\x\\y.txt" | generic token:".\\run.ps1" | generic token:"..\\up"`},
		{"New-Object char[] $n", cmd, `generic token:"New-Object" | generic token:"char[]" | variable:n`},
		{"winrm/config/listener", cmd, `generic token:"winrm/config/listener"`},
		{"a'b c'd", cmd, `generic token:"ab cd"`},
		{"7z a", cmd, `generic token:"7z" | identifier:a`},
		{"if else foreach", cmd, `keyword:if | keyword:else | keyword:foreach`},
		{"if", expr, `identifier:if`},
		{"% ?", cmd, `operator:% | generic token:"?"`},
		{"=x +y *.txt", cmd, `generic token:"=x" | generic token:"+y" | generic token:"*.txt"`},
		{"$x=1", expr, `variable:x | operator:= | number:1(int)`},
		{"$x=1", cmd, `variable:x | generic token:"=1"`},
		// Redirections (about_Redirection).
		{"2>&1 2>$null >$null > f >> f *>&1 3>&1 6>> x", cmd,
			`redir:2>&1 | redir:2> | variable:null | redir:> | variable:null | redir:> | identifier:f | redir:>> | identifier:f | redir:*>&1 | redir:3>&1 | redir:6>> | identifier:x`},
		{"&& || & | ;", cmd, `&& | || | & | | | ;`},
		// Variables (about_Variables, about_Automatic_Variables, about_Scopes, about_Splatting).
		{"$_ $? $$ $^ $script:x $global:LASTEXITCODE $env:Path ${a b} ${env:x} @ArgumentList", cmd,
			`variable:_ | variable:? | variable:$ | variable:^ | variable:script:x | variable:global:LASTEXITCODE | variable:env:Path | variable:a b | variable:env:x | splatted variable:ArgumentList`},
		{"$x? $x.y $x[0] $a::b", expr, `variable:x? | variable:x | . | identifier:y | variable:x | [ | number:0(int) | ] | variable:a | :: | identifier:b`},
		{`$env:ProgramFiles\Docker`, cmd, `generic token:"$env:ProgramFiles\\Docker" [$ProgramFiles] ["\\Docker"]`},
		// Strings (about_Quoting_Rules, about_Special_Characters).
		{`'it''s' 'a"b'`, expr, `string:"it's" | string:"a\"b"`},
		{"\"a`tb`n`r`0`a`b`f`v`$`\"``\"", expr, `expandable string:"a\tb\n\r\x00\a\b\f\v$\"` + "`" + `"`},
		{"\"`e`u{41}\"", expr, `expandable string:"eu{41}"`},
		{`"a""b" ""`, expr, `expandable string:"a\"b" | expandable string:""`},
		{`"$x.y"`, expr, `expandable string:"$x.y" [$x] [".y"]`},
		{`"$env:Path;$script:a:b"`, expr, `expandable string:"$env:Path;$script:a:b" [$Path] [";"] [$a:b]`},
		{`"${a b}!$(1 + 2)"`, expr, `expandable string:"${a b}!$(1 + 2)" [$a b] ["!"] [sub]`},
		{`"cost: $ 5"`, expr, `expandable string:"cost: $ 5"`},
		{"@'\nline 1\n'quoted' $x\n'@", expr, `string:"line 1\n'quoted' $x"`},
		{"@\"\n$x`t\"\"\n\"@", expr, `expandable string:"$x\t\"\"" [$x] ["\t\"\""]`},
		{"@'\n'@", expr, `string:""`},
		{"@'   \r\nx\r\n'@", expr, `string:"x"`},
		// Numbers (about_Numeric_Literals).
		{"0x10 0xFFFFFFFF 0x100000000 10l 1kb 2MB 1.5 1e3 .5 2d 2147483648 -1", expr,
			`number:16(int) | number:-1(int) | number:4294967296(long) | number:10(long) | number:1024(int) | number:2097152(int) | number:1.5(double) | number:1000(double) | number:0.5(double) | number:2(decimal) | number:2147483648(long) | operator:- | number:1(int)`},
		{"32..63 $n-$r $d.Length-48", expr, `number:32(int) | operator:.. | number:63(int) | variable:n | operator:- | variable:r | variable:d | . | identifier:Length | operator:- | number:48(int)`},
		{"1..5", cmd, `generic token:"1..5"`},
		{"5}", cmd, `number:5(int) | }`},
		// Line continuation, comments, newlines (about_Parsing, about_Comments).
		{"a `\n  b # comment\n<# block\n #> c\r\nd", cmd, `identifier:a | identifier:b | NL | identifier:c | NL | identifier:d`},
		{"a`\nb", cmd, `generic token:"a\nb"`},
		{"`$x", cmd, `generic token:"$x"`},
		// Punctuation.
		{"@( @{ $( ( ) { } [ ] , ! :: . ..", expr, `@( | @{ | $( | ( | ) | { | } | [ | ] | , | operator:! | :: | . | operator:..`},
		{":label foo", cmd, `label:label | identifier:foo`},
		{"-not -bnot -join -split -f -is -as", expr, `operator:-not | operator:-bnot | operator:-join | operator:-split | operator:-f | operator:-is | operator:-as`},
		{"+= -= *= /= %= ++", expr, `operator:+= | operator:-= | operator:*= | operator:/= | operator:%= | operator:++`},
		{"\u2013eq \u201cq\u201d \u2018s\u2019", expr, `operator:-eq | expandable string:"q" | string:"s"`},
	}
	for _, tt := range tests {
		got, err := tokens(tt.src, tt.mode)
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		if g := strings.Join(got, " | "); g != tt.want {
			t.Errorf("%q (mode %d):\n got %s\nwant %s", tt.src, tt.mode, g, tt.want)
		}
	}
}

func TestLexerErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"'abc", "The string is missing the terminator: '. (line 1, column 1)"},
		{"x \"abc", `The string is missing the terminator: ". (line 1, column 3)`},
		{"@'\nabc\n", "The string is missing the terminator: '@. (line 1, column 1)"},
		{"@' x\nabc\n'@", "No characters are allowed after a here-string header but before the end of the line. (line 1, column 1)"},
		{"<# open", "The terminator '#>' is missing from the multiline comment. (line 1, column 1)"},
		{"${abc", "${variable} reference starting is missing the closing '}'. (line 1, column 1)"},
		{"${}", "An empty ${} variable reference was found. A name is required inside the braces. (line 1, column 1)"},
		{"$env: x", "Variable reference is not valid. ':' was not followed by a valid variable name character. Consider using ${} to delimit the name. (line 1, column 1)"},
		{"\"$(1 + \"", "$(subexpression) is missing the closing ')'. (line 1, column 2)"},
		{"@!", "Unrecognized token in source text. (line 1, column 1)"},
		{"99999999999999999999999999999999999l", "The numeric constant 99999999999999999999999999999999999l is not valid. (line 1, column 1)"},
		{"x `", "Incomplete string token. (line 1, column 3)"},
	}
	for _, tt := range tests {
		_, err := tokens(tt.src, modeExpression)
		if err == nil || err.Error() != tt.want || !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: got %v, want %s", tt.src, err, tt.want)
		}
	}
}
