package value

import (
	"unicode/utf16"
)

// prettyJSON re-indents JavaScriptSerializer's compact output the way Windows PowerShell 5.1's
// ConvertTo-Json does without -Compress. Source: the Full CLR branch of ConvertToJsonCommand
// (ConvertToPrettyJsonString, ConvertDictionary, ConvertList) in the early open-source PowerShell tree,
// which is 5.1's code; its output matches the ConvertTo-Json.md 5.1 examples:
//
//   - lines end with CR LF; each level indents by four spaces;
//   - a member is written "name":  value, with two spaces after the colon;
//   - an object or array that is a member's value opens on the member's line and its contents are
//     indented relative to the column where the value starts (the member's indentation plus the
//     length of the quoted name plus three), not relative to the member, so nested objects drift right:
//     "Eras":  [ is followed by its elements 17 columns in and ] at 13 (example 1);
//   - an empty object is "{", an empty line, "}"; an empty array likewise with brackets;
//   - a top-level value that is not an object or array is left as it is.
//
// Lengths are counted in UTF-16 code units, as .NET strings are.
func prettyJSON(compact string) string {
	s := utf16.Encode([]rune(compact))
	if len(s) == 0 || (s[0] != '{' && s[0] != '[') {
		return compact
	}
	p := &prettyPrinter{s: s}
	p.out = append(p.out, s[0])
	if s[0] == '{' {
		p.object(1, 0, 0)
	} else {
		p.array(1, 0, 0)
	}
	return string(utf16.Decode(p.out))
}

type prettyPrinter struct {
	s   []uint16
	out []uint16
}

func (p *prettyPrinter) newline() { p.out = append(p.out, '\r', '\n') }

func (p *prettyPrinter) spaces(n int) {
	for range n {
		p.out = append(p.out, ' ')
	}
}

// array formats the elements after a '[' at index i; pad and extra give the indentation of the line
// the '[' is on. It returns the index of the matching ']'.
func (p *prettyPrinter) array(i, pad, extra int) int {
	p.newline()
	inner := pad + extra + 4
	head := true
	for ; i < len(p.s); i++ {
		switch c := p.s[i]; c {
		case '{':
			p.spaces(inner)
			p.out = append(p.out, c)
			i = p.object(i+1, inner, 0)
			head = false
		case '[':
			p.spaces(inner)
			p.out = append(p.out, c)
			i = p.array(i+1, inner, 0)
			head = false
		case ']':
			p.newline()
			p.spaces(pad + extra)
			p.out = append(p.out, c)
			return i
		case '"':
			if head {
				p.spaces(inner)
			}
			p.out = append(p.out, c)
			i = p.quoted(i + 1)
			head = false
		case ',':
			p.out = append(p.out, c)
			p.newline()
			head = true
		default:
			if head {
				p.spaces(inner)
			}
			p.out = append(p.out, c)
			head = false
		}
	}
	return len(p.s) - 1
}

// object formats the members after a '{' at index i and returns the index of the matching '}'.
func (p *prettyPrinter) object(i, pad, extra int) int {
	p.newline()
	inner := pad + extra + 4
	head, beforeColon := true, true
	valueCol := 0
	for ; i < len(p.s); i++ {
		switch c := p.s[i]; c {
		case '{':
			p.out = append(p.out, c)
			i = p.object(i+1, inner, valueCol)
			head = false
		case '[':
			p.out = append(p.out, c)
			i = p.array(i+1, inner, valueCol)
			head = false
		case '}':
			p.newline()
			p.spaces(pad + extra)
			p.out = append(p.out, c)
			return i
		case '"':
			if head {
				p.spaces(inner)
			}
			p.out = append(p.out, c)
			end := p.quoted(i + 1)
			if beforeColon {
				valueCol += end - i + 1
			}
			i = end
			head = false
		case ':':
			p.out = append(p.out, c)
			p.spaces(2)
			valueCol += 3
			head, beforeColon = false, false
		case ',':
			p.out = append(p.out, c)
			p.newline()
			head, beforeColon = true, true
			valueCol = 0
		default:
			if head {
				p.spaces(inner)
			}
			p.out = append(p.out, c)
			if beforeColon {
				valueCol++
			}
			head = false
		}
	}
	return len(p.s) - 1
}

// quoted copies a string's characters after its opening quote up to and including the closing quote
// (one not escaped by an odd number of backslashes) and returns the closing quote's index.
func (p *prettyPrinter) quoted(i int) int {
	for ; i < len(p.s); i++ {
		p.out = append(p.out, p.s[i])
		if p.s[i] == '"' {
			escaped := false
			for j := i - 1; j > 0 && p.s[j] == '\\'; j-- {
				escaped = !escaped
			}
			if !escaped {
				return i
			}
		}
	}
	return len(p.s) - 1
}
