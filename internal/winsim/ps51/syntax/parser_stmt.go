package syntax

// Compound and flow-control statements and function definitions (about_If, about_While, about_Do,
// about_For, about_Foreach, about_Try_Catch_Finally, about_Break, about_Continue, about_Return,
// about_Throw, about_Functions).

func (p *parser) parseIf(kw token) Statement {
	s := &If{}
	s.Pos = p.pos(kw.start)
	p.consume(kw)
	for {
		p.skipNewlines()
		p.expect(modeCommand, tLParen, kw.end, msgMissingOpenParenIf, kw.val)
		p.skipNewlines()
		cond := p.parsePipelineStatementOpt()
		if cond == nil {
			p.fail(p.peek(modeCommand).start, msgIfMissingCondition, kw.val)
		}
		p.skipNewlines()
		p.expect(modeCommand, tRParen, -1, msgMissingEndParenAfter, kw.val)
		p.skipNewlines()
		body, ok := p.parseBlock()
		if !ok {
			p.fail(p.peek(modeCommand).start, msgMissingStatementBlock, kw.val)
		}
		s.Clauses = append(s.Clauses, IfClause{Cond: cond, Body: body})
		save := p.lx.pos
		p.skipNewlines()
		next := p.peek(modeCommand)
		if next.kind == tKeyword && next.val == "elseif" {
			p.consume(next)
			kw = next
			continue
		}
		if next.kind == tKeyword && next.val == "else" {
			p.consume(next)
			p.skipNewlines()
			if s.Else, ok = p.parseBlock(); !ok {
				p.fail(p.peek(modeCommand).start, msgMissingElseBlock)
			}
			return s
		}
		p.lx.pos = save
		return s
	}
}

// parseCondition parses ( pipeline ) after a loop keyword.
func (p *parser) parseCondition(kw token) Statement {
	p.skipNewlines()
	p.expect(modeCommand, tLParen, kw.end, msgMissingOpenParenKeyword, kw.val)
	p.skipNewlines()
	cond := p.parsePipelineStatementOpt()
	if cond == nil {
		p.fail(p.peek(modeCommand).start, msgMissingAfterToken, kw.val+" (")
	}
	p.skipNewlines()
	p.expect(modeCommand, tRParen, -1, msgMissingEndParenAfter, kw.val)
	return cond
}

func (p *parser) loopBody(kw string) *Block {
	p.skipNewlines()
	body, ok := p.parseBlock()
	if !ok {
		p.fail(p.peek(modeCommand).start, msgMissingLoopStatement, kw)
	}
	return body
}

func (p *parser) parseWhile(kw token) Statement {
	p.consume(kw)
	s := &While{Cond: p.parseCondition(kw)}
	s.Pos = p.pos(kw.start)
	s.Body = p.loopBody("while")
	return s
}

func (p *parser) parseDo(kw token) Statement {
	p.consume(kw)
	s := &DoLoop{Body: p.loopBody("do")}
	s.Pos = p.pos(kw.start)
	p.skipNewlines()
	w := p.peek(modeCommand)
	if w.kind != tKeyword || (w.val != "while" && w.val != "until") {
		p.fail(w.start, msgMissingWhileOrUntil)
	}
	p.consume(w)
	s.Until = w.val == "until"
	s.Cond = p.parseCondition(w)
	return s
}

func (p *parser) parseFor(kw token) Statement {
	p.consume(kw)
	s := &For{}
	s.Pos = p.pos(kw.start)
	p.skipNewlines()
	p.expect(modeCommand, tLParen, kw.end, msgMissingOpenParenKeyword, kw.val)
	parts := []*Statement{&s.Init, &s.Cond, &s.Iter}
	for i, part := range parts {
		p.skipNewlines()
		*part = p.parsePipelineStatementOpt()
		p.skipNewlines()
		if i < len(parts)-1 {
			if semi := p.peek(modeCommand); semi.kind == tSemi {
				p.consume(semi)
			}
		}
	}
	p.skipNewlines()
	p.expect(modeCommand, tRParen, -1, msgMissingForEndParen)
	s.Body = p.loopBody("for")
	return s
}

func (p *parser) parseForeach(kw token) Statement {
	p.consume(kw)
	s := &Foreach{}
	s.Pos = p.pos(kw.start)
	p.skipNewlines()
	if t := p.peek(modeCommand); t.kind == tParameter {
		p.unsupported(t.start, "foreach -parallel (workflows)")
	}
	p.expect(modeCommand, tLParen, kw.end, msgMissingOpenParenKeyword, kw.val)
	p.skipNewlines()
	v := p.peek(modeExpression)
	if v.kind != tVariable {
		p.fail(v.start, msgMissingForeachVariable)
	}
	p.consume(v)
	s.Variable = p.variable(v)
	p.skipNewlines()
	in := p.peek(modeCommand)
	if in.kind != tKeyword || in.val != "in" {
		p.fail(in.start, msgMissingForeachIn)
	}
	p.consume(in)
	p.skipNewlines()
	if s.Collection = p.parsePipelineStatementOpt(); s.Collection == nil {
		p.fail(p.peek(modeCommand).start, msgMissingForeachExpr)
	}
	p.skipNewlines()
	p.expect(modeCommand, tRParen, -1, msgMissingForeachEndParen)
	p.skipNewlines()
	var ok bool
	if s.Body, ok = p.parseBlock(); !ok {
		p.fail(p.peek(modeCommand).start, msgMissingForeachBody)
	}
	return s
}

func (p *parser) parseTry(kw token) Statement {
	p.consume(kw)
	s := &Try{}
	s.Pos = p.pos(kw.start)
	p.skipNewlines()
	var ok bool
	if s.Body, ok = p.parseBlock(); !ok {
		p.fail(p.peek(modeCommand).start, msgMissingTryBlock)
	}
	for {
		save := p.lx.pos
		p.skipNewlines()
		c := p.peek(modeCommand)
		if c.kind != tKeyword || c.val != "catch" {
			p.lx.pos = save
			break
		}
		p.consume(c)
		if n := len(s.Catches); n > 0 && len(s.Catches[n-1].Types) == 0 {
			p.fail(s.Catches[n-1].Pos.Offset, msgEmptyCatchNotLast)
		}
		s.Catches = append(s.Catches, p.parseCatch(c))
	}
	save := p.lx.pos
	p.skipNewlines()
	if f := p.peek(modeCommand); f.kind == tKeyword && f.val == "finally" {
		p.consume(f)
		p.skipNewlines()
		if s.Finally, ok = p.parseBlock(); !ok {
			p.fail(p.peek(modeCommand).start, msgMissingFinallyBlock)
		}
	} else {
		p.lx.pos = save
	}
	if len(s.Catches) == 0 && s.Finally == nil {
		p.fail(p.lx.pos, msgMissingCatchOrFinally)
	}
	return s
}

// parseCatch parses the rest of catch [T1], [T2] { }.
func (p *parser) parseCatch(kw token) *Catch {
	c := &Catch{}
	c.Pos = p.pos(kw.start)
	for {
		p.skipNewlines()
		p.skipSpace()
		if p.lx.peek() != '[' {
			break
		}
		open := p.lx.pos
		p.lx.pos++
		c.Types = append(c.Types, p.parseTypeLiteralRest(open))
		p.skipNewlines()
		if t := p.peek(modeCommand); t.kind == tComma {
			p.consume(t)
			continue
		}
		break
	}
	p.skipNewlines()
	var ok bool
	if c.Body, ok = p.parseBlock(); !ok {
		p.fail(p.peek(modeCommand).start, msgMissingCatchBlock)
	}
	return c
}

// skipSpace skips white space and comments (not newlines) before a character-level check.
func (p *parser) skipSpace() {
	t := p.peek(modeExpression)
	p.lx.pos = t.start
}

func (p *parser) parseFlow(kw token) Statement {
	p.consume(kw)
	value := p.parsePipelineStatementOpt()
	var n stmtNode
	n.Pos = p.pos(kw.start)
	switch kw.val {
	case "return":
		return &Return{stmtNode: n, Value: value}
	case "throw":
		return &Throw{stmtNode: n, Value: value}
	}
	return &Exit{stmtNode: n, Value: value}
}

func (p *parser) parseBreak(kw token) Statement {
	p.consume(kw)
	switch t := p.peek(modeCommand); t.kind {
	case tEOF, tNewline, tSemi, tRCurly, tRParen, tPipe:
	default:
		p.unsupported(t.start, kw.val+" with a label")
	}
	if kw.val == "break" {
		s := &Break{}
		s.Pos = p.pos(kw.start)
		return s
	}
	s := &Continue{}
	s.Pos = p.pos(kw.start)
	return s
}

func (p *parser) parseFunction(kw token) Statement {
	p.consume(kw)
	p.skipNewlines()
	name := p.peek(modeCommand)
	switch name.kind {
	case tPipe, tLParen, tLCurly, tAtParen, tAtCurly, tRCurly, tRParen, tEOF, tSemi, tNewline, tRedirection,
		tAndAnd, tOrOr, tAmpersand, tVariable, tSplat, tString, tExpandable:
		p.fail(kw.end, msgMissingFunctionName, kw.val)
	}
	p.consume(name)
	f := &FunctionDef{Name: name.text}
	if name.kind == tGeneric {
		if name.parts != nil {
			p.unsupported(name.start, "function names with $variables in them")
		}
		f.Name = name.val
	}
	f.Pos = p.pos(kw.start)
	p.skipNewlines()
	if lp := p.peek(modeCommand); lp.kind == tLParen {
		p.consume(lp)
		f.Params = p.parseParameterList()
		p.skipNewlines()
		p.expect(modeExpression, tRParen, -1, msgMissingEndParenParams)
		p.skipNewlines()
	}
	lc := p.peek(modeCommand)
	if lc.kind != tLCurly {
		p.fail(lc.start, msgMissingFunctionBody)
	}
	p.consume(lc)
	f.Body = p.scriptBlockAfterCurly(lc)
	if f.Params != nil && f.Body.Params != nil {
		p.fail(f.Body.Params.Pos.Offset, "A function cannot have both a parameter list and a param block.")
	}
	return f
}

// parseParameterList parses [type]$name = default, ... inside ( ) (function Name(...) or param(...)).
func (p *parser) parseParameterList() []*Parameter {
	var out []*Parameter
	saveComma := p.noComma
	p.noComma = true
	defer func() { p.noComma = saveComma }()
	for {
		p.skipNewlines()
		start := p.peek(modeExpression)
		param := &Parameter{}
		param.Pos = p.pos(start.start)
		for t := p.peek(modeExpression); t.kind == tLBracket; t = p.peek(modeExpression) {
			p.consume(t)
			typ := p.parseTypeLiteralRest(t.start)
			if param.Type != nil {
				p.unsupported(t.start, "more than one type constraint on a parameter")
			}
			param.Type = typ
			p.skipNewlines()
		}
		v := p.peek(modeExpression)
		if v.kind != tVariable {
			if param.Type != nil || len(out) > 0 {
				p.fail(v.start, msgInvalidParameter)
			}
			return out
		}
		p.consume(v)
		param.Variable = p.variable(v)
		p.skipNewlines()
		if eq := p.peek(modeExpression); eq.kind == tOperator && eq.val == "=" {
			p.consume(eq)
			p.skipNewlines()
			if param.Default = p.parseExpression(); param.Default == nil {
				p.fail(eq.end, msgMissingAfterToken, "=")
			}
		}
		out = append(out, param)
		p.skipNewlines()
		c := p.peek(modeExpression)
		if c.kind != tComma {
			return out
		}
		p.consume(c)
	}
}

// scriptBlockAfterCurly parses a script block body after its { and consumes the closing }.
func (p *parser) scriptBlockAfterCurly(lc token) *ScriptBlock {
	saveComma := p.noComma
	p.noComma = false
	defer func() { p.noComma = saveComma }()
	sb := p.parseScriptBlockBody(lc.start)
	p.expect(modeCommand, tRCurly, -1, msgMissingEndCurly)
	sb.End = p.pos(p.lx.pos)
	return sb
}
