package syntax

import "strings"

// Node is any node of the syntax tree; every node knows where it starts.
type Node interface {
	Position() Pos
}

// Statement is a statement: a pipeline, an assignment, a flow-control statement or a function.
type Statement interface {
	Node
	statement()
}

// Expr is an expression. Every expression can also be a command element (an argument).
type Expr interface {
	CommandElement
	expr()
}

// CommandElement is an element of a command: an argument (an Expr) or a *CommandParameter.
type CommandElement interface {
	Node
	commandElement()
}

// PipelineElement is one element of a pipeline: a *Command or a *CommandExpr.
type PipelineElement interface {
	Node
	pipelineElement()
}

type node struct{ Pos Pos }

func (n *node) Position() Pos { return n.Pos }

type stmtNode struct{ node }

func (*stmtNode) statement() {}

type exprNode struct{ node }

func (*exprNode) expr()           {}
func (*exprNode) commandElement() {}

// ScriptBlock is a script, a function body or a { } script block literal (about_Script_Blocks).
type ScriptBlock struct {
	node
	// Params is the param( ) block, or nil.
	Params     *ParamBlock
	Statements []Statement
	// End is just after the closing } of a { } literal (its text is the source between Pos and End);
	// zero for a whole script.
	End Pos
}

// ParamBlock is param( ... ) at the start of a script block (about_Functions).
type ParamBlock struct {
	node
	Params []*Parameter
}

// Parameter is one declared parameter: [type]$Name = default (about_Functions).
type Parameter struct {
	node
	Type     *TypeName // nil when untyped
	Variable *Variable
	Default  Expr // nil when none
}

// Block is a { } statement block of a compound statement.
type Block struct {
	node
	Statements []Statement
}

// Pipeline is one pipeline: its elements joined by | (about_Pipelines).
type Pipeline struct {
	stmtNode
	Elements []PipelineElement
}

// CommandExpr is an expression used as a pipeline element, with its redirections.
type CommandExpr struct {
	node
	Expr         Expr
	Redirections []*Redirection
}

func (*CommandExpr) pipelineElement() {}

// Command is a command invocation (about_Command_Syntax, about_Operators for & and .).
type Command struct {
	node
	// Invocation is "&" (call operator), "." (dot-source) or "" (a plain command).
	Invocation string
	// Name is the command: a bare word, a string, a variable or any primary expression after & or .
	Name         Expr
	Args         []CommandElement
	Redirections []*Redirection
}

func (*Command) pipelineElement() {}

// CommandParameter is -Name, or -Name:value when Arg is set (about_Parameters).
type CommandParameter struct {
	node
	Name string
	Arg  Expr
}

func (*CommandParameter) commandElement() {}

// Redirection is n>file, n>>file or n>&1 (about_Redirection). Stream is "1" to "6" or "*".
type Redirection struct {
	node
	Stream string
	// Merge is set for n>&1; Target is then nil.
	Merge  bool
	Append bool
	Target Expr
}

// Assignment is Target Op Value, with Op one of = += -= *= /= %= (about_Assignment_Operators). The
// value is a statement: a pipeline, another assignment, or a flow-control statement.
type Assignment struct {
	stmtNode
	Target Expr
	Op     string
	Value  Statement
}

// If is if/elseif/else (about_If).
type If struct {
	stmtNode
	Clauses []IfClause
	Else    *Block
}

// IfClause is one condition and its block.
type IfClause struct {
	Cond Statement
	Body *Block
}

// While is while (cond) { } (about_While).
type While struct {
	stmtNode
	Cond Statement
	Body *Block
}

// DoLoop is do { } while (cond) or, with Until, do { } until (cond) (about_Do).
type DoLoop struct {
	stmtNode
	Body  *Block
	Cond  Statement
	Until bool
}

// For is for (init; cond; iter) { } (about_For); any of the three may be nil.
type For struct {
	stmtNode
	Init, Cond, Iter Statement
	Body             *Block
}

// Foreach is foreach ($v in collection) { } (about_Foreach).
type Foreach struct {
	stmtNode
	Variable   *Variable
	Collection Statement
	Body       *Block
}

// Try is try { } catch [T] { } finally { } (about_Try_Catch_Finally).
type Try struct {
	stmtNode
	Body    *Block
	Catches []*Catch
	Finally *Block
}

// Catch is one catch clause; no Types catches everything.
type Catch struct {
	node
	Types []*TypeName
	Body  *Block
}

// Throw is throw [value] (about_Throw).
type Throw struct {
	stmtNode
	Value Statement
}

// Return is return [value] (about_Return).
type Return struct {
	stmtNode
	Value Statement
}

// Exit is exit [code] (about_Language_Keywords).
type Exit struct {
	stmtNode
	Value Statement
}

// Break is break (about_Break).
type Break struct{ stmtNode }

// Continue is continue (about_Continue).
type Continue struct{ stmtNode }

// FunctionDef is function Name(params) { body } (about_Functions). Params holds a parenthesized
// parameter list; a param( ) block is in Body.Params.
type FunctionDef struct {
	stmtNode
	Name   string
	Params []*Parameter
	Body   *ScriptBlock
}

// StringKind tells how a string was written.
type StringKind int

const (
	BareWord     StringKind = iota + 1 // a command name or argument without quotes
	SingleQuoted                       // 'verbatim'
	DoubleQuoted                       // "expandable"
	HereSingle                         // @' '@
	HereDouble                         // @" "@
	StringPiece                        // a literal piece of an expandable string
)

// StringLit is a string whose value is known at parse time.
type StringLit struct {
	exprNode
	Value string
	Kind  StringKind
}

// ExpandableString is a string with $variables or $( ) subexpressions (about_Quoting_Rules). Parts
// are *StringLit pieces, *Variable and *SubExpr in order.
type ExpandableString struct {
	exprNode
	Parts []Expr
	Kind  StringKind
}

// Number is a numeric literal (about_Numeric_Literals). Int holds Int32 and Int64 values, Float
// Double and (approximately) Decimal values; Text is the literal as written.
type Number struct {
	exprNode
	Text  string
	Kind  NumberKind
	Int   int64
	Float float64
}

// Variable is $name, $scope:name, ${name} or, with Splat, @name (about_Variables, about_Scopes,
// about_Splatting). Scope is the qualifier before the colon (script, global, env, ...).
type Variable struct {
	exprNode
	Scope  string
	Name   string
	Splat  bool
	Braced bool
}

// Member is Target.Name or Target::Name (about_Properties). Name is a *StringLit (BareWord) for a
// plain name, or an expression: $item.$Name, $config.'data-root'.
type Member struct {
	exprNode
	Target Expr
	Name   Expr
	Static bool
}

// InvokeMember is a method call Target.Name(Args) or Target::Name(Args) (about_Methods).
type InvokeMember struct {
	exprNode
	Target Expr
	Name   Expr
	Args   []Expr
	Static bool
}

// Index is Target[Index] (about_Arrays).
type Index struct {
	exprNode
	Target Expr
	Index  Expr
}

// Unary is a prefix operator (-not ! -bnot + - ++ -- -split -join) or, with Postfix, $x++ / $x--.
type Unary struct {
	exprNode
	Op      string
	Operand Expr
	Postfix bool
}

// Binary is Left Op Right; Op is lower case (-eq, -ceq, +, .., -f, ...).
type Binary struct {
	exprNode
	Op          string
	Left, Right Expr
}

// Convert is a cast [Type]Operand (about_Type_Conversion); [ordered]@{} is a Convert too.
type Convert struct {
	exprNode
	Type    *TypeName
	Operand Expr
}

// TypeLit is a type literal [Type] used as a value ([IO.Path]::GetFileName, -is [string]).
type TypeLit struct {
	exprNode
	Type *TypeName
}

// ArrayLit is a comma list a, b, c or the unary , a (about_Arrays).
type ArrayLit struct {
	exprNode
	Elements []Expr
}

// ArrayExpr is the array subexpression @( ) (about_Operators).
type ArrayExpr struct {
	exprNode
	Statements []Statement
}

// SubExpr is the subexpression $( ) (about_Operators).
type SubExpr struct {
	exprNode
	Statements []Statement
}

// Paren is ( pipeline ) (about_Operators: grouping).
type Paren struct {
	exprNode
	Statement Statement
}

// Hashtable is @{ key = value; ... } (about_Hash_Tables). Values are statements.
type Hashtable struct {
	exprNode
	Entries []HashEntry
}

// HashEntry is one key = value pair.
type HashEntry struct {
	Key   Expr
	Value Statement
}

// ScriptBlockExpr is a { } script block literal.
type ScriptBlockExpr struct {
	exprNode
	Body *ScriptBlock
}

// TypeName is a type as written: Name (as spelled, e.g. Net.ServicePointManager), generic arguments
// (List[string]) and array ranks (string[] has ArrayRanks [1], int[,] has [2]).
type TypeName struct {
	node
	Name       string
	Args       []*TypeName
	ArrayRanks []int
}

func (t *TypeName) String() string {
	var b strings.Builder
	b.WriteString(t.Name)
	if len(t.Args) > 0 {
		b.WriteByte('[')
		for i, a := range t.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(a.String())
		}
		b.WriteByte(']')
	}
	for _, r := range t.ArrayRanks {
		b.WriteByte('[')
		b.WriteString(strings.Repeat(",", r-1))
		b.WriteByte(']')
	}
	return b.String()
}
