package syntax

import "fmt"

// Pos is a place in the source: 1-based line and column, counted in characters as PowerShell counts
// them in its error messages, and the 0-based character offset.
type Pos struct {
	Line   int
	Column int
	Offset int
}

func (p Pos) String() string { return fmt.Sprintf("line %d, column %d", p.Line, p.Column) }

// tokenKind is the kind of one token. The lexer scans in a mode the parser chooses (about_Parsing:
// expression mode and argument mode), so the same characters can make different tokens.
type tokenKind int

const (
	tEOF         tokenKind = iota
	tNewline               // \n, \r\n or \r
	tSemi                  // ;
	tComma                 // ,
	tPipe                  // |
	tLParen                // (
	tRParen                // )
	tLCurly                // {
	tRCurly                // }
	tLBracket              // [
	tRBracket              // ]
	tAtParen               // @(
	tAtCurly               // @{
	tDollarParen           // $(
	tVariable              // $name, ${name}
	tSplat                 // @name
	tNumber                // 42, 0x1F, 1kb, 1.5, 10l, 1d
	tString                // 'verbatim' and @'here'@
	tExpandable            // "expandable" and @"here"@
	tGeneric               // a bare word in argument mode, possibly expandable
	tIdentifier            // a simple name in expression mode
	tKeyword               // a keyword at the start of a statement
	tParameter             // -Name or -Name:
	tOperator              // operators: -eq, +, =, +=, ++, .., !, ...
	tDot                   // . (member access or dot-source)
	tColonColon            // ::
	tAmpersand             // &
	tRedirection           // > >> 2> 2>&1 *>&1 <
	tAndAnd                // && (PowerShell 7)
	tOrOr                  // || (PowerShell 7)
	tLabel                 // :name at the start of a statement
)

var tokenKindNames = [...]string{
	tEOF: "end of input", tNewline: "newline", tSemi: ";", tComma: ",", tPipe: "|", tLParen: "(",
	tRParen: ")", tLCurly: "{", tRCurly: "}", tLBracket: "[", tRBracket: "]", tAtParen: "@(",
	tAtCurly: "@{", tDollarParen: "$(", tVariable: "variable", tSplat: "splatted variable",
	tNumber: "number", tString: "string", tExpandable: "expandable string", tGeneric: "generic token",
	tIdentifier: "identifier", tKeyword: "keyword", tParameter: "parameter", tOperator: "operator",
	tDot: ".", tColonColon: "::", tAmpersand: "&", tRedirection: "redirection", tAndAnd: "&&",
	tOrOr: "||", tLabel: "label",
}

func (k tokenKind) String() string {
	if int(k) < len(tokenKindNames) {
		return tokenKindNames[k]
	}
	return fmt.Sprintf("tokenKind(%d)", int(k))
}

// strPart is one piece of an expandable string or generic token: literal text, or a nested variable
// token, or the source range of a $( ) subexpression.
type strPart struct {
	lit string
	// variable is set for $name and ${name}.
	variable *token
	// subStart and subEnd delimit the text between $( and ) when sub is set.
	sub              bool
	subStart, subEnd int
	pos              int
}

// token is one lexical token. start and end are character offsets into the source.
type token struct {
	kind       tokenKind
	start, end int
	// text is the source text of the token.
	text string
	// val is the processed value: a string's content, a variable's or parameter's name, a keyword or
	// operator in lower case, a generic token's text with quotes and escapes removed.
	val string
	// parts holds the pieces of an expandable string or generic token; nil when nothing expands.
	parts []strPart
	// here marks here-strings.
	here bool
	// scope is a variable's drive or scope qualifier (script, global, env, ...), without the colon.
	scope string
	// braced marks ${...} variables.
	braced bool
	// colon marks a parameter written -Name: (its argument follows).
	colon bool
	num   Number
	redir redirection
}

type redirection struct {
	from   byte // '1'..'6' or '*'
	to     byte // '1' or '2' for merging redirections, 0 for file redirections
	append bool
	input  bool
}

// Operator precedences, from the engine's token table (see SUBSET.md on where it differs from
// about_Operator_Precedence).
const (
	precLogical    = 1
	precBitwise    = 2
	precComparison = 5
	precAdd        = 9
	precMultiply   = 10
	precFormat     = 12
	precRange      = 13
)

// dashOperators are the operators spelled with a leading dash (about_Operators,
// about_Comparison_Operators), keyed by their lower-case text without the dash.
var dashOperators = map[string]bool{
	"eq": true, "ieq": true, "ceq": true, "ne": true, "ine": true, "cne": true,
	"gt": true, "igt": true, "cgt": true, "ge": true, "ige": true, "cge": true,
	"lt": true, "ilt": true, "clt": true, "le": true, "ile": true, "cle": true,
	"like": true, "ilike": true, "clike": true, "notlike": true, "inotlike": true, "cnotlike": true,
	"match": true, "imatch": true, "cmatch": true, "notmatch": true, "inotmatch": true, "cnotmatch": true,
	"replace": true, "ireplace": true, "creplace": true,
	"contains": true, "icontains": true, "ccontains": true,
	"notcontains": true, "inotcontains": true, "cnotcontains": true,
	"in": true, "iin": true, "cin": true, "notin": true, "inotin": true, "cnotin": true,
	"split": true, "isplit": true, "csplit": true, "join": true,
	"is": true, "isnot": true, "as": true, "f": true,
	"and": true, "or": true, "xor": true, "not": true,
	"band": true, "bor": true, "bxor": true, "bnot": true, "shl": true, "shr": true,
}

// binaryPrecedence gives each binary operator its precedence; operators not listed are not binary.
func binaryPrecedence(op string) int {
	switch op {
	case "-and", "-or", "-xor":
		return precLogical
	case "-band", "-bor", "-bxor":
		return precBitwise
	case "+", "-":
		return precAdd
	case "*", "/", "%":
		return precMultiply
	case "-f":
		return precFormat
	case "..":
		return precRange
	case "-not", "-bnot", "!", "=", "+=", "-=", "*=", "/=", "%=", "++", "--":
		return 0
	}
	if len(op) > 1 && op[0] == '-' && dashOperators[op[1:]] {
		return precComparison
	}
	return 0
}

// isUnaryOperator reports whether op may start a unary expression (about_Operator_Precedence).
func isUnaryOperator(op string) bool {
	switch op {
	case "-not", "!", "-bnot", "+", "-", "++", "--", "-split", "-isplit", "-csplit", "-join":
		return true
	}
	return false
}

func isAssignmentOperator(op string) bool {
	switch op {
	case "=", "+=", "-=", "*=", "/=", "%=":
		return true
	}
	return false
}

// keywords are PowerShell 5.1's reserved words (about_Language_Keywords, about_Reserved_Words),
// recognised only where a statement may start.
var keywords = map[string]bool{
	"begin": true, "break": true, "catch": true, "class": true, "configuration": true, "continue": true,
	"data": true, "define": true, "do": true, "dynamicparam": true, "else": true, "elseif": true,
	"end": true, "enum": true, "exit": true, "filter": true, "finally": true, "for": true,
	"foreach": true, "from": true, "function": true, "hidden": true, "if": true, "in": true,
	"inlinescript": true, "parallel": true, "param": true, "process": true, "return": true,
	"sequence": true, "static": true, "switch": true, "throw": true, "trap": true, "try": true,
	"until": true, "using": true, "var": true, "while": true, "workflow": true,
}
