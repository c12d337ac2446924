package value

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
)

// ConvertFrom-Json as Windows PowerShell 5.1 parses (ConvertFrom-Json.md, 5.1: "implemented using the
// JavaScriptSerializer class"). The parser reproduces JavaScriptSerializer's deserializer, so it
// accepts what that accepts and fails where it fails, with its messages. Sources: the cmdlet and
// JsonObject from the Full CLR branch of the early open-source PowerShell tree (5.1's code), and
// JavaScriptSerializer's behaviour and resource texts as reproduced in public decompiled copies of
// System.Web.Extensions (inferred: not Microsoft documentation).
//
//   - Values: an object becomes a [pscustomobject] with its members in order; an array an object[] (a
//     top-level array is one object[] output, not enumerated: the cmdlet calls WriteObject(result)
//     without enumeration); a string a string; true/false; null $null; a number without '.' or an
//     exponent an [int] when it fits, else a [long]; otherwise, without an exponent, a [decimal] (so
//     1.5 is the decimal 1.5 and 1.50 keeps its scale); otherwise a [double].
//   - A string of the exact form "\/Date(<ms>)\/" (with the escaped slashes, optionally a zone suffix
//     before the ')') becomes a UTC DateTime (the ConvertFrom-Json.md 5.1 example 1 output shows
//     "Date" as a date after the round trip).
//   - Leniencies: strings may be single-quoted; member names may be unquoted words; numbers may have a
//     leading '+', leading zeros or a trailing sign; "Infinity", "-Infinity" and "NaN" are doubles; any
//     Unicode white space separates tokens; empty or all-space input is $null.
//   - Member names that repeat exactly keep the last value; names that differ only in case are the
//     error "Cannot convert the JSON string because a dictionary that was converted from the string
//     contains the duplicated keys 'a' and 'A'." (ConvertFrom-Json.md: "only the last key is used";
//     the message as Windows PowerShell 5.1 users report it).
//   - Errors are ArgumentExceptions such as "Invalid JSON primitive: WARNING." for text that is not
//     JSON (leading text is read as a primitive token: letters, digits, '.', '-', '_', '+'), or
//     "Invalid object passed in, ':' or '}' expected. (7): <the whole input>" with the position in
//     UTF-16 code units. Text after a complete value is "Invalid JSON primitive: <the rest after its
//     first character>.". JSON comments are errors (ConvertFrom-Json.md NOTE).
//   - Nesting deeper than 102 levels is "RecursionLimit exceeded." (JsonObject sets RecursionLimit to
//     100 + 2).
//   - Not modelled: a "__type" member (JavaScriptSerializer's type hints) is an ordinary member here;
//     escapes that produce lone UTF-16 surrogates become U+FFFD.

// JSONError is a ConvertFrom-Json failure. Argument is true for JavaScriptSerializer's
// ArgumentExceptions, which the cmdlet's multi-string handling catches; false for the
// duplicate-key error and other failures.
type JSONError struct {
	Message  string
	Argument bool
}

func (e *JSONError) Error() string { return e.Message }

// ConvertFromJSON is ConvertFrom-Json over its input strings (ConvertFromJsonCommand.EndProcessing): one
// string is parsed alone; with several, the first is parsed alone and, when that yields a value, every
// other string is parsed alone too, each result an output; when the first fails with an
// ArgumentException or yields $null, all the strings are joined with CR LF and parsed as one document
// (so Get-Content's lines of one document work). A $null result (empty input) is no output
// (ConvertFrom-Json.md "-InputObject": an empty string generates no output). Outputs produced before
// an error are returned with it.
func ConvertFromJSON(inputs []string) ([]any, error) {
	var out []any
	emit := func(s string) (bool, error) {
		v, err := parseJSON(s)
		if err != nil {
			return false, err
		}
		if v != nil {
			out = append(out, v)
		}
		return v != nil, nil
	}
	switch len(inputs) {
	case 0:
		return nil, nil
	case 1:
		_, err := emit(inputs[0])
		return out, err
	}
	ok, err := emit(inputs[0])
	if err != nil {
		var je *JSONError
		if !errors.As(err, &je) || !je.Argument {
			return out, err
		}
		ok = false
	}
	if ok {
		for _, s := range inputs[1:] {
			if _, err := emit(s); err != nil {
				return out, err
			}
		}
		return out, nil
	}
	_, err = emit(strings.Join(inputs, "\r\n"))
	return out, err
}

// parseJSON is JsonObject.ConvertFromJson for one string: the value, or nil for empty input.
func parseJSON(input string) (any, error) {
	d := &jsonDecoder{s: utf16.Encode([]rune(input)), limit: 102}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if _, ok := d.nextNonSpace(); ok {
		return nil, d.primitiveError(d.rest())
	}
	return toPS(v)
}

// jsonObject is the deserializer's Dictionary<string, object>: insertion order, exact keys.
type jsonObject struct {
	keys []string
	vals map[string]any
}

type jsonList []any

// toPS converts the deserializer's dictionaries and lists into [pscustomobject]s and object[]s,
// checking for names that differ only in case (JsonObject.PopulateFromDictionary/PopulateFromList).
func toPS(v any) (any, error) {
	switch x := v.(type) {
	case *jsonObject:
		o := NewPSObject()
		for _, k := range x.keys {
			if i, dup := o.index[foldKey(k)]; dup {
				return nil, &JSONError{Message: fmt.Sprintf(
					"Cannot convert the JSON string because a dictionary that was converted from the string contains the duplicated keys '%s' and '%s'.",
					o.names[i], k)}
			}
			pv, err := toPS(x.vals[k])
			if err != nil {
				return nil, err
			}
			o.Set(k, pv)
		}
		return o, nil
	case jsonList:
		out := make(Array, len(x))
		for i, e := range x {
			pv, err := toPS(e)
			if err != nil {
				return nil, err
			}
			out[i] = pv
		}
		return out, nil
	}
	return v, nil
}

type jsonDecoder struct {
	s     []uint16
	i     int
	limit int
}

const noChar = -1

func (d *jsonDecoder) moveNext() int {
	if d.i < len(d.s) {
		c := d.s[d.i]
		d.i++
		return int(c)
	}
	return noChar
}

func (d *jsonDecoder) movePrev() {
	if d.i > 0 {
		d.i--
	}
}

func (d *jsonDecoder) nextNonSpace() (int, bool) {
	for d.i < len(d.s) {
		c := d.s[d.i]
		d.i++
		if !unicode.IsSpace(rune(c)) {
			return int(c), true
		}
	}
	return noChar, false
}

func (d *jsonDecoder) rest() string {
	if d.i < len(d.s) {
		return string(utf16.Decode(d.s[d.i:]))
	}
	return ""
}

func (d *jsonDecoder) debug(msg string) error {
	return &JSONError{Argument: true, Message: fmt.Sprintf("%s (%d): %s", msg, d.i, string(utf16.Decode(d.s)))}
}

func (d *jsonDecoder) primitiveError(tok string) error {
	return &JSONError{Argument: true, Message: fmt.Sprintf("Invalid JSON primitive: %s.", tok)}
}

func (d *jsonDecoder) value(depth int) (any, error) {
	depth++
	if depth > d.limit {
		return nil, d.debug("RecursionLimit exceeded.")
	}
	c, ok := d.nextNonSpace()
	if !ok {
		return nil, nil
	}
	d.movePrev()
	if d.hasPrefix(`"\/Date(`) {
		if v, ok, err := d.date(); ok || err != nil {
			return v, err
		}
	}
	switch c {
	case '{':
		return d.object(depth)
	case '[':
		return d.array(depth)
	case '"', '\'':
		return d.str()
	}
	return d.primitive()
}

func (d *jsonDecoder) hasPrefix(p string) bool {
	u := utf16.Encode([]rune(p))
	if d.i+len(u) > len(d.s) {
		return false
	}
	for k, c := range u {
		if d.s[d.i+k] != c {
			return false
		}
	}
	return true
}

// date reads "\/Date(ticks[zone])\/" when the text matches; ok is false to read it as a string instead.
func (d *jsonDecoder) date() (any, bool, error) {
	j := d.i + 8
	start := j
	if j < len(d.s) && d.s[j] == '-' {
		j++
	}
	digits := j
	for j < len(d.s) && d.s[j] >= '0' && d.s[j] <= '9' {
		j++
	}
	if j == digits {
		return nil, false, nil
	}
	num := string(utf16.Decode(d.s[start:j]))
	if j < len(d.s) && (d.s[j] == '+' || d.s[j] == '-') {
		k := j + 1
		for k < len(d.s) && k < j+5 && d.s[k] >= '0' && d.s[k] <= '9' {
			k++
		}
		if k == j+5 {
			j = k
		}
	} else if j < len(d.s) && (d.s[j] >= 'a' && d.s[j] <= 'z' || d.s[j] >= 'A' && d.s[j] <= 'Z') {
		j++
	}
	tail := `)\/"`
	for k := 0; k < len(tail); k++ {
		if j+k >= len(d.s) || d.s[j+k] != uint16(tail[k]) {
			return nil, false, nil
		}
	}
	ms, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return nil, false, nil //nolint:nilerr // an unparsable number is read as a plain string, as .NET does
	}
	d.i = j + len(tail)
	ticks := ms*ticksPerMillisecond + unixEpochTicks // wraps like C#'s unchecked arithmetic
	if ticks < 0 || ticks > maxTicks || (ms != 0 && (ticks-unixEpochTicks)/ms != ticksPerMillisecond) {
		return nil, false, &JSONError{Argument: true,
			Message: "Ticks must be between DateTime.MinValue.Ticks and DateTime.MaxValue.Ticks.\r\nParameter name: ticks"}
	}
	return DateTime{Ticks: ticks, Kind: UTC}, true, nil
}

const (
	msgMemberName = "Invalid object passed in, member name expected."
	msgColonBrace = "Invalid object passed in, ':' or '}' expected."
)

func (d *jsonDecoder) object(depth int) (any, error) {
	if d.moveNext() != '{' {
		return nil, d.debug("Invalid object passed in, '{' expected.")
	}
	var obj *jsonObject
	var next int
	for {
		var ok bool
		next, ok = d.nextNonSpace()
		if !ok {
			break
		}
		d.movePrev()
		if next == ':' {
			return nil, d.debug(msgMemberName)
		}
		key := ""
		if next != '}' {
			k, ok, err := d.memberName()
			if err != nil {
				return nil, err
			}
			if !ok || k == "" {
				return nil, d.debug(msgMemberName)
			}
			if c, _ := d.nextNonSpace(); c != ':' {
				return nil, d.debug(msgColonBrace)
			}
			key = k
		}
		if obj == nil {
			obj = &jsonObject{vals: map[string]any{}}
			if key == "" {
				next, _ = d.nextNonSpace()
				break
			}
		}
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		if _, exists := obj.vals[key]; !exists {
			obj.keys = append(obj.keys, key)
		}
		obj.vals[key] = v
		next, _ = d.nextNonSpace()
		if next == '}' {
			break
		}
		if next != ',' {
			return nil, d.debug(msgColonBrace)
		}
	}
	if next != '}' {
		return nil, d.debug(msgColonBrace)
	}
	return obj, nil
}

func (d *jsonDecoder) memberName() (string, bool, error) {
	c, ok := d.nextNonSpace()
	if !ok {
		return "", false, nil
	}
	d.movePrev()
	if c == '"' || c == '\'' {
		s, err := d.str()
		if err != nil {
			return "", false, err
		}
		str, _ := s.(string)
		return str, true, nil
	}
	return d.token(), true, nil
}

func (d *jsonDecoder) array(depth int) (any, error) {
	if d.moveNext() != '[' {
		return nil, d.debug("Invalid array passed in, '[' expected.")
	}
	list := jsonList{}
	trailing := false
	var next int
	for {
		var ok bool
		next, ok = d.nextNonSpace()
		if !ok || next == ']' {
			break
		}
		d.movePrev()
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		trailing = false
		next, _ = d.nextNonSpace()
		if next == ']' {
			break
		}
		trailing = true
		if next != ',' {
			return nil, d.debug("Invalid array passed in, ',' expected.")
		}
	}
	if trailing {
		return nil, d.debug("Invalid array passed in, extra trailing ','.")
	}
	if next != ']' {
		return nil, d.debug("Invalid array passed in, ']' expected.")
	}
	return list, nil
}

func (d *jsonDecoder) str() (any, error) {
	quote := d.moveNext()
	if quote != '"' && quote != '\'' {
		return nil, d.debug(`Invalid string passed in, '"' expected.`)
	}
	var out []uint16
	escaped := false
	for {
		c := d.moveNext()
		if c == noChar {
			return nil, d.debug("Unterminated string passed in.")
		}
		switch {
		case c == '\\':
			if escaped {
				out = append(out, '\\')
			}
			escaped = !escaped
		case escaped:
			escaped = false
			r, err := d.escape(c)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		case c == quote:
			return string(utf16.Decode(out)), nil
		default:
			out = append(out, uint16(c)) //nolint:gosec // c is a UTF-16 code unit
		}
	}
}

func (d *jsonDecoder) escape(c int) (uint16, error) {
	switch c {
	case '"', '\'', '/':
		return uint16(c), nil //nolint:gosec // ASCII
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		if d.i+4 > len(d.s) {
			// int.Parse(null) in the deserializer: an ArgumentNullException.
			return 0, &JSONError{Argument: true, Message: "Value cannot be null.\r\nParameter name: s"}
		}
		hex := strings.TrimFunc(string(utf16.Decode(d.s[d.i:d.i+4])), func(r rune) bool {
			return r == ' ' || (r >= '\t' && r <= '\r')
		})
		d.i += 4
		n, err := strconv.ParseUint(hex, 16, 16)
		if err != nil || hex == "" || strings.ContainsAny(hex, "+-") {
			// a FormatException, which is not an ArgumentException
			return 0, &JSONError{Message: msgFormat}
		}
		return uint16(n), nil
	}
	return 0, d.debug("Unrecognized escape sequence.")
}

// token reads a primitive token: letters, digits, '.', '-', '_', '+' (Char.IsLetterOrDigit).
func (d *jsonDecoder) token() string {
	start := d.i
	for d.i < len(d.s) {
		c := rune(d.s[d.i])
		if unicode.IsLetter(c) || unicode.IsDigit(c) || c == '.' || c == '-' || c == '_' || c == '+' {
			d.i++
			continue
		}
		break
	}
	return string(utf16.Decode(d.s[start:d.i]))
}

func (d *jsonDecoder) primitive() (any, error) {
	tok := d.token()
	switch tok {
	case "null":
		return nil, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	hasDot := strings.Contains(tok, ".")
	hasExp := strings.ContainsAny(tok, "eE")
	if !hasExp {
		if !hasDot {
			if n, err := strconv.ParseInt(tok, 10, 32); err == nil && isIntegerToken(tok) {
				return int32(n), nil
			}
			if n, err := strconv.ParseInt(tok, 10, 64); err == nil && isIntegerToken(tok) {
				return n, nil
			}
		}
		if dec, ok := parseJSONDecimal(tok); ok {
			return dec, nil
		}
	}
	if f, ok := parseJSONDouble(tok); ok {
		return f, nil
	}
	return nil, d.primitiveError(tok)
}

// isIntegerToken is NumberStyles.Integer on a token: an optional sign and ASCII digits (strconv would
// also accept an underscore-free form only, so this guards against nothing but documents the rule).
func isIntegerToken(t string) bool {
	if t != "" && (t[0] == '+' || t[0] == '-') {
		t = t[1:]
	}
	if t == "" {
		return false
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parseJSONDecimal is Decimal.TryParse(NumberStyles.Number, invariant) on a token: a leading or a
// trailing sign, digits with at most one '.', at least one digit; false when it does not fit.
func parseJSONDecimal(t string) (Decimal, bool) {
	neg := false
	switch {
	case t != "" && (t[0] == '+' || t[0] == '-'):
		neg = t[0] == '-'
		t = t[1:]
	case t != "" && (t[len(t)-1] == '+' || t[len(t)-1] == '-'):
		neg = t[len(t)-1] == '-'
		t = t[:len(t)-1]
	}
	intPart, frac, _ := strings.Cut(t, ".")
	digits := intPart + frac
	if digits == "" {
		return Decimal{}, false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return Decimal{}, false
		}
	}
	c, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return Decimal{}, false
	}
	if neg {
		c.Neg(c)
	}
	scale := len(frac)
	// .NET keeps at most 28 decimal places and rounds the rest (inferred).
	return newDecimal(c, scale)
}

// parseJSONDouble is Double.TryParse(NumberStyles.Float, invariant) on .NET Framework: an optional
// leading sign, digits with an optional '.', an optional exponent, or the symbols Infinity, -Infinity,
// NaN; a value beyond the double range fails (an OverflowException there).
func parseJSONDouble(t string) (float64, bool) {
	switch t {
	case "Infinity", "+Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	case "NaN":
		return math.NaN(), true
	}
	body := t
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(body), "e")
	ip, fp, _ := strings.Cut(mant, ".")
	if ip+fp == "" || !allDigits(ip) || !allDigits(fp) || strings.Count(mant, ".") > 1 {
		return 0, false
	}
	if hasExp {
		e := exp
		if e != "" && (e[0] == '+' || e[0] == '-') {
			e = e[1:]
		}
		if e == "" || !allDigits(e) {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if isRange(err) && !math.IsInf(f, 0) {
			return f, true
		}
		return 0, false
	}
	return f, true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
