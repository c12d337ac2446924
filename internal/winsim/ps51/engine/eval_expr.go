package engine

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Expressions (about_Operators, about_Variables, about_Quoting_Rules, about_Arrays, about_Hash_Tables).

func (s *Session) eval(e syntax.Expr) (any, error) {
	switch x := e.(type) {
	case *syntax.StringLit:
		return x.Value, nil
	case *syntax.Number:
		return numberValue(x), nil
	case *syntax.ExpandableString:
		return s.expand(x)
	case *syntax.Variable:
		if x.Splat {
			return nil, s.notImplAt(x, "splatting (@%s) outside a command's arguments", x.Name)
		}
		return s.evalVariable(x)
	case *syntax.Member:
		s.pos = x.Pos
		return s.evalMember(x)
	case *syntax.InvokeMember:
		s.pos = x.Pos
		return s.evalInvoke(x)
	case *syntax.Index:
		return s.evalIndex(x)
	case *syntax.Unary:
		return s.evalUnary(x)
	case *syntax.Binary:
		return s.evalBinary(x)
	case *syntax.Convert:
		return s.evalConvert(x)
	case *syntax.TypeLit:
		t, err := s.resolveType(x.Type)
		if err != nil {
			return nil, err
		}
		return t, nil
	case *syntax.ArrayLit:
		out := make(value.Array, 0, len(x.Elements))
		for _, el := range x.Elements {
			v, err := s.eval(el)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *syntax.ArrayExpr:
		items, err := s.collectStatements(x.Statements)
		if err != nil {
			return nil, err
		}
		return value.Array(items), nil
	case *syntax.SubExpr:
		items, err := s.collectStatements(x.Statements)
		if err != nil {
			return nil, err
		}
		return unwrapCollected(items), nil
	case *syntax.Paren:
		return s.evalParen(x)
	case *syntax.Hashtable:
		return s.evalHashtable(x, false)
	case *syntax.ScriptBlockExpr:
		return &scriptBlock{ast: x.Body, src: s.src}, nil
	}
	return nil, s.notImplAt(e, "the expression %T", e)
}

func (s *Session) notImplAt(n syntax.Node, format string, args ...any) error {
	p := n.Position()
	return &NotImplementedError{What: fmt.Sprintf(format, args...), Pos: p.String()}
}

// unwrapCollected is the value of collected pipeline output: nothing is $null, one object is itself,
// more are an object[] (about_Pipelines; about_Assignment_Operators).
func unwrapCollected(items []any) any {
	switch len(items) {
	case 0:
		return nil
	case 1:
		return items[0]
	}
	return value.Array(items)
}

func numberValue(n *syntax.Number) any {
	switch n.Kind {
	case syntax.Int32:
		return int32(n.Int) //nolint:gosec // the parser made it an Int32
	case syntax.Int64:
		return n.Int
	case syntax.Decimal:
		t := strings.TrimRight(n.Text, "dD")
		if d, ok := value.ParseDecimal(t); ok {
			return d
		}
		if d, ok := value.DecimalFromFloat(n.Float); ok {
			return d
		}
	}
	return n.Float
}

// expand evaluates a double-quoted string: variables and $( ) converted to string, arrays joined
// with $OFS (about_Quoting_Rules).
func (s *Session) expand(x *syntax.ExpandableString) (any, error) {
	var b strings.Builder
	for _, p := range x.Parts {
		switch q := p.(type) {
		case *syntax.StringLit:
			b.WriteString(q.Value)
		case *syntax.SubExpr:
			items, err := s.collectStatements(q.Statements)
			if err != nil {
				return nil, err
			}
			if len(items) == 1 {
				b.WriteString(s.str(items[0]))
			} else if len(items) > 1 {
				b.WriteString(s.str(value.Array(items)))
			}
		default:
			v, err := s.eval(p)
			if err != nil {
				return nil, err
			}
			b.WriteString(s.str(v))
		}
	}
	return b.String(), nil
}

// str is PowerShell's [string] conversion with the session's $OFS.
func (s *Session) str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case *scriptBlock:
		return x.ToString()
	}
	if vr := s.cur.lookup("OFS"); vr != nil && vr.value != nil {
		return value.ToStringOFS(v, value.ToString(vr.value))
	}
	return value.ToString(v)
}

// automatic variables of 5.1 the engine does not model; reading one fails loudly.
var unmodelledAutomatic = map[string]bool{
	"host": true, "pid": true, "pwd": true, "myinvocation": true, "executioncontext": true,
	"shellid": true, "stacktrace": true, "consolefilename": true, "psculture": true, "psuiculture": true,
	"pshome": true, "profile": true, "nestedpromptlevel": true, "pssessionoption": true,
	"pssessionconfigurationname": true, "pssessionapplicationname": true, "pscmdlet": true,
	"event": true, "eventargs": true, "eventsubscriber": true, "sender": true, "sourceargs": true,
	"sourceeventargs": true, "foreach": true, "lastexitcode_": true, "psdebugcontext": true, "$": true, "^": true,
}

func (s *Session) evalVariable(x *syntax.Variable) (any, error) {
	if vr := s.findVariable(x); vr != nil {
		return vr.value, nil
	}
	return s.missingVariable(x)
}

func (s *Session) missingVariable(x *syntax.Variable) (any, error) {
	switch strings.ToLower(x.Scope) {
	case "env":
		if v, ok := s.envGet(x.Name); ok {
			return v, nil
		}
		return nil, nil
	case "", "global", "script", "local", "private", "variable":
	default:
		return nil, s.notImplAt(x, "the %s: drive or scope qualifier ($%s:%s)", x.Scope, x.Scope, x.Name)
	}
	switch k := strings.ToLower(x.Name); {
	case k == "?":
		return s.lastOK, nil
	case k == "null":
		return nil, nil
	case unmodelledAutomatic[k]:
		return nil, s.notImplAt(x, "the automatic variable $%s", x.Name)
	}
	return nil, nil
}

// findVariable finds the variable a reference names, or nil.
func (s *Session) findVariable(x *syntax.Variable) *variable {
	switch strings.ToLower(x.Scope) {
	case "", "local", "private", "variable":
		return s.cur.lookup(x.Name)
	case "global":
		return s.global.vars[varKey(x.Name)]
	case "script":
		return s.cur.script.lookup(x.Name)
	}
	return nil
}

// evalPipelineInput evaluates an expression that starts a pipeline or is a statement of its own: its
// value is written to the pipeline, a collection enumerated one level (about_Pipelines). A variable
// holding AutomationNull (a command's empty output) and an empty ( ) or $( ) write nothing; $null
// writes $null.
func (s *Session) evalPipelineInput(e syntax.Expr) ([]any, error) {
	if isVoid(e) {
		_, err := s.eval(e)
		return nil, err
	}
	switch x := e.(type) {
	case *syntax.Variable:
		if !x.Splat {
			if vr := s.findVariable(x); vr != nil && vr.autoNull {
				return nil, nil
			}
		}
	case *syntax.SubExpr:
		items, err := s.collectStatements(x.Statements)
		if err != nil || len(items) == 0 {
			return nil, err
		}
		return enumerate(unwrapCollected(items)), nil
	case *syntax.Paren:
		if _, direct := directExpr(x.Statement); !direct {
			if _, isAssign := x.Statement.(*syntax.Assignment); !isAssign {
				items, err := s.collectStatement(x.Statement)
				if err != nil || len(items) == 0 {
					return nil, err
				}
				return enumerate(unwrapCollected(items)), nil
			}
		}
	case *syntax.InvokeMember:
		// A method call that returns nothing writes nothing: .NET's void methods ([array]::Reverse,
		// List[T].Add, Dispose) produce no output in 5.1. The engine's and hosts' methods return nil for
		// void, so a method's nil result writes nothing here. Approximation: a non-void method that
		// returns a null reference writes $null in 5.1 and nothing here (in expressions both are $null).
		v, err := s.eval(e)
		if err != nil || v == nil {
			return nil, err
		}
		return enumerate(v), nil
	}
	v, err := s.eval(e)
	if err != nil {
		return nil, err
	}
	return enumerate(v), nil
}

// enumerate is how the pipeline writes a value: the elements of an array or other enumerable
// (not a string, not a hashtable), else the value itself.
func enumerate(v any) []any {
	if items, ok := value.List(v); ok {
		return items
	}
	return []any{v}
}

// directExpr reports whether a statement is a single expression without redirections, whose value
// an assignment or ( ) takes as it is rather than through the pipeline.
func directExpr(st syntax.Statement) (syntax.Expr, bool) {
	p, ok := st.(*syntax.Pipeline)
	if !ok || len(p.Elements) != 1 {
		return nil, false
	}
	ce, ok := p.Elements[0].(*syntax.CommandExpr)
	if !ok || len(ce.Redirections) > 0 {
		return nil, false
	}
	return ce.Expr, true
}

func (s *Session) evalParen(x *syntax.Paren) (any, error) {
	if e, ok := directExpr(x.Statement); ok {
		return s.eval(e)
	}
	if a, ok := x.Statement.(*syntax.Assignment); ok {
		// ($x = v) assigns and yields the value assigned.
		if err := s.execAssignment(a); err != nil {
			return nil, err
		}
		return s.eval(a.Target)
	}
	items, err := s.collectStatement(x.Statement)
	if err != nil {
		return nil, err
	}
	return unwrapCollected(items), nil
}

// valueOf evaluates a statement used as a value (an assignment's right side, a condition): a single
// expression directly, anything else through the pipeline, collected. autoNull reports a command
// that wrote nothing.
func (s *Session) valueOf(st syntax.Statement) (v any, autoNull bool, err error) {
	if e, ok := directExpr(st); ok {
		if vx, isVar := e.(*syntax.Variable); isVar && !vx.Splat {
			if vr := s.findVariable(vx); vr != nil {
				return vr.value, vr.autoNull, nil
			}
		}
		v, err := s.eval(e)
		return v, false, err
	}
	if a, ok := st.(*syntax.Assignment); ok {
		if err := s.execAssignment(a); err != nil {
			return nil, false, err
		}
		v, err := s.eval(a.Target)
		return v, false, err
	}
	items, err := s.collectStatement(st)
	if err != nil {
		return nil, false, err
	}
	return unwrapCollected(items), len(items) == 0, nil
}

func (s *Session) evalHashtable(x *syntax.Hashtable, ordered bool) (any, error) {
	h := value.NewHashtable()
	if ordered {
		h = value.NewOrdered()
	}
	for _, en := range x.Entries {
		k, err := s.eval(en.Key)
		if err != nil {
			return nil, err
		}
		if k == nil {
			return nil, s.terminating(newRecord("System.Management.Automation.RuntimeException",
				"A null key is not allowed in a hash literal.", "InvalidNullKey", "InvalidOperation", nil))
		}
		v, _, err := s.valueOf(en.Value)
		if err != nil {
			return nil, err
		}
		if h.ContainsKey(k) {
			return nil, s.terminating(newRecord("System.Management.Automation.RuntimeException",
				fmt.Sprintf("Duplicate keys '%s' are not allowed in hash literals.", value.ToString(k)), "DuplicateKeyInHashLiteral", "InvalidOperation", nil))
		}
		h.Set(k, v)
	}
	return h, nil
}

// evalConvert is a cast [T]x (about_Type_Conversion), [ordered]@{ }, [void] and [ref].
func (s *Session) evalConvert(x *syntax.Convert) (any, error) {
	name := strings.ToLower(x.Type.String())
	switch name {
	case "ordered":
		if h, ok := x.Operand.(*syntax.Hashtable); ok {
			return s.evalHashtable(h, true)
		}
	case "ref":
		if v, ok := x.Operand.(*syntax.Variable); ok {
			return s.refTo(v)
		}
		val, err := s.eval(x.Operand)
		if err != nil {
			return nil, err
		}
		return &psRef{val: val}, nil
	case "pscustomobject", "system.management.automation.pscustomobject":
		if h, ok := x.Operand.(*syntax.Hashtable); ok {
			v, err := s.evalHashtable(h, true)
			if err != nil {
				return nil, err
			}
			return value.Convert(v, "pscustomobject")
		}
	}
	v, err := s.eval(x.Operand)
	if err != nil {
		return nil, err
	}
	if isVoid(x) {
		return nil, nil
	}
	return s.convertTo(v, x.Type)
}

// isVoid reports a [void] cast, which writes nothing to the pipeline.
func isVoid(e syntax.Expr) bool {
	c, ok := e.(*syntax.Convert)
	if !ok {
		return false
	}
	n := strings.ToLower(c.Type.String())
	return n == "void" || n == "system.void"
}

func (s *Session) refTo(v *syntax.Variable) (any, error) {
	sc, ok := s.scopeFor(v.Scope)
	if !ok {
		return nil, s.notImplAt(v, "[ref] to $%s:%s", v.Scope, v.Name)
	}
	vr := sc.lookup(v.Name)
	if vr == nil {
		vr = s.cur.local(v.Name)
	}
	return &psRef{vr: vr}, nil
}
