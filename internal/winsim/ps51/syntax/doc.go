// Package syntax is the first layer of winsim's Windows PowerShell 5.1 engine: a tokenizer and parser
// that turn the library's scripts (internal/powershell/scripts, assembled with their includes, and
// both bootstraps) into a syntax tree, byte for byte as Windows PowerShell 5.1 reads them.
//
// The tokenizer follows PowerShell's own design (about_Parsing): the parser asks for each token in
// argument mode or expression mode, so that `Write-Host -x` is a parameter and `$a -eq $b` an
// operator, `/r` and `p:4:1` are bare words, and `2>&1` a redirection. The grammar is the PowerShell
// 3.0 language specification's, with Windows PowerShell 5.1's operator table and error messages.
//
// It covers a subset of the language, named construct by construct in SUBSET.md. Anything outside it
// fails with an *Error of kind Unsupported, "winsim's PowerShell does not implement <construct>
// (line L, column C)", never with a silent misparse; a script 5.1 itself rejects fails with an *Error
// of kind SyntaxError carrying 5.1's message. Parse stops at the first error.
//
// Format renders any node as a compact S-expression, which the tests use as their expectations.
package syntax
