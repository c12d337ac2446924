package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Members: properties, methods, indexes (about_Properties, about_Methods, about_Arrays,
// about_Hash_Tables, about_Member-Access_Enumeration).
//
// How a missing member is decided. In 5.1 (not in strict mode) reading a property an object does not
// have is $null, and calling a method it does not have is an error. The engine reproduces that only
// when the object really lacks the member: every engine type (class) lists the members of its .NET
// type, and a host object may list them (DotNetMembers). A member the .NET type has but the engine
// does not implement fails with "winsim's PowerShell does not implement the member M of [T]" rather
// than reading as $null.

type (
	method func(s *Session, self any, args []any) (any, error)
	getter func(s *Session, self any) (any, error)
	setter func(s *Session, self any, v any) error
)

// class is an engine type's instance members.
type class struct {
	name    string
	members string // the .NET type's member names, space-separated
	props   map[string]getter
	methods map[string]method
	setters map[string]setter
}

// classed is implemented by engine objects.
type classed interface{ class() *class }

func (c *class) has(name string) bool {
	if c == nil {
		return false
	}
	for _, m := range strings.Fields(c.members) {
		if strings.EqualFold(m, name) {
			return true
		}
	}
	return false
}

func (s *Session) classOf(v any) *class {
	switch x := v.(type) {
	case string:
		return stringClass
	case value.Array, *value.TypedArray:
		return arrayClass
	case *value.Hashtable:
		return hashtableClass
	case value.DateTime:
		return dateTimeClass
	case value.Enum:
		return enumClass
	case int32, int64, uint8, float64, value.Decimal:
		return numberClass
	case bool:
		return boolClass
	case value.Char:
		return charClass
	case *value.PSObject:
		return psObjectClass
	case classed:
		return x.class()
	}
	return nil
}

func unwrapRef(v any) any { return v }

func memberName(s *Session, e syntax.Expr) (string, error) {
	if lit, ok := e.(*syntax.StringLit); ok {
		return lit.Value, nil
	}
	v, err := s.eval(e)
	if err != nil {
		return "", err
	}
	return s.str(v), nil
}

func (s *Session) evalMember(x *syntax.Member) (any, error) {
	name, err := memberName(s, x.Name)
	if err != nil {
		return nil, err
	}
	if x.Static {
		t, err := s.staticTarget(x.Target)
		if err != nil {
			return nil, err
		}
		s.pos = x.Pos
		return s.getStatic(t, name)
	}
	obj, err := s.eval(x.Target)
	if err != nil {
		return nil, err
	}
	s.pos = x.Pos
	if h, ok := obj.(*value.Hashtable); ok {
		if n, isNum := x.Name.(*syntax.Number); isNum {
			// $hash.1 looks up the key 1 (a number), not "1".
			v, _ := h.Get(numberValue(n))
			return v, nil
		}
	}
	v, err := s.getMember(obj, name)
	if err != nil {
		return nil, s.terminating(err)
	}
	return v, nil
}

func (s *Session) staticTarget(e syntax.Expr) (*typeInfo, error) {
	v, err := s.eval(e)
	if err != nil {
		return nil, err
	}
	t, ok := v.(*typeInfo)
	if !ok {
		if str, isStr := v.(string); isStr {
			return s.resolveTypeName(str)
		}
		return nil, s.notImplAt(e, "static member access (::) on a %s", value.TypeName(v))
	}
	return t, nil
}

// getMember reads obj.name.
func (s *Session) getMember(obj any, name string) (any, error) {
	switch x := obj.(type) {
	case nil:
		switch strings.ToLower(name) {
		case "count", "length":
			// about_Properties: $null has a Count and a Length of 0 (PowerShell 3.0 and later).
			return int32(0), nil
		}
		return nil, nil
	case string:
		if strings.EqualFold(name, "count") {
			return int32(1), nil
		}
	case *value.Hashtable:
		if v, ok := x.Get(name); ok {
			return v, nil
		}
		if strings.EqualFold(name, "psbase") {
			return &psBase{h: x}, nil
		}
	case *value.PSObject:
		if v, ok := x.Get(name); ok {
			return v, nil
		}
		if strings.EqualFold(name, "psobject") {
			return &psObjectView{obj: x}, nil
		}
		// inferred: a [pscustomobject] has no Count or Length in 5.1 (PowerShell 6.1 added them).
		return nil, nil
	}
	cls := s.classOf(obj)
	if cls != nil {
		if g, ok := cls.props[strings.ToLower(name)]; ok {
			return g(s, obj)
		}
	}
	if o, ok := obj.(value.Object); ok {
		if v, ok := o.Property(name); ok {
			return v, nil
		}
	}
	if strings.EqualFold(name, "psobject") {
		return &psObjectView{obj: obj}, nil
	}
	if items, ok := value.List(obj); ok {
		if cls.has(name) {
			return nil, notImpl("the member %s of [%s]", name, value.TypeName(obj))
		}
		return s.enumerateMember(items, name)
	}
	switch strings.ToLower(name) {
	case "count", "length":
		if _, isStr := obj.(string); !isStr {
			// about_Properties: PowerShell 3.0 and later give every scalar a Count and a Length of 1.
			return int32(1), nil
		}
	}
	if cls.has(name) {
		return nil, notImpl("the member %s of [%s]", name, value.TypeName(obj))
	}
	if dm, ok := obj.(DotNetMembers); ok {
		for _, m := range dm.DotNetMembers() {
			if strings.EqualFold(m, name) {
				return nil, notImpl("the member %s of [%s]", name, value.TypeName(obj))
			}
		}
	}
	return nil, nil
}

// enumerateMember is member-access enumeration: the member of each element that has it, flattened;
// one result is itself, none $null (about_Member-Access_Enumeration).
func (s *Session) enumerateMember(items []any, name string) (any, error) {
	var out []any
	for _, it := range items {
		if it == nil {
			continue
		}
		if !s.hasMember(it, name) {
			continue
		}
		v, err := s.getMember(it, name)
		if err != nil {
			return nil, err
		}
		out = append(out, enumerate(v)...)
	}
	return unwrapCollected(out), nil
}

// hasMember reports whether an object has a property of that name.
func (s *Session) hasMember(obj any, name string) bool {
	switch x := obj.(type) {
	case *value.Hashtable:
		if x.ContainsKey(name) {
			return true
		}
	case *value.PSObject:
		_, ok := x.Get(name)
		return ok
	}
	if cls := s.classOf(obj); cls != nil {
		if _, ok := cls.props[strings.ToLower(name)]; ok {
			return true
		}
	}
	if o, ok := obj.(value.Object); ok {
		if _, ok := o.Property(name); ok {
			return true
		}
	}
	if _, ok := value.List(obj); ok {
		return true
	}
	return false
}

func (s *Session) setMember(x *syntax.Member, v any) error {
	name, err := memberName(s, x.Name)
	if err != nil {
		return err
	}
	if x.Static {
		t, err := s.staticTarget(x.Target)
		if err != nil {
			return err
		}
		return s.setStatic(t, name, v)
	}
	obj, err := s.eval(x.Target)
	if err != nil {
		return err
	}
	s.pos = x.Pos
	return s.terminating(s.setMemberValue(obj, name, v))
}

func propertyNotFound(name string) error {
	return newRecord("System.Management.Automation.RuntimeException", fmt.Sprintf(
		"The property '%s' cannot be found on this object. Verify that the property exists and can be set.", name),
		"PropertyAssignmentException", "InvalidOperation", nil)
}

func (s *Session) setMemberValue(obj any, name string, v any) error {
	switch x := obj.(type) {
	case nil:
		return propertyNotFound(name)
	case *value.Hashtable:
		x.Set(name, v)
		return nil
	case *value.PSObject:
		if _, ok := x.Get(name); ok {
			x.Set(name, v)
			return nil
		}
		return propertyNotFound(name)
	}
	cls := s.classOf(obj)
	if cls != nil {
		if st, ok := cls.setters[strings.ToLower(name)]; ok {
			if err := st(s, obj, v); err != nil {
				if passThrough(err) {
					return err
				}
				return newRecord("System.Management.Automation.SetValueInvocationException", fmt.Sprintf(
					"Exception setting \"%s\": \"%s\"", name, recordFromError(err).Exception.Message), "ExceptionWhenSetting", "NotSpecified", nil)
			}
			return nil
		}
	}
	if st, ok := obj.(Setter); ok {
		if err := st.SetProperty(name, v); err != nil {
			if passThrough(err) {
				return err
			}
			return newRecord("System.Management.Automation.SetValueInvocationException", fmt.Sprintf(
				"Exception setting \"%s\": \"%s\"", name, recordFromError(err).Exception.Message), "ExceptionWhenSetting", "NotSpecified", nil)
		}
		return nil
	}
	if cls.has(name) {
		return notImpl("setting the member %s of [%s]", name, value.TypeName(obj))
	}
	return propertyNotFound(name)
}

func (s *Session) evalInvoke(x *syntax.InvokeMember) (any, error) {
	name, err := memberName(s, x.Name)
	if err != nil {
		return nil, err
	}
	var target any
	var static *typeInfo
	if x.Static {
		static, err = s.staticTarget(x.Target)
	} else {
		target, err = s.eval(x.Target)
	}
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, len(x.Args))
	for _, a := range x.Args {
		v, err := s.eval(a)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	s.pos = x.Pos
	var r any
	if static != nil {
		r, err = s.callStatic(static, name, args)
	} else {
		r, err = s.callMethod(target, name, args)
	}
	if err != nil {
		return nil, s.terminating(err)
	}
	return r, nil
}

func methodNotFound(typeName, name string) error {
	return newRecord("System.Management.Automation.RuntimeException", fmt.Sprintf(
		"Method invocation failed because [%s] does not contain a method named '%s'.", typeName, name),
		"MethodNotFound", "InvalidOperation", nil)
}

// overload is .NET's "no overload" error for a wrong argument count; it is not wrapped as a
// MethodInvocationException.
func overload(name string, n int) error {
	rec := newRecord("System.Management.Automation.MethodException", fmt.Sprintf(
		"Cannot find an overload for \"%s\" and the argument count: \"%d\".", name, n), "MethodCountCouldNotFindBest", "NotSpecified", nil)
	return &psError{rec: rec}
}

// CallMethod calls a method on any value the way a script's obj.Name(args) does: for hosts that receive
// engine objects (an Encoding for [IO.File]::WriteAllText, a script block for a delegate).
func (s *Session) CallMethod(obj any, name string, args ...any) (any, error) {
	return s.callMethod(obj, name, args)
}

// callMethod calls obj.name(args).
func (s *Session) callMethod(obj any, name string, args []any) (any, error) {
	if obj == nil {
		return nil, newRecord("System.Management.Automation.RuntimeException", "You cannot call a method on a null-valued expression.",
			"InvokeMethodOnNull", "InvalidOperation", nil)
	}
	lname := strings.ToLower(name)
	cls := s.classOf(obj)
	if cls != nil {
		if m, ok := cls.methods[lname]; ok {
			r, err := m(s, obj, args)
			return r, s.wrapMethodError(name, len(args), err)
		}
	}
	if inv, ok := obj.(Invoker); ok {
		r, err := inv.InvokeMethod(s, name, args)
		if !errors.Is(err, ErrNoMethod) {
			return r, s.wrapMethodError(name, len(args), err)
		}
	}
	switch lname {
	case "gettype":
		if len(args) == 0 {
			return s.typeOfValue(obj), nil
		}
	case "tostring":
		return s.toStringMethod(obj, name, args)
	case "equals":
		if len(args) == 1 {
			return objectEquals(obj, args[0]), nil
		}
	case "gethashcode":
		return nil, notImpl("GetHashCode()")
	}
	if items, ok := value.List(obj); ok && !cls.has(name) {
		// Method enumeration: a method the collection lacks is called on each element.
		var out []any
		for _, it := range items {
			r, err := s.callMethod(it, name, args)
			if err != nil {
				return nil, err
			}
			out = append(out, enumerate(r)...)
		}
		return unwrapCollected(out), nil
	}
	if cls.has(name) {
		return nil, notImpl("the method %s of [%s]", name, value.TypeName(obj))
	}
	if dm, ok := obj.(DotNetMembers); ok {
		for _, m := range dm.DotNetMembers() {
			if strings.EqualFold(m, name) {
				return nil, notImpl("the method %s of [%s]", name, value.TypeName(obj))
			}
		}
	}
	return nil, methodNotFound(value.TypeName(obj), name)
}

func (s *Session) wrapMethodError(name string, n int, err error) error {
	if err == nil {
		return nil
	}
	var pe *psError
	if errors.As(err, &pe) || passThrough(err) || value.IsNotModelled(err) {
		return err
	}
	return methodError(name, n, err)
}

func objectEquals(a, b any) bool {
	eq, err := value.Equal(a, b, true)
	return err == nil && eq
}

// toStringMethod is .ToString() and .ToString(format) on any value.
func (s *Session) toStringMethod(obj any, name string, args []any) (any, error) {
	switch len(args) {
	case 0:
		if sb, ok := obj.(*scriptBlock); ok {
			return sb.ToString(), nil
		}
		return value.DotNetString(obj), nil
	case 1:
		switch obj.(type) {
		case int32, int64, uint8, float64, value.Decimal, value.DateTime, value.Enum:
			r, err := value.FormatValue(obj, value.ToString(args[0]))
			if err != nil {
				return nil, s.wrapMethodError(name, 1, dotnetError("System.FormatException", "Input string was not in a correct format."))
			}
			return r, nil
		}
		if f, ok := obj.(value.Formattable); ok {
			r, err := f.Format(value.ToString(args[0]))
			return r, s.wrapMethodError(name, 1, err)
		}
	}
	return nil, notImpl("%s.ToString with %d argument(s)", value.TypeName(obj), len(args))
}

// evalIndex is target[index] (about_Arrays; about_Hash_Tables).
func (s *Session) evalIndex(x *syntax.Index) (any, error) {
	t, err := s.eval(x.Target)
	if err != nil {
		return nil, err
	}
	i, err := s.eval(x.Index)
	if err != nil {
		return nil, err
	}
	s.pos = x.Pos
	v, err := s.index(t, i)
	if err != nil {
		return nil, s.terminating(err)
	}
	return v, nil
}

func (s *Session) index(t, i any) (any, error) {
	switch x := t.(type) {
	case nil:
		return nil, newRecord("System.Management.Automation.RuntimeException", "Cannot index into a null array.", "NullArray", "InvalidOperation", nil)
	case *value.Hashtable:
		if n, isInt := i.(int32); isInt && x.Ordered {
			// An [ordered] dictionary's int indexer is positional (OrderedDictionary[int]).
			keys := x.Keys()
			if n < 0 || int(n) >= len(keys) {
				return nil, nil
			}
			v, _ := x.Get(keys[n])
			return v, nil
		}
		if keys, ok := value.List(i); ok {
			var out []any
			for _, k := range keys {
				v, _ := x.Get(k)
				out = append(out, v)
			}
			return value.Array(out), nil
		}
		if i == nil {
			return nil, nil
		}
		v, _ := x.Get(i)
		return v, nil
	case string:
		return indexItems(runesOf(x), i)
	}
	if ix, ok := t.(indexer); ok {
		return ix.getIndex(s, i)
	}
	if items, ok := value.List(t); ok {
		return indexItems(items, i)
	}
	if _, ok := t.(*value.PSObject); ok {
		return nil, notImpl("indexing a [pscustomobject]")
	}
	// inferred: PowerShell 3.0+ lets a scalar be indexed as a one-element array.
	return indexItems([]any{t}, i)
}

// indexer is implemented by engine objects with their own indexer ($Matches-like dictionaries,
// List[T] is a plain Enumerable).
type indexer interface {
	getIndex(s *Session, i any) (any, error)
}

func runesOf(str string) []any {
	r := []rune(str)
	out := make([]any, len(r))
	for i, c := range r {
		out[i] = value.Char(c)
	}
	return out
}

// indexItems indexes a list: a negative index counts from the end, an index out of range is $null,
// a list of indexes (a slice, 1..3) gives an object[] of the elements that exist.
func indexItems(items []any, i any) (any, error) {
	if list, ok := value.List(i); ok {
		out := value.Array{}
		for _, k := range list {
			v, ok, err := indexOne(items, k)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, v)
			}
		}
		return out, nil
	}
	v, _, err := indexOne(items, i)
	return v, err
}

func indexOne(items []any, i any) (any, bool, error) {
	n, err := value.ToInt32(i)
	if err != nil {
		return nil, false, err
	}
	k := int(n)
	if k < 0 {
		k += len(items)
	}
	if k < 0 || k >= len(items) {
		return nil, false, nil
	}
	return items[k], true, nil
}

func (s *Session) setIndex(x *syntax.Index, v any) error {
	t, err := s.eval(x.Target)
	if err != nil {
		return err
	}
	i, err := s.eval(x.Index)
	if err != nil {
		return err
	}
	s.pos = x.Pos
	return s.terminating(s.setIndexValue(t, i, v))
}

func (s *Session) setIndexValue(t, i, v any) error {
	switch x := t.(type) {
	case nil:
		return newRecord("System.Management.Automation.RuntimeException", "Cannot index into a null array.", "NullArray", "InvalidOperation", nil)
	case *value.Hashtable:
		if i == nil {
			return dotnetError("System.ArgumentNullException", "Key cannot be null.\r\nParameter name: key")
		}
		x.Set(i, v)
		return nil
	case value.Array:
		return setArrayItem(x, i, v)
	case *value.TypedArray:
		cv, err := value.Convert(v, x.Elem)
		if err != nil {
			return err
		}
		return setArrayItem(x.Values, i, cv)
	case *listValue:
		return x.setIndex(s, i, v)
	case *arrayList:
		n, err := value.ToInt32(i)
		if err != nil {
			return err
		}
		if n < 0 || int(n) >= len(x.items) {
			return dotnetError("System.ArgumentOutOfRangeException", "Index was out of range. Must be non-negative and less than the size of the collection.\r\nParameter name: index")
		}
		x.items[n] = v
		return nil
	}
	return notImpl("assigning an element of [%s]", value.TypeName(t))
}

func setArrayItem(items []any, i, v any) error {
	n, err := value.ToInt32(i)
	if err != nil {
		return err
	}
	k := int(n)
	if k < 0 {
		k += len(items)
	}
	if k < 0 || k >= len(items) {
		return newRecord("System.IndexOutOfRangeException", "Index was outside the bounds of the array.", "System.IndexOutOfRangeException", "OperationStopped", nil)
	}
	items[k] = v
	return nil
}

// callback is how the member tables call back into the interpreter: through an interface, so that the
// tables (package-level, built once) do not depend on the interpreter's functions at initialization.
type callback interface {
	InvokeWithInput(sb any, input any, out func(any) error) error
	Invoke(sb any, args ...any) ([]any, error)
	getMember(obj any, name string) (any, error)
	convertToType(v any, t *typeInfo) (any, error)
	regexReplace(re *value.Regex, input string, repl any) (any, error)
	callMethodCB(obj any, name string, args []any) (any, error)
	hasMember(obj any, name string) bool
	memberOrMethodCB(obj any, name string) (any, error)
}

func (s *Session) memberOrMethodCB(obj any, name string) (any, error) {
	return s.memberOrMethod(obj, name, nil)
}

func (s *Session) callMethodCB(obj any, name string, args []any) (any, error) {
	return s.callMethod(obj, name, args)
}

func cb(s *Session) callback { return s }

// memberOrMethod reads a property of that name, or calls the method (ForEach-Object -MemberName,
// .ForEach('Name')).
func (s *Session) memberOrMethod(obj any, name string, args []any) (any, error) {
	if args == nil && cb(s).hasMember(obj, name) {
		return cb(s).getMember(obj, name)
	}
	return cb(s).callMethodCB(obj, name, args)
}

// allClasses are the engine's instance member tables (for the library parity check).
func allClasses() []*class {
	return []*class{stringClass, arrayClass, hashtableClass, dateTimeClass, enumClass, numberClass, boolClass, charClass,
		psObjectClass, errorRecordClass, exceptionClass, categoryInfoClass, invocationClass, typeClass, commandInfoClass,
		scriptBlockClass, dictEntryClass, enumeratorClass, listClass, arrayListClass, refClass, psObjectViewClass,
		propertyCollectionClass, propertyInfoClass, foreachEnumClass, encodingClass, consoleWriterClass,
		consoleReaderClass, regexClass, matchClass, ipAddressClass, hashClass, aesClass, aesTransformClass,
		memoryStreamClass, gzipClass, (&rngValue{}).class(), stringBuilderClass}
}

// as is a type assertion whose failure gives the zero value; member tables use it on their receiver,
// which the dispatch guarantees to be of the table's type.
func as[T any](v any) T {
	t, _ := v.(T)
	return t
}
