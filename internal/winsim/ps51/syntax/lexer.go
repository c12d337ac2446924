package syntax

import (
	"fmt"
	"sort"
	"strings"
)

// mode is the tokenizer mode the parser asks for (about_Parsing): in argument (command) mode most
// characters make bare words; in expression mode they make operators, numbers and names.
type mode int

const (
	modeCommand mode = iota
	modeExpression
)

// scanFlags adjust one scan.
type scanFlags uint8

const (
	// flagSimpleName wants a simple name (a member name or hash key): no keywords, no bare words.
	flagSimpleName scanFlags = 1 << iota
	// flagSignedNumbers lets -1 and +1 scan as one number (at the start of a unary expression).
	flagSignedNumbers
)

// lexer scans tokens on demand. It holds no token state beyond its position, so the parser can
// rescan the same characters in another mode, as PowerShell's parser does.
type lexer struct {
	src        []rune
	limit      int // scanning stops here (the end of a nested $( ) range)
	lineStarts []int
	pos        int
	start      int // the start of the token being scanned
	mode       mode
	flags      scanFlags
}

func newLexer(src []rune, lineStarts []int, start, limit int) *lexer {
	return &lexer{src: src, lineStarts: lineStarts, pos: start, limit: limit}
}

// lineStartsOf lists the offsets at which lines start (after \n, \r\n or a lone \r).
func lineStartsOf(src []rune) []int {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		case '\n':
			starts = append(starts, i+1)
		}
	}
	return starts
}

// position converts a character offset to a line and column.
func (l *lexer) position(off int) Pos {
	line := sort.Search(len(l.lineStarts), func(i int) bool { return l.lineStarts[i] > off }) - 1
	if line < 0 {
		line = 0
	}
	return Pos{Line: line + 1, Column: off - l.lineStarts[line] + 1, Offset: off}
}

func (l *lexer) at(i int) rune {
	if i < 0 || i >= l.limit {
		return eof
	}
	return l.src[i]
}

func (l *lexer) peek() rune { return l.at(l.pos) }

func (l *lexer) get() rune {
	c := l.at(l.pos)
	if c != eof {
		l.pos++
	}
	return c
}

func (l *lexer) fail(off int, format string, args ...any) {
	panic(bailout{&Error{Pos: l.position(off), Kind: SyntaxError, Message: fmt.Sprintf(format, args...)}})
}

func (l *lexer) unsupported(off int, what string) {
	panic(bailout{&Error{Pos: l.position(off), Kind: Unsupported, Message: unsupportedPrefix + what}})
}

func (l *lexer) inCommandMode() bool    { return l.mode == modeCommand }
func (l *lexer) inExpressionMode() bool { return l.mode == modeExpression }

func (l *lexer) tok(kind tokenKind) token {
	return token{kind: kind, start: l.start, end: l.pos, text: string(l.src[l.start:l.pos])}
}

func (l *lexer) op(val string) token {
	t := l.tok(tOperator)
	t.val = val
	return t
}

// skipTrivia skips white space, comments and line continuations (not newlines).
func (l *lexer) skipTrivia() {
	for {
		c := l.peek()
		switch {
		case isSpace(c):
			l.pos++
		case c == '#':
			l.pos++
			l.skipLineComment()
		case c == '<' && l.at(l.pos+1) == '#':
			l.start = l.pos
			l.pos += 2
			l.skipBlockComment()
		case c == '`' && isNewline(l.at(l.pos+1)):
			l.pos += 2
			if l.at(l.pos-1) == '\r' && l.peek() == '\n' {
				l.pos++
			}
		case c == '`' && isSpace(l.at(l.pos+1)):
			l.pos += 2
		default:
			return
		}
	}
}

// scan returns the next token in mode m, skipping white space, comments and line continuations.
func (l *lexer) scan(m mode, flags scanFlags) token {
	l.mode, l.flags = m, flags
	l.skipTrivia()
	l.start = l.pos
	c := l.get()
	switch c {
	case eof:
		return token{kind: tEOF, start: l.pos, end: l.pos}
	case '\n':
		return l.tok(tNewline)
	case '\r':
		if l.peek() == '\n' {
			l.pos++
		}
		return l.tok(tNewline)
	case '`':
		if l.peek() == eof {
			l.fail(l.start, msgIncompleteString)
		}
		return l.scanGeneric()
	}
	return l.scanFrom(c)
}

// scanFrom scans a token whose first character c has been read.
func (l *lexer) scanFrom(c rune) token {
	switch {
	case isSingleQuote(c):
		return l.scanSingleQuoted()
	case isDoubleQuote(c):
		return l.scanDoubleQuoted()
	case isDash(c):
		return l.scanDash()
	case isIdentStart(c):
		return l.scanIdentifier()
	}
	switch c {
	case '@':
		return l.scanAt()
	case '$':
		if l.peek() == '(' {
			l.pos++
			return l.tok(tDollarParen)
		}
		return l.scanVariable(false, false)
	case '=':
		return l.checkOperator("=")
	case '+':
		return l.scanPlus()
	case '*':
		return l.scanStar()
	case '/':
		if l.peek() == '=' {
			l.pos++
			return l.checkOperator("/=")
		}
		return l.checkOperator("/")
	case '%':
		if l.peek() == '=' {
			l.pos++
			return l.checkOperator("%=")
		}
		return l.checkOperator("%")
	case '<':
		t := l.tok(tRedirection)
		t.redir = redirection{from: '0', input: true}
		return t
	case '>':
		if l.peek() == '>' {
			l.pos++
			t := l.tok(tRedirection)
			t.redir = redirection{from: '1', append: true}
			return t
		}
		t := l.tok(tRedirection)
		t.redir = redirection{from: '1'}
		return t
	case '(':
		return l.tok(tLParen)
	case ')':
		return l.tok(tRParen)
	case '[':
		if l.inCommandMode() && !forceStartNewToken(l.peek()) {
			return l.scanGeneric()
		}
		return l.tok(tLBracket)
	case ']':
		return l.tok(tRBracket)
	case '{':
		return l.tok(tLCurly)
	case '}':
		return l.tok(tRCurly)
	case '.':
		return l.scanDot()
	case ';':
		return l.tok(tSemi)
	case ',':
		return l.tok(tComma)
	case '&':
		if l.peek() == '&' {
			l.pos++
			return l.tok(tAndAnd)
		}
		return l.tok(tAmpersand)
	case '|':
		if l.peek() == '|' {
			l.pos++
			return l.tok(tOrOr)
		}
		return l.tok(tPipe)
	case '!':
		return l.scanExclaim()
	case ':':
		return l.scanColon()
	case '1', '2', '3', '4', '5', '6':
		if l.peek() == '>' {
			l.pos++
			return l.scanRedirection(byte(c))
		}
		return l.scanNumber()
	case '0', '7', '8', '9':
		return l.scanNumber()
	}
	return l.scanGeneric()
}

// checkOperator returns an operator, unless in argument mode the next character continues a bare
// word (=foo, /r, *.txt).
func (l *lexer) checkOperator(val string) token {
	if l.inCommandMode() && !forceStartNewToken(l.peek()) {
		return l.scanGeneric()
	}
	return l.op(val)
}

func (l *lexer) scanPlus() token {
	switch c1 := l.peek(); {
	case c1 == '+':
		l.pos++
		return l.checkOperator("++")
	case c1 == '=':
		l.pos++
		return l.checkOperator("+=")
	case l.flags&flagSignedNumbers != 0 && (isDigit(c1) || c1 == '.'):
		return l.scanNumber()
	}
	return l.checkOperator("+")
}

func (l *lexer) scanDash() token {
	switch c1 := l.peek(); {
	case isDash(c1):
		l.pos++
		return l.checkOperator("--")
	case c1 == '=':
		l.pos++
		return l.checkOperator("-=")
	case isIdentStart(c1) || c1 == '?':
		return l.scanParameter()
	case l.flags&flagSignedNumbers != 0 && (isDigit(c1) || c1 == '.'):
		return l.scanNumber()
	}
	return l.checkOperator("-")
}

func (l *lexer) scanStar() token {
	switch l.peek() {
	case '=':
		l.pos++
		return l.checkOperator("*=")
	case '>':
		l.pos++
		return l.scanRedirection('*')
	}
	return l.checkOperator("*")
}

// scanRedirection scans the rest of a redirection whose '>' has been read (about_Redirection):
// n> n>> n>&1 n>&2, with n 1 to 6 or *.
func (l *lexer) scanRedirection(from byte) token {
	r := redirection{from: from}
	switch l.peek() {
	case '>':
		l.pos++
		r.append = true
	case '&':
		if c2 := l.at(l.pos + 1); c2 == '1' || (c2 == '2' && from != '*') {
			l.pos += 2
			r.to = byte(c2)
		}
	}
	t := l.tok(tRedirection)
	t.redir = r
	return t
}

func (l *lexer) scanDot() token {
	c := l.peek()
	if c == '.' {
		l.pos++
		if l.inCommandMode() && !forceStartNewToken(l.peek()) {
			return l.scanGeneric()
		}
		return l.op("..")
	}
	if isDigit(c) {
		return l.scanNumber()
	}
	if l.inCommandMode() && !forceStartNewToken(c) && c != '$' && !isDoubleQuote(c) && !isSingleQuote(c) {
		return l.scanGeneric()
	}
	return l.tok(tDot)
}

func (l *lexer) scanExclaim() token {
	c1 := l.peek()
	if (l.inCommandMode() && !forceStartNewToken(c1)) || (l.inExpressionMode() && isIdentStart(c1)) {
		return l.scanGeneric()
	}
	return l.op("!")
}

func (l *lexer) scanColon() token {
	if l.peek() == ':' {
		l.pos++
		if l.inCommandMode() && l.flags&flagSimpleName == 0 && !forceStartNewToken(l.peek()) {
			return l.scanGeneric()
		}
		return l.tok(tColonColon)
	}
	if !l.inCommandMode() || !isIdentStart(l.peek()) {
		return l.scanGeneric()
	}
	for isIdentFollow(l.peek()) {
		l.pos++
	}
	if !forceStartNewToken(l.peek()) {
		return l.scanGeneric()
	}
	t := l.tok(tLabel)
	t.val = t.text[1:]
	return t
}

func (l *lexer) scanAt() token {
	c1 := l.peek()
	switch {
	case c1 == '{':
		l.pos++
		return l.tok(tAtCurly)
	case c1 == '(':
		l.pos++
		return l.tok(tAtParen)
	case isSingleQuote(c1):
		l.pos++
		return l.scanHereString(false)
	case isDoubleQuote(c1):
		l.pos++
		return l.scanHereString(true)
	case isVariableStart(c1):
		return l.scanVariable(true, false)
	}
	l.fail(l.start, msgUnrecognizedToken)
	return token{}
}

// scanIdentifier scans a name: in expression mode a simple name; in argument mode a keyword, or a
// bare word when more characters follow.
func (l *lexer) scanIdentifier() token {
	for isIdentFollow(l.peek()) {
		l.pos++
	}
	simple := l.flags&flagSimpleName != 0
	if !simple && l.inCommandMode() && !forceStartNewToken(l.peek()) {
		return l.scanGeneric()
	}
	t := l.tok(tIdentifier)
	t.val = t.text
	if !simple && l.inCommandMode() {
		if kw := strings.ToLower(t.text); keywords[kw] {
			t.kind = tKeyword
			t.val = kw
		}
	}
	return t
}

// scanParameter scans -Name: a parameter in argument mode, an operator such as -eq in expression
// mode (about_Parameters, about_Operators).
func (l *lexer) scanParameter() token {
	var name strings.Builder
	colon := false
loop:
	for {
		c := l.peek()
		switch {
		case isSpace(c) || c == eof || isNewline(c):
			break loop
		case strings.ContainsRune("{}();,|&.[", c):
			break loop
		case c == ':':
			colon = true
			if l.inCommandMode() {
				l.pos++
			}
			break loop
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			name.WriteRune(c)
		case isSingleQuote(c) || isDoubleQuote(c):
			if l.inCommandMode() {
				return l.scanGeneric()
			}
			break loop
		case l.inCommandMode():
			name.WriteRune(c)
		default:
			break loop
		}
		l.pos++
	}
	s := name.String()
	if l.inExpressionMode() {
		if lower := strings.ToLower(s); dashOperators[lower] {
			return l.op("-" + lower)
		}
	}
	if s == "" {
		return l.op("-")
	}
	t := l.tok(tParameter)
	t.val = s
	t.colon = colon && l.inCommandMode()
	return t
}

func (l *lexer) skipLineComment() {
	start := l.pos
	for c := l.peek(); c != eof && !isNewline(c); c = l.peek() {
		l.pos++
	}
	text := strings.ToLower(string(l.src[start:l.pos]))
	if strings.HasPrefix(text, "requires") && (len(text) == 8 || isSpace(rune(text[8]))) {
		l.unsupported(start-1, "#requires statements")
	}
}

func (l *lexer) skipBlockComment() {
	for {
		c := l.get()
		if c == eof {
			l.fail(l.start, msgMultiLineComment)
		}
		if c == '#' && l.peek() == '>' {
			l.pos++
			return
		}
	}
}
