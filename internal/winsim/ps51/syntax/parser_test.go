package syntax

import (
	"strings"
	"testing"
)

// parseFormat parses src and formats its statements, one per line.
func parseFormat(t *testing.T, src string) string {
	t.Helper()
	sb, err := Parse(src)
	if err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	parts := make([]string, 0, len(sb.Statements))
	for _, s := range sb.Statements {
		parts = append(parts, Format(s))
	}
	out := strings.Join(parts, "\n")
	if sb.Params != nil {
		out = Format(sb)
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		// Argument mode and expression mode.
		{"command parameter", "Write-Host -x", "(cmd Write-Host -x)"},
		{"parameter with colon", "Get-Item -Path:$p -Force:$false", "(cmd Get-Item -Path:$p -Force:$false)"},
		{"argument list", "Get-WindowsFeature -Name 'Containers', 'Hyper-V'", "(cmd Get-WindowsFeature -Name (array 'Containers' 'Hyper-V'))"},
		{"bare words", `& shutdown.exe /r /f /t $delay /d p:4:1 /c $reason 2>&1 | Out-String`,
			"(pipe (cmd& shutdown.exe /r /f /t $delay /d p:4:1 /c $reason (2>&1)) (cmd Out-String))"},
		{"quoted brace argument", `& bcdedit.exe /enum '{current}' 2>$null | Out-String`,
			"(pipe (cmd& bcdedit.exe /enum '{current}' (2> $null)) (cmd Out-String))"},
		{"native double dash", "& $exe --version 2>$null", "(cmd& $exe --version (2> $null))"},
		{"merge then pipe", "$out = & $FilePath @ArgumentList 2>&1 | ForEach-Object { [string]$_ } | Out-String",
			"(= $out (pipe (cmd& $FilePath @ArgumentList (2>&1)) (cmd ForEach-Object (sb ([string] $_))) (cmd Out-String)))"},
		{"redirections", "Get-X > out.txt 2>> err.txt *>&1 3>&1", "(cmd Get-X (1> out.txt) (2>> err.txt) (*>&1) (3>&1))"},
		{"expression redirection", "$x 2>&1 >$null", "(expr $x (2>&1) (1> $null))"},
		{"argument expands", `Join-Path $env:ProgramFiles\Docker x`, `(cmd Join-Path (str $env:ProgramFiles "\\Docker") x)`},
		{"member access in argument", "Write-Host $x.Name $a[0] $b. c", "(cmd Write-Host (. $x Name) (index $a 0) $b . c)"},
		{"command name not expanded", "foo$x", "(cmd foo$x)"},
		{"dot source", ". $script -a", "(cmd. $script -a)"},
		// The argument-mode examples of about_Parsing (5.1).
		{"about_Parsing 2+2", "Write-Output 2+2", "(cmd Write-Output 2+2)"},
		{"about_Parsing $a+2", "Write-Output $a+2", `(cmd Write-Output (str $a "+2"))`},
		{"about_Parsing $-", "Write-Output $-", "(cmd Write-Output $-)"},
		{"about_Parsing a$a", "a$a; Write-Output a$a", "(cmd a$a)\n(cmd Write-Output (str \"a\" $a))"},
		{"about_Parsing quotes", `Write-Output a'$a' a"$a"`, `(cmd Write-Output a$a (str "a" $a))`},
		{"about_Parsing paren", "Write-Output(2+2)", "(cmd Write-Output (paren (+ 2 2)))"},
		{"about_Parsing escaped number", "`2", "(cmd 2)"},
		{"about_Parsing member then more", "Write-Output $HOME.Length-more", "(cmd Write-Output (. $HOME Length) -more)"},
		// Assignment and pipelines.
		{"assignment of pipeline", "$a = @(Get-X | Where-Object { $_.Name -eq $n }) | Select-Object -First 1",
			"(= $a (pipe (@ (pipe (cmd Get-X) (cmd Where-Object (sb (-eq (. $_ Name) $n))))) (cmd Select-Object -First 1)))"},
		{"unary comma append", "$copy += , @($a, $b, $c)", "(+= $copy (array (@ (array $a $b $c))))"},
		{"chained assignment", "$k=$d=$null", "(= $k (= $d $null))"},
		{"assignment of statement", "$lines = for ($i = 0; $i -lt 3; $i++) { $i }",
			"(= $lines (for (= $i 0) (-lt $i 3) (post++ $i) (block $i)))"},
		{"scoped assignment", "$global:LASTEXITCODE = -1\n$script:x += 1\n$env:Path = 'a'",
			"(= $global:LASTEXITCODE -1)\n(+= $script:x 1)\n(= $env:Path 'a')"},
		{"member and index assignment", "$p.percent=$Percent;$f[$n.Name] = 1;$e.service.last_error = ''",
			"(= (. $p percent) $Percent)\n(= (index $f (. $n Name)) 1)\n(= (. (. $e service) last_error) '')"},
		{"cast assignment", "[int]$x = '5'", "(= ([int] $x) '5')"},
		{"postfix statement", "$i++; $j--; ++$k", "(post++ $i)\n(post-- $j)\n(++ $k)"},
		// Operators and precedence (about_Operator_Precedence).
		{"format with parenthesized args", "('{0} of {1}' -f $a, $b.Count)", "(paren (-f '{0} of {1}' (array $a (. $b Count))))"},
		{"format binds tighter than plus", "'a' + '{0}' -f 1", "(+ 'a' (-f '{0}' 1))"},
		{"comma binds tighter than plus", "'x' + $a, 'y'", "(+ 'x' (array $a 'y'))"},
		{"replace list", "$s -replace '-', ''", "(-replace $s (array '-' ''))"},
		{"logical left to right", "$a -or $b -and $c", "(-and (-or $a $b) $c)"},
		{"not binds tight", "-not $a -eq $b", "(-eq (-not $a) $b)"},
		{"not paren", "-not (Test-Path -LiteralPath $p -PathType Leaf)", "(-not (paren (cmd Test-Path -LiteralPath $p -PathType Leaf)))"},
		{"bitwise below comparison", "$a -bor $b -eq $c", "(-bor $a (-eq $b $c))"},
		{"bor", "[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12",
			"(= (:: [Net.ServicePointManager] SecurityProtocol) (-bor (:: [Net.ServicePointManager] SecurityProtocol) (:: [Net.SecurityProtocolType] Tls12)))"},
		{"arithmetic", "1 + 2 * 3 - 4 / 2 % 3", "(- (+ 1 (* 2 3)) (% (/ 4 2) 3))"},
		{"range and index", "$k[32..63]", "(index $k (.. 32 63))"},
		{"minus without spaces", "$in.Read($b,$r,$n-$r)", "(.call $in Read $b $r (- $n $r))"},
		{"negative index", "@($r -split \"`r?`n\")[-1].Trim()", `(.call (index (@ (-split $r "\r?\n")) -1) Trim)`},
		{"unary join and split", "-join $a; -split $b", "(-join $a)\n(-split $b)"},
		{"is and as", "$o -isnot [Management.Automation.PSCustomObject]; $x -as [int]",
			"(-isnot $o [Management.Automation.PSCustomObject])\n(-as $x [int])"},
		{"case variants", "$a -ieq $b -and $c -cne $d -and $e -like 'x*' -and $f -notmatch 'y'",
			"(-and (-and (-and (-ieq $a $b) (-cne $c $d)) (-like $e 'x*')) (-notmatch $f 'y'))"},
		{"containment", "@('a', 'b') -notcontains $m -or $x -in $y", "(-or (-notcontains (@ (array 'a' 'b')) $m) (-in $x $y))"},
		{"newline after operator", "$a -and\n  $b", "(-and $a $b)"},
		{"exclaim", "!$x", "(! $x)"},
		// Members, methods, casts, types.
		{"member on cast", "([Uri]$Url).AbsolutePath", "(. (paren ([Uri] $Url)) AbsolutePath)"},
		{"static call", "[IO.Path]::GetFileName(([Uri]$Url).AbsolutePath)", "(::call [IO.Path] GetFileName (. (paren ([Uri] $Url)) AbsolutePath))"},
		{"nested members", "$p.nat.name", "(. (. $p nat) name)"},
		{"quoted member", "$config.'data-root'", "(. $config 'data-root')"},
		{"variable member", "$item.$Name", "(. $item $Name)"},
		{"method chain", `$x.Trim().TrimEnd('\')`, `(.call (.call $x Trim) TrimEnd '\')`},
		{"new-object array", "(New-Object string (,$b))", "(paren (cmd New-Object string (paren (array $b))))"},
		{"new-object char array", "$b=New-Object char[] $n", "(= $b (cmd New-Object char[] $n))"},
		{"call script block", "& ([ScriptBlock]::Create((New-Object string (,$b))))",
			"(cmd& (paren (::call [ScriptBlock] Create (paren (cmd New-Object string (paren (array $b)))))))"},
		{"cast chain", "[byte[]]($k[0..31]); [string[]]@(1); [int64]0; [void]$s.Add(1)",
			"([byte[]] (paren (index $k (.. 0 31))))\n([string[]] (@ 1))\n([int64] 0)\n([void] (.call $s Add 1))"},
		{"generic type", "[System.Collections.Generic.List[string]]::new(); [Collections.Generic.Dictionary[string, int[]]]$d",
			"(::call [System.Collections.Generic.List[string]] new)\n([Collections.Generic.Dictionary[string,int[]]] $d)"},
		{"cast of member", "[string]$p.engine -ne ''", "(-ne ([string] (. $p engine)) '')"},
		{"cast of index", "[int]$Matches[1]", "([int] (index $Matches 1))"},
		{"double cast", "[int][char]$c", "([int] ([char] $c))"},
		{"type alone", "[int]", "[int]"},
		{"method with script block", "$x.Where{ $_ }", "(.call $x Where (sb $_))"},
		{"newline after dot", "$x.\n  Trim()", "(.call $x Trim)"},
		{"guid chain", "[guid]::NewGuid().ToString('N').Substring(0, 8)", "(.call (.call (::call [guid] NewGuid) ToString 'N') Substring 0 8)"},
		// Literals.
		{"hashtable across lines", "@{\n  a = 1\n  'b-c' = 'x'; 3 = $y\n  d = Get-X -Y\n}",
			"(hash (a 1) ('b-c' 'x') (3 $y) (d (cmd Get-X -Y)))"},
		{"hashtable one line", "@{ step = $Step; message = $Message }", "(hash (step $Step) (message $Message))"},
		{"empty hashtable", "@{}", "(hash)"},
		{"ordered", "[ordered]@{ a = 1 }", "([ordered] (hash (a 1)))"},
		{"nested hashtable argument", "Write-WcResult @{ error = @{ code = $Code } }", "(cmd Write-WcResult (hash (error (hash (code $Code)))))"},
		{"here-strings", "$a = @'\nit's\n'@\n$b = @\"\nv=$v\n\"@", "(= $a 'it''s')\n(= $b (str \"v=\" $v))"},
		{"expandable", `"$x.y and $($a.b) ""q"" $env:Path"`, `(str $x ".y and " ($ (. $a b)) " \"q\" " $env:Path)`},
		{"plain double quoted", `"Name='{0}'"`, `"Name='{0}'"`},
		{"numbers", "0x10; 1kb; 1.5; 10l; 2d", "0x10\n1kb\n1.5\n10l\n2d"},
		{"empty array", "$e = @()", "(= $e (@))"},
		{"subexpression", "$($a; $b)", "($ $a $b)"},
		// Statements.
		{"line continuation", "Get-X -A 1 `\n    -B 2 # trailing comment\nGet-Y", "(cmd Get-X -A 1 -B 2)\n(cmd Get-Y)"},
		{"if elseif else", "if ($a) {\n  1\n}\nelseif ($b) { 2 }\nelse\n{\n  3\n}",
			"(if ($a (block 1)) ($b (block 2)) (else (block 3)))"},
		{"if then next statement", "if($x){1}$y", "(if ($x (block 1)))\n$y"},
		{"if with assignment condition", "if ($r = Get-X) { }", "(if ((= $r (cmd Get-X)) (block)))"},
		{"try catch finally", "try { Get-X } catch [System.Net.WebException], [IO.IOException] { 1 } catch { 2 } finally { 3 }",
			"(try (block (cmd Get-X)) (catch [System.Net.WebException] [IO.IOException] (block 1)) (catch (block 2)) (finally (block 3)))"},
		{"try on one line", "try{$d=1}catch{if($t){Stop-X ('a'+$b)};Start-Sleep -Milliseconds 100}",
			"(try (block (= $d 1)) (catch (block (if ($t (block (cmd Stop-X (paren (+ 'a' $b)))))) (cmd Start-Sleep -Milliseconds 100))))"},
		{"try finally", "try {\n} finally {\n}", "(try (block) (finally (block)))"},
		{"flow", "exit $LASTEXITCODE; return; throw 'x'; exit", "(exit $LASTEXITCODE)\n(return)\n(throw 'x')\n(exit)"},
		{"return pipeline", "return (Get-FileHash -LiteralPath $Path).Hash.ToLowerInvariant()",
			"(return (.call (. (paren (cmd Get-FileHash -LiteralPath $Path)) Hash) ToLowerInvariant))"},
		{"foreach", "foreach ($x in @(1, 2)) { $x }", "(foreach $x (@ (array 1 2)) (block $x))"},
		{"foreach over pipeline", "foreach ($p in $o.PSObject.Properties) { }", "(foreach $p (. (. $o PSObject) Properties) (block))"},
		{"while break", "while ($true) {\n  if ($i -gt 3) { break }\n  $i++; continue\n}",
			"(while $true (block (if ((-gt $i 3) (block (break)))) (post++ $i) (continue)))"},
		{"do until", "do { $i++ } until ($i -ge 3)", "(do-until (block (post++ $i)) (-ge $i 3))"},
		{"do while", "do\n{\n}\nwhile ($x)", "(do-while (block) $x)"},
		{"for with newlines", "for ($i = 0\n $i -lt 2\n $i += 1) { }", "(for (= $i 0) (-lt $i 2) (+= $i 1) (block))"},
		{"for empty", "for (;;) { break }", "(for _ _ _ (block (break)))"},
		{"function with parameters", "function Write-WcProgress([string]$Step,[string]$Message,[int]$Percent=-1){$p=@{step=$Step}}",
			"(function Write-WcProgress ([string]$Step [string]$Message [int]$Percent=-1) (sb (= $p (hash (step $Step)))))"},
		{"function without parameters", "function Get-WcParams{if(-not $WcParams){return $null};1}",
			"(function Get-WcParams (sb (if ((-not $WcParams) (block (return $null)))) 1))"},
		{"function multi-line parameters", "function F([string]$A,\n    [string[]]$B = @('x'), $C) {\n}",
			"(function F ([string]$A [string[]]$B=(@ 'x') $C) (sb))"},
		{"param block", "param([string]$a, $b = 2)\n$a", "(script (param ([string]$a $b=2)) $a)"},
		{"script block with param", "[regex]::Replace($J, 'x', { param($c) $c.Value })",
			"(::call [regex] Replace $J 'x' (sb (param ($c)) (. $c Value)))"},
		{"splat", "Invoke-X @ArgumentList -Force", "(cmd Invoke-X @ArgumentList -Force)"},
		{"foreach alias after pipe", "$a | foreach { $_ }", "(pipe $a (cmd foreach (sb $_)))"},
		{"semicolons and blank lines", ";;\n\n$a;;$b;\n", "$a\n$b"},
		{"Format's example", "$a = @(Get-X | ? { $_.N -eq 1 })", "(= $a (@ (pipe (cmd Get-X) (cmd ? (sb (-eq (. $_ N) 1))))))"},
		{"prelude", "$WcParams = 'eyJhIjoxfQ=='\n# wincontainers:script x/1\n$p = Get-WcParams", "(= $WcParams 'eyJhIjoxfQ==')\n(= $p (cmd Get-WcParams))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseFormat(t, tt.src); got != tt.want {
				t.Errorf("%q:\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestPositions(t *testing.T) {
	src := "if ($x) {\n    Get-Thing -Name 'a' |\n      Out-Null\n}\n$y = $z.Prop[1]"
	sb, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	ifs, ok := sb.Statements[0].(*If)
	if !ok {
		t.Fatalf("statement 0 is %T", sb.Statements[0])
	}
	pl, ok := ifs.Clauses[0].Body.Statements[0].(*Pipeline)
	if !ok {
		t.Fatalf("body is %T", ifs.Clauses[0].Body.Statements[0])
	}
	cmd, ok := pl.Elements[1].(*Command)
	if !ok {
		t.Fatalf("element 1 is %T", pl.Elements[1])
	}
	asg, ok := sb.Statements[1].(*Assignment)
	if !ok {
		t.Fatalf("statement 1 is %T", sb.Statements[1])
	}
	idx, ok := asg.Value.(*Pipeline).Elements[0].(*CommandExpr).Expr.(*Index)
	if !ok {
		t.Fatalf("value is %s", Format(asg.Value))
	}
	for _, c := range []struct {
		what string
		got  Pos
		line int
		col  int
	}{
		{"if", ifs.Pos, 1, 1},
		{"pipeline", pl.Pos, 2, 5},
		{"Get-Thing -Name", pl.Elements[0].(*Command).Args[0].Position(), 2, 15},
		{"'a'", pl.Elements[0].(*Command).Args[1].Position(), 2, 21},
		{"Out-Null", cmd.Pos, 3, 7},
		{"assignment", asg.Pos, 5, 1},
		{"index", idx.Pos, 5, 6},
		{"1", idx.Index.Position(), 5, 14},
	} {
		if c.got.Line != c.line || c.got.Column != c.col {
			t.Errorf("%s at %s, want line %d, column %d", c.what, c.got, c.line, c.col)
		}
	}
}

// TestScriptBlockEnd: a { } literal records where it ends, so that its text can be recovered (the
// engine's ScriptBlock.ToString).
func TestScriptBlockEnd(t *testing.T) {
	src := "$b = { 'x' }\n& $b"
	sb, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	a := sb.Statements[0].(*Assignment)
	lit := a.Value.(*Pipeline).Elements[0].(*CommandExpr).Expr.(*ScriptBlockExpr)
	if got := string([]rune(src)[lit.Body.Pos.Offset:lit.Body.End.Offset]); got != "{ 'x' }" {
		t.Errorf("block text %q", got)
	}
	if sb.End != (Pos{}) {
		t.Errorf("a whole script has no End: %+v", sb.End)
	}
}
