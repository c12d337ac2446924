package engine

import (
	"errors"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Statements (about_If, about_While, about_Do, about_For, about_Foreach, about_Break,
// about_Continue, about_Return, about_Throw, about_Try_Catch_Finally, about_Functions,
// about_Assignment_Operators).

func (s *Session) execBody(sb *syntax.ScriptBlock, _ []any) error {
	return s.execStmts(sb.Statements)
}

func (s *Session) execBlock(b *syntax.Block) error {
	if b == nil {
		return nil
	}
	return s.execStmts(b.Statements)
}

func (s *Session) execStmts(list []syntax.Statement) error {
	for _, st := range list {
		if err := s.step(); err != nil {
			return err
		}
		if err := s.execStmt(st); err != nil {
			if err = s.statementError(err); err != nil {
				return err
			}
		}
	}
	return nil
}

// statementError applies 5.1's handling of a terminating error at a statement boundary. Outside any
// try, an error that terminates a statement (a .NET method's exception, a conversion, a command not
// found, a parameter binding error, a cmdlet's terminating error) is reported and the script goes on
// with the next statement; $ErrorActionPreference Stop makes it end the script. throw and an error
// escalated by an ActionPreference of Stop end the script, except that $ErrorActionPreference
// SilentlyContinue or Ignore also silences throw. Inside a try (dynamically, in any caller) every
// terminating error goes to the catch. (about_Try_Catch_Finally; about_Throw;
// about_Preference_Variables "$ErrorActionPreference"; inferred from 5.1's
// ExceptionHandlingOps.CheckActionPreference for the statement-level rule.)
func (s *Session) statementError(err error) error {
	var pe *psError
	if !errors.As(err, &pe) {
		return err
	}
	if pe.scriptTerminating || s.tryDepth > 0 {
		return err
	}
	pref := s.preference("ErrorActionPreference", "Continue")
	if pe.fromThrow && pref != "SilentlyContinue" && pref != "Ignore" {
		return err
	}
	switch pref {
	case "Stop":
		pe.scriptTerminating = true
		return pe
	case "Inquire", "Suspend":
		return notImpl("$ErrorActionPreference = '%s'", pref)
	}
	s.lastOK = false
	if pref == "Ignore" {
		return nil
	}
	s.addError(pe.rec)
	if pref == "Continue" {
		return s.st.err(pe.rec)
	}
	return nil
}

func (s *Session) execStmt(st syntax.Statement) error {
	s.pos = st.Position()
	s.command = ""
	switch x := st.(type) {
	case *syntax.Pipeline:
		return s.execPipeline(x)
	case *syntax.Assignment:
		return s.execAssignment(x)
	case *syntax.If:
		return s.execIf(x)
	case *syntax.While:
		return s.execWhile(x)
	case *syntax.DoLoop:
		return s.execDo(x)
	case *syntax.For:
		return s.execFor(x)
	case *syntax.Foreach:
		return s.execForeach(x)
	case *syntax.Try:
		return s.execTry(x)
	case *syntax.Throw:
		return s.execThrow(x)
	case *syntax.Return:
		if x.Value != nil {
			if err := s.execOutput(x.Value); err != nil {
				return err
			}
		}
		return &returnFlow{}
	case *syntax.Exit:
		return s.execExit(x)
	case *syntax.Break:
		return &breakFlow{}
	case *syntax.Continue:
		return &continueFlow{}
	case *syntax.FunctionDef:
		return s.defineFunction(x)
	}
	return s.notImplAt(st, "the statement %T", st)
}

// execOutput runs a statement whose output goes to the current pipeline (return's value).
func (s *Session) execOutput(st syntax.Statement) error {
	if a, ok := st.(*syntax.Assignment); ok {
		return s.execAssignment(a)
	}
	return s.execStmt(st)
}

// collectStatement runs a statement and returns what it wrote to the success stream.
func (s *Session) collectStatement(st syntax.Statement) ([]any, error) {
	var out []any
	err := s.withOut(func(v any) error { out = append(out, v); return nil }, func() error {
		return s.execStmt(st)
	})
	return out, err
}

// collectStatements runs a statement list ($( ), @( )) and returns its output; statement-level
// errors are handled inside as in any statement list.
func (s *Session) collectStatements(list []syntax.Statement) ([]any, error) {
	var out []any
	err := s.withOut(func(v any) error { out = append(out, v); return nil }, func() error {
		return s.execStmts(list)
	})
	if out == nil {
		out = []any{}
	}
	return out, err
}

// withOut runs fn with the success stream replaced.
func (s *Session) withOut(out func(any) error, fn func() error) error {
	saved := s.st
	st := *saved
	st.out = out
	s.st = &st
	defer func() { s.st = saved }()
	return fn()
}

func (s *Session) condition(st syntax.Statement) (bool, error) {
	v, _, err := s.valueOf(st)
	if err != nil {
		return false, err
	}
	return value.ToBool(v), nil
}

func (s *Session) execIf(x *syntax.If) error {
	for _, c := range x.Clauses {
		ok, err := s.condition(c.Cond)
		if err != nil {
			return err
		}
		if ok {
			return s.execBlock(c.Body)
		}
	}
	return s.execBlock(x.Else)
}

// loopBody runs one iteration and tells the loop what to do: stop (break, or an error) or go on.
func (s *Session) loopBody(b *syntax.Block) (stop bool, err error) {
	if err := s.step(); err != nil {
		return true, err
	}
	err = s.execBlock(b)
	var (
		br *breakFlow
		co *continueFlow
	)
	switch {
	case err == nil:
		return false, nil
	case errors.As(err, &br):
		return true, nil
	case errors.As(err, &co):
		return false, nil
	}
	return true, err
}

func (s *Session) execWhile(x *syntax.While) error {
	for {
		ok, err := s.condition(x.Cond)
		if err != nil || !ok {
			return err
		}
		if stop, err := s.loopBody(x.Body); stop {
			return err
		}
	}
}

func (s *Session) execDo(x *syntax.DoLoop) error {
	for {
		if stop, err := s.loopBody(x.Body); stop {
			return err
		}
		ok, err := s.condition(x.Cond)
		if err != nil {
			return err
		}
		if ok == x.Until {
			return nil
		}
	}
}

func (s *Session) execFor(x *syntax.For) error {
	if x.Init != nil {
		if err := s.execDiscard(x.Init); err != nil {
			return err
		}
	}
	for {
		if x.Cond != nil {
			ok, err := s.condition(x.Cond)
			if err != nil || !ok {
				return err
			}
		}
		if stop, err := s.loopBody(x.Body); stop {
			return err
		}
		if x.Iter != nil {
			if err := s.execDiscard(x.Iter); err != nil {
				return err
			}
		}
	}
}

// execDiscard runs for's init and iterator parts, whose output is discarded (about_For: for
// (($i = 0), ($j = 0); ...; $i++, $j++) writes nothing).
func (s *Session) execDiscard(st syntax.Statement) error {
	return s.withOut(func(any) error { return nil }, func() error { return s.execStmt(st) })
}

func (s *Session) execForeach(x *syntax.Foreach) error {
	var items []any
	if e, ok := directExpr(x.Collection); ok {
		v, err := s.evalPipelineInput(e)
		if err != nil {
			return err
		}
		items = v
		if len(items) == 1 && items[0] == nil {
			// about_Foreach: foreach over $null runs no iteration (PowerShell 3.0 and later).
			items = nil
		}
	} else {
		v, err := s.collectStatement(x.Collection)
		if err != nil {
			return err
		}
		items = v
	}
	// $foreach is the loop's enumerator (about_Automatic_Variables "$foreach"): a MoveNext() in the
	// body skips an element.
	en := &foreachEnum{items: items, pos: -1}
	fv := s.cur.local("foreach")
	savedFE := fv.value
	defer func() { fv.value = savedFE }()
	for {
		fv.value = en
		if !en.moveNext() {
			return nil
		}
		if err := s.assignVariable(x.Variable, en.current(), false); err != nil {
			return err
		}
		if stop, err := s.loopBody(x.Body); stop {
			return err
		}
	}
}

func (s *Session) execTry(x *syntax.Try) error {
	s.tryDepth++
	err := s.execBlock(x.Body)
	s.tryDepth--
	var pe *psError
	if errors.As(err, &pe) {
		for _, c := range x.Catches {
			match, merr := s.catchMatches(c, pe.rec)
			if merr != nil {
				err = merr
				break
			}
			if !match {
				continue
			}
			s.addError(pe.rec)
			under := s.cur.local("_")
			saved, savedAuto := under.value, under.autoNull
			under.value, under.autoNull = pe.rec, false
			s.catching = append(s.catching, pe.rec)
			err = s.execBlock(c.Body)
			s.catching = s.catching[:len(s.catching)-1]
			under.value, under.autoNull = saved, savedAuto
			break
		}
	}
	if x.Finally != nil {
		var le *limitError
		var ni *NotImplementedError
		if errors.As(err, &le) || errors.As(err, &ni) {
			return err
		}
		if ferr := s.execBlock(x.Finally); ferr != nil {
			return ferr
		}
	}
	return err
}

// catchMatches reports whether a catch clause takes an error: no types takes all; otherwise one of
// the types is the exception's type or one of its base types (about_Try_Catch_Finally). An error an
// ActionPreference of Stop escalated also matches [System.Management.Automation.ActionPreferenceStopException]
// (inferred: the record caught is the original one, whose type the clause is compared with first).
func (s *Session) catchMatches(c *syntax.Catch, rec *ErrorRecord) (bool, error) {
	if len(c.Types) == 0 {
		return true, nil
	}
	for _, t := range c.Types {
		full, ok := knownExceptionType(t.String())
		if !ok {
			ti, err := s.resolveType(t)
			if err != nil {
				return false, err
			}
			full = ti.fullName
		}
		// The exception's type and base types, then its inner exceptions' (a MethodInvocationException
		// is caught by catch [System.FormatException] when the method threw one).
		for ex := rec.Exception; ex != nil; ex = ex.Inner {
			for _, have := range ex.Types {
				if strings.EqualFold(have, full) {
					return true, nil
				}
			}
		}
		if rec.stopped && strings.EqualFold(full, "System.Management.Automation.ActionPreferenceStopException") {
			return true, nil
		}
	}
	return false, nil
}

func (s *Session) execThrow(x *syntax.Throw) error {
	var v any
	if x.Value != nil {
		val, _, err := s.valueOf(x.Value)
		if err != nil {
			return err
		}
		v = val
	}
	s.pos = x.Pos
	s.command = ""
	var rec *ErrorRecord
	if x.Value == nil && len(s.catching) > 0 {
		// throw without a value in a catch block rethrows the error being handled (about_Throw).
		rec = s.catching[len(s.catching)-1]
		return &psError{rec: rec, fromThrow: true}
	}
	switch t := unwrapRef(v).(type) {
	case *ErrorRecord:
		rec = t
	case *Exception:
		if t.record != nil {
			rec = t.record
		} else {
			rec = &ErrorRecord{Exception: t, FullyQualifiedErrorId: t.Message, Category: "OperationStopped"}
		}
	case nil:
		rec = newRecord("System.Management.Automation.RuntimeException", "ScriptHalted", "ScriptHalted", "OperationStopped", nil)
	default:
		msg := s.str(v)
		rec = newRecord("System.Management.Automation.RuntimeException", msg, msg, "OperationStopped", v)
	}
	s.stamp(rec)
	return &psError{rec: rec, fromThrow: true}
}

func (s *Session) execExit(x *syntax.Exit) error {
	code := 0
	if x.Value != nil {
		v, _, err := s.valueOf(x.Value)
		if err != nil {
			return err
		}
		if v != nil {
			n, err := value.ToInt32(v)
			if err != nil {
				return s.terminating(err)
			}
			code = int(n)
		}
	}
	return &exitFlow{code: code}
}

func (s *Session) defineFunction(x *syntax.FunctionDef) error {
	name := x.Name
	sc := s.cur
	if i := strings.IndexByte(name, ':'); i > 0 {
		q, ok := s.scopeFor(name[:i])
		if !ok {
			return s.notImplAt(x, "the function name qualifier %s", name[:i])
		}
		sc, name = q, name[i+1:]
	}
	params := x.Params
	if x.Body.Params != nil {
		params = x.Body.Params.Params
	}
	sc.setFunc(&function{name: name, params: params, body: x.Body, src: s.src})
	return nil
}

// execAssignment is = and the compound assignments (about_Assignment_Operators). The value of the
// right side is taken as it is when it is a single expression; a pipeline's output is collected:
// nothing is $null, one object itself, more an object[].
func (s *Session) execAssignment(a *syntax.Assignment) error {
	s.pos = a.Pos
	if a.Op == "=" {
		v, autoNull, err := s.valueOf(a.Value)
		if err != nil {
			return err
		}
		if list, ok := a.Target.(*syntax.ArrayLit); ok {
			return s.assignList(list, v)
		}
		if err := s.assignWithNull(a.Target, v, autoNull); err != nil {
			return err
		}
		if _, direct := directExpr(a.Value); direct {
			s.lastOK = true
		}
		return nil
	}
	cur, err := s.compoundCurrent(a.Target)
	if err != nil {
		return err
	}
	rhs, _, err := s.valueOf(a.Value)
	if err != nil {
		return err
	}
	s.pos = a.Pos
	op := strings.TrimSuffix(a.Op, "=")
	nv, err := s.binaryOp(a, op, cur, rhs)
	if err != nil {
		return s.terminating(err)
	}
	return s.assignTo(a.Target, nv)
}

// compoundCurrent is the current value a compound assignment (+=, ++, ...) starts from. For an
// unqualified variable only the current scope is read: in a child scope $x += 1 starts from $null
// when $x is the parent's (about_Assignment_Operators, "Using compound assignment operators").
func (s *Session) compoundCurrent(target syntax.Expr) (any, error) {
	if v, ok := target.(*syntax.Variable); ok && v.Scope == "" && !v.Splat {
		if vr, ok := s.cur.vars[varKey(v.Name)]; ok {
			return vr.value, nil
		}
		switch strings.ToLower(v.Name) {
		case "null", "true", "false":
			return s.eval(v)
		}
		return nil, nil
	}
	return s.eval(target)
}

// assignList is $a, $b = values: each target takes one element, the last the rest.
func (s *Session) assignList(list *syntax.ArrayLit, v any) error {
	items := []any{v}
	if l, ok := value.List(v); ok {
		items = l
	}
	for i, t := range list.Elements {
		var x any
		switch {
		case i == len(list.Elements)-1 && len(items) > i+1:
			x = value.Array(append([]any{}, items[i:]...))
		case i < len(items):
			x = items[i]
		}
		if err := s.assignTo(t, x); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) assignTo(target syntax.Expr, v any) error {
	return s.assignWithNull(target, v, false)
}

func (s *Session) assignWithNull(target syntax.Expr, v any, autoNull bool) error {
	switch t := target.(type) {
	case *syntax.Variable:
		return s.assignVariable(t, v, autoNull)
	case *syntax.Convert:
		vx, ok := t.Operand.(*syntax.Variable)
		if !ok {
			return s.notImplAt(target, "assignment to a cast of %T", t.Operand)
		}
		return s.assignTyped(vx, t.Type, v)
	case *syntax.Member:
		return s.setMember(t, v)
	case *syntax.Index:
		return s.setIndex(t, v)
	case *syntax.Paren:
		if e, ok := directExpr(t.Statement); ok {
			return s.assignWithNull(e, v, autoNull)
		}
	}
	return s.notImplAt(target, "assignment to %T", target)
}

func (s *Session) assignVariable(x *syntax.Variable, v any, autoNull bool) error {
	if x.Splat {
		return s.notImplAt(x, "assignment to @%s", x.Name)
	}
	switch strings.ToLower(x.Scope) {
	case "env":
		s.envSet(x.Name, v)
		return nil
	case "", "local", "private", "global", "script", "variable":
	default:
		return s.notImplAt(x, "assignment to $%s:%s", x.Scope, x.Name)
	}
	if strings.EqualFold(x.Name, "null") && x.Scope == "" {
		return nil
	}
	sc, _ := s.scopeFor(x.Scope)
	if strings.EqualFold(x.Scope, "variable") {
		sc = s.cur
	}
	return s.assignVar(sc, x.Name, v, autoNull)
}

// assignTyped is [T]$x = v: the variable gets the type constraint, and later assignments convert.
func (s *Session) assignTyped(x *syntax.Variable, tn *syntax.TypeName, v any) error {
	sc, ok := s.scopeFor(x.Scope)
	if !ok {
		return s.notImplAt(x, "a typed assignment to $%s:%s", x.Scope, x.Name)
	}
	t, err := s.resolveType(tn)
	if err != nil {
		return err
	}
	vr := sc.local(x.Name)
	vr.typ = t.fullName
	vr.conv = func(a any) (any, error) { return s.convertToType(a, t) }
	return s.storeVar(vr, v, false)
}
