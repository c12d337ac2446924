package engine

import (
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// The primitive types' members and the engine's type table.

var securityProtocolType = value.SecurityProtocolType()

var numberClass = &class{name: "System.ValueType",
	members: "CompareTo Equals GetHashCode GetType GetTypeCode ToString ToBoolean ToByte ToChar ToDecimal ToDouble ToInt16 ToInt32 ToInt64 ToSingle"}

var boolClass = &class{name: "System.Boolean",
	members: "CompareTo Equals GetHashCode GetType GetTypeCode ToString",
	props: map[string]getter{
		// inferred: a [switch] parameter is a bool in the engine; IsPresent reads it.
		"ispresent": func(_ *Session, self any) (any, error) { return self, nil },
	}}

var charClass = &class{name: "System.Char", members: "CompareTo Equals GetHashCode GetType GetTypeCode ToString"}

func charStatics() map[string]staticMethod {
	test := func(name string, f func(rune) bool) staticMethod {
		return func(_ *Session, args []any) (any, error) {
			if len(args) != 1 {
				return nil, notImpl("[char]::%s with %d arguments", name, len(args))
			}
			c, err := value.ToChar(args[0])
			if err != nil {
				return nil, err
			}
			return f(rune(c)), nil
		}
	}
	conv := func(f func(rune) rune) staticMethod {
		return func(_ *Session, args []any) (any, error) {
			c, err := value.ToChar(args0(args))
			if err != nil {
				return nil, err
			}
			return value.Char(f(rune(c))), nil
		}
	}
	return map[string]staticMethod{
		"isdigit":         test("IsDigit", unicode.IsDigit),
		"isletter":        test("IsLetter", unicode.IsLetter),
		"isletterordigit": test("IsLetterOrDigit", func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }),
		"iswhitespace":    test("IsWhiteSpace", isDotNetSpace),
		"isupper":         test("IsUpper", unicode.IsUpper),
		"islower":         test("IsLower", unicode.IsLower),
		"ispunctuation":   test("IsPunctuation", unicode.IsPunct),
		"iscontrol":       test("IsControl", unicode.IsControl),
		"toupper":         conv(unicode.ToUpper),
		"tolower":         conv(unicode.ToLower),
	}
}

var psObjectClass = &class{name: "System.Management.Automation.PSCustomObject",
	members: "PSObject"}

var enumClass = &class{name: "System.Enum",
	members: "value__ CompareTo Equals GetHashCode GetType GetTypeCode HasFlag ToString",
	methods: map[string]method{
		"hasflag": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("HasFlag", len(args))
			}
			e := as[value.Enum](self)
			f, err := value.ConvertToEnum(args[0], e.Type)
			if err != nil {
				return nil, err
			}
			return e.Value&f.Value == f.Value, nil
		},
	}}

var dateTimeClass = &class{name: "System.DateTime",
	members: "Date Day DayOfWeek DayOfYear Hour Kind Millisecond Minute Month Second Ticks TimeOfDay Year Add AddDays AddHours AddMilliseconds AddMinutes AddMonths AddSeconds AddTicks AddYears CompareTo Equals GetDateTimeFormats IsDaylightSavingTime Subtract ToBinary ToFileTime ToFileTimeUtc ToLocalTime ToLongDateString ToLongTimeString ToOADate ToShortDateString ToShortTimeString ToString ToUniversalTime",
	methods: map[string]method{
		"addseconds":      dtAdd(1),
		"addminutes":      dtAdd(60),
		"addhours":        dtAdd(3600),
		"adddays":         dtAdd(86400),
		"addmilliseconds": dtAdd(0.001),
		"addticks": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("AddTicks", len(args))
			}
			n, err := value.ToInt64(args[0])
			if err != nil {
				return nil, err
			}
			return as[value.DateTime](self).AddTicks(n)
		},
		"touniversaltime": func(_ *Session, self any, _ []any) (any, error) {
			return as[value.DateTime](self).ToUniversalTime(), nil
		},
		"tolocaltime": func(s *Session, self any, _ []any) (any, error) {
			d := as[value.DateTime](self)
			return d.ToLocalTime(s.Now().Offset), nil
		},
		"compareto": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("CompareTo", len(args))
			}
			o, ok := args[0].(value.DateTime)
			if !ok {
				return nil, dotnetError("System.ArgumentException", "Object must be of type DateTime.")
			}
			return int32(as[value.DateTime](self).Compare(o)), nil //nolint:gosec // -1..1
		},
		"subtract": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("Subtract", len(args))
			}
			switch o := args[0].(type) {
			case value.DateTime:
				return timeSpan(as[value.DateTime](self).Ticks - o.Ticks), nil
			case timeSpan:
				return as[value.DateTime](self).AddTicks(-int64(o))
			}
			return nil, notImpl("DateTime.Subtract of a %s", value.TypeName(args[0]))
		},
		"add": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("Add", len(args))
			}
			ts, ok := args[0].(timeSpan)
			if !ok {
				return nil, notImpl("DateTime.Add of a %s", value.TypeName(args[0]))
			}
			return as[value.DateTime](self).AddTicks(int64(ts))
		},
	},
	props: map[string]getter{
		"dayofweek": func(_ *Session, self any) (any, error) {
			d := as[value.DateTime](self)
			days := d.Ticks / (86400 * 10_000_000)
			return value.Enum{Type: dayOfWeekType, Value: (days + 1) % 7}, nil
		},
		"dayofyear": func(_ *Session, self any) (any, error) {
			d := as[value.DateTime](self)
			y, _ := d.Property("Year")
			year, _ := y.(int32)
			ticks := value.FromTime(time.Date(int(year), 1, 1, 0, 0, 0, 0, time.UTC), value.UTC).Ticks
			return int32((d.Ticks-ticks)/(86400*10_000_000) + 1), nil //nolint:gosec // 1..366
		},
		"timeofday": func(_ *Session, self any) (any, error) {
			d := as[value.DateTime](self)
			return timeSpan(d.Ticks % (86400 * 10_000_000)), nil
		},
		"date": func(_ *Session, self any) (any, error) {
			d := as[value.DateTime](self)
			d.Ticks -= d.Ticks % (86400 * 10_000_000)
			return d, nil
		},
	}}

func dtAdd(seconds float64) method {
	return func(_ *Session, self any, args []any) (any, error) {
		if len(args) != 1 {
			return nil, overload("AddSeconds", len(args))
		}
		f, err := value.ToDouble(args[0])
		if err != nil {
			return nil, err
		}
		return as[value.DateTime](self).AddSeconds(f * seconds)
	}
}

// engineTypes make the engine's own types, once per session (the tables are never modified).
var engineTypes = []func() *typeInfo{
	func() *typeInfo {
		return &typeInfo{fullName: "System.String", names: []string{"string"}, valueName: "string", methods: stringStatics(),
			props: map[string]staticProp{"empty": func(*Session) (any, error) { return "", nil }}, ctor: newString,
			statics: "Empty Compare CompareOrdinal Concat Copy Equals Format Intern IsInterned IsNullOrEmpty IsNullOrWhiteSpace Join new"}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Object", names: []string{"object"}, valueName: "object"}
	},
	func() *typeInfo {
		return intType("System.Int32", []string{"int", "int32"}, "int", math.MinInt32, math.MaxInt32)
	},
	func() *typeInfo {
		return intType("System.Int64", []string{"long", "int64"}, "long", math.MinInt64, math.MaxInt64)
	},
	func() *typeInfo { return intType("System.Byte", []string{"byte"}, "byte", 0, 255) },
	func() *typeInfo {
		return &typeInfo{fullName: "System.Double", names: []string{"double"}, valueName: "double",
			props: map[string]staticProp{
				"maxvalue": func(*Session) (any, error) { return math.MaxFloat64, nil },
				"minvalue": func(*Session) (any, error) { return -math.MaxFloat64, nil },
				"nan":      func(*Session) (any, error) { return math.NaN(), nil },
			}, methods: map[string]staticMethod{"parse": parseNumberStatic("double")}}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Decimal", names: []string{"decimal"}, valueName: "decimal"}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Boolean", names: []string{"bool", "boolean"}, valueName: "bool",
			props: map[string]staticProp{
				"truestring":  func(*Session) (any, error) { return "True", nil },
				"falsestring": func(*Session) (any, error) { return "False", nil },
			},
			methods: map[string]staticMethod{"parse": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("Parse", len(args))
				}
				switch strings.ToLower(strings.TrimSpace(argString(args, 0))) {
				case "true":
					return true, nil
				case "false":
					return false, nil
				}
				return nil, dotnetError("System.FormatException", "String was not recognized as a valid Boolean.")
			}}, statics: "FalseString TrueString Parse TryParse Equals"}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Char", names: []string{"char"}, valueName: "char", methods: charStatics(),
			props: map[string]staticProp{
				"maxvalue": func(*Session) (any, error) { return value.Char(0xFFFF), nil },
				"minvalue": func(*Session) (any, error) { return value.Char(0), nil },
			},
			statics: "MaxValue MinValue ConvertFromUtf32 ConvertToUtf32 Equals GetNumericValue GetUnicodeCategory IsControl IsDigit IsHighSurrogate IsLetter IsLetterOrDigit IsLower IsLowSurrogate IsNumber IsPunctuation IsSeparator IsSurrogate IsSurrogatePair IsSymbol IsUpper IsWhiteSpace Parse ToLower ToLowerInvariant ToString ToUpper ToUpperInvariant TryParse"}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Management.Automation.SwitchParameter", names: []string{"switch"},
			convert: func(_ *Session, v any) (any, error) { return value.ToBool(v), nil }, isA: func(v any) bool { _, ok := v.(bool); return ok }}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Array", names: []string{"array"}, valueName: "array", methods: map[string]staticMethod{
			"reverse": func(_ *Session, args []any) (any, error) {
				if len(args) != 1 {
					return nil, overload("Reverse", len(args))
				}
				items, ok := value.List(args[0])
				if !ok {
					return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: array")
				}
				for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
					items[i], items[j] = items[j], items[i]
				}
				return nil, nil
			},
			"indexof": func(_ *Session, args []any) (any, error) {
				if len(args) != 2 {
					return nil, overload("IndexOf", len(args))
				}
				for i, it := range itemsOf(args[0]) {
					if objectEquals(it, args[1]) {
						return int32(i), nil //nolint:gosec // small
					}
				}
				return int32(-1), nil
			},
		}, statics: "AsReadOnly BinarySearch Clear ConstrainedCopy ConvertAll Copy CreateInstance Empty Exists Find FindAll FindIndex FindLast ForEach IndexOf LastIndexOf Resize Reverse Sort TrueForAll",
			isA: func(v any) bool { _, ok := value.List(v); return ok && value.Is(v, "System.Array") }}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Object[]", valueName: "object[]", elem: &typeInfo{fullName: "System.Object"},
			isA: func(v any) bool { _, ok := v.(value.Array); return ok }}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Collections.Hashtable", names: []string{"hashtable"}, valueName: "hashtable",
			ctor: func(*Session, []any) (any, error) { return value.NewHashtable(), nil }}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Collections.Specialized.OrderedDictionary", names: []string{"ordered"},
			ctor: func(*Session, []any) (any, error) { return value.NewOrdered(), nil },
			isA:  func(v any) bool { h, ok := v.(*value.Hashtable); return ok && h.Ordered }}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Management.Automation.PSObject", names: []string{"psobject"}, valueName: "psobject",
			ctor: func(*Session, []any) (any, error) { return value.NewPSObject(), nil }}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Management.Automation.PSCustomObject", names: []string{"pscustomobject"}, valueName: "pscustomobject"}
	},
	dateTimeType,
	func() *typeInfo {
		return &typeInfo{fullName: "System.Management.Automation.ScriptBlock", names: []string{"scriptblock"},
			methods: map[string]staticMethod{"create": scriptBlockCreate}, statics: "Create"}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Management.Automation.ErrorRecord",
			isA: func(v any) bool { _, ok := v.(*ErrorRecord); return ok },
			ctor: func(_ *Session, args []any) (any, error) {
				if len(args) != 4 {
					return nil, overload("new", len(args))
				}
				ex, ok := args[0].(*Exception)
				if !ok {
					return nil, notImpl("an ErrorRecord of a %s", value.TypeName(args[0]))
				}
				return &ErrorRecord{Exception: ex, FullyQualifiedErrorId: value.ToString(args[1]), Category: value.ToString(args[2]), TargetObject: args[3]}, nil
			}}
	},
	func() *typeInfo {
		return &typeInfo{fullName: "System.Management.Automation.PSReference", names: []string{"ref"},
			convert: func(_ *Session, v any) (any, error) { return &psRef{val: v}, nil }}
	},
	func() *typeInfo { return &typeInfo{fullName: "System.Void", names: []string{"void"}} },
	func() *typeInfo {
		return &typeInfo{fullName: "System.Collections.ArrayList",
			ctor: func(*Session, []any) (any, error) { return &arrayList{}, nil }}
	},
	func() *typeInfo { return enumType(securityProtocolType) },
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.ConsoleColor", Members: enumMembers("Black DarkBlue DarkGreen DarkCyan DarkRed DarkMagenta DarkYellow Gray DarkGray Blue Green Cyan Red Magenta Yellow White")})
	},
	func() *typeInfo { return enumType(dayOfWeekType) },
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.MidpointRounding", Members: enumMembers("ToEven AwayFromZero")})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.IO.FileAttributes", Flags: true, Members: []value.EnumMember{
			{Name: "ReadOnly", Value: 1}, {Name: "Hidden", Value: 2}, {Name: "System", Value: 4}, {Name: "Directory", Value: 16},
			{Name: "Archive", Value: 32}, {Name: "Device", Value: 64}, {Name: "Normal", Value: 128}, {Name: "Temporary", Value: 256},
			{Name: "SparseFile", Value: 512}, {Name: "ReparsePoint", Value: 1024}, {Name: "Compressed", Value: 2048},
			{Name: "Offline", Value: 4096}, {Name: "NotContentIndexed", Value: 8192}, {Name: "Encrypted", Value: 16384},
			{Name: "IntegrityStream", Value: 32768}, {Name: "NoScrubData", Value: 131072}}})
	},
	// Interfaces the engine's collections implement (-is [System.Collections.IList]).
	func() *typeInfo { return interfaceType("System.Collections.IEnumerable", listLike) },
	func() *typeInfo { return interfaceType("System.Collections.ICollection", listLike) },
	func() *typeInfo { return interfaceType("System.Collections.IList", listLike) },
	func() *typeInfo {
		return interfaceType("System.Collections.IDictionary", func(v any) bool { _, ok := v.(*value.Hashtable); return ok })
	},
	// .NET types whose objects only a host makes: -is compares the type name; a cast or -as of
	// anything else fails as a conversion (-as gives $null). A host type of the same name replaces
	// these.
	func() *typeInfo { return opaqueType("System.Diagnostics.Process") },
	func() *typeInfo { return opaqueType("System.ServiceProcess.ServiceController") },
	func() *typeInfo { return opaqueType("System.IO.FileInfo") },
	func() *typeInfo { return opaqueType("System.IO.DirectoryInfo") },
	func() *typeInfo { return opaqueType("System.IO.FileSystemInfo") },
	func() *typeInfo { return opaqueType("Microsoft.Win32.RegistryKey") },
	func() *typeInfo { return opaqueType("Microsoft.Management.Infrastructure.CimInstance", "ciminstance") },
	func() *typeInfo { return opaqueType("System.Single", "float", "single") },
	func() *typeInfo { return enumType(value.ServiceControllerStatus()) },
	func() *typeInfo { return enumType(value.ServiceStartMode()) },
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.DateTimeKind", Members: []value.EnumMember{{Name: "Unspecified", Value: 0}, {Name: "Utc", Value: 1}, {Name: "Local", Value: 2}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.Management.Automation.ActionPreference", Members: []value.EnumMember{
			{Name: "SilentlyContinue", Value: 0}, {Name: "Stop", Value: 1}, {Name: "Continue", Value: 2}, {Name: "Inquire", Value: 3}, {Name: "Ignore", Value: 4}, {Name: "Suspend", Value: 5}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.StringSplitOptions", Members: []value.EnumMember{{Name: "None", Value: 0}, {Name: "RemoveEmptyEntries", Value: 1}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.StringComparison", Members: []value.EnumMember{{Name: "CurrentCulture", Value: 0}, {Name: "CurrentCultureIgnoreCase", Value: 1},
			{Name: "InvariantCulture", Value: 2}, {Name: "InvariantCultureIgnoreCase", Value: 3}, {Name: "Ordinal", Value: 4}, {Name: "OrdinalIgnoreCase", Value: 5}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.IO.FileMode", Members: []value.EnumMember{{Name: "CreateNew", Value: 1}, {Name: "Create", Value: 2},
			{Name: "Open", Value: 3}, {Name: "OpenOrCreate", Value: 4}, {Name: "Truncate", Value: 5}, {Name: "Append", Value: 6}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.IO.FileAccess", Flags: true, Members: []value.EnumMember{{Name: "Read", Value: 1}, {Name: "Write", Value: 2}, {Name: "ReadWrite", Value: 3}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.IO.FileShare", Flags: true, Members: []value.EnumMember{{Name: "None", Value: 0}, {Name: "Read", Value: 1}, {Name: "Write", Value: 2},
			{Name: "ReadWrite", Value: 3}, {Name: "Delete", Value: 4}, {Name: "Inheritable", Value: 16}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.IO.SeekOrigin", Members: []value.EnumMember{{Name: "Begin", Value: 0}, {Name: "Current", Value: 1}, {Name: "End", Value: 2}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.IO.Compression.CompressionMode", Members: []value.EnumMember{{Name: "Decompress", Value: 0}, {Name: "Compress", Value: 1}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "Microsoft.Win32.RegistryValueKind", Members: []value.EnumMember{{Name: "None", Value: -1}, {Name: "Unknown", Value: 0},
			{Name: "String", Value: 1}, {Name: "ExpandString", Value: 2}, {Name: "Binary", Value: 3}, {Name: "DWord", Value: 4}, {Name: "MultiString", Value: 7}, {Name: "QWord", Value: 11}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "Microsoft.Win32.RegistryValueOptions", Flags: true, Members: []value.EnumMember{{Name: "None", Value: 0}, {Name: "DoNotExpandEnvironmentNames", Value: 1}}})
	},
	func() *typeInfo {
		return enumType(&value.EnumType{Name: "System.EnvironmentVariableTarget", Members: []value.EnumMember{{Name: "Process", Value: 0}, {Name: "User", Value: 1}, {Name: "Machine", Value: 2}}})
	},
}

func enumType(e *value.EnumType) *typeInfo {
	return &typeInfo{fullName: e.Name, enum: e}
}

func intType(full string, names []string, vname string, lo, hi int64) *typeInfo {
	mk := func(n int64) any {
		switch vname {
		case "int":
			return int32(n) //nolint:gosec // the bounds of the type
		case "byte":
			return uint8(n) //nolint:gosec // the bounds of the type
		}
		return n
	}
	return &typeInfo{fullName: full, names: names, valueName: vname,
		props: map[string]staticProp{
			"maxvalue": func(*Session) (any, error) { return mk(hi), nil },
			"minvalue": func(*Session) (any, error) { return mk(lo), nil },
		},
		methods: map[string]staticMethod{
			"parse": parseNumberStatic(vname),
			"tryparse": func(_ *Session, args []any) (any, error) {
				if len(args) != 2 {
					return nil, overload("TryParse", len(args))
				}
				r, ok := args[1].(*psRef)
				if !ok {
					return nil, notImpl("%s::TryParse without a [ref] argument", full)
				}
				v, err := value.Convert(strings.TrimSpace(value.ToString(args[0])), vname)
				if err != nil || strings.ContainsAny(value.ToString(args[0]), ".eExX") {
					r.set(mk(0))
					return false, nil //nolint:nilerr // TryParse reports failure as false
				}
				r.set(v)
				return true, nil
			},
		}, statics: "MaxValue MinValue Parse TryParse Equals"}
}

func parseNumberStatic(vname string) staticMethod {
	return func(_ *Session, args []any) (any, error) {
		if len(args) != 1 {
			return nil, notImpl("%s Parse with %d arguments", vname, len(args))
		}
		if args[0] == nil {
			return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: s")
		}
		str := value.ToString(args[0])
		if strings.ContainsAny(str, "xX") {
			return nil, dotnetError("System.FormatException", "Input string was not in a correct format.")
		}
		v, err := value.Convert(str, vname)
		if err != nil {
			var ce *value.ConversionError
			if errorsAs(err, &ce) && ce.Reason != "" {
				exType := "System.FormatException"
				if strings.Contains(ce.Reason, "too large") {
					exType = "System.OverflowException"
				}
				return nil, dotnetError(exType, ce.Reason)
			}
			return nil, err
		}
		return v, nil
	}
}

func dateTimeType() *typeInfo {
	return &typeInfo{fullName: "System.DateTime", names: []string{"datetime"},
		convert: func(s *Session, v any) (any, error) { return s.convertDateTime(v) },
		ctor:    func(s *Session, args []any) (any, error) { return s.newDateTime(args) },
		isA:     func(v any) bool { _, ok := v.(value.DateTime); return ok },
		props: map[string]staticProp{
			"now":    func(s *Session) (any, error) { return s.Now(), nil },
			"utcnow": func(s *Session) (any, error) { return s.Now().ToUniversalTime(), nil },
			"today": func(s *Session) (any, error) {
				d := s.Now()
				d.Ticks -= d.Ticks % (86400 * 10_000_000)
				return d, nil
			},
			"minvalue": func(*Session) (any, error) { return value.DateTime{}, nil },
		}, statics: "MaxValue MinValue Now Today UtcNow Compare DaysInMonth Equals FromBinary FromFileTime FromFileTimeUtc FromOADate IsLeapYear Parse ParseExact SpecifyKind TryParse TryParseExact"}
}

func enumMembers(names string) []value.EnumMember {
	var out []value.EnumMember
	for i, n := range strings.Fields(names) {
		out = append(out, value.EnumMember{Name: n, Value: int64(i)})
	}
	return out
}

func listLike(v any) bool {
	_, ok := value.List(v)
	return ok
}

func interfaceType(full string, isA func(any) bool) *typeInfo {
	return &typeInfo{fullName: full, isA: func(v any) bool { return isA(v) || value.Is(v, full) }}
}

func opaqueType(full string, names ...string) *typeInfo {
	return &typeInfo{fullName: full, names: names, isA: func(v any) bool { return value.Is(v, full) }}
}
