package syntax

import "fmt"

// maxDepth bounds the nesting of statements and expressions, so that no input can exhaust the stack.
const maxDepth = 1000

// Parse parses a whole script into its script block. It stops at the first error, which is an *Error:
// a PowerShell 5.1 syntax error (errors.Is ErrSyntax) or a construct winsim does not implement
// (errors.Is ErrUnsupported).
func Parse(src string) (sb *ScriptBlock, err error) {
	runes := []rune(src)
	p := &parser{lx: newLexer(runes, lineStartsOf(runes), 0, len(runes))}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			sb, err = nil, b.err
		}
	}()
	sb = p.parseScriptBlockBody(0)
	if t := p.peek(modeCommand); t.kind != tEOF {
		p.fail(t.start, msgUnexpectedToken, t.text)
	}
	return sb, nil
}

// parser is a recursive-descent parser after PowerShell's own (the grammar of the PowerShell 3.0
// language specification). It asks the lexer for each token in the mode the grammar needs there.
type parser struct {
	lx *lexer
	// the last peeked token and what it was scanned at
	cache      token
	cachePos   int
	cacheMode  mode
	cacheFlags scanFlags
	cached     bool
	depth      int
	// noComma is set where a comma separates arguments rather than building an array.
	noComma bool
}

func (p *parser) peekF(m mode, f scanFlags) token {
	if p.cached && p.cachePos == p.lx.pos && p.cacheMode == m && p.cacheFlags == f {
		return p.cache
	}
	save := p.lx.pos
	t := p.lx.scan(m, f)
	p.lx.pos = save
	p.cache, p.cachePos, p.cacheMode, p.cacheFlags, p.cached = t, save, m, f, true
	return t
}

func (p *parser) peek(m mode) token { return p.peekF(m, 0) }

// consume moves past a token returned by peek.
func (p *parser) consume(t token) { p.lx.pos = t.end }

func (p *parser) next(m mode) token {
	t := p.peek(m)
	p.consume(t)
	return t
}

// skipNewlines moves past newlines (and the white space and comments around them). It works on
// characters rather than tokens, so that it never scans a long bare word just to find none.
func (p *parser) skipNewlines() { p.skipSeparators(false) }

func (p *parser) skipNewlinesAndSemis() { p.skipSeparators(true) }

func (p *parser) skipSeparators(semis bool) {
	for {
		save := p.lx.pos
		p.lx.skipTrivia()
		switch c := p.lx.peek(); {
		case c == '\n' || (semis && c == ';'):
			p.lx.pos++
		case c == '\r':
			p.lx.pos++
			if p.lx.peek() == '\n' {
				p.lx.pos++
			}
		default:
			p.lx.pos = save
			return
		}
	}
}

func (p *parser) pos(off int) Pos { return p.lx.position(off) }

func (p *parser) fail(off int, format string, args ...any) {
	panic(bailout{&Error{Pos: p.pos(off), Kind: SyntaxError, Message: fmt.Sprintf(format, args...)}})
}

func (p *parser) unsupported(off int, what string) {
	panic(bailout{&Error{Pos: p.pos(off), Kind: Unsupported, Message: unsupportedPrefix + what}})
}

func (p *parser) enter(off int) {
	p.depth++
	if p.depth > maxDepth {
		p.unsupported(off, fmt.Sprintf("nesting deeper than %d levels of statements and expressions", maxDepth))
	}
}

func (p *parser) leave() { p.depth-- }

// expect consumes a token of kind k or fails with the message.
func (p *parser) expect(m mode, k tokenKind, off int, format string, args ...any) {
	t := p.peek(m)
	if t.kind != k {
		if off < 0 {
			off = t.start
		}
		p.fail(off, format, args...)
	}
	p.consume(t)
}

// parseScriptBlockBody parses a param block and a statement list, up to a closing } or the end.
func (p *parser) parseScriptBlockBody(start int) *ScriptBlock {
	sb := &ScriptBlock{}
	sb.Pos = p.pos(start)
	p.skipNewlinesAndSemis()
	if t := p.peek(modeCommand); t.kind == tKeyword {
		switch t.val {
		case "param":
			save := p.lx.pos
			p.consume(t)
			p.skipNewlines()
			if lp := p.peek(modeCommand); lp.kind == tLParen {
				p.consume(lp)
				sb.Params = &ParamBlock{Params: p.parseParameterList()}
				sb.Params.Pos = p.pos(t.start)
				p.skipNewlines()
				p.expect(modeExpression, tRParen, -1, msgMissingEndParenParams)
			} else {
				p.lx.pos = save
			}
		case "begin", "process", "end", "dynamicparam":
			p.unsupported(t.start, "named blocks (begin, process, end, dynamicparam)")
		}
	}
	sb.Statements = p.parseStatementList()
	return sb
}

// parseStatementList parses statements up to a closing ) or }, or the end of the input.
func (p *parser) parseStatementList() []Statement {
	var out []Statement
	for {
		p.skipNewlinesAndSemis()
		switch p.peek(modeCommand).kind {
		case tEOF, tRCurly, tRParen:
			return out
		}
		out = append(out, p.parseStatement())
	}
}

// parseBlock parses a { } statement block; it reports false when no { comes next.
func (p *parser) parseBlock() (*Block, bool) {
	lc := p.peek(modeCommand)
	if lc.kind != tLCurly {
		return nil, false
	}
	p.consume(lc)
	b := &Block{Statements: p.parseStatementList()}
	b.Pos = p.pos(lc.start)
	p.expect(modeCommand, tRCurly, -1, msgMissingEndCurly)
	return b, true
}

// parseStatement parses one statement (the statement rule of the language specification).
func (p *parser) parseStatement() Statement {
	t := p.peek(modeCommand)
	p.enter(t.start)
	defer p.leave()
	switch t.kind {
	case tKeyword:
		return p.parseKeywordStatement(t)
	case tLabel:
		p.unsupported(t.start, "loop labels (:label)")
	}
	return p.parsePipelineStatement()
}

// parseStatementOpt parses a statement, or returns nil when none starts here.
func (p *parser) parseStatementOpt() Statement {
	switch p.peek(modeCommand).kind {
	case tEOF, tNewline, tSemi, tRCurly, tRParen:
		return nil
	}
	return p.parseStatement()
}

func (p *parser) parseKeywordStatement(t token) Statement {
	switch t.val {
	case "if":
		return p.parseIf(t)
	case "while":
		return p.parseWhile(t)
	case "do":
		return p.parseDo(t)
	case "for":
		return p.parseFor(t)
	case "foreach":
		return p.parseForeach(t)
	case "try":
		return p.parseTry(t)
	case "function":
		return p.parseFunction(t)
	case "return", "throw", "exit":
		return p.parseFlow(t)
	case "break", "continue":
		return p.parseBreak(t)
	case "switch":
		p.unsupported(t.start, "the switch statement")
	case "trap":
		p.unsupported(t.start, "trap statements")
	case "filter":
		p.unsupported(t.start, "filter definitions")
	case "workflow", "parallel", "sequence", "inlinescript":
		p.unsupported(t.start, "workflows ("+t.val+")")
	case "data":
		p.unsupported(t.start, "data sections")
	case "class":
		p.unsupported(t.start, "class definitions")
	case "enum":
		p.unsupported(t.start, "enum definitions")
	case "using":
		p.unsupported(t.start, "using statements (using namespace, using module)")
	case "configuration":
		p.unsupported(t.start, "DSC configurations")
	case "from", "define", "var":
		p.fail(t.start, msgReservedKeyword, t.val)
	}
	// else, elseif, catch, finally, until, in, param, begin, ... out of place: 5.1 would run them as
	// commands of that name.
	return p.parsePipelineStatement()
}
