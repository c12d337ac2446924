package engine

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Pure .NET Framework types: [Convert], [Text.Encoding], [BitConverter], [Math], [regex], [guid],
// [IO.Path], [Uri], [version], [TimeSpan], [Environment], [Console], [Net.ServicePointManager],
// [ScriptBlock]::Create, exceptions. Each member follows .NET Framework 4.x's reference
// documentation; error texts are .NET's resource strings.

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// toBytes reads a byte[] argument.
func toBytes(v any) ([]byte, error) {
	if v == nil {
		return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: inArray")
	}
	items, ok := value.List(v)
	if !ok {
		return nil, &value.ConversionError{Value: value.DotNetString(v), Source: value.TypeName(v), Target: "System.Byte[]"}
	}
	out := make([]byte, len(items))
	for i, it := range items {
		b, err := value.ToByte(it)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func byteArray(b []byte) *value.TypedArray {
	out := &value.TypedArray{Elem: "System.Byte", Values: make(value.Array, len(b))}
	for i, c := range b {
		out.Values[i] = c
	}
	return out
}

// writeBytesInto copies bytes into a byte[] argument (a buffer a method fills).
func writeBytesInto(dst any, off int, b []byte) error {
	ta, ok := dst.(*value.TypedArray)
	if !ok {
		return notImpl("filling a %s as a byte buffer", value.TypeName(dst))
	}
	if off < 0 || off+len(b) > len(ta.Values) {
		return dotnetError("System.ArgumentException", "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.")
	}
	for i, c := range b {
		if ta.Elem == "System.Char" {
			ta.Values[off+i] = value.Char(c)
		} else {
			ta.Values[off+i] = c
		}
	}
	return nil
}

func sliceArgs(args []any, total int) (int, int, error) {
	if len(args) < 3 {
		return 0, total, nil
	}
	off, err := argInt(args, 1)
	if err != nil {
		return 0, 0, err
	}
	n, err := argInt(args, 2)
	if err != nil {
		return 0, 0, err
	}
	if off < 0 || n < 0 {
		return 0, 0, argOutOfRange("offset", "Value must be positive.")
	}
	if off+n > total {
		return 0, 0, argOutOfRange("offset", "Offset and length must refer to a position in the string.")
	}
	return off, n, nil
}

// byteArgs is the (byte[] buffer[, int offset, int count]) arguments of the .NET methods that take a
// part of a byte array (ComputeHash, TransformBlock, Write, GetString, ToBase64String): that part.
func byteArgs(args []any) ([]byte, error) {
	b, err := toBytes(args[0])
	if err != nil {
		return nil, err
	}
	off, n, err := sliceArgs(args, len(b))
	if err != nil {
		return nil, err
	}
	return b[off : off+n], nil
}

const badBase64 = "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters. "

// fromBase64 is Convert.FromBase64String: white space is ignored, padding is required.
func fromBase64(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	if len(clean)%4 != 0 {
		return nil, dotnetError("System.FormatException", "Invalid length for a Base-64 char array or string.")
	}
	b, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return nil, dotnetError("System.FormatException", badBase64)
	}
	return b, nil
}

func convertType() *typeInfo {
	return &typeInfo{fullName: "System.Convert", statics: "DBNull ChangeType FromBase64CharArray FromBase64String GetTypeCode IsDBNull ToBase64CharArray ToBase64String ToBoolean ToByte ToChar ToDateTime ToDecimal ToDouble ToInt16 ToInt32 ToInt64 ToSByte ToSingle ToString ToUInt16 ToUInt32 ToUInt64",
		methods: map[string]staticMethod{
			"tobase64string": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 && len(args) != 3 {
					return nil, overload("ToBase64String", len(args))
				}
				in, err := byteArgs(args)
				if err != nil {
					return nil, err
				}
				return base64.StdEncoding.EncodeToString(in), nil
			},
			"frombase64string": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("FromBase64String", len(args))
				}
				if args[0] == nil {
					return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: s")
				}
				b, err := fromBase64(value.ToString(args[0]))
				if err != nil {
					return nil, err
				}
				return byteArray(b), nil
			},
			"toint32": convertTo("int", "ToInt32"),
			"toint64": convertTo("long", "ToInt64"),
			"tobyte":  convertTo("byte", "ToByte"),
			"todouble": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("ToDouble", len(args))
				}
				return value.ToDouble(args[0])
			},
			"toboolean": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("ToBoolean", len(args))
				}
				if s, ok := args[0].(string); ok {
					switch strings.ToLower(strings.TrimSpace(s)) {
					case "true":
						return true, nil
					case "false":
						return false, nil
					}
					return nil, dotnetError("System.FormatException", "String was not recognized as a valid Boolean.")
				}
				return value.ToBool(args[0]), nil
			},
			"tostring": func(_ *Session, args []any) (any, error) {
				if len(args) == 1 {
					return value.DotNetString(args[0]), nil
				}
				if len(args) == 2 {
					n, err := value.ToInt64(args[0])
					if err != nil {
						return nil, err
					}
					base, err := argInt(args, 1)
					if err != nil {
						return nil, err
					}
					switch base {
					case 2, 8, 10, 16:
						if n < 0 && base != 10 {
							return nil, notImpl("Convert.ToString of a negative number in base %d", base)
						}
						return strings.ToLower(fmtInt(n, base)), nil
					}
					return nil, dotnetError("System.ArgumentException", "Invalid Base.")
				}
				return nil, overload("ToString", len(args))
			},
		}}
}

func fmtInt(n int64, base int) string {
	return strings.ToLower(formatBase(n, base))
}

func formatBase(n int64, base int) string {
	switch base {
	case 2:
		return fmt.Sprintf("%b", n)
	case 8:
		return fmt.Sprintf("%o", n)
	case 16:
		return fmt.Sprintf("%x", n)
	}
	return fmt.Sprintf("%d", n)
}

func convertTo(vname, name string) staticMethod {
	return func(_ *Session, args []any) (any, error) {
		switch len(args) {
		case 1:
			if s, ok := args[0].(string); ok {
				v, err := value.Convert(s, vname)
				if err != nil {
					var ce *value.ConversionError
					if errorsAs(err, &ce) && ce.Reason != "" {
						return nil, dotnetError("System.FormatException", ce.Reason)
					}
				}
				return v, err
			}
			return value.Convert(args[0], vname)
		case 2:
			base, err := argInt(args, 1)
			if err != nil {
				return nil, err
			}
			s := strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(value.ToString(args[0])), "0x"), "0X")
			var n int64
			if _, err := fmt.Sscanf(s, map[int]string{2: "%b", 8: "%o", 10: "%d", 16: "%x"}[base], &n); err != nil {
				return nil, dotnetError("System.FormatException", "Could not find any recognizable digits.")
			}
			return value.Convert(n, vname)
		}
		return nil, overload(name, len(args))
	}
}

// encodingValue is a System.Text.Encoding.
type encodingValue struct {
	kind string // utf-8, us-ascii, utf-16
	bom  bool
}

func (e *encodingValue) TypeName() string {
	switch e.kind {
	case "us-ascii":
		return "System.Text.ASCIIEncoding"
	case "utf-16":
		return "System.Text.UnicodeEncoding"
	}
	return "System.Text.UTF8Encoding"
}
func (e *encodingValue) TypeNames() []string {
	return []string{e.TypeName(), "System.Text.Encoding"}
}
func (e *encodingValue) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "webname", "bodyname", "headername":
		return e.kind, true
	case "codepage":
		return map[string]int32{"utf-8": 65001, "us-ascii": 20127, "utf-16": 1200}[e.kind], true
	}
	return nil, false
}
func (e *encodingValue) ToString() string { return e.TypeName() }
func (e *encodingValue) class() *class    { return encodingClass }

func (e *encodingValue) decode(b []byte) string {
	switch e.kind {
	case "us-ascii":
		r := make([]rune, len(b))
		for i, c := range b {
			if c > 0x7f {
				r[i] = '?'
			} else {
				r[i] = rune(c)
			}
		}
		return string(r)
	case "utf-16":
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return string(utf16.Decode(u))
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func (e *encodingValue) encode(s string) []byte {
	switch e.kind {
	case "us-ascii":
		out := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 0x7f {
				out = append(out, '?')
			} else {
				out = append(out, byte(r))
			}
		}
		return out
	case "utf-16":
		u := utf16.Encode([]rune(s))
		out := make([]byte, 2*len(u))
		for i, c := range u {
			out[2*i], out[2*i+1] = byte(c), byte(c>>8)
		}
		return out
	}
	var out []byte
	for _, r := range s {
		out = utf8.AppendRune(out, r)
	}
	return out
}

var encodingClass = &class{name: "System.Text.Encoding",
	members: "BodyName CodePage DecoderFallback EncoderFallback EncodingName HeaderName IsBrowserDisplay IsBrowserSave IsMailNewsDisplay IsMailNewsSave IsReadOnly IsSingleByte WebName WindowsCodePage Clone Equals GetByteCount GetBytes GetCharCount GetChars GetDecoder GetEncoder GetMaxByteCount GetMaxCharCount GetPreamble GetString IsAlwaysNormalized",
	methods: map[string]method{
		"getstring": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 && len(args) != 3 {
				return nil, overload("GetString", len(args))
			}
			in, err := byteArgs(args)
			if err != nil {
				return nil, err
			}
			return as[*encodingValue](self).decode(in), nil
		},
		"getbytes": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("GetBytes", len(args))
			}
			if args[0] == nil {
				return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: s")
			}
			var s string
			if items, ok := value.List(args[0]); ok {
				chars, err := argChars([]any{value.Array(items)})
				if err != nil {
					return nil, err
				}
				s = string(chars)
			} else {
				s = value.ToString(args[0])
			}
			return byteArray(as[*encodingValue](self).encode(s)), nil
		},
		"getpreamble": func(_ *Session, self any, _ []any) (any, error) {
			e := as[*encodingValue](self)
			switch {
			case e.kind == "utf-8" && e.bom:
				return byteArray([]byte{0xEF, 0xBB, 0xBF}), nil
			case e.kind == "utf-16":
				return byteArray([]byte{0xFF, 0xFE}), nil
			}
			return byteArray(nil), nil
		},
	}}

func encodingType() *typeInfo {
	return &typeInfo{fullName: "System.Text.Encoding", statics: "ASCII BigEndianUnicode Default Unicode UTF32 UTF7 UTF8 Convert GetEncoding GetEncodings RegisterProvider",
		props: map[string]staticProp{
			"utf8":    func(*Session) (any, error) { return &encodingValue{kind: "utf-8", bom: true}, nil },
			"ascii":   func(*Session) (any, error) { return &encodingValue{kind: "us-ascii"}, nil },
			"unicode": func(*Session) (any, error) { return &encodingValue{kind: "utf-16", bom: true}, nil },
		}}
}

func utf8EncodingType() *typeInfo {
	return &typeInfo{fullName: "System.Text.UTF8Encoding", ctor: func(_ *Session, args []any) (any, error) {
		e := &encodingValue{kind: "utf-8"}
		if len(args) > 0 {
			e.bom = value.ToBool(args[0])
		}
		return e, nil
	}}
}

func bitConverterType() *typeInfo {
	return &typeInfo{fullName: "System.BitConverter", statics: "IsLittleEndian DoubleToInt64Bits GetBytes Int64BitsToDouble ToBoolean ToChar ToDouble ToInt16 ToInt32 ToInt64 ToSingle ToString ToUInt16 ToUInt32 ToUInt64",
		props: map[string]staticProp{"islittleendian": func(*Session) (any, error) { return true, nil }},
		methods: map[string]staticMethod{
			"tostring": func(_ *Session, args []any) (any, error) {
				if len(args) < 1 || len(args) > 3 {
					return nil, overload("ToString", len(args))
				}
				b, err := toBytes(args[0])
				if err != nil {
					return nil, err
				}
				if len(args) > 1 {
					off, err := argInt(args, 1)
					if err != nil {
						return nil, err
					}
					n := len(b) - off
					if len(args) == 3 {
						if n, err = argInt(args, 2); err != nil {
							return nil, err
						}
					}
					if off < 0 || n < 0 || off+n > len(b) {
						return nil, argOutOfRange("startIndex", "Index was out of range. Must be non-negative and less than the size of the collection.")
					}
					b = b[off : off+n]
				}
				parts := make([]string, len(b))
				for i, c := range b {
					parts[i] = fmt.Sprintf("%02X", c)
				}
				return strings.Join(parts, "-"), nil
			},
		}}
}

func mathType() *typeInfo {
	num := func(name string, f func(a, b float64) float64) staticMethod {
		return func(_ *Session, args []any) (any, error) {
			if len(args) != 2 {
				return nil, overload(name, len(args))
			}
			a, b := args[0], args[1]
			if isInteger(a) && isInteger(b) {
				x, err := value.ToInt64(a)
				if err != nil {
					return nil, err
				}
				y, err := value.ToInt64(b)
				if err != nil {
					return nil, err
				}
				r := int64(f(float64(x), float64(y)))
				if _, ok := a.(int64); !ok {
					if _, ok := b.(int64); !ok {
						return int32(r), nil //nolint:gosec // both operands were int
					}
				}
				return r, nil
			}
			x, err := value.ToDouble(a)
			if err != nil {
				return nil, err
			}
			y, err := value.ToDouble(b)
			if err != nil {
				return nil, err
			}
			return f(x, y), nil
		}
	}
	unary := func(name string, f func(float64) float64) staticMethod {
		return func(_ *Session, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload(name, len(args))
			}
			x, err := value.ToDouble(args[0])
			if err != nil {
				return nil, err
			}
			return f(x), nil
		}
	}
	return &typeInfo{fullName: "System.Math", statics: "E PI Abs Acos Asin Atan Atan2 BigMul Ceiling Cos Cosh DivRem Exp Floor IEEERemainder Log Log10 Max Min Pow Round Sign Sin Sinh Sqrt Tan Tanh Truncate",
		props: map[string]staticProp{
			"pi": func(*Session) (any, error) { return math.Pi, nil },
			"e":  func(*Session) (any, error) { return math.E, nil },
		},
		methods: map[string]staticMethod{
			"min":      num("Min", math.Min),
			"max":      num("Max", math.Max),
			"pow":      func(_ *Session, args []any) (any, error) { return binaryDouble(args, math.Pow, "Pow") },
			"floor":    unary("Floor", math.Floor),
			"ceiling":  unary("Ceiling", math.Ceil),
			"truncate": unary("Truncate", math.Trunc),
			"sqrt":     unary("Sqrt", math.Sqrt),
			"abs": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("Abs", len(args))
				}
				switch x := args[0].(type) {
				case int32:
					if x == math.MinInt32 {
						return nil, dotnetError("System.OverflowException", "Negating the minimum value of a twos complement number is invalid.")
					}
					if x < 0 {
						return -x, nil
					}
					return x, nil
				case int64:
					if x < 0 {
						return -x, nil
					}
					return x, nil
				}
				f, err := value.ToDouble(args[0])
				return math.Abs(f), err
			},
			"round": func(_ *Session, args []any) (any, error) {
				if len(args) < 1 || len(args) > 2 {
					return nil, overload("Round", len(args))
				}
				x, err := value.ToDouble(args[0])
				if err != nil {
					return nil, err
				}
				digits := 0
				away := false
				for _, a := range args[1:] {
					if e, ok := a.(value.Enum); ok && e.Type.Name == "System.MidpointRounding" {
						away = e.Value == 1
						continue
					}
					if _, isStr := a.(string); isStr {
						away = strings.EqualFold(value.ToString(a), "AwayFromZero")
						continue
					}
					if digits, err = toInt(a); err != nil {
						return nil, err
					}
				}
				p := math.Pow(10, float64(digits))
				if away {
					return math.Round(x*p) / p, nil
				}
				return math.RoundToEven(x*p) / p, nil
			},
		}}
}

func isInteger(v any) bool {
	switch v.(type) {
	case int32, int64, uint8:
		return true
	}
	return false
}

func binaryDouble(args []any, f func(a, b float64) float64, name string) (any, error) {
	if len(args) != 2 {
		return nil, overload(name, len(args))
	}
	x, err := value.ToDouble(args[0])
	if err != nil {
		return nil, err
	}
	y, err := value.ToDouble(args[1])
	if err != nil {
		return nil, err
	}
	return f(x, y), nil
}

// scriptBlockCreate is [ScriptBlock]::Create(text): the text is parsed when Create is called.
func scriptBlockCreate(s *Session, args []any) (any, error) {
	if len(args) != 1 {
		return nil, overload("Create", len(args))
	}
	text := value.ToString(args[0])
	sb, err := syntax.Parse(text)
	if err != nil {
		var pe *syntax.Error
		if errors.As(err, &pe) && pe.Kind == syntax.Unsupported {
			return nil, &NotImplementedError{What: strings.TrimPrefix(pe.Message, notImplPrefix), Pos: "in [ScriptBlock]::Create, " + pe.Pos.String()}
		}
		return nil, dotnetError("System.Management.Automation.ParseException", parseMessage(err))
	}
	return &scriptBlock{ast: sb, src: newSource(text), text: text}, nil
}

func consoleType() *typeInfo {
	return &typeInfo{fullName: "System.Console", statics: "BackgroundColor BufferHeight BufferWidth CapsLock CursorLeft CursorSize CursorTop CursorVisible Error ForegroundColor In InputEncoding IsErrorRedirected IsInputRedirected IsOutputRedirected KeyAvailable LargestWindowHeight LargestWindowWidth NumberLock Out OutputEncoding Title TreatControlCAsInput WindowHeight WindowLeft WindowTop WindowWidth Beep Clear MoveBufferArea OpenStandardError OpenStandardInput OpenStandardOutput Read ReadKey ReadLine ResetColor SetBufferSize SetCursorPosition SetError SetIn SetOut SetWindowPosition SetWindowSize Write WriteLine",
		props: map[string]staticProp{
			"in":  func(s *Session) (any, error) { return &consoleReader{s: s}, nil },
			"out": func(s *Session) (any, error) { return &consoleWriter{s: s}, nil },
			"error": func(s *Session) (any, error) {
				return &consoleWriter{s: s, err: true}, nil
			},
		},
		methods: map[string]staticMethod{
			"writeline": func(s *Session, args []any) (any, error) {
				return (&consoleWriter{s: s}).write(args, true)
			},
			"write": func(s *Session, args []any) (any, error) {
				return (&consoleWriter{s: s}).write(args, false)
			},
			"readline": func(s *Session, _ []any) (any, error) { return (&consoleReader{s: s}).readLine() },
		}}
}

// consoleWriter is [Console]::Out or [Console]::Error.
type consoleWriter struct {
	s   *Session
	err bool
}

func (w *consoleWriter) TypeName() string            { return "System.IO.TextWriter+SyncTextWriter" }
func (w *consoleWriter) Property(string) (any, bool) { return nil, false }
func (w *consoleWriter) ToString() string            { return w.TypeName() }
func (w *consoleWriter) class() *class               { return consoleWriterClass }

func (w *consoleWriter) write(args []any, line bool) (any, error) {
	var text string
	switch len(args) {
	case 0:
	case 1:
		if items, ok := args[0].(*value.TypedArray); ok && items.Elem == "System.Char" {
			chars, _ := argChars([]any{items})
			text = string(chars)
		} else {
			text = value.DotNetString(args[0])
		}
	default:
		t, err := value.FormatComposite(value.ToString(args[0]), args[1:])
		if err != nil {
			return nil, err
		}
		text = t
	}
	if line {
		text += "\r\n"
	}
	out := w.s.stdout
	if w.err {
		out = w.s.stderr
	}
	_, _ = out.Write([]byte(text))
	return nil, nil
}

var consoleWriterClass = &class{name: "System.IO.TextWriter",
	members: "Encoding FormatProvider NewLine Close Dispose Flush Write WriteLine WriteAsync WriteLineAsync FlushAsync",
	methods: map[string]method{
		"writeline": func(_ *Session, self any, args []any) (any, error) { return as[*consoleWriter](self).write(args, true) },
		"write": func(_ *Session, self any, args []any) (any, error) {
			return as[*consoleWriter](self).write(args, false)
		},
		"flush": func(*Session, any, []any) (any, error) { return nil, nil },
	}}

// consoleReader is [Console]::In over Config.Stdin.
type consoleReader struct{ s *Session }

func (r *consoleReader) TypeName() string            { return "System.IO.SyncTextReader" }
func (r *consoleReader) Property(string) (any, bool) { return nil, false }
func (r *consoleReader) ToString() string            { return r.TypeName() }
func (r *consoleReader) class() *class               { return consoleReaderClass }

// readLine reads a line: "\n" or "\r\n" ends it; nil at the end of the input.
func (r *consoleReader) readLine() (any, error) {
	line, err := r.s.stdin.ReadString('\n')
	if line == "" && err != nil {
		return nil, nil //nolint:nilerr // end of input is $null
	}
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	return line, nil
}

var consoleReaderClass = &class{name: "System.IO.TextReader",
	members: "Close Dispose Peek Read ReadBlock ReadLine ReadToEnd ReadAsync ReadBlockAsync ReadLineAsync ReadToEndAsync",
	methods: map[string]method{
		"readline": func(_ *Session, self any, _ []any) (any, error) { return as[*consoleReader](self).readLine() },
		"readtoend": func(_ *Session, self any, _ []any) (any, error) {
			var b strings.Builder
			for {
				c, _, err := as[*consoleReader](self).s.stdin.ReadRune()
				if err != nil {
					return b.String(), nil //nolint:nilerr // end of input
				}
				b.WriteRune(c)
			}
		},
		// Read(char[] buffer, int index, int count): the characters read, 0 at the end of the input.
		// Stdin is read as ASCII/UTF-8 text (the console code page is not modelled).
		"read": func(_ *Session, self any, args []any) (any, error) {
			rd := as[*consoleReader](self).s.stdin
			if len(args) == 0 {
				c, _, err := rd.ReadRune()
				if err != nil {
					return int32(-1), nil //nolint:nilerr // end of input
				}
				return c, nil
			}
			if len(args) != 3 {
				return nil, overload("Read", len(args))
			}
			ta, ok := args[0].(*value.TypedArray)
			if !ok || ta.Elem != "System.Char" {
				return nil, notImpl("TextReader.Read into a %s", value.TypeName(args[0]))
			}
			off, err := argInt(args, 1)
			if err != nil {
				return nil, err
			}
			n, err := argInt(args, 2)
			if err != nil {
				return nil, err
			}
			if off < 0 || n < 0 || off+n > len(ta.Values) {
				return nil, dotnetError("System.ArgumentException", "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.")
			}
			k := 0
			for k < n {
				c, _, err := rd.ReadRune()
				if err != nil {
					break
				}
				ta.Values[off+k] = value.Char(c)
				k++
				if rd.Buffered() == 0 && k > 0 {
					break
				}
			}
			return int32(k), nil //nolint:gosec // bounded by count
		},
	}}

func servicePointManagerType() *typeInfo {
	return &typeInfo{fullName: "System.Net.ServicePointManager",
		statics: "CheckCertificateRevocationList DefaultConnectionLimit DnsRefreshTimeout EnableDnsRoundRobin EncryptionPolicy Expect100Continue MaxServicePointIdleTime MaxServicePoints ReusePort SecurityProtocol ServerCertificateValidationCallback UseNagleAlgorithm FindServicePoint SetTcpKeepAlive",
		props:   map[string]staticProp{"securityprotocol": func(s *Session) (any, error) { return s.securityProtocol, nil }},
		setters: map[string]func(*Session, any) error{"securityprotocol": func(s *Session, v any) error {
			e, err := value.ConvertToEnum(v, securityProtocolType)
			if err != nil {
				return err
			}
			s.securityProtocol = e
			return nil
		}}}
}

// SecurityProtocol is [Net.ServicePointManager]::SecurityProtocol as the script left it.
func (s *Session) SecurityProtocol() value.Enum { return s.securityProtocol }

func environmentType() *typeInfo {
	return &typeInfo{fullName: "System.Environment",
		statics: "CommandLine CurrentDirectory CurrentManagedThreadId ExitCode HasShutdownStarted Is64BitOperatingSystem Is64BitProcess MachineName NewLine OSVersion ProcessorCount StackTrace SystemDirectory SystemPageSize TickCount UserDomainName UserInteractive UserName Version WorkingSet Exit ExpandEnvironmentVariables FailFast GetCommandLineArgs GetEnvironmentVariable GetEnvironmentVariables GetFolderPath GetLogicalDrives SetEnvironmentVariable",
		props: map[string]staticProp{
			"newline":                func(*Session) (any, error) { return "\r\n", nil },
			"is64bitoperatingsystem": func(*Session) (any, error) { return true, nil },
			"is64bitprocess":         func(*Session) (any, error) { return true, nil },
		},
		methods: map[string]staticMethod{
			// The process target only; the machine and user targets are the host's (a host type
			// System.Environment replaces this one).
			"getenvironmentvariable": func(s *Session, args []any) (any, error) {
				if len(args) == 2 && !isProcessTarget(args[1]) {
					return nil, notImpl("[Environment]::GetEnvironmentVariable with the target %s (the host provides it)", value.ToString(args[1]))
				}
				if len(args) < 1 || len(args) > 2 {
					return nil, overload("GetEnvironmentVariable", len(args))
				}
				v, ok := s.envGet(value.ToString(args[0]))
				if !ok {
					return nil, nil
				}
				return v, nil
			},
			"setenvironmentvariable": func(s *Session, args []any) (any, error) {
				if len(args) == 3 && !isProcessTarget(args[2]) {
					return nil, notImpl("[Environment]::SetEnvironmentVariable with the target %s (the host provides it)", value.ToString(args[2]))
				}
				if len(args) < 2 || len(args) > 3 {
					return nil, overload("SetEnvironmentVariable", len(args))
				}
				s.envSet(value.ToString(args[0]), args[1])
				return nil, nil
			},
			"expandenvironmentvariables": func(s *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("ExpandEnvironmentVariables", len(args))
				}
				return s.expandEnv(value.ToString(args[0])), nil
			},
		}}
}

func isProcessTarget(v any) bool {
	n := strings.ToLower(value.ToString(v))
	return n == "process" || n == "0"
}

// expandEnv replaces %NAME% with the variable's value when it is set.
func (s *Session) expandEnv(t string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '%')
		if i < 0 {
			b.WriteString(t)
			return b.String()
		}
		j := strings.IndexByte(t[i+1:], '%')
		if j < 0 {
			b.WriteString(t)
			return b.String()
		}
		name := t[i+1 : i+1+j]
		if v, ok := s.envGet(name); ok && name != "" {
			b.WriteString(t[:i] + v)
			t = t[i+2+j:]
			continue
		}
		b.WriteString(t[:i+1+j])
		t = t[i+1+j:]
	}
}

// dotnetTypes are the pure .NET Framework types the engine provides.
var dotnetTypes = []func() *typeInfo{
	convertType, encodingType, utf8EncodingType, bitConverterType, mathType, regexType, guidType, pathType,
	uriType, versionType, timeSpanType, ipAddressType, sha256Type, hmacSHA256Type, aesType, rngType,
	memoryStreamType, gzipType, consoleType, servicePointManagerType, environmentType, stringBuilderType,
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.Text.RegularExpressions.RegexOptions", Flags: true, Members: []value.EnumMember{
			{Name: "None", Value: 0}, {Name: "IgnoreCase", Value: 1}, {Name: "Multiline", Value: 2}, {Name: "ExplicitCapture", Value: 4},
			{Name: "Compiled", Value: 8}, {Name: "Singleline", Value: 16}, {Name: "IgnorePatternWhitespace", Value: 32},
			{Name: "RightToLeft", Value: 64}, {Name: "ECMAScript", Value: 256}, {Name: "CultureInvariant", Value: 512}}})
	},
}

func toInt(v any) (int, error) {
	n, err := value.ToInt32(v)
	return int(n), err
}
