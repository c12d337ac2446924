package syntax

import (
	"fmt"
	"strconv"
	"strings"
)

// Format renders a node as a compact S-expression, for tests and debugging:
//
//	$a = @(Get-X | ? { $_.N -eq 1 })   →   (= $a (@ (pipe (cmd Get-X) (cmd ? (sb (-eq (. $_ N) 1))))))
//
// Bare words print as they are, 'single' and "double" quoted strings quoted, numbers as written;
// (cmd ...) is a command, (pipe ...) a pipeline of several elements, (sb ...) a script block.
func Format(n Node) string {
	var b strings.Builder
	format(&b, n)
	return b.String()
}

func format(b *strings.Builder, n Node) {
	switch x := n.(type) {
	case nil:
		b.WriteString("_")
	case *ScriptBlock:
		formatScriptBlock(b, "script", x)
	case *Block:
		list(b, "block", x.Statements)
	case *Pipeline:
		if len(x.Elements) == 1 {
			format(b, x.Elements[0])
			return
		}
		b.WriteString("(pipe")
		for _, e := range x.Elements {
			b.WriteByte(' ')
			format(b, e)
		}
		b.WriteByte(')')
	case *CommandExpr:
		if len(x.Redirections) == 0 {
			format(b, x.Expr)
			return
		}
		b.WriteString("(expr ")
		format(b, x.Expr)
		formatRedirections(b, x.Redirections)
		b.WriteByte(')')
	case *Command:
		b.WriteString("(cmd" + x.Invocation + " ")
		format(b, x.Name)
		for _, a := range x.Args {
			b.WriteByte(' ')
			format(b, a)
		}
		formatRedirections(b, x.Redirections)
		b.WriteByte(')')
	case *CommandParameter:
		b.WriteString("-" + x.Name)
		if x.Arg != nil {
			b.WriteByte(':')
			format(b, x.Arg)
		}
	case *Assignment:
		sexp(b, x.Op, x.Target, x.Value)
	default:
		formatStatement(b, n)
	}
}

func formatStatement(b *strings.Builder, n Node) {
	switch x := n.(type) {
	case *If:
		b.WriteString("(if")
		for _, c := range x.Clauses {
			b.WriteString(" (")
			format(b, c.Cond)
			b.WriteByte(' ')
			format(b, c.Body)
			b.WriteByte(')')
		}
		if x.Else != nil {
			b.WriteString(" (else ")
			format(b, x.Else)
			b.WriteByte(')')
		}
		b.WriteByte(')')
	case *While:
		sexp(b, "while", x.Cond, x.Body)
	case *DoLoop:
		op := "do-while"
		if x.Until {
			op = "do-until"
		}
		sexp(b, op, x.Body, x.Cond)
	case *For:
		sexp(b, "for", x.Init, x.Cond, x.Iter, x.Body)
	case *Foreach:
		sexp(b, "foreach", x.Variable, x.Collection, x.Body)
	case *Try:
		b.WriteString("(try ")
		format(b, x.Body)
		for _, c := range x.Catches {
			b.WriteString(" (catch")
			for _, t := range c.Types {
				b.WriteString(" [" + t.String() + "]")
			}
			b.WriteByte(' ')
			format(b, c.Body)
			b.WriteByte(')')
		}
		if x.Finally != nil {
			b.WriteString(" (finally ")
			format(b, x.Finally)
			b.WriteByte(')')
		}
		b.WriteByte(')')
	case *Throw:
		optional(b, "throw", x.Value)
	case *Return:
		optional(b, "return", x.Value)
	case *Exit:
		optional(b, "exit", x.Value)
	case *Break:
		b.WriteString("(break)")
	case *Continue:
		b.WriteString("(continue)")
	case *FunctionDef:
		b.WriteString("(function " + x.Name)
		if x.Params != nil {
			b.WriteByte(' ')
			formatParams(b, x.Params)
		}
		b.WriteByte(' ')
		formatScriptBlock(b, "sb", x.Body)
		b.WriteByte(')')
	default:
		formatExpr(b, n)
	}
}

func formatExpr(b *strings.Builder, n Node) {
	switch x := n.(type) {
	case *StringLit:
		switch x.Kind {
		case BareWord:
			b.WriteString(x.Value)
		case SingleQuoted, HereSingle:
			b.WriteString("'" + strings.ReplaceAll(x.Value, "'", "''") + "'")
		default:
			b.WriteString(strconv.Quote(x.Value))
		}
	case *ExpandableString:
		b.WriteString("(str")
		for _, part := range x.Parts {
			b.WriteByte(' ')
			format(b, part)
		}
		b.WriteByte(')')
	case *Number:
		b.WriteString(x.Text)
	case *Variable:
		formatVariable(b, x)
	case *Member:
		op := "."
		if x.Static {
			op = "::"
		}
		sexp(b, op, x.Target, x.Name)
	case *InvokeMember:
		op := ".call"
		if x.Static {
			op = "::call"
		}
		b.WriteString("(" + op + " ")
		format(b, x.Target)
		b.WriteByte(' ')
		format(b, x.Name)
		for _, a := range x.Args {
			b.WriteByte(' ')
			format(b, a)
		}
		b.WriteByte(')')
	case *Index:
		sexp(b, "index", x.Target, x.Index)
	case *Unary:
		op := x.Op
		if x.Postfix {
			op = "post" + op
		}
		sexp(b, op, x.Operand)
	case *Binary:
		sexp(b, x.Op, x.Left, x.Right)
	case *Convert:
		b.WriteString("([" + x.Type.String() + "] ")
		format(b, x.Operand)
		b.WriteByte(')')
	case *TypeLit:
		b.WriteString("[" + x.Type.String() + "]")
	case *ArrayLit:
		b.WriteString("(array")
		for _, e := range x.Elements {
			b.WriteByte(' ')
			format(b, e)
		}
		b.WriteByte(')')
	case *ArrayExpr:
		list(b, "@", x.Statements)
	case *SubExpr:
		list(b, "$", x.Statements)
	case *Paren:
		sexp(b, "paren", x.Statement)
	case *Hashtable:
		b.WriteString("(hash")
		for _, e := range x.Entries {
			b.WriteString(" (")
			format(b, e.Key)
			b.WriteByte(' ')
			format(b, e.Value)
			b.WriteByte(')')
		}
		b.WriteByte(')')
	case *ScriptBlockExpr:
		formatScriptBlock(b, "sb", x.Body)
	default:
		fmt.Fprintf(b, "(unknown-node %T)", n)
	}
}

func formatVariable(b *strings.Builder, v *Variable) {
	sigil := "$"
	if v.Splat {
		sigil = "@"
	}
	name := v.Name
	if v.Scope != "" {
		name = v.Scope + ":" + name
	}
	if v.Braced {
		name = "{" + name + "}"
	}
	b.WriteString(sigil + name)
}

func formatScriptBlock(b *strings.Builder, head string, sb *ScriptBlock) {
	b.WriteString("(" + head)
	if sb.Params != nil {
		b.WriteString(" (param ")
		formatParams(b, sb.Params.Params)
		b.WriteByte(')')
	}
	for _, s := range sb.Statements {
		b.WriteByte(' ')
		format(b, s)
	}
	b.WriteByte(')')
}

func formatParams(b *strings.Builder, params []*Parameter) {
	b.WriteByte('(')
	for i, p := range params {
		if i > 0 {
			b.WriteByte(' ')
		}
		if p.Type != nil {
			b.WriteString("[" + p.Type.String() + "]")
		}
		format(b, p.Variable)
		if p.Default != nil {
			b.WriteByte('=')
			format(b, p.Default)
		}
	}
	b.WriteByte(')')
}

func formatRedirections(b *strings.Builder, rs []*Redirection) {
	for _, r := range rs {
		b.WriteString(" (" + r.Stream + ">")
		switch {
		case r.Merge:
			b.WriteString("&1")
		case r.Append:
			b.WriteString("> ")
			format(b, r.Target)
		default:
			b.WriteByte(' ')
			format(b, r.Target)
		}
		b.WriteByte(')')
	}
}

// sexp writes (op a b ...), with _ for a nil node.
func sexp(b *strings.Builder, op string, nodes ...Node) {
	b.WriteString("(" + op)
	for _, n := range nodes {
		b.WriteByte(' ')
		if isNil(n) {
			b.WriteString("_")
			continue
		}
		format(b, n)
	}
	b.WriteByte(')')
}

func optional(b *strings.Builder, op string, s Statement) {
	if s == nil {
		b.WriteString("(" + op + ")")
		return
	}
	sexp(b, op, s)
}

func list(b *strings.Builder, op string, stmts []Statement) {
	b.WriteString("(" + op)
	for _, s := range stmts {
		b.WriteByte(' ')
		format(b, s)
	}
	b.WriteByte(')')
}

// isNil reports a nil interface or a nil pointer inside one (an absent For part is a nil Statement).
func isNil(n Node) bool {
	switch x := n.(type) {
	case nil:
		return true
	case *Block:
		return x == nil
	case *Variable:
		return x == nil
	}
	return false
}
