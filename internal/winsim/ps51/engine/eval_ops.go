package engine

import (
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Operators (about_Operators, about_Comparison_Operators, about_Logical_Operators,
// about_Arithmetic_Operators, about_Assignment_Operators, about_Type_Operators, about_Split,
// about_Join). The value layer computes; this file evaluates operands and applies the operators'
// evaluation rules (short-circuit, $Matches, type operands).

// maxRange bounds the length of a range a..b, so that a script cannot exhaust memory; each element
// also costs a step.
const maxRange = 5_000_000

func (s *Session) evalUnary(x *syntax.Unary) (any, error) {
	switch x.Op {
	case "++", "--":
		return s.incDec(x)
	}
	v, err := s.eval(x.Operand)
	if err != nil {
		return nil, err
	}
	s.pos = x.Pos
	var r any
	switch x.Op {
	case "-not", "!":
		r = value.Not(v)
	case "-bnot":
		r, err = value.BNot(v)
	case "-":
		r, err = value.Negate(v)
	case "+":
		r, err = value.Plus(v)
	case "-split":
		r = value.UnarySplit(v)
	case "-join":
		r = value.UnaryJoin(v)
	default:
		return nil, s.notImplAt(x, "the unary operator %s", x.Op)
	}
	if err != nil {
		return nil, s.terminating(err)
	}
	return r, nil
}

// incDec is ++ and -- (prefix and postfix) on a variable, member or element.
func (s *Session) incDec(x *syntax.Unary) (any, error) {
	old, err := s.compoundCurrent(x.Operand)
	if err != nil {
		return nil, err
	}
	var nv any
	if x.Op == "++" {
		nv, err = value.Add(orZero(old), int32(1))
	} else {
		nv, err = value.Sub(orZero(old), int32(1))
	}
	if err != nil {
		return nil, s.terminating(err)
	}
	if err := s.assignTo(x.Operand, nv); err != nil {
		return nil, err
	}
	if x.Postfix {
		return orZero(old), nil
	}
	return nv, nil
}

func orZero(v any) any {
	if v == nil {
		return int32(0)
	}
	return v
}

func (s *Session) evalBinary(x *syntax.Binary) (any, error) {
	switch x.Op {
	case "-and", "-or":
		l, err := s.eval(x.Left)
		if err != nil {
			return nil, err
		}
		lb := value.ToBool(l)
		if x.Op == "-and" && !lb {
			return false, nil
		}
		if x.Op == "-or" && lb {
			return true, nil
		}
		r, err := s.eval(x.Right)
		if err != nil {
			return nil, err
		}
		return value.ToBool(r), nil
	}
	l, err := s.eval(x.Left)
	if err != nil {
		return nil, err
	}
	r, err := s.eval(x.Right)
	if err != nil {
		return nil, err
	}
	s.pos = x.Pos
	v, err := s.binaryOp(x, x.Op, l, r)
	if err != nil {
		return nil, s.terminating(err)
	}
	return v, nil
}

// binaryOp applies a binary operator to evaluated operands.
func (s *Session) binaryOp(n syntax.Node, op string, l, r any) (any, error) {
	l, r = unwrapRef(l), unwrapRef(r)
	if v, ok, err := dateArith(op, l, r); ok {
		return v, err
	}
	if e, ok := l.(value.Enum); ok && (op == "+" || op == "-") && isInteger(r) {
		// about_Arithmetic_Operators: an enum on the left keeps its type ([ConsoleColor]::Blue + 3 is Red).
		n, _ := value.ToInt64(r)
		if op == "-" {
			n = -n
		}
		return value.Enum{Type: e.Type, Value: e.Value + n}, nil
	}
	switch op {
	case "+":
		return value.Add(l, r)
	case "-":
		return value.Sub(l, r)
	case "*":
		if err := checkReplicate(l, r); err != nil {
			return nil, err
		}
		return value.Mul(l, r)
	case "/":
		return value.Div(l, r)
	case "%":
		return value.Rem(l, r)
	case "-band":
		return value.BAnd(l, r)
	case "-bor":
		return value.BOr(l, r)
	case "-bxor":
		return value.BXor(l, r)
	case "-shl":
		return value.Shl(l, r)
	case "-shr":
		return value.Shr(l, r)
	case "-xor":
		return value.Xor(l, r), nil
	case "..":
		return s.rangeOp(l, r)
	case "-f":
		return value.Format(s.formatArg(l), formatArgs(r))
	case "-is", "-isnot", "-as":
		return s.typeOp(n, op, l, r)
	case "-join":
		return value.Join(l, r), nil
	}
	cs := false
	name := strings.TrimPrefix(op, "-")
	switch {
	case strings.HasPrefix(name, "c") && isComparison(name[1:]):
		cs, name = true, name[1:]
	case strings.HasPrefix(name, "i") && isComparison(name[1:]):
		name = name[1:]
	}
	if c, ok, err := s.compareObjects(name, l, r); ok {
		return c, err
	}
	switch name {
	case "eq", "ne", "gt", "ge", "lt", "le":
		return value.CompareValues(value.CompareOp(name), l, r, cs)
	case "like":
		return value.Like(l, r, cs)
	case "notlike":
		return value.NotLike(l, r, cs)
	case "match", "notmatch":
		m, err := value.MatchOp(l, r, cs, name == "notmatch")
		if err != nil {
			return nil, err
		}
		if m.Matches != nil {
			vr := s.cur.local("Matches")
			vr.value, vr.autoNull = m.Matches, false
		}
		return m.Value, nil
	case "replace":
		return value.Replace(l, r, cs)
	case "contains":
		return value.Contains(l, r, cs)
	case "notcontains":
		return value.NotContains(l, r, cs)
	case "in":
		return value.In(l, r, cs)
	case "notin":
		return value.NotIn(l, r, cs)
	case "split":
		return s.splitOp(l, r, cs)
	}
	return nil, s.notImplAt(n, "the operator %s", op)
}

func isComparison(n string) bool {
	switch n {
	case "eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "replace",
		"contains", "notcontains", "in", "notin", "split":
		return true
	}
	return false
}

// checkReplicate refuses string and array replication that would exhaust memory.
func checkReplicate(l, r any) error {
	n, err := value.ToInt64(r)
	if err != nil || n < 0 {
		return nil //nolint:nilerr // the value layer reports the conversion error itself
	}
	size := int64(0)
	switch x := l.(type) {
	case string:
		size = int64(len(x))
	default:
		if items, ok := value.List(l); ok {
			size = int64(len(items))
		}
	}
	if size*n > maxRange {
		return notImpl("replication producing more than %d elements or characters", maxRange)
	}
	return nil
}

func (s *Session) rangeOp(l, r any) (any, error) {
	a, err := value.ToInt32(l)
	if err != nil {
		return nil, err
	}
	b, err := value.ToInt32(r)
	if err != nil {
		return nil, err
	}
	n := int64(b) - int64(a)
	if n < 0 {
		n = -n
	}
	if n+1 > maxRange {
		return nil, notImpl("a range of more than %d numbers", maxRange)
	}
	out := make(value.Array, 0, n+1)
	step := int32(1)
	if b < a {
		step = -1
	}
	for i := a; ; i += step {
		if len(out)&1023 == 0 {
			if err := s.step(); err != nil {
				return nil, err
			}
		}
		out = append(out, i)
		if i == b {
			break
		}
	}
	return out, nil
}

// formatArg is the left operand of -f: its string form.
func (s *Session) formatArg(l any) any {
	if _, ok := l.(string); ok {
		return l
	}
	return s.str(l)
}

// formatArgs is the right operand of -f: a collection is the argument list; engine objects are
// passed as themselves (they implement value.Object).
func formatArgs(r any) any { return r }

// splitOp is the binary -split: the right operand is the delimiter, or delimiter, max-substrings and
// options (about_Split). A script block delimiter is not modelled.
func (s *Session) splitOp(l, r any, cs bool) (any, error) {
	args := []any{r}
	if items, ok := value.List(r); ok {
		args = items
	}
	if len(args) == 0 {
		return value.Split(l, "", 0, value.SplitOptions{}, cs)
	}
	if _, ok := args[0].(*scriptBlock); ok {
		return nil, notImpl("-split with a script block delimiter")
	}
	delim := value.ToString(args[0])
	maxN := 0
	if len(args) > 1 {
		n, err := value.ToInt32(args[1])
		if err != nil {
			return nil, err
		}
		maxN = int(n)
	}
	opts := value.SplitOptions{}
	if len(args) > 2 {
		o, err := value.ParseSplitOptions(value.ToString(args[2]))
		if err != nil {
			return nil, err
		}
		opts = o
	}
	return value.Split(l, delim, maxN, opts, cs)
}

// typeOp is -is, -isnot and -as; the right operand is a type or a type name.
func (s *Session) typeOp(n syntax.Node, op string, l, r any) (any, error) {
	var t *typeInfo
	switch x := r.(type) {
	case *typeInfo:
		t = x
	case string:
		tt, err := s.resolveTypeName(x)
		if err != nil {
			return nil, err
		}
		t = tt
	default:
		return nil, s.notImplAt(n, "%s with a right operand of type %s", op, value.TypeName(r))
	}
	switch op {
	case "-is":
		return s.isType(l, t), nil
	case "-isnot":
		return !s.isType(l, t), nil
	}
	v, err := s.convertToType(l, t)
	if err != nil {
		if isNotImplemented(err) || value.IsNotModelled(err) {
			return nil, err
		}
		return nil, nil
	}
	return v, nil
}

// compareObjects handles comparisons where the left operand is an engine object with its own
// ordering or equality ([version], [guid], a type): it reports false when the value layer applies.
func (s *Session) compareObjects(op string, l, r any) (any, bool, error) {
	switch lv := l.(type) {
	case *version:
		switch op {
		case "eq", "ne", "gt", "ge", "lt", "le":
		default:
			return nil, false, nil
		}
		rv, err := toVersion(r)
		if err != nil {
			return nil, true, err
		}
		c := lv.compare(rv)
		return compareResult(op, c), true, nil
	case *typeInfo:
		if op == "eq" || op == "ne" {
			rt, ok := r.(*typeInfo)
			eq := ok && strings.EqualFold(rt.fullName, lv.fullName)
			return eq == (op == "eq"), true, nil
		}
	case timeSpan:
		switch op {
		case "eq", "ne", "gt", "ge", "lt", "le":
		default:
			return nil, false, nil
		}
		rv, err := convertTimeSpan(r)
		if err != nil {
			return nil, true, err
		}
		d := int64(lv) - int64(as[timeSpan](rv))
		c := 0
		if d < 0 {
			c = -1
		} else if d > 0 {
			c = 1
		}
		return compareResult(op, c), true, nil
	case *guidValue:
		if op == "eq" || op == "ne" {
			eq := strings.EqualFold(lv.ToString(), value.ToString(r))
			return eq == (op == "eq"), true, nil
		}
	}
	return nil, false, nil
}

func compareResult(op string, c int) bool {
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	}
	return c <= 0
}
