package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// .NET types: the engine's own ([string], [Convert], [regex], ...) and the host's (Config.Types), by
// full name and accelerator (about_Type_Accelerators). A name resolves as written, then with
// "System." before it, as PowerShell does.

type staticMethod func(s *Session, args []any) (any, error)
type staticProp func(s *Session) (any, error)

// typeInfo is a type as a script sees it ([T] as a value, a cast, New-Object T, [T]::Member).
type typeInfo struct {
	fullName  string
	names     []string
	valueName string // the value layer's cast name, when value.Convert implements the cast
	enum      *value.EnumType
	elem      *typeInfo // array element type
	props     map[string]staticProp
	methods   map[string]staticMethod
	setters   map[string]func(s *Session, v any) error
	ctor      func(s *Session, args []any) (any, error)
	convert   func(s *Session, v any) (any, error)
	statics   string // the .NET type's static members, for loud failure
	isA       func(v any) bool
}

// TypeName implements value.Object: a type is a System.RuntimeType.
func (t *typeInfo) TypeName() string { return "System.RuntimeType" }

// Property implements value.Object.
func (t *typeInfo) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "fullname":
		return t.fullName, true
	case "name":
		return shortTypeName(t.fullName), true
	case "namespace":
		if i := strings.LastIndexByte(t.fullName, '.'); i >= 0 {
			return t.fullName[:i], true
		}
		return "", true
	case "isarray":
		return t.elem != nil, true
	case "isenum":
		return t.enum != nil, true
	}
	return nil, false
}

// ToString implements value.Object: a type converts to its full name.
func (t *typeInfo) ToString() string { return t.fullName }

func (t *typeInfo) class() *class { return typeClass }

var typeClass = &class{name: "System.RuntimeType",
	members: "Assembly AssemblyQualifiedName Attributes BaseType FullName GUID IsAbstract IsArray IsClass IsEnum IsGenericType IsInterface IsPublic IsSealed IsValueType Module Name Namespace UnderlyingSystemType GetConstructors GetMethods GetProperties GetFields GetEnumNames GetEnumValues GetElementType GetInterfaces IsAssignableFrom IsInstanceOfType MakeArrayType GetMember",
	methods: map[string]method{
		"getenumnames": func(_ *Session, self any, _ []any) (any, error) {
			t := as[*typeInfo](self)
			if t.enum == nil {
				return nil, dotnetError("System.ArgumentException", "Type provided must be an Enum.\r\nParameter name: enumType")
			}
			out := &value.TypedArray{Elem: "System.String"}
			for _, m := range t.enum.Members {
				out.Values = append(out.Values, m.Name)
			}
			return out, nil
		},
	}}

// register adds a type under its full name and accelerators.
func (s *Session) register(t *typeInfo) {
	s.types[strings.ToLower(t.fullName)] = t
	for _, n := range t.names {
		s.types[strings.ToLower(n)] = t
	}
}

func (s *Session) initTypes() {
	s.types = map[string]*typeInfo{}
	for _, mk := range engineTypes {
		s.register(mk())
	}
	for _, mk := range dotnetTypes {
		s.register(mk())
	}
	for full := range exceptionBases {
		s.register(exceptionTypeInfo(full))
	}
	for _, ht := range s.cfg.Types {
		s.register(hostType(ht))
	}
}

// hostType wraps a host's Type.
func hostType(ht *Type) *typeInfo {
	t := &typeInfo{fullName: ht.FullName, names: ht.Accelerators, props: map[string]staticProp{}, methods: map[string]staticMethod{},
		setters: map[string]func(*Session, any) error{}}
	for k, f := range ht.StaticMethods {
		t.methods[strings.ToLower(k)] = staticMethod(f)
	}
	for k, f := range ht.StaticProperties {
		t.props[strings.ToLower(k)] = staticProp(f)
	}
	for k, f := range ht.SetStatic {
		t.setters[strings.ToLower(k)] = f
	}
	if ht.New != nil {
		t.ctor = ht.New
	}
	if ht.ConvertFrom != nil {
		t.convert = ht.ConvertFrom
	}
	return t
}

// acceleratorsOf5 are the type accelerators of 5.1 and other type names a script may write that the
// engine or a host must provide: an unresolved one fails as not implemented, not as "Unable to find
// type".
var acceleratorsOf5 = map[string]bool{
	"adsi": true, "adsisearcher": true, "alias": true, "allowemptycollection": true, "allowemptystring": true,
	"allownull": true, "argumentcompleter": true, "bigint": true, "cimclass": true, "cimconverter": true,
	"ciminstance": true, "cimtype": true, "cmdletbinding": true, "cultureinfo": true, "float": true,
	"single": true, "hashtable": true, "initialsessionstate": true, "int16": true, "ipaddress": true,
	"ipendpoint": true, "mailaddress": true, "mshexpression": true, "outputtype": true, "parameter": true,
	"physicaladdress": true, "powershell": true, "psaliasproperty": true, "pscredential": true,
	"psdefaultvalue": true, "pslistmodifier": true, "psmoduleinfo": true, "psprimitivedictionary": true,
	"psvariable": true, "psvariableproperty": true, "runspace": true, "runspacefactory": true, "sbyte": true,
	"securestring": true, "semver": true, "short": true, "supportswildcards": true, "timespan": true,
	"uint16": true, "uint32": true, "uint64": true, "ushort": true, "uint": true, "ulong": true, "uri": true,
	"validatecount": true, "validatenotnull": true, "validatenotnullorempty": true, "validatepattern": true,
	"validaterange": true, "validatescript": true, "validateset": true, "version": true, "wmi": true,
	"wmiclass": true, "wmisearcher": true, "x500distinguishedname": true, "x509certificate": true, "xml": true,
}

// resolveType resolves a type as written in a script.
func (s *Session) resolveType(tn *syntax.TypeName) (*typeInfo, error) {
	if len(tn.ArrayRanks) > 0 {
		inner := &syntax.TypeName{Name: tn.Name, Args: tn.Args, ArrayRanks: tn.ArrayRanks[:len(tn.ArrayRanks)-1]}
		inner.Pos = tn.Pos
		if tn.ArrayRanks[len(tn.ArrayRanks)-1] != 1 {
			return nil, notImpl("multi-dimensional array types ([%s])", tn.String())
		}
		el, err := s.resolveType(inner)
		if err != nil {
			return nil, err
		}
		return s.arrayType(el), nil
	}
	if len(tn.Args) > 0 {
		return s.genericType(tn)
	}
	return s.lookupType(tn.Name)
}

func (s *Session) lookupType(name string) (*typeInfo, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if t, ok := s.types[n]; ok {
		return t, nil
	}
	if t, ok := s.types["system."+n]; ok {
		return t, nil
	}
	if full, ok := knownExceptionType(name); ok {
		return s.exceptionType(full), nil
	}
	if acceleratorsOf5[n] || strings.Contains(n, ".") {
		return nil, notImpl("the type [%s]", name)
	}
	rec := newRecord("System.Management.Automation.RuntimeException", fmt.Sprintf("Unable to find type [%s].", name), "TypeNotFound", "InvalidOperation", name)
	s.stamp(rec)
	return nil, &psError{rec: rec}
}

// resolveTypeName resolves a type given as a string (New-Object 'System.Collections.Generic.List[string]',
// -is 'string').
func (s *Session) resolveTypeName(name string) (*typeInfo, error) {
	n := strings.TrimSpace(name)
	if strings.HasPrefix(n, "[") && strings.HasSuffix(n, "]") {
		n = n[1 : len(n)-1]
	}
	sb, err := syntax.Parse("[" + n + "]")
	if err == nil && len(sb.Statements) == 1 {
		if e, ok := directExpr(sb.Statements[0]); ok {
			if lit, ok := e.(*syntax.TypeLit); ok {
				return s.resolveType(lit.Type)
			}
		}
	}
	return s.lookupType(name)
}

func (s *Session) arrayType(el *typeInfo) *typeInfo {
	full := el.fullName + "[]"
	if t, ok := s.types[strings.ToLower(full)]; ok {
		return t
	}
	return &typeInfo{fullName: full, elem: el, convert: func(s *Session, v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		items := enumerate(v)
		if str, ok := v.(string); ok && el.fullName == "System.Char" {
			// about_Type_Conversion: a string converts to char[] character by character.
			items = runesOf(str)
		}
		out := &value.TypedArray{Elem: el.fullName, Values: make(value.Array, len(items))}
		for i, it := range items {
			c, err := s.convertToType(it, el)
			if err != nil {
				return nil, err
			}
			out.Values[i] = c
		}
		return out, nil
	}, isA: func(v any) bool {
		ta, ok := v.(*value.TypedArray)
		return ok && strings.EqualFold(ta.Elem, el.fullName)
	}}
}

func (s *Session) genericType(tn *syntax.TypeName) (*typeInfo, error) {
	n := strings.ToLower(strings.TrimPrefix(strings.ToLower(tn.Name), "system."))
	switch n {
	case "collections.generic.list", "list":
		if len(tn.Args) != 1 {
			return nil, notImpl("the type [%s]", tn.String())
		}
		el, err := s.resolveType(tn.Args[0])
		if err != nil {
			return nil, err
		}
		return listType(el), nil
	}
	return nil, notImpl("the generic type [%s]", tn.String())
}

// typeOfValue is $v.GetType().
func (s *Session) typeOfValue(v any) *typeInfo {
	name := value.TypeName(v)
	switch x := v.(type) {
	case *listValue:
		return listType(x.elem)
	case *Exception:
		name = x.TypeName()
	}
	if t, ok := s.types[strings.ToLower(name)]; ok {
		return t
	}
	return &typeInfo{fullName: name}
}

// convertTo is a cast [T]v.
func (s *Session) convertTo(v any, tn *syntax.TypeName) (any, error) {
	t, err := s.resolveType(tn)
	if err != nil {
		return nil, err
	}
	r, err := s.convertToType(v, t)
	if err != nil {
		return nil, s.terminating(err)
	}
	return r, nil
}

func (s *Session) convertToTypeName(v any, name string) (any, error) {
	t, err := s.resolveTypeName(name)
	if err != nil {
		return nil, err
	}
	return s.convertToType(v, t)
}

// convertToType converts a value to a type as PowerShell's casts and parameter binding do
// (about_Type_Conversion): the value layer's conversions for its types, an enum by name or value,
// the type's own conversion, a constructor taking the value, or the value itself when it already
// is of the type.
func (s *Session) convertToType(v any, t *typeInfo) (any, error) {
	if r, ok := v.(*psRef); ok && !strings.EqualFold(t.fullName, "System.Management.Automation.PSReference") {
		v = r.get()
	}
	switch {
	case t.fullName == "System.String":
		// [string] of a collection joins it with $OFS (about_Preference_Variables "$OFS").
		if v == nil {
			return "", nil
		}
		return s.str(v), nil
	case t.convert != nil:
		return t.convert(s, v)
	case t.valueName != "":
		r, err := value.Convert(v, t.valueName)
		if err != nil && value.IsNotModelled(err) {
			return nil, notImpl("%s", strings.TrimPrefix(err.Error(), "ps51/value: not modelled: "))
		}
		return r, err
	case t.enum != nil:
		if v == nil {
			return nil, &value.ConversionError{Value: "", Target: t.fullName, Reason: "Null cannot be converted to an enum."}
		}
		return value.ConvertToEnum(v, t.enum)
	}
	if v == nil || s.isType(v, t) {
		return v, nil
	}
	if t.ctor != nil {
		r, err := t.ctor(s, []any{v})
		if err == nil {
			return r, nil
		}
		if passThrough(err) {
			return nil, err
		}
		return nil, &value.ConversionError{Value: value.ToString(v), Target: t.fullName, Reason: recordFromError(err).Exception.Message}
	}
	return nil, &value.ConversionError{Value: value.DotNetString(v), Source: value.TypeName(v), Target: t.fullName}
}

// isType is -is.
func (s *Session) isType(v any, t *typeInfo) bool {
	if v == nil {
		return false
	}
	if t.isA != nil {
		return t.isA(v)
	}
	if t.enum != nil {
		e, ok := v.(value.Enum)
		return ok && strings.EqualFold(e.Type.Name, t.enum.Name)
	}
	if value.Is(v, t.fullName) {
		return true
	}
	for _, n := range t.names {
		if value.Is(v, n) {
			return true
		}
	}
	return false
}

func (s *Session) getStatic(t *typeInfo, name string) (any, error) {
	if p, ok := t.props[strings.ToLower(name)]; ok {
		v, err := p(s)
		if err != nil {
			return nil, s.terminating(s.wrapMethodError(name, 0, err))
		}
		return v, nil
	}
	if t.enum != nil {
		if e, ok := t.enum.Of(name); ok {
			return e, nil
		}
		return nil, nil
	}
	return nil, notImpl("the static member [%s]::%s", t.fullName, name)
}

func (s *Session) setStatic(t *typeInfo, name string, v any) error {
	if f, ok := t.setters[strings.ToLower(name)]; ok {
		if err := f(s, v); err != nil {
			if passThrough(err) {
				return err
			}
			return s.terminating(newRecord("System.Management.Automation.SetValueInvocationException", fmt.Sprintf(
				"Exception setting \"%s\": \"%s\"", name, recordFromError(err).Exception.Message), "ExceptionWhenSetting", "NotSpecified", nil))
		}
		return nil
	}
	return notImpl("setting the static member [%s]::%s", t.fullName, name)
}

func (s *Session) callStatic(t *typeInfo, name string, args []any) (any, error) {
	ln := strings.ToLower(name)
	if m, ok := t.methods[ln]; ok {
		r, err := m(s, args)
		return r, s.wrapMethodError(name, len(args), err)
	}
	if ln == "new" && t.ctor != nil {
		r, err := t.ctor(s, args)
		return r, s.wrapMethodError(".ctor", len(args), err)
	}
	if ln == "equals" && len(args) == 2 {
		return objectEquals(args[0], args[1]), nil
	}
	if t.statics != "" && !(&class{members: t.statics}).has(name) {
		return nil, methodNotFound(t.fullName, name)
	}
	return nil, notImpl("the static method [%s]::%s", t.fullName, name)
}

// newObject is New-Object T args and [T]::new(args).
func (s *Session) newObject(t *typeInfo, args []any) (any, error) {
	if t.ctor == nil {
		if t.elem != nil {
			return nil, notImpl("New-Object of the array type [%s] (use New-Object %s[] n)", t.fullName, t.elem.fullName)
		}
		return nil, notImpl("a constructor of [%s]", t.fullName)
	}
	r, err := t.ctor(s, args)
	if err != nil {
		var pe *psError
		if passThrough(err) || errors.As(err, &pe) {
			return nil, err
		}
		inner := recordFromError(err)
		rec := newRecord("System.Management.Automation.MethodInvocationException", fmt.Sprintf(
			"Exception calling \".ctor\" with \"%d\" argument(s): \"%s\"", len(args), inner.Exception.Message),
			"ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand", "InvalidOperation", nil)
		rec.Exception.Inner = inner.Exception
		return nil, rec
	}
	return r, nil
}

func (s *Session) exceptionType(full string) *typeInfo {
	if t, ok := s.types[strings.ToLower(full)]; ok {
		return t
	}
	return exceptionTypeInfo(full)
}

func exceptionTypeInfo(full string) *typeInfo {
	return &typeInfo{fullName: full, ctor: func(_ *Session, args []any) (any, error) {
		e := &Exception{Types: exceptionTypes(full)}
		if len(args) > 0 {
			e.Message = value.ToString(args[0])
		} else {
			e.Message = defaultExceptionMessage(full)
		}
		if len(args) > 1 {
			if in, ok := args[1].(*Exception); ok {
				e.Inner = in
			}
		}
		return e, nil
	}, isA: func(v any) bool {
		e, ok := v.(*Exception)
		if !ok {
			return false
		}
		for _, t := range e.Types {
			if strings.EqualFold(t, full) {
				return true
			}
		}
		return false
	}}
}

// defaultMessages are .NET Framework's messages of exceptions made without one.
var defaultMessages = map[string]string{
	"System.FormatException":                          "One of the identified items was in an invalid format.",
	"System.InvalidOperationException":                "Operation is not valid due to the current state of the object.",
	"System.ArgumentException":                        "Value does not fall within the expected range.",
	"System.ArgumentNullException":                    "Value cannot be null.",
	"System.ArgumentOutOfRangeException":              "Specified argument was out of the range of valid values.",
	"System.NotSupportedException":                    "Specified method is not supported.",
	"System.NotImplementedException":                  "The method or operation is not implemented.",
	"System.IO.IOException":                           "I/O error occurred.",
	"System.IO.FileNotFoundException":                 "Unable to find the specified file.",
	"System.IO.DirectoryNotFoundException":            "Attempted to access a path that is not on the disk.",
	"System.DivideByZeroException":                    "Attempted to divide by zero.",
	"System.OverflowException":                        "Arithmetic operation resulted in an overflow.",
	"System.TimeoutException":                         "The operation has timed out.",
	"System.UnauthorizedAccessException":              "Attempted to perform an unauthorized operation.",
	"System.IndexOutOfRangeException":                 "Index was outside the bounds of the array.",
	"System.NullReferenceException":                   "Object reference not set to an instance of an object.",
	"System.InvalidCastException":                     "Specified cast is not valid.",
	"System.Collections.Generic.KeyNotFoundException": "The given key was not present in the dictionary.",
}

func defaultExceptionMessage(full string) string {
	if m, ok := defaultMessages[full]; ok {
		return m
	}
	return fmt.Sprintf("Exception of type '%s' was thrown.", full)
}
