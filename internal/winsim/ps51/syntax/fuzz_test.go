package syntax

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that no input makes the parser panic or hang, that every failure is an *Error with
// a position inside the input, and that every tree it returns can be printed.
func FuzzParse(f *testing.F) {
	for _, text := range libraryTexts(f) {
		f.Add(text)
	}
	for _, seed := range []string{
		"$a = @(Get-X | Where-Object { $_.Name -eq $n }) | Select-Object -First 1",
		"& ([ScriptBlock]::Create((New-Object string (,$b))))",
		"\"$x $($y.z) ${a b} `t\"",
		"@'\nhere\n'@\n@\"\n$x\n\"@",
		"[System.Collections.Generic.List[string]]::new()",
		"if ($a) { } elseif ($b) { } else { }",
		"try { } catch [Exception] { } finally { }",
		"function F([int]$a = -1) { param($b) }",
		"Get-X 2>&1 *>> f 3>$null | Out-Null",
		"0x1F 1kb 1.5e3 10l 2d",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		sb, err := Parse(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if pe.Pos.Line < 1 || pe.Pos.Column < 1 || pe.Pos.Offset < 0 || pe.Pos.Offset > utf8.RuneCountInString(src) {
				t.Fatalf("error position %+v outside the input: %v", pe.Pos, err)
			}
			return
		}
		_ = Format(sb)
	})
}
