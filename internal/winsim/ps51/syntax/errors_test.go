package syntax

import (
	"errors"
	"strings"
	"testing"
)

func TestUnsupported(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"class Foo { }", "winsim's PowerShell does not implement class definitions (line 1, column 1)"},
		{"enum Color { Red }", "winsim's PowerShell does not implement enum definitions (line 1, column 1)"},
		{"workflow W { }", "winsim's PowerShell does not implement workflows (workflow) (line 1, column 1)"},
		{"using namespace System.IO", "winsim's PowerShell does not implement using statements (using namespace, using module) (line 1, column 1)"},
		{"\n  cmd.exe /c --% dir %x%", "winsim's PowerShell does not implement the stop-parsing token --% (line 2, column 14)"},
		{"switch ($x) { 1 { 'a' } }", "winsim's PowerShell does not implement the switch statement (line 1, column 1)"},
		{"trap { continue }", "winsim's PowerShell does not implement trap statements (line 1, column 1)"},
		{"filter F { $_ }", "winsim's PowerShell does not implement filter definitions (line 1, column 1)"},
		{"data { 'x' }", "winsim's PowerShell does not implement data sections (line 1, column 1)"},
		{"configuration C { }", "winsim's PowerShell does not implement DSC configurations (line 1, column 1)"},
		{":outer while ($true) { break outer }", "winsim's PowerShell does not implement loop labels (:label) (line 1, column 1)"},
		{"while ($true) { break outer }", "winsim's PowerShell does not implement break with a label (line 1, column 23)"},
		{"function F { begin { } end { } }", "winsim's PowerShell does not implement named blocks (begin, process, end, dynamicparam) (line 1, column 14)"},
		{"function F { [CmdletBinding()] param() }", "winsim's PowerShell does not implement attributes such as [CmdletBinding(...)] (line 1, column 14)"},
		{"function F { param([Parameter(Mandatory)][string]$a) }", "winsim's PowerShell does not implement attributes such as [Parameter(...)] (line 1, column 20)"},
		{"#requires -Version 5.1\n$x", "winsim's PowerShell does not implement #requires statements (line 1, column 1)"},
		{"Invoke-Command { $using:x }", "winsim's PowerShell does not implement the using: scope modifier (line 1, column 18)"},
		{"foreach -parallel ($x in $y) { }", "winsim's PowerShell does not implement foreach -parallel (workflows) (line 1, column 9)"},
		{"Get-X -- -Y", "winsim's PowerShell does not implement the end-of-parameters marker -- (line 1, column 7)"},
		{"\"$(\"\"a\"\")\"", "winsim's PowerShell does not implement an escaped double quote (`\" or \"\") inside a $( ) subexpression of a double-quoted string (line 1, column 4)"},
		{"$x = Get-X\nelse { }", "winsim's PowerShell does not implement the keyword 'else' here (Windows PowerShell 5.1 would run it as a command named 'else') (line 2, column 1)"},
		{"$a = (if ($x) { 1 })", "winsim's PowerShell does not implement the keyword 'if' here (Windows PowerShell 5.1 would run it as a command named 'if') (line 1, column 7)"},
		// PowerShell 7 operators: in 5.1 they are errors or read as something else.
		{"$x?.Name", "winsim's PowerShell does not implement variable names containing '?' ($x?): in 5.1 '$x?.y' reads a variable named 'x?', in PowerShell 7 it is the ?. operator (line 1, column 1)"},
		{"(Get-X)?.Name", "winsim's PowerShell does not implement the ?. and ?[] operators (PowerShell 7) (line 1, column 8)"},
		{"$a ?? 'b'", `winsim's PowerShell does not implement the ?? and ??= operators (PowerShell 7; 5.1 reports "Unexpected token '??'") (line 1, column 4)`},
		{"$a ??= 'b'", `winsim's PowerShell does not implement the ?? and ??= operators (PowerShell 7; 5.1 reports "Unexpected token '??='") (line 1, column 4)`},
		{"$a ? 1 : 2", `winsim's PowerShell does not implement the ternary operator ? : (PowerShell 7; 5.1 reports "Unexpected token '?'") (line 1, column 4)`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.src)
		if err == nil {
			t.Errorf("%q: parsed, want %s", tt.src, tt.want)
			continue
		}
		var pe *Error
		if err.Error() != tt.want || !errors.Is(err, ErrUnsupported) || !errors.As(err, &pe) || pe.Kind != Unsupported {
			t.Errorf("%q:\n got %v\nwant %s", tt.src, err, tt.want)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		// PowerShell 7 pipeline chains are 5.1 parse errors, reported as 5.1 reports them.
		{"Get-X && Get-Y", "The token '&&' is not a valid statement separator in this version. (line 1, column 7)"},
		{"Get-X || Get-Y", "The token '||' is not a valid statement separator in this version. (line 1, column 7)"},
		{"$x = 1 &&", "The token '&&' is not a valid statement separator in this version. (line 1, column 8)"},
		{"Start-Job { } &", `The ampersand (&) character is not allowed. The & operator is reserved for future use; wrap an ampersand in double quotation marks ("&") to pass it as part of a string. (line 1, column 15)`},
		{"$a -x", "Unexpected token '-x' in expression or statement. (line 1, column 4)"},
		{"$a $b", "Unexpected token '$b' in expression or statement. (line 1, column 4)"},
		{"$x.Trim ()", "Unexpected token '(' in expression or statement. (line 1, column 9)"},
		{"if ($a) { 1", "Missing closing '}' in statement block or type definition. (line 1, column 12)"},
		{"if $a { }", "Missing '(' after 'if' in if statement. (line 1, column 3)"},
		{"if () { }", "Missing condition in if statement after 'if ('. (line 1, column 5)"},
		{"if ($a) 1", "Missing statement block after if ( condition ). (line 1, column 9)"},
		{"if ($a) { } else 1", "Missing statement block after 'else' keyword. (line 1, column 18)"},
		{"if ($a { }", "Unexpected token '{' in expression or statement. (line 1, column 8)"},
		{"if ($a", "Missing closing ')' after expression in 'if' statement. (line 1, column 7)"},
		{"($a", "Missing closing ')' in expression. (line 1, column 4)"},
		{"()", "An expression was expected after '('. (line 1, column 2)"},
		{"$x.Foo(1,", "Missing expression after ','. (line 1, column 10)"},
		{"$x.Foo(1", "Missing ')' in method call. (line 1, column 9)"},
		{"$a[]", "Array index expression is missing or not valid. (line 1, column 4)"},
		{"$a[1", "Missing ']' after array index expression. (line 1, column 5)"},
		{"$x.", "Missing property name after reference operator. (line 1, column 4)"},
		{"@{ a 1 }", "Missing '=' operator after key in hash literal. (line 1, column 6)"},
		{"@{ a = }", "Missing statement after '=' in hash literal. (line 1, column 7)"},
		{"@{ a = 1", "Missing closing '}' in statement block or type definition. (line 1, column 9)"},
		{"$(1", "Missing closing ')' in subexpression. (line 1, column 4)"},
		{"$x = ", "You must provide a value expression following the '=' operator. (line 1, column 5)"},
		{"1 -eq", "You must provide a value expression following the '-eq' operator. (line 1, column 6)"},
		{"-not", "Missing expression after unary operator '-not'. (line 1, column 5)"},
		{"1,", "Missing expression after ','. (line 1, column 3)"},
		{"Get-X -Name:", "Parameter -Name: requires an argument. (line 1, column 13)"},
		{"Get-X a,", "Missing expression after ',' in pipeline element. (line 1, column 9)"},
		{"Get-X ,a", "Missing argument in parameter list. (line 1, column 7)"},
		{"Get-X @a, b", "Splatted variables like '@a' cannot be part of a comma-separated list of arguments. (line 1, column 7)"},
		{"$a = @b", "The splatting operator '@' cannot be used to reference variables in an expression. '@b' can be used only as an argument to a command. To reference variables in an expression use '$b'. (line 1, column 6)"},
		{"Get-X |", "An empty pipe element is not allowed. (line 1, column 8)"},
		{"| Get-X", "An empty pipe element is not allowed. (line 1, column 1)"},
		{"Get-X | $a", "Expressions are only allowed as the first element of a pipeline. (line 1, column 9)"},
		{"Get-X > ", "Missing file specification after redirection operator. (line 1, column 8)"},
		{"Get-X < in.txt", "The '<' operator is reserved for future use. (line 1, column 7)"},
		{"Get-X 1>&2", "The '1>&2' operator is reserved for future use. (line 1, column 7)"},
		{"Get-X 2>&1 2>$null", "The error stream for this command is already redirected. (line 1, column 12)"},
		{"1 = 2", "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property. (line 1, column 1)"},
		{"$x.Foo() = 2", "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property. (line 1, column 1)"},
		{"[ordered]$x", "The ordered attribute can be specified only on a hash literal node. (line 1, column 1)"},
		{"[]$x", "Missing type name after '['. (line 1, column 1)"},
		{"[int$x", "Missing ] at end of attribute or type literal. (line 1, column 5)"},
		{"[List[string]", "Missing ] at end of attribute or type literal. (line 1, column 14)"},
		{"foreach (x in $y) { }", "Missing variable name after foreach. The correct form is: foreach ($a in $b) {...} (line 1, column 10)"},
		{"foreach ($x of $y) { }", "Missing 'in' after variable in foreach loop. The correct form is: foreach ($a in $b) {...} (line 1, column 13)"},
		{"foreach ($x in) { }", "Missing expression in foreach loop. The correct form is: foreach ($a in $b) {...} (line 1, column 15)"},
		{"foreach ($x in $y; { }", "Missing closing ')' after expression part of foreach loop. The correct form is: foreach ($a in $b) {...} (line 1, column 18)"},
		{"foreach ($x in $y) 1", "Missing statement body in foreach loop. The correct form is: foreach ($a in $b) {...} (line 1, column 20)"},
		{"while ($x) 1", "Missing statement body in while loop. (line 1, column 12)"},
		{"while $x { }", "Missing opening '(' after keyword 'while'. (line 1, column 6)"},
		{"do { } 1", "Missing while or until keyword in do loop. (line 1, column 8)"},
		{"for ($i = 0; $i -lt 1; $i++; { }", "Missing closing ')' after expression in 'for' statement. (line 1, column 28)"},
		{"try { }", "The Try statement is missing its Catch or Finally block. (line 1, column 8)"},
		{"try 1", "The Try statement is missing its statement block. (line 1, column 5)"},
		{"try { } catch 1", "The Catch block is missing its statement block. (line 1, column 15)"},
		{"try { } catch { } catch [IO.IOException] { }", "Catch block must be the last catch block. (line 1, column 9)"},
		{"try { } finally 1", "The Finally block is missing its statement block. (line 1, column 17)"},
		{"function { }", "Missing name after function keyword. (line 1, column 9)"},
		{"function F", "Missing function body in function declaration. (line 1, column 11)"},
		{"function F($a { }", "Missing ')' in function parameter list. (line 1, column 15)"},
		{"function F([int]) { }", "Parameter declarations are a comma-separated list of variable names with optional initializer expressions. (line 1, column 17)"},
		{"function F($a) { param($b) }", "A function cannot have both a parameter list and a param block. (line 1, column 18)"},
		{"var x", "The 'var' keyword is not supported in this version of the language. (line 1, column 1)"},
		{"}", "Unexpected token '}' in expression or statement. (line 1, column 1)"},
		{"$x)", "Unexpected token ')' in expression or statement. (line 1, column 3)"},
		{"1..", "You must provide a value expression following the '..' operator. (line 1, column 4)"},
		{"1 + 0x1G", "You must provide a value expression following the '+' operator. (line 1, column 4)"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.src)
		if err == nil {
			t.Errorf("%q: parsed, want %s", tt.src, tt.want)
			continue
		}
		if err.Error() != tt.want || !errors.Is(err, ErrSyntax) {
			t.Errorf("%q:\n got %v\nwant %s", tt.src, err, tt.want)
		}
	}
}

// Every unsupported message has the required form.
func TestUnsupportedMessageForm(t *testing.T) {
	_, err := Parse("class C {}")
	if err == nil || !strings.HasPrefix(err.Error(), "winsim's PowerShell does not implement ") ||
		!strings.HasSuffix(err.Error(), "(line 1, column 1)") {
		t.Fatalf("got %v", err)
	}
}
