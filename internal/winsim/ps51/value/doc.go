// Package value is the runtime value layer of winsim's Windows PowerShell 5.1 engine (issue 17): how
// 5.1 represents values, converts them, and evaluates its operators, plus the cores of ConvertTo-Json
// and ConvertFrom-Json and the -f formatter. It has no parser and no interpreter: the engine
// (internal/winsim/ps51) parses a script, evaluates it, and calls these functions for every value
// operation, so that the step scripts under internal/powershell/scripts run with 5.1's semantics.
//
// # Values
//
// A value is one of a closed set of Go types (see value.go): nil ($null), bool, Char, uint8, int32,
// int64, float64, Decimal, string, Array (object[]), *TypedArray (string[], int[], byte[], ...),
// *Hashtable (@{} and [ordered]@{}), *PSObject ([pscustomobject]), Enum, DateTime, or an Object the
// interpreter supplies for host objects (services, files, List[string]); an Object that implements
// Enumerable is a collection to the operators. Go int is accepted as input and normalised to int32 or
// int64.
//
// # Operations
//
//   - conversions: ToBool (truthiness), ToString/ToStringOFS (PowerShell's invariant [string]),
//     DotNetString (.NET ToString, for -f), ToInt32, ToInt64, ToByte, ToDouble, toDecimal, ToChar,
//     toArray, Convert (casts by type name), ConvertToEnum, parseNumber (string to number);
//   - comparison: CompareValues (-eq, -ne, -gt, -ge, -lt, -le: OpEq ... OpLe), Equal and Compare on
//     scalars, Contains, NotContains, In, NotIn, Like, NotLike, MatchOp (-match/-notmatch with the new
//     $Matches), Replace, Split, UnarySplit, Join, UnaryJoin;
//   - arithmetic: Add, Sub, Mul, Div, Rem, Negate, Plus; bitwise: BAnd, BOr, BXor, BNot, Shl, Shr;
//     logical: Xor, Not (-and and -or are the engine's: they short-circuit); types: Is (-isnot and -as
//     are the engine's, over Is and Convert);
//   - formatting: Format (-f), FormatComposite, FormatValue, formatDouble;
//   - JSON: ConvertToJSON, ConvertFromJSON, parseJSON.
//
// Lower-case names are used only inside this package.
//
// Errors are *RuntimeError or *ConversionError whose Error() is the text a 5.1 script sees as
// $_.Exception.Message, *JSONError for ConvertFrom-Json, and *NotModelledError for constructs this
// model does not implement (it never claims to be Windows' message; it stops a simulation loudly).
//
// # Sources
//
// Each rule cites its source beside the code: the Windows PowerShell 5.1 reference in
// MicrosoftDocs/PowerShell-Docs (reference/5.1/.../About/about_*.md, ConvertTo-Json.md,
// ConvertFrom-Json.md), the PowerShell language specification (reference/docs-conceptual/lang-spec),
// and .NET's formatting documentation. Where the documentation is silent, the comment says
// "inferred:" and why. SEMANTICS.md in this directory lists what is modelled, what is inferred and
// what is not modelled.
package value
