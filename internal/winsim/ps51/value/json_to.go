package value

import (
	"fmt"
	"strconv"
	"strings"
)

// ConvertTo-Json as Windows PowerShell 5.1 writes it (ConvertTo-Json.md, 5.1). The cmdlet collects its
// input objects (skipping $null ones); none gives no output, one is converted itself, several are
// converted as one array. Each object is first reduced to dictionaries, lists and primitives down to
// Depth (default 2): an object found deeper than Depth is replaced by its string conversion, so a third
// level of nested hashtables becomes "System.Collections.Hashtable" (ConvertTo-Json.md "-Depth";
// inferred from Windows PowerShell's ConvertToJsonCommand.ProcessValue, which converts an object at a
// depth greater than Depth with LanguagePrimitives.ConvertTo(string)). The result is serialized
// compactly by JavaScriptSerializer (ConvertTo-Json.md NOTES) and, without -Compress, re-indented by the
// cmdlet's own formatter (json_pretty.go).
//
// JavaScriptSerializer's forms (inferred from .NET Framework 4.x's System.Web.Extensions; the
// ConvertTo-Json.md 5.1 examples show the date, number and enum forms):
//   - $null is null; booleans true/false; strings quoted with HttpUtility.JavaScriptStringEncode's
//     escapes: \" \\ \b \f \n \r \t, other control characters and ' < > & U+0085 U+2028 U+2029 as
//     \uXXXX with lower-case hex (so "it's" is "it\u0027s"); other non-ASCII characters are kept;
//   - a char is a one-character string ('\0' is null);
//   - integers in decimal; a double in .NET Framework's "R" form (0.1 + 0.2 is 0.30000000000000004);
//     a decimal with its scale; NaN and ±Infinity are written as NaN, Infinity, -Infinity (not JSON);
//   - an enum value as its number (example 1: "AlgorithmType":  1);
//   - a DateTime as "\/Date(<milliseconds since 1970-01-01 UTC>)\/" (example 1);
//   - a dictionary as an object with its keys in enumeration order (a key that is not a string is an
//     error); a collection as an array; a [pscustomobject] as an object with its properties in order.

// ToJSONOptions are ConvertTo-Json's parameters.
type ToJSONOptions struct {
	Depth    int // 0 means the default, 2
	Compress bool
}

// maxJSONDepth is the largest -Depth 5.1 accepts (ConvertTo-Json.md "-Depth": "any number from 1 to
// 100").
const maxJSONDepth = 100

// PropertyLister is implemented by host objects that ConvertTo-Json writes as objects: their public
// properties, in the order .NET reflection lists them.
type PropertyLister interface {
	PropertyNames() []string
}

// ConvertToJSON is ConvertTo-Json over the input objects; ok is false when there is no output (no
// input, or only $null inputs).
func ConvertToJSON(inputs []any, opts ToJSONOptions) (out string, ok bool, err error) {
	depth := opts.Depth
	if depth == 0 {
		depth = 2
	}
	if depth > maxJSONDepth {
		// inferred: WebCmdletStrings ReachedMaximumDepthAllowed.
		return "", false, &RuntimeError{ID: "ReachedMaximumDepthAllowed,Microsoft.PowerShell.Commands.ConvertToJsonCommand",
			Message: fmt.Sprintf("The maximum depth allowed for serialization is %d.", maxJSONDepth)}
	}
	var objs []any
	for _, in := range inputs {
		if in = norm(in); in != nil {
			objs = append(objs, in)
		}
	}
	if len(objs) == 0 {
		return "", false, nil
	}
	root := objs[0]
	if len(objs) > 1 {
		root = Array(objs)
	}
	var b strings.Builder
	w := jsonWriter{depth: depth, b: &b}
	if err := w.value(root, 0); err != nil {
		return "", false, err
	}
	if opts.Compress {
		return b.String(), true, nil
	}
	return prettyJSON(b.String()), true, nil
}

type jsonWriter struct {
	depth int
	b     *strings.Builder
}

func (w *jsonWriter) value(v any, depth int) error {
	v = norm(v)
	switch x := v.(type) {
	case nil:
		w.b.WriteString("null")
		return nil
	case string:
		writeJSONString(w.b, x)
		return nil
	case Char:
		if x == 0 {
			w.b.WriteString("null")
		} else {
			writeJSONString(w.b, string(rune(x)))
		}
		return nil
	case bool:
		w.b.WriteString(strconv.FormatBool(x))
		return nil
	case uint8:
		w.b.WriteString(strconv.Itoa(int(x)))
		return nil
	case int32:
		w.b.WriteString(strconv.FormatInt(int64(x), 10))
		return nil
	case int64:
		w.b.WriteString(strconv.FormatInt(x, 10))
		return nil
	case float64:
		w.b.WriteString(formatDoubleR(x))
		return nil
	case Decimal:
		w.b.WriteString(x.String())
		return nil
	case Enum:
		w.b.WriteString(strconv.FormatInt(x.Value, 10))
		return nil
	case DateTime:
		ms := (x.ToUniversalTime().Ticks - unixEpochTicks) / ticksPerMillisecond
		w.b.WriteString(`"\/Date(` + strconv.FormatInt(ms, 10) + `)\/"`)
		return nil
	}
	if depth > w.depth {
		writeJSONString(w.b, ToString(v))
		return nil
	}
	switch x := v.(type) {
	case *Hashtable:
		w.b.WriteByte('{')
		for i, k := range x.keys {
			ks, ok := k.(string)
			if !ok {
				// inferred: WebCmdletStrings NonStringKeyInDictionary, worded as JavaScriptSerializer's.
				return &RuntimeError{ID: "NonStringKeyInDictionary,Microsoft.PowerShell.Commands.ConvertToJsonCommand",
					Message: fmt.Sprintf("The type '%s' is not supported for serialization or deserialization of a dictionary. Keys must be strings.", x.TypeName())}
			}
			if i > 0 {
				w.b.WriteByte(',')
			}
			writeJSONString(w.b, ks)
			w.b.WriteByte(':')
			if err := w.value(x.vals[i], depth+1); err != nil {
				return err
			}
		}
		w.b.WriteByte('}')
		return nil
	case *PSObject:
		w.b.WriteByte('{')
		for i, n := range x.names {
			if i > 0 {
				w.b.WriteByte(',')
			}
			writeJSONString(w.b, n)
			w.b.WriteByte(':')
			if err := w.value(x.vals[i], depth+1); err != nil {
				return err
			}
		}
		w.b.WriteByte('}')
		return nil
	}
	if items, ok := List(v); ok {
		w.b.WriteByte('[')
		for i, e := range items {
			if i > 0 {
				w.b.WriteByte(',')
			}
			if err := w.value(e, depth+1); err != nil {
				return err
			}
		}
		w.b.WriteByte(']')
		return nil
	}
	if o, ok := v.(Object); ok {
		pl, ok := v.(PropertyLister)
		if !ok {
			return &NotModelledError{What: "ConvertTo-Json of a " + o.TypeName() + " that does not list its properties"}
		}
		w.b.WriteByte('{')
		for i, n := range pl.PropertyNames() {
			if i > 0 {
				w.b.WriteByte(',')
			}
			writeJSONString(w.b, n)
			w.b.WriteByte(':')
			pv, _ := o.Property(n)
			if err := w.value(pv, depth+1); err != nil {
				return err
			}
		}
		w.b.WriteByte('}')
		return nil
	}
	return &NotModelledError{What: fmt.Sprintf("ConvertTo-Json of Go value %T", v)}
}

// writeJSONString writes s quoted with JavaScriptStringEncode's escapes.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 || r == '\'' || r == '<' || r == '>' || r == '&' || r == 0x85 || r == 0x2028 || r == 0x2029 {
				fmt.Fprintf(b, `\u%04x`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
