package syntax

import "strings"

// Strings, variables and bare words (about_Quoting_Rules, about_Variables, about_Parsing).

// strBuilder collects the value of a string or bare word and, when something expands in it, its parts.
type strBuilder struct {
	val    strings.Builder
	lit    strings.Builder
	litPos int
	parts  []strPart
}

func (b *strBuilder) char(c rune, pos int) {
	if b.lit.Len() == 0 {
		b.litPos = pos
	}
	b.val.WriteRune(c)
	b.lit.WriteRune(c)
}

func (b *strBuilder) flush() {
	if b.lit.Len() > 0 {
		b.parts = append(b.parts, strPart{lit: b.lit.String(), pos: b.litPos})
		b.lit.Reset()
	}
}

// nested adds a variable or subexpression; raw is its source text, which stays in the value as
// PowerShell keeps it in a token's text.
func (b *strBuilder) nested(p strPart, raw string) {
	b.flush()
	b.parts = append(b.parts, p)
	b.val.WriteString(raw)
}

func (b *strBuilder) finish() (string, []strPart) {
	if len(b.parts) == 0 {
		return b.val.String(), nil
	}
	b.flush()
	return b.val.String(), b.parts
}

// scanSingleQuotedInto reads a verbatim string after its opening quote; two quotes stand for one.
func (l *lexer) scanSingleQuotedInto(b *strBuilder, open int) {
	for {
		c := l.get()
		switch {
		case c == eof:
			l.fail(open, msgStringTerminator, "'")
		case isSingleQuote(c):
			if !isSingleQuote(l.peek()) {
				return
			}
			c = l.get()
		}
		b.char(c, l.pos-1)
	}
}

// scanDoubleQuotedInto reads an expandable string after its opening quote: "" and `" stand for a
// quote, backtick escapes are replaced, $name, ${name} and $( ) expand.
func (l *lexer) scanDoubleQuotedInto(b *strBuilder, open int) {
	for {
		c := l.get()
		switch {
		case c == eof:
			l.fail(open, msgStringTerminator, `"`)
		case isDoubleQuote(c):
			if !isDoubleQuote(l.peek()) {
				return
			}
			c = l.get()
		case c == '$':
			if l.scanDollarPart(b, false) {
				continue
			}
		case c == '`':
			if c1 := l.peek(); c1 != eof {
				l.pos++
				b.char(backtick(c1), l.pos-2)
				continue
			}
		}
		b.char(c, l.pos-1)
	}
}

func (l *lexer) scanSingleQuoted() token {
	var b strBuilder
	l.scanSingleQuotedInto(&b, l.start)
	t := l.tok(tString)
	t.val = b.val.String()
	return t
}

func (l *lexer) scanDoubleQuoted() token {
	var b strBuilder
	l.scanDoubleQuotedInto(&b, l.start)
	t := l.tok(tExpandable)
	t.val, t.parts = b.finish()
	return t
}

// scanHereString reads a here-string after @' or @": the header ends its line, and the string ends
// at a line that starts with '@ or "@; the newline before that line is not part of the value.
func (l *lexer) scanHereString(expandable bool) token {
	quote, terminator := isSingleQuote, "'@"
	if expandable {
		quote, terminator = isDoubleQuote, `"@`
	}
	for isSpace(l.peek()) {
		l.pos++
	}
	switch l.get() {
	case '\r':
		if l.peek() == '\n' {
			l.pos++
		}
	case '\n':
	default:
		l.fail(l.start, msgHereStringHeader)
	}
	var b strBuilder
	if quote(l.peek()) && l.at(l.pos+1) == '@' {
		l.pos += 2
	} else {
		for {
			c := l.peek()
			if c == eof {
				l.fail(l.start, msgStringTerminator, terminator)
			}
			if isNewline(c) {
				n := 1
				if c == '\r' && l.at(l.pos+1) == '\n' {
					n = 2
				}
				if quote(l.at(l.pos+n)) && l.at(l.pos+n+1) == '@' {
					l.pos += n + 2
					break
				}
				for range n {
					b.char(l.get(), l.pos-1)
				}
				continue
			}
			l.pos++
			if expandable {
				if c == '$' && l.scanDollarPart(&b, true) {
					continue
				}
				if c == '`' {
					if c1 := l.peek(); c1 != eof {
						l.pos++
						b.char(backtick(c1), l.pos-2)
						continue
					}
				}
			}
			b.char(c, l.pos-1)
		}
	}
	kind := tString
	if expandable {
		kind = tExpandable
	}
	t := l.tok(kind)
	t.here = true
	t.val, t.parts = b.finish()
	return t
}

// scanDollarPart handles a '$' inside an expandable string or bare word (just read): $( ) up to its
// matching parenthesis, or a variable. It reports false when nothing expands (a lone '$').
func (l *lexer) scanDollarPart(b *strBuilder, here bool) bool {
	dollar := l.pos - 1
	c1 := l.peek()
	if c1 == '(' {
		l.pos++
		start, depth := l.pos, 1
		for depth > 0 {
			c := l.get()
			switch {
			case c == eof:
				l.fail(dollar, msgIncompleteSubexpression)
			case c == '(':
				depth++
			case c == ')':
				depth--
			case (c == '`' || isDoubleQuote(c)) && !here && isDoubleQuote(l.peek()):
				l.unsupported(l.pos-1, "an escaped double quote (`\" or \"\") inside a $( ) subexpression of a double-quoted string")
			}
		}
		b.nested(strPart{sub: true, subStart: start, subEnd: l.pos - 1, pos: dollar}, string(l.src[dollar:l.pos]))
		return true
	}
	if !isVariableStart(c1) && c1 != '{' {
		return false
	}
	saveStart, saveMode := l.start, l.mode
	l.start, l.mode = dollar, modeExpression
	v := l.scanVariable(false, true)
	l.start, l.mode = saveStart, saveMode
	b.nested(strPart{variable: &v, pos: dollar}, v.text)
	return true
}

// scanVariable reads a variable after its sigil ($ or @ for splatting, at l.start).
func (l *lexer) scanVariable(splat, inString bool) token {
	c := l.get()
	if c == '{' {
		return l.scanBracedVariable(inString)
	}
	if !isVariableStart(c) {
		return l.scanGeneric()
	}
	var name strings.Builder
	name.WriteRune(c)
	if c == '$' || c == '?' || c == '^' {
		if l.inCommandMode() && !forceStartNewToken(l.peek()) {
			return l.scanGeneric()
		}
	} else {
	scan:
		for {
			c = l.peek()
			switch {
			case c == ':':
				if l.at(l.pos+1) == ':' {
					break scan
				}
			case isIdentFollow(c) || c == '?':
			case c == eof || isSpace(c) || isNewline(c) || strings.ContainsRune("&(),;{}|.[=", c):
				break scan
			case l.inCommandMode() && !forceStartNewToken(c):
				return l.scanGeneric()
			default:
				break scan
			}
			name.WriteRune(c)
			l.pos++
		}
	}
	kind := tVariable
	if splat {
		kind = tSplat
	}
	return l.variableToken(kind, name.String(), false)
}

func (l *lexer) scanBracedVariable(inString bool) token {
	var name strings.Builder
	for done := false; !done; {
		c := l.get()
		switch {
		case c == eof:
			l.fail(l.start, msgIncompleteBraced)
		case c == '}':
			done = true
			continue
		case c == '`':
			c1 := l.get()
			if c1 == eof {
				l.fail(l.start, msgIncompleteBraced)
			}
			c = backtick(c1)
		case isDoubleQuote(c) && inString && isDoubleQuote(l.peek()):
			c = l.get()
		case c == '{':
			l.fail(l.pos-1, msgBraceInVariable)
		}
		name.WriteRune(c)
	}
	if name.Len() == 0 {
		l.fail(l.start, msgEmptyVariable)
	}
	if l.inCommandMode() && !inString {
		if c1 := l.peek(); !forceStartNewToken(c1) && c1 != '.' && c1 != '[' {
			return l.scanGeneric()
		}
	}
	return l.variableToken(tVariable, name.String(), true)
}

// variableToken splits a variable path into its scope or drive qualifier and its name.
func (l *lexer) variableToken(kind tokenKind, path string, braced bool) token {
	t := l.tok(kind)
	t.braced = braced
	t.val = path
	if i := strings.IndexByte(path, ':'); i >= 0 {
		t.scope, t.val = path[:i], path[i+1:]
		if t.val == "" {
			l.fail(l.start, msgInvalidVariableDrive)
		}
	}
	return t
}

// scanGeneric rescans the current token, from its start, as a bare word (a generic token): it ends
// at white space or one of {}();,|& and may hold quoted pieces, escapes and expanding variables.
func (l *lexer) scanGeneric() token {
	l.pos = l.start
	var b strBuilder
	for {
		c := l.peek()
		if c == eof || (forceStartNewToken(c) && l.pos > l.start) {
			break
		}
		l.pos++
		switch {
		case c == '`':
			if c1 := l.peek(); c1 != eof {
				l.pos++
				b.char(backtick(c1), l.pos-2)
				continue
			}
		case isSingleQuote(c):
			l.scanSingleQuotedInto(&b, l.pos-1)
			continue
		case isDoubleQuote(c):
			l.scanDoubleQuotedInto(&b, l.pos-1)
			continue
		case c == '$':
			if l.scanDollarPart(&b, false) {
				continue
			}
		}
		b.char(c, l.pos-1)
	}
	t := l.tok(tGeneric)
	t.val, t.parts = b.finish()
	return t
}
