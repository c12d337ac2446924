package syntax

import "unicode"

// Character classes of the PowerShell tokenizer (about_Parsing, about_Special_Characters,
// about_Quoting_Rules). eof is what the lexer reads past the end of its input.
const eof rune = -1

// isSpace reports horizontal white space: space, tab, vertical tab, form feed, no-break space, NEL and
// the other Unicode space separators.
func isSpace(c rune) bool {
	switch c {
	case ' ', '\t', '\v', '\f', '\u00a0', '\u0085':
		return true
	}
	return c > 0x7f && unicode.Is(unicode.Zs, c)
}

func isNewline(c rune) bool { return c == '\n' || c == '\r' }

// forceStartNewToken reports the characters that end a bare word in argument mode.
func forceStartNewToken(c rune) bool {
	switch c {
	case eof, '{', '}', '(', ')', ';', ',', '|', '&', '\n', '\r':
		return true
	}
	return isSpace(c)
}

// forceStartNewTokenAfterNumber reports the characters that may follow a number in expression mode.
func forceStartNewTokenAfterNumber(c rune) bool {
	switch c {
	case '!', '#', '%', '*', '+', '-', '.', '/', '<', '=', '>', ']':
		return true
	}
	return isDash(c)
}

// isDash reports the dash characters PowerShell accepts for '-': hyphen-minus, en dash, em dash and
// horizontal bar.
func isDash(c rune) bool {
	switch c {
	case '-', '\u2013', '\u2014', '\u2015':
		return true
	}
	return false
}

func isSingleQuote(c rune) bool {
	switch c {
	case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
		return true
	}
	return false
}

func isDoubleQuote(c rune) bool {
	switch c {
	case '"', '\u201c', '\u201d', '\u201e':
		return true
	}
	return false
}

func isIdentStart(c rune) bool { return c == '_' || (c >= 0 && unicode.IsLetter(c)) }

func isIdentFollow(c rune) bool {
	return c == '_' || (c >= 0 && (unicode.IsLetter(c) || unicode.IsDigit(c)))
}

func isDigit(c rune) bool { return c >= '0' && c <= '9' }

func isHexDigit(c rune) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// isVariableStart reports the characters that may follow '$' in a variable name (about_Variables,
// about_Automatic_Variables: $$, $?, $^ and names of letters, digits, '_', '?' and ':').
func isVariableStart(c rune) bool {
	switch c {
	case '$', '?', '^', ':', '_':
		return true
	}
	return c >= 0 && (unicode.IsLetter(c) || unicode.IsDigit(c))
}

// isTypeNameChar reports the characters of a type name inside [ ] (about_Type_Accelerators,
// about_Types): letters, digits, '.', '_', '+' (nested types), '`' (generic arity), '#' and '\'.
func isTypeNameChar(c rune) bool {
	switch c {
	case '.', '`', '_', '+', '#', '\\':
		return true
	}
	return c >= 0 && (unicode.IsLetter(c) || unicode.IsDigit(c))
}

// backtick returns the character an escape sequence `c stands for (about_Special_Characters).
// Windows PowerShell 5.1 has `0 `a `b `f `n `r `t `v; `e and `u{...} are PowerShell 6 and later, so
// here, as in 5.1, they stand for the letters e and u.
func backtick(c rune) rune {
	switch c {
	case '0':
		return 0
	case 'a':
		return '\a'
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'v':
		return '\v'
	}
	return c
}
