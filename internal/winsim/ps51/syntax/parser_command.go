package syntax

// Pipelines, commands and redirections (about_Pipelines, about_Command_Syntax, about_Parameters,
// about_Redirection, about_Splatting, about_Parsing for argument mode).

// parsePipelineStatementOpt parses a pipeline or an assignment, or returns nil when none starts here.
func (p *parser) parsePipelineStatementOpt() Statement {
	switch p.peek(modeCommand).kind {
	case tEOF, tNewline, tSemi, tRCurly, tRParen:
		return nil
	}
	return p.parsePipelineStatement()
}

// parsePipelineStatement parses an assignment (expression, assignment operator, statement) or a
// pipeline. As in PowerShell, it first tries an expression, in expression mode; when none starts
// here the pipeline starts with a command, read in argument mode.
func (p *parser) parsePipelineStatement() Statement {
	p.enter(p.lx.pos)
	defer p.leave()
	expr := p.parseExpression()
	if expr != nil {
		if t := p.peek(modeExpression); t.kind == tOperator && isAssignmentOperator(t.val) {
			p.consume(t)
			p.checkAssignable(expr, t.val)
			p.skipNewlines()
			value := p.parseStatementOpt()
			if value == nil {
				p.fail(t.end, msgExpectedValue, t.text)
			}
			a := &Assignment{Target: expr, Op: t.val, Value: value}
			a.Pos = expr.Position()
			return a
		}
	}
	return p.parsePipeline(expr)
}

// checkAssignable applies 5.1's rule for the left of an assignment: a variable, a property, an
// element, a cast of one of these, or (for =) a list of them.
func (p *parser) checkAssignable(e Expr, op string) {
	switch x := e.(type) {
	case *Variable:
		if !x.Splat {
			return
		}
	case *Member, *Index:
		return
	case *Convert:
		if _, ok := x.Operand.(*Variable); ok {
			return
		}
	case *ArrayLit:
		if op == "=" {
			for _, el := range x.Elements {
				p.checkAssignable(el, op)
			}
			return
		}
	}
	p.fail(e.Position().Offset, msgInvalidLeftHandSide)
}

// parsePipeline parses the elements of a pipeline; first is an expression already read, or nil.
func (p *parser) parsePipeline(first Expr) Statement {
	pl := &Pipeline{}
	start := p.peek(modeCommand).start
	if first != nil {
		start = first.Position().Offset
	}
	pl.Pos = p.pos(start)
	for {
		var el PipelineElement
		switch {
		case first != nil:
			ce := &CommandExpr{Expr: first}
			ce.Pos = first.Position()
			redirs := map[string]bool{}
			for t := p.peek(modeCommand); t.kind == tRedirection; t = p.peek(modeCommand) {
				p.consume(t)
				ce.Redirections = append(ce.Redirections, p.parseRedirection(t, redirs))
			}
			el, first = ce, nil
		default:
			if len(pl.Elements) > 0 {
				if e := p.parseExpression(); e != nil {
					p.fail(e.Position().Offset, msgExpressionsFirst)
				}
			}
			cmd := p.parseCommand(len(pl.Elements) == 0)
			if cmd == nil {
				t := p.peek(modeCommand)
				if len(pl.Elements) > 0 || t.kind == tPipe {
					p.fail(t.start, msgEmptyPipeElement)
				}
				p.fail(t.start, msgUnexpectedToken, t.text)
			}
			el = cmd
		}
		pl.Elements = append(pl.Elements, el)
		t := p.peek(modeCommand)
		switch t.kind {
		case tSemi, tNewline, tRParen, tRCurly, tEOF:
			return pl
		case tAndAnd, tOrOr:
			p.fail(t.start, msgInvalidEndOfLine, t.text)
		case tAmpersand:
			p.fail(t.start, msgAmpersandNotAllowed)
		case tPipe:
			p.consume(t)
			p.skipNewlines()
			if n := p.peek(modeCommand); n.kind == tEOF {
				p.fail(n.start, msgEmptyPipeElement)
			}
		default:
			p.unexpected(t)
		}
	}
}

// unexpected fails on a token that cannot come here, with a hint for PowerShell 7 syntax.
func (p *parser) unexpected(t token) {
	switch {
	case t.kind == tGeneric && len(t.text) >= 2 && t.text[:2] == "??":
		p.unsupported(t.start, "the ?? and ??= operators (PowerShell 7; 5.1 reports \"Unexpected token '"+t.text+"'\")")
	case t.kind == tGeneric && len(t.text) >= 2 && t.text[:2] == "?.":
		p.unsupported(t.start, "the ?. operator (PowerShell 7; 5.1 reports \"Unexpected token '"+t.text+"'\")")
	case t.kind == tGeneric && t.text == "?":
		p.unsupported(t.start, "the ternary operator ? : (PowerShell 7; 5.1 reports \"Unexpected token '?'\")")
	}
	p.fail(t.start, msgUnexpectedToken, t.text)
}

// argContext is where a command element stands; it decides whether a bare word expands and whether
// a comma makes an array.
type argContext int

const (
	ctxName           argContext = iota // the command name: a bare word is taken literally
	ctxNameAfterInvoc                   // the command after & or .: a bare word expands
	ctxArg                              // an argument: a comma list makes an array
	ctxFile                             // a redirection's file
)

// parseCommand parses one command; nil when no command element starts here. first is set for the
// first element of a pipeline, where a keyword cannot be a command name.
func (p *parser) parseCommand(first bool) *Command {
	cmd := &Command{}
	start := p.peek(modeCommand)
	cmd.Pos = p.pos(start.start)
	ctx := ctxName
	switch start.kind {
	case tDot, tAmpersand:
		p.consume(start)
		cmd.Invocation = start.text
		ctx = ctxNameAfterInvoc
	}
	redirs := map[string]bool{}
	for {
		t := p.peek(modeCommand)
		switch t.kind {
		case tPipe, tRCurly, tRParen, tEOF, tNewline, tSemi, tAndAnd, tOrOr, tAmpersand:
			if cmd.Name == nil {
				if cmd.Invocation != "" {
					p.fail(start.start, msgMissingExpression, start.text)
				}
				return nil
			}
			return cmd
		case tComma:
			p.fail(t.start, msgMissingArgument)
		case tRedirection:
			if cmd.Name != nil {
				p.consume(t)
				cmd.Redirections = append(cmd.Redirections, p.parseRedirection(t, redirs))
				continue
			}
		case tParameter:
			if cmd.Name != nil {
				p.consume(t)
				cmd.Args = append(cmd.Args, p.parameter(t))
				continue
			}
		case tOperator:
			if t.val == "--" && cmd.Name != nil {
				p.unsupported(t.start, "the end-of-parameters marker --")
			}
		case tKeyword:
			if cmd.Name == nil && ctx == ctxName && first {
				p.unsupported(t.start, "the keyword '"+t.val+"' here (Windows PowerShell 5.1 would run it as a command named '"+t.val+"')")
			}
		}
		if cmd.Name == nil {
			cmd.Name = p.commandArgument(t, ctx)
			ctx = ctxArg
		} else {
			cmd.Args = append(cmd.Args, p.commandArgument(t, ctxArg))
		}
	}
}

// parameter turns a -Name or -Name: token into a command parameter; after a colon the argument
// follows, even after white space.
func (p *parser) parameter(t token) *CommandParameter {
	cp := &CommandParameter{Name: t.val}
	cp.Pos = p.pos(t.start)
	if t.colon {
		if n := p.peek(modeCommand); n.kind != tComma {
			cp.Arg = p.commandArgumentOpt(n, ctxArg)
		}
		if cp.Arg == nil {
			p.fail(t.end, msgParameterRequiresArg, t.text)
		}
	}
	return cp
}

// commandArgument parses a command name or an argument starting at t.
func (p *parser) commandArgument(t token, ctx argContext) Expr {
	e := p.commandArgumentOpt(t, ctx)
	if e == nil {
		p.fail(t.start, msgUnexpectedToken, t.text)
	}
	return e
}

// commandArgumentOpt parses one command element; for an argument a comma list makes an array.
func (p *parser) commandArgumentOpt(t token, ctx argContext) Expr {
	var list []Expr
	for {
		var e Expr
		switch t.kind {
		case tPipe, tRCurly, tRParen, tEOF, tNewline, tSemi, tRedirection, tAndAnd, tOrOr, tAmpersand, tComma:
			if list == nil {
				return nil
			}
			p.fail(t.start, msgMissingExpression, ",")
		case tVariable, tSplat, tNumber, tString, tExpandable, tLParen, tDollarParen, tAtParen, tAtCurly, tLCurly:
			e = p.parsePrimaryOpt(modeCommand, 0, true, ctx == ctxArg)
		case tGeneric:
			p.consume(t)
			if t.val == "--%" {
				p.unsupported(t.start, "the stop-parsing token --%")
			}
			if t.parts != nil && ctx != ctxName {
				e = p.expandable(t, BareWord)
			} else {
				s := &StringLit{Value: t.val, Kind: BareWord}
				s.Pos = p.pos(t.start)
				e = s
			}
		default:
			if t.kind == tOperator && t.val == "--" {
				p.unsupported(t.start, "the end-of-parameters marker --")
			}
			p.consume(t)
			s := &StringLit{Value: t.text, Kind: BareWord}
			s.Pos = p.pos(t.start)
			e = s
		}
		if ctx != ctxArg {
			return e
		}
		c := p.peek(modeCommand)
		if c.kind != tComma {
			if list == nil {
				return e
			}
			list = append(list, e)
			a := &ArrayLit{Elements: list}
			a.Pos = list[0].Position()
			return a
		}
		if v, ok := e.(*Variable); ok && v.Splat {
			p.fail(v.Pos.Offset, msgSplatInList, v.Name)
		}
		list = append(list, e)
		p.consume(c)
		p.skipNewlines()
		t = p.peek(modeCommand)
		if t.kind == tSplat {
			p.fail(t.start, msgSplatInList, t.val)
		}
	}
}

var streamNames = map[string]string{
	"*": "output streams", "1": "output stream", "2": "error stream", "3": "warning stream",
	"4": "verbose stream", "5": "debug stream", "6": "information stream",
}

// parseRedirection parses the rest of a redirection token: its file, for a file redirection.
func (p *parser) parseRedirection(t token, seen map[string]bool) *Redirection {
	if t.redir.input {
		p.fail(t.start, msgRedirectionNotSupported, t.text)
	}
	r := &Redirection{Stream: string(t.redir.from), Append: t.redir.append}
	r.Pos = p.pos(t.start)
	if t.redir.to != 0 {
		if t.redir.to != '1' || t.redir.from == '1' {
			p.fail(t.start, msgRedirectionNotSupported, t.text)
		}
		r.Merge = true
	} else {
		n := p.peek(modeCommand)
		if n.kind != tComma {
			r.Target = p.commandArgumentOpt(n, ctxFile)
		}
		if r.Target == nil {
			p.fail(t.end, msgMissingFile)
		}
	}
	if seen[r.Stream] {
		p.fail(t.start, msgStreamRedirected, streamNames[r.Stream])
	}
	seen[r.Stream] = true
	return r
}
