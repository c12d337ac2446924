package syntax

import "strings"

// Expressions (about_Operators, about_Operator_Precedence, about_Arrays, about_Hash_Tables,
// about_Properties, about_Methods, about_Script_Blocks, about_Splatting).

// parseExpression parses an expression in expression mode, or returns nil when none starts here.
func (p *parser) parseExpression() Expr {
	return p.parseBinary(1)
}

// parseBinary parses binary operators of precedence minPrec and above, left to right; operands are
// comma lists, which bind tighter than every binary operator.
func (p *parser) parseBinary(minPrec int) Expr {
	left := p.parseArrayLiteral()
	if left == nil {
		return nil
	}
	for {
		t := p.peek(modeExpression)
		if t.kind != tOperator {
			return left
		}
		prec := binaryPrecedence(t.val)
		if prec == 0 || prec < minPrec {
			return left
		}
		p.consume(t)
		p.skipNewlines()
		right := p.parseBinary(prec + 1)
		if right == nil {
			p.fail(t.end, msgExpectedValue, t.text)
		}
		b := &Binary{Op: t.val, Left: left, Right: right}
		b.Pos = left.Position()
		left = b
	}
}

// parseArrayLiteral parses unary expressions separated by commas (about_Arrays).
func (p *parser) parseArrayLiteral() Expr {
	first := p.parseUnaryOpt()
	if first == nil || p.noComma {
		return first
	}
	c := p.peek(modeExpression)
	if c.kind != tComma {
		return first
	}
	a := &ArrayLit{Elements: []Expr{first}}
	a.Pos = first.Position()
	for c.kind == tComma {
		p.consume(c)
		p.skipNewlines()
		e := p.parseUnaryOpt()
		if e == nil {
			p.fail(c.end, msgMissingAfterToken, ",")
		}
		a.Elements = append(a.Elements, e)
		c = p.peek(modeExpression)
	}
	return a
}

// parseUnaryOpt parses a unary expression: prefix operators, casts, a primary expression and a
// postfix ++ or --. It returns nil when no expression starts here.
func (p *parser) parseUnaryOpt() Expr {
	t := p.peekF(modeExpression, flagSignedNumbers)
	p.enter(t.start)
	defer p.leave()
	var e Expr
	switch {
	case (t.kind == tOperator && isUnaryOperator(t.val)) || (t.kind == tComma && !p.noComma):
		p.consume(t)
		p.skipNewlines()
		child := p.parseUnaryOpt()
		if child == nil {
			p.fail(t.end, msgMissingAfterUnary, t.text)
		}
		if t.kind == tComma {
			a := &ArrayLit{Elements: []Expr{child}}
			a.Pos = p.pos(t.start)
			e = a
		} else {
			u := &Unary{Op: t.val, Operand: child}
			u.Pos = p.pos(t.start)
			e = u
		}
	case t.kind == tLBracket:
		p.consume(t)
		e = p.parseTypeExpression(t)
	default:
		e = p.parsePrimaryOpt(modeExpression, flagSignedNumbers, true, false)
	}
	if e == nil {
		return nil
	}
	if t := p.peek(modeExpression); t.kind == tOperator && (t.val == "++" || t.val == "--") {
		p.consume(t)
		u := &Unary{Op: t.val, Operand: e, Postfix: true}
		u.Pos = e.Position()
		e = u
	}
	return e
}

// parseTypeExpression parses what follows a type literal's [: a type used as a value ([int]::MaxValue,
// -is [string]) or a cast of the unary expression after it ([int]$x, [string[]]@(...)).
func (p *parser) parseTypeExpression(open token) Expr {
	typ := p.parseTypeLiteralRest(open.start)
	if c := p.lx.peek(); c == '.' || (c == ':' && p.lx.at(p.lx.pos+1) == ':') {
		lit := &TypeLit{Type: typ}
		lit.Pos = typ.Pos
		return p.postPrimary(lit, modeExpression, false)
	}
	var operand Expr
	if n := p.peek(modeExpression); n.kind != tNewline && n.kind != tComma {
		operand = p.parseUnaryOpt()
	}
	if operand == nil {
		lit := &TypeLit{Type: typ}
		lit.Pos = typ.Pos
		return lit
	}
	if strings.EqualFold(typ.String(), "ordered") {
		if _, ok := operand.(*Hashtable); !ok {
			p.fail(open.start, msgOrderedOnlyOnHash)
		}
	}
	c := &Convert{Type: typ, Operand: operand}
	c.Pos = typ.Pos
	return c
}

// parsePrimaryOpt parses a primary expression (a value and, when member is set, the member accesses,
// calls and indexes after it), or returns nil. Splatted variables are allowed only as arguments.
func (p *parser) parsePrimaryOpt(m mode, flags scanFlags, member, allowSplat bool) Expr {
	t := p.peekF(m, flags)
	p.enter(t.start)
	defer p.leave()
	var e Expr
	switch t.kind {
	case tVariable, tSplat:
		p.consume(t)
		v := p.variable(t)
		if v.Splat && !allowSplat {
			p.fail(t.start, msgSplatInExpression, v.Name, v.Name)
		}
		if v.Splat {
			return v
		}
		e = v
	case tNumber:
		p.consume(t)
		n := t.num
		n.Pos = p.pos(t.start)
		e = &n
	case tString:
		p.consume(t)
		s := &StringLit{Value: t.val, Kind: SingleQuoted}
		if t.here {
			s.Kind = HereSingle
		}
		s.Pos = p.pos(t.start)
		e = s
	case tExpandable:
		p.consume(t)
		kind := DoubleQuoted
		if t.here {
			kind = HereDouble
		}
		e = p.expandable(t, kind)
	case tLParen:
		p.consume(t)
		e = p.parseParen(t)
	case tAtParen, tDollarParen:
		p.consume(t)
		e = p.parseSubExpression(t)
	case tAtCurly:
		p.consume(t)
		e = p.parseHashtable(t)
	case tLCurly:
		p.consume(t)
		sb := &ScriptBlockExpr{Body: p.scriptBlockAfterCurly(t)}
		sb.Pos = p.pos(t.start)
		e = sb
	default:
		return nil
	}
	if !member {
		return e
	}
	return p.postPrimary(e, m, true)
}

// postPrimary parses member accesses (.Name, ::Name), method calls and indexes written right after
// an expression, without white space between (about_Properties, about_Methods).
func (p *parser) postPrimary(e Expr, m mode, allowIndex bool) Expr {
	for {
		start := p.lx.pos
		c := p.lx.peek()
		switch {
		case c == '.' && p.lx.at(start+1) != '.':
			if m == modeCommand && endsArgument(p.lx.at(start+1)) {
				return e
			}
			p.lx.pos++
			e = p.parseMember(e, start, false)
		case c == ':' && p.lx.at(start+1) == ':':
			if m == modeCommand && endsArgument(p.lx.at(start+2)) {
				return e
			}
			p.lx.pos += 2
			e = p.parseMember(e, start, true)
		case c == '[' && allowIndex:
			p.lx.pos++
			e = p.parseIndex(e, start)
		case c == '?' && (p.lx.at(start+1) == '.' || p.lx.at(start+1) == '['):
			p.unsupported(start, "the ?. and ?[] operators (PowerShell 7)")
		default:
			return e
		}
		allowIndex = true
	}
}

func endsArgument(c rune) bool { return c == eof || isSpace(c) || isNewline(c) }

// parseMember parses the member name after . or :: and a call's arguments when ( or { follows.
func (p *parser) parseMember(target Expr, opStart int, static bool) Expr {
	p.skipNewlines()
	var name Expr
	t := p.peekF(modeExpression, flagSimpleName)
	switch {
	case t.kind == tIdentifier:
		p.consume(t)
		s := &StringLit{Value: t.text, Kind: BareWord}
		s.Pos = p.pos(t.start)
		name = s
	case (t.kind == tOperator && isUnaryOperator(t.val)) || t.kind == tLBracket:
		name = p.parseUnaryOpt()
	default:
		name = p.parsePrimaryOpt(modeExpression, flagSimpleName, false, false)
	}
	if name == nil {
		p.fail(opStart+1, msgMissingPropertyName)
	}
	switch p.lx.peek() {
	case '(':
		p.lx.pos++
		call := &InvokeMember{Target: target, Name: name, Static: static, Args: p.parseInvokeArgs(p.lx.pos - 1)}
		call.Pos = target.Position()
		return call
	case '{':
		lc := p.next(modeCommand)
		arg := &ScriptBlockExpr{Body: p.scriptBlockAfterCurly(lc)}
		arg.Pos = p.pos(lc.start)
		call := &InvokeMember{Target: target, Name: name, Static: static, Args: []Expr{arg}}
		call.Pos = target.Position()
		return call
	}
	mem := &Member{Target: target, Name: name, Static: static}
	mem.Pos = target.Position()
	return mem
}

// parseInvokeArgs parses a method call's arguments after its (: expressions separated by commas.
func (p *parser) parseInvokeArgs(open int) []Expr {
	saveComma := p.noComma
	p.noComma = true
	defer func() { p.noComma = saveComma }()
	var args []Expr
	for {
		p.skipNewlines()
		a := p.parseExpression()
		if a == nil {
			if len(args) > 0 {
				p.fail(p.peek(modeExpression).start, msgMissingAfterToken, ",")
			}
			break
		}
		args = append(args, a)
		p.skipNewlines()
		c := p.peek(modeExpression)
		if c.kind != tComma {
			break
		}
		p.consume(c)
	}
	p.skipNewlines()
	if t := p.peek(modeExpression); t.kind != tRParen {
		off := t.start
		if len(args) == 0 {
			off = open + 1
		}
		p.fail(off, msgMissingEndParenMethod)
	} else {
		p.consume(t)
	}
	return args
}

// parseIndex parses [index] after an expression.
func (p *parser) parseIndex(target Expr, open int) Expr {
	saveComma := p.noComma
	p.noComma = false
	defer func() { p.noComma = saveComma }()
	p.skipNewlines()
	idx := p.parseExpression()
	if idx == nil {
		p.fail(open+1, msgMissingIndex)
	}
	p.skipNewlines()
	p.expect(modeExpression, tRBracket, -1, msgMissingEndBracket)
	ix := &Index{Target: target, Index: idx}
	ix.Pos = target.Position()
	return ix
}

// parseParen parses ( pipeline ) after its (.
func (p *parser) parseParen(open token) Expr {
	saveComma := p.noComma
	p.noComma = false
	defer func() { p.noComma = saveComma }()
	p.skipNewlines()
	s := p.parsePipelineStatementOpt()
	if s == nil {
		p.fail(open.end, msgExpectedExpression)
	}
	p.skipNewlines()
	p.expect(modeCommand, tRParen, -1, msgMissingEndParenExpr)
	e := &Paren{Statement: s}
	e.Pos = p.pos(open.start)
	return e
}

// parseSubExpression parses $( statements ) or @( statements ) after the opening token.
func (p *parser) parseSubExpression(open token) Expr {
	saveComma := p.noComma
	p.noComma = false
	defer func() { p.noComma = saveComma }()
	stmts := p.parseStatementList()
	p.expect(modeCommand, tRParen, -1, msgMissingEndParenSub)
	if open.kind == tAtParen {
		a := &ArrayExpr{Statements: stmts}
		a.Pos = p.pos(open.start)
		return a
	}
	s := &SubExpr{Statements: stmts}
	s.Pos = p.pos(open.start)
	return s
}

// parseHashtable parses @{ key = statement; ... } after its @{. Entries are separated by newlines or
// semicolons; keys are simple names or unary expressions (strings, numbers, variables).
func (p *parser) parseHashtable(open token) Expr {
	saveComma := p.noComma
	defer func() { p.noComma = saveComma }()
	h := &Hashtable{}
	h.Pos = p.pos(open.start)
	p.skipNewlines()
	for {
		var key Expr
		if t := p.peekF(modeExpression, flagSimpleName); t.kind == tIdentifier {
			p.consume(t)
			s := &StringLit{Value: t.text, Kind: BareWord}
			s.Pos = p.pos(t.start)
			key = s
		} else if t.kind != tNewline && t.kind != tSemi {
			p.noComma = true
			key = p.parseUnaryOpt()
		}
		if key == nil {
			break
		}
		eq := p.peek(modeExpression)
		if eq.kind != tOperator || eq.val != "=" {
			p.fail(eq.start, msgMissingEquals)
		}
		p.consume(eq)
		p.noComma = false
		p.skipNewlines()
		value := p.parseStatementOpt()
		if value == nil {
			p.fail(eq.end, msgMissingHashStatement)
		}
		h.Entries = append(h.Entries, HashEntry{Key: key, Value: value})
		if t := p.peek(modeCommand); t.kind != tNewline && t.kind != tSemi {
			break
		}
		p.skipNewlinesAndSemis()
	}
	p.expect(modeCommand, tRCurly, -1, msgMissingEndCurly)
	return h
}

// variable turns a variable token into a node, refusing what winsim does not implement.
func (p *parser) variable(t token) *Variable {
	v := &Variable{Scope: t.scope, Name: t.val, Splat: t.kind == tSplat, Braced: t.braced}
	v.Pos = p.pos(t.start)
	if strings.EqualFold(v.Scope, "using") {
		p.unsupported(t.start, "the using: scope modifier")
	}
	if !v.Braced && v.Name != "?" && strings.Contains(v.Name, "?") {
		p.unsupported(t.start, "variable names containing '?' ($"+v.Name+"): in 5.1 '$x?.y' reads a variable named 'x?', in PowerShell 7 it is the ?. operator")
	}
	return v
}

// expandable turns an expandable string or bare word into a node: a *StringLit when nothing expands,
// otherwise an *ExpandableString of its parts.
func (p *parser) expandable(t token, kind StringKind) Expr {
	if t.parts == nil {
		s := &StringLit{Value: t.val, Kind: kind}
		s.Pos = p.pos(t.start)
		return s
	}
	es := &ExpandableString{Kind: kind}
	es.Pos = p.pos(t.start)
	for _, part := range t.parts {
		switch {
		case part.variable != nil:
			es.Parts = append(es.Parts, p.variable(*part.variable))
		case part.sub:
			sub := &parser{lx: newLexer(p.lx.src, p.lx.lineStarts, part.subStart, part.subEnd), depth: p.depth}
			stmts := sub.parseStatementList()
			if n := sub.peek(modeCommand); n.kind != tEOF {
				sub.fail(n.start, msgUnexpectedToken, n.text)
			}
			s := &SubExpr{Statements: stmts}
			s.Pos = p.pos(part.pos)
			es.Parts = append(es.Parts, s)
		default:
			s := &StringLit{Value: part.lit, Kind: StringPiece}
			s.Pos = p.pos(part.pos)
			es.Parts = append(es.Parts, s)
		}
	}
	return es
}
