package engine

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// Table tests by semantic area. Each case cites its source: the 5.1 about_* page, or "inferred" with
// the reason. want is stdout with "\r\n" line ends written as "\n"; code the exit code.

type engineCase struct {
	name, src, script, want string
	code                    int
	stderr                  string // a substring stderr must contain, when set
}

func runCases(t *testing.T, cases []engineCase, cfgs ...func(*Config)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runScript(t, c.script, cfgs...)
			got := strings.ReplaceAll(out, "\r\n", "\n")
			if got != c.want || code != c.code {
				t.Errorf("%s (%s)\n--- got (exit %d)\n%s\n--- want (exit %d)\n%s\n--- stderr\n%s", c.name, c.src, code, got, c.code, c.want, errs)
			}
			if c.stderr != "" && !strings.Contains(errs, c.stderr) {
				t.Errorf("%s: stderr lacks %q:\n%s", c.name, c.stderr, errs)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	runCases(t, []engineCase{
		{"exit N", "about_Language_Keywords (exit)", "'a'; exit 5; 'b'", "a\n", 5, ""},
		{"exit in a function ends the script", "inferred: under -Command the script runs in the global scope; exit ends the process", "function f { exit 4 }; f; 'after'", "", 4, ""},
		{"exit in a script block", "inferred: as exit in a function", "& { exit 3010 }; 'after'", "", 3010, ""},
		{"finally runs on exit", "about_Try_Catch_Finally (finally runs ... even if exit)", "try { exit 2 } finally { 'fin' }", "fin\n", 2, ""},
		{"uncaught throw", "about_Throw; about_PowerShell_exe", "throw 'boom'", "", 1, "boom\r\nAt line:1 char:1"},
		{"last command failed", "about_PowerShell_exe (-Command: exit code 1 when $? is false)", "Write-Error 'x'", "", 1, "Write-Error : x"},
		{"last command succeeded after an error", "about_PowerShell_exe", "Write-Error 'x'; 'ok'", "ok\n", 0, ""},
		{"exit $null is 0", "inferred: exit with $null converts to 0", "exit $LASTEXITCODE", "", 0, ""},
	})
}

func TestErrorHandling(t *testing.T) {
	runCases(t, []engineCase{
		{"statement-terminating error continues", "about_Try_Catch_Finally (terminating errors); inferred: a runtime exception ends only its statement outside try", "[int]'x'; 'after'", "after\n", 0, `Cannot convert value "x" to type "System.Int32"`},
		{"Stop makes it script-terminating", "about_Preference_Variables ($ErrorActionPreference Stop)", "$ErrorActionPreference = 'Stop'; [int]'x'; 'after'", "", 1, ""},
		{"throw ends the script", "about_Throw", "throw 'x'; 'after'", "", 1, ""},
		{"SilentlyContinue silences throw", "inferred: 5.1 applies $ErrorActionPreference to throw at the statement level (SilentlyContinue and Ignore suppress it)", "$ErrorActionPreference = 'SilentlyContinue'; throw 'x'; 'after'", "after\n", 0, ""},
		{"catch gets the record", "about_Try_Catch_Finally ($_ is the ErrorRecord)", "try { throw 'm' } catch { $_.GetType().FullName; $_.Exception.Message; $_.FullyQualifiedErrorId }", "System.Management.Automation.ErrorRecord\nm\nm\n", 0, ""},
		{"Stop keeps the original record", "about_CommonParameters (-ErrorAction Stop); inferred: $_ is the original record", "try { Write-Error 'orig' -ErrorAction Stop } catch { $_.Exception.Message; $_.Exception.GetType().Name }", "orig\nWriteErrorException\n", 0, ""},
		{"non-terminating errors are not caught", "about_Try_Catch_Finally", "try { Write-Error 'nt'; 'next' } catch { 'caught' }", "next\n", 0, "Write-Error : nt"},
		{"SilentlyContinue records in $Error", "about_CommonParameters (-ErrorAction SilentlyContinue)", "Write-Error 'e1' -ErrorAction SilentlyContinue; $?; $Error[0].Exception.Message; $Error.Count", "False\ne1\n1\n", 0, ""},
		{"Ignore does not record", "about_CommonParameters (-ErrorAction Ignore)", "Write-Error 'e1' -ErrorAction Ignore; $Error.Count", "0\n", 0, ""},
		{"method exception text", "about_Methods; inferred: 5.1's MethodInvocationException text", "try { [Convert]::FromBase64String('!!!!') } catch { $_.Exception.Message }",
			"Exception calling \"FromBase64String\" with \"1\" argument(s): \"The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters. \"\n", 0, ""},
		{"command not found", "about_Command_Precedence; inferred: 5.1's CommandNotFoundException text", "try { nosuchcommand } catch { $_.Exception.Message; $_.Exception.GetType().Name }",
			"The term 'nosuchcommand' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.\nCommandNotFoundException\n", 0, ""},
		{"unknown parameter", "about_Parameters; inferred: 5.1's NamedParameterNotFound text", "try { Write-Output -Nope 1 } catch { $_.Exception.Message }", "A parameter cannot be found that matches parameter name 'Nope'.\n", 0, ""},
		{"null to a mandatory parameter", "about_Parameters; inferred: 5.1's ParameterArgumentValidationErrorNullNotAllowed text", "try { Join-Path $null 'x' } catch { $_.Exception.Message }", "Cannot bind argument to parameter 'Path' because it is null.\n", 0, ""},
		{"typed catch by base type", "about_Try_Catch_Finally (catch [type])", "try { [int]::Parse('x') } catch [System.FormatException] { 'format' } catch { 'other' }", "format\n", 0, ""},
		{"rethrow", "about_Throw (throw without an expression in a catch block)", "try { try { throw 'in' } catch { throw } } catch { $_.Exception.Message }", "in\n", 0, ""},
		{"finally after return", "about_Try_Catch_Finally", "function f { try { return 1 } finally { 'fin' } }; f", "1\nfin\n", 0, ""},
		{"Import-Module of a missing module", "Import-Module.md; inferred: 5.1's Modules_ModuleNotFound text", "Import-Module NoSuchModule -ErrorAction SilentlyContinue; $Error[0].Exception.Message",
			"The specified module 'NoSuchModule' was not loaded because no valid module file was found in any module directory.\n", 0, ""},
		{"Get-Command of a missing command", "Get-Command.md", "$null -eq (Get-Command nope -ErrorAction SilentlyContinue); (Get-Command Write-Output).Name", "True\nWrite-Output\n", 0, ""},
	})
}

func TestScopesAndFunctions(t *testing.T) {
	runCases(t, []engineCase{
		{"child scope writes a local copy", "about_Scopes", "$x = 1; & { $x = 2; $x }; $x", "2\n1\n", 0, ""},
		{"dot-sourcing runs in the current scope", "about_Scopes (dot source notation)", "$x = 1; . { $x = 2 }; $x", "2\n", 0, ""},
		{"script scope from a script block", "about_Scopes; inferred: [ScriptBlock]::Create text is not a script file", "& ([ScriptBlock]::Create('$script:y = 7')); $y", "7\n", 0, ""},
		{"global qualifier", "about_Scopes", "function f { $global:g = 3 }; f; $g", "3\n", 0, ""},
		{"typed parameters and defaults", "about_Functions", "function f([string]$s, [int]$n = 2) { \"[$s]\" * $n; $null -eq $s }; f; f 'a' 1", "[][]\nFalse\n[a]\nFalse\n", 0, ""},
		{"switch and args", "about_Functions (switch parameters, $args)", "function f([switch]$On) { $On; $args -join ',' }; f -On a b; f x", "True\na,b\nFalse\nx\n", 0, ""},
		{"return writes and ends", "about_Return", "function f { 1; return 2; 3 }; (f) -join ','", "1,2\n", 0, ""},
		{"one result is not an array", "about_Pipelines; about_Assignment_Operators", "function f { 1 }; function g { 1; 2 }; (f).GetType().Name; (g).GetType().Name; $n = & {}; $null -eq $n", "Int32\nObject[]\nTrue\n", 0, ""},
		{"param block binding", "about_Functions", "function f { param([int]$A, $B) \"$A-$B\" }; f -B x -A 5; f 1 2", "5-x\n1-2\n", 0, ""},
		{"break crosses a script block", "about_Break (break in a ForEach-Object script block exits the enclosing loop)", "foreach ($i in 1..3) { 1..3 | ForEach-Object { if ($_ -eq 2) { break }; \"$i$_\" } }; 'done'", "11\ndone\n", 0, ""},
		{"call depth", "inferred: 5.1 stops deep recursion with ScriptCallDepthException", "function r { r }; try { r } catch { $_.Exception.Message }", "The script failed due to call depth overflow.\n", 0, ""},
	})
}

func TestPipelineSemantics(t *testing.T) {
	runCases(t, []engineCase{
		{"arrays are unrolled one level", "about_Pipelines", "@(1, @(2, 3)) | ForEach-Object { $_.GetType().Name }", "Int32\nObject[]\n", 0, ""},
		{"comma keeps an array", "about_Operators (comma operator)", ", (1, 2) | ForEach-Object { $_.Count }", "2\n", 0, ""},
		{"hashtables are not unrolled", "about_Hash_Tables", "@{a=1; b=2} | ForEach-Object { $_.Count }", "2\n", 0, ""},
		{"empty output is not $null in a pipeline", "inferred: AutomationNull is not written to a pipeline, $null is", "$e = & {}; $e | ForEach-Object { 'e' }; $null | ForEach-Object { 'n' }", "n\n", 0, ""},
		{"streaming order", "about_Pipelines (objects pass one at a time)", "1..2 | ForEach-Object { Write-Host \"a$_\"; $_ } | ForEach-Object { Write-Host \"b$_\" }", "a1\nb1\na2\nb2\n", 0, ""},
		{"Select-Object -First stops upstream", "Select-Object.md (-First)", "1..5 | ForEach-Object { Write-Host \"p$_\"; $_ } | Select-Object -First 2", "p1\n1\np2\n2\n", 0, ""},
		{"Out-String adds a newline", "Out-String.md", "('a', 'b' | Out-String).Length", "6\n", 0, ""},
		{"2>&1 merges error records", "about_Redirection", "$r = & { Write-Error 'e'; 'o' } 2>&1; $r.Count; $r[0] -is [System.Management.Automation.ErrorRecord]", "2\nTrue\n", 0, ""},
		{"2>$null drops errors but keeps $Error", "about_Redirection", "Write-Error 'x' 2>$null; $Error.Count", "1\n", 0, ""},
		{">$null drops output", "about_Redirection", "'x' > $null; 'y'", "y\n", 0, ""},
		{"Write-Output -NoEnumerate", "Write-Output.md", "(Write-Output @(1,2) -NoEnumerate | Measure-Object).Count; (Write-Output @(1,2) | Measure-Object).Count", "1\n2\n", 0, ""},
		{"Where-Object simplified syntax", "Where-Object.md (comparison statement)", "@{n='a'}, @{n='b'} | ForEach-Object { [pscustomobject]$_ } | Where-Object n -eq 'b' | ForEach-Object { $_.n }", "b\n", 0, ""},
		{"JSON round trip", "ConvertTo-Json.md; ConvertFrom-Json.md", "$o = '{\"a\":[1,2],\"b\":{\"c\":\"x\"}}' | ConvertFrom-Json; $o.a.Count; $o.b.c; $o | ConvertTo-Json -Compress", "2\nx\n{\"a\":[1,2],\"b\":{\"c\":\"x\"}}\n", 0, ""},
	})
}

// fakeNatives runs programs by name from a table.
type fakeNatives map[string]NativeResult

func (f fakeNatives) Resolve(name string, _ map[string]string) (string, bool) {
	for k := range f {
		if strings.EqualFold(k, name) || strings.EqualFold(`C:\bin\`+k, name) {
			return `C:\bin\` + k, true
		}
	}
	return "", false
}

func (f fakeNatives) Run(_ context.Context, path string, args []string, _ io.Reader) NativeResult {
	name := strings.TrimPrefix(path, `C:\bin\`)
	if name == "echoargs.exe" {
		return NativeResult{Stdout: strings.Join(args, "|") + "\n"}
	}
	return f[name]
}

func TestNatives(t *testing.T) {
	nat := fakeNatives{
		"ok.exe":       {Stdout: "line1\r\nline2\r\n"},
		"fail.exe":     {Stdout: "out\n", Stderr: "warn1\nwarn2\n", ExitCode: 3},
		"echoargs.exe": {},
	}
	cfg := func(c *Config) { c.Natives = nat }
	runCases(t, []engineCase{
		{"stdout lines and exit code", "about_Automatic_Variables ($LASTEXITCODE)", "$o = ok.exe; $o.Count; $o[1]; $LASTEXITCODE; $?", "2\nline2\n0\nTrue\n", 0, ""},
		{"failure sets $? and LASTEXITCODE", "about_Automatic_Variables ($?, $LASTEXITCODE)", "fail.exe; $?; $LASTEXITCODE", "out\nFalse\n3\n", 0, "warn1"},
		{"stderr without redirection goes to the console", "inferred: 5.1 makes no error records when stderr is not redirected", "$ErrorActionPreference = 'Stop'; $o = fail.exe; \"got $o\"", "got out\n", 0, "warn1\r\nwarn2"},
		{"2>&1 makes error records", "about_Redirection; PowerShell/PowerShell#3996", "fail.exe 2>&1 | ForEach-Object { \"$($_ -is [System.Management.Automation.ErrorRecord]):$_\" }", "False:out\nTrue:warn1\nTrue:warn2\n", 1, ""},
		{"under Stop the first stderr line terminates", "PowerShell/PowerShell#3996 and #4002 (changed only in 7.2)", "$ErrorActionPreference = 'Stop'; try { fail.exe 2>$null } catch { \"caught: $($_.Exception.Message)\"; $_.FullyQualifiedErrorId }", "out\ncaught: warn1\nNativeCommandError\n", 0, ""},
		{"arguments as the program receives them", "about_Parsing (arguments with spaces); inferred: 5.1's quoting and empty-argument drop", "$a = 'x y', 'z'; echoargs.exe @a 'p q' '' -n:1 a,b", "x y|z|p q|-n:1|a,b\n", 0, ""},
		{"call operator with a path", "about_Operators (call operator &)", "$p = 'ok.exe'; (& $p).Count", "2\n", 0, ""},
		{"Invoke-WcNative pattern", "internal/powershell/scripts/include/native.ps1", "$ErrorActionPreference = 'Stop'; & { $ErrorActionPreference = 'Continue'; $e = @(); fail.exe 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $e += [string]$_ } }; $e -join ';' }", "warn1;warn2\n", 0, ""},
	}, cfg)
}

func TestLoudFailures(t *testing.T) {
	for _, tc := range []struct{ script, want string }{
		{"[System.Xml.XmlDocument]::new()", "the type [System.Xml.XmlDocument]"},
		{"'abc'.Normalize()", "the method Normalize of [System.String]"},
		{"$h = @{}; $h.SyncRoot", "the member SyncRoot of [System.Collections.Hashtable]"},
		{"Set-StrictMode -Version Latest", "Set-StrictMode"},
		{"Get-Service", "the cmdlet Get-Service"},
		{"sc query", "the command Set-Content (alias sc)"},
		{"'x' > C:\\out.txt", "redirection to the file"},
		{"try { [System.Xml.XmlDocument]::new() } catch { 'caught' }", "the type [System.Xml.XmlDocument]"},
	} {
		out, errs, code := runScript(t, tc.script)
		if code != 1 || !strings.Contains(errs, notImplPrefix+tc.want) || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want the not-implemented error %q", tc.script, code, out, errs, tc.want)
		}
	}
}

func TestSessionAPI(t *testing.T) {
	s := NewSession(Config{Env: map[string]string{"Path": `C:\Windows`}, Variables: map[string]any{"given": "v"}})
	s.Run(`$env:PATH = $env:Path + ';C:\x'; $env:NEW = 'n'; $made = $given + '!'`)
	if v, _ := s.Var("made"); v != "v!" {
		t.Errorf("made = %v", v)
	}
	env := s.Env()
	if env["Path"] != `C:\Windows;C:\x` || env["NEW"] != "n" {
		t.Errorf("env %v", env)
	}
	s.Run(`$sb = { param($a) $a * 2; $args.Count }`)
	sb, _ := s.Var("sb")
	out, err := s.Invoke(sb, 21, 'x')
	if err != nil || len(out) != 2 || out[0] != int32(42) || out[1] != int32(1) {
		t.Errorf("Invoke: %v %v", out, err)
	}
	var got []any
	if err := s.InvokeWithInput(sb, 5, func(v any) error { got = append(got, v); return nil }); err != nil || len(got) != 2 || got[0] != int32(10) {
		t.Errorf("InvokeWithInput: %v %v", got, err)
	}
}

// A void .NET method called as a statement writes nothing (about_Functions: a function returns every
// statement's output; Array.Reverse returns void): a function that reverses an array before it returns a
// string returns the string alone. inferred: 5.1 writes nothing for a void method; found when
// configure-daemon.ps1's event text read "System.Object[]".
func TestVoidMethodWritesNothing(t *testing.T) {
	var out bytes.Buffer
	s := NewSession(Config{Stdout: &out})
	s.Run("function f { $a = @(3, 1, 2); [array]::Reverse($a); ($a -join ',') }\n$r = f\n$r.GetType().Name\n$r\n" +
		"$l = New-Object 'System.Collections.Generic.List[string]'\nfunction g { $l.Add('x'); 'done' }\n@(g).Count\n")
	if f := s.Fault(); f != nil {
		t.Fatal(f)
	}
	if got := strings.ReplaceAll(out.String(), "\r\n", "\n"); got != "String\n2,1,3\n1\n" {
		t.Errorf("output %q", got)
	}
}
