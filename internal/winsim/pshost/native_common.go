package pshost

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Shared plumbing of the cmdlets and native programs: the objects they return, reading bound
// parameters, and the errors they raise.

// object is a .NET or CIM object a cmdlet returns: its type names (most derived first), its properties
// in the order .NET reflection (or the CIM class) lists them, its ToString and its methods.
type object struct {
	types   []string
	names   []string
	props   map[string]any // upper-cased name -> value
	str     func() string
	methods map[string]func(s *engine.Session, args []any) (any, error) // upper-cased name
}

func newObject(types ...string) *object {
	return &object{types: types, props: map[string]any{}}
}

// set adds or replaces a property; the first set fixes its position.
func (o *object) set(name string, v any) *object {
	k := strings.ToUpper(name)
	if _, ok := o.props[k]; !ok {
		o.names = append(o.names, name)
	}
	o.props[k] = v
	return o
}

// TypeName implements value.Object.
func (o *object) TypeName() string { return o.types[0] }

// TypeNames implements value.TypeNamesOf.
func (o *object) TypeNames() []string { return o.types }

// Property implements value.Object.
func (o *object) Property(name string) (any, bool) {
	v, ok := o.props[strings.ToUpper(name)]
	return v, ok
}

// PropertyNames implements value.PropertyLister.
func (o *object) PropertyNames() []string { return append([]string(nil), o.names...) }

// ToString implements value.Object.
func (o *object) ToString() string {
	if o.str != nil {
		return o.str()
	}
	return o.types[0]
}

// InvokeMethod implements engine.Invoker.
func (o *object) InvokeMethod(s *engine.Session, name string, args []any) (any, error) {
	fn, ok := o.methods[strings.ToUpper(name)]
	if !ok {
		return nil, notModelled("the method %s of %s", name, o.types[0])
	}
	return fn(s, args)
}

// notModelled is the loud failure for anything this host does not implement.
func notModelled(format string, args ...any) error {
	return &engine.ErrorRecord{Exception: &engine.Exception{
		Message: "winsim's PowerShell does not implement " + fmt.Sprintf(format, args...),
		Types:   []string{"System.NotImplementedException", "System.SystemException", "System.Exception"}},
		FullyQualifiedErrorId: "NotModelled", Category: "NotImplemented"}
}

// newError is an error record for a cmdlet: its exception type, message, error id (the cmdlet's
// class is appended, as 5.1's FullyQualifiedErrorId has it), category and target.
func newError(exType, msg, id, cmdletClass, category string, target any) *engine.ErrorRecord {
	full := id
	if cmdletClass != "" {
		full = id + "," + cmdletClass
	}
	return engine.NewError(exType, msg, full, category, target)
}

// bound parameters

func has(c *engine.Call, name string) bool {
	_, ok := c.Bound[name]
	return ok
}

func str(c *engine.Call, name string) string {
	v, ok := c.Bound[name]
	if !ok || v == nil {
		return ""
	}
	return value.ToString(v)
}

func flag(c *engine.Call, name string) bool {
	v, ok := c.Bound[name]
	return ok && value.ToBool(v)
}

// strs reads a string[] parameter (a scalar is one element).
func strs(c *engine.Call, name string) []string {
	v, ok := c.Bound[name]
	if !ok || v == nil {
		return nil
	}
	return toStrings(v)
}

func toStrings(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case string:
		return []string{x}
	}
	if items, ok := value.List(v); ok {
		out := make([]string, 0, len(items))
		for _, it := range items {
			out = append(out, value.ToString(it))
		}
		return out
	}
	return []string{value.ToString(v)}
}

// hashtable reads a hashtable parameter as case-insensitive string keys.
func hashtable(c *engine.Call, name string) (map[string]any, []string, error) {
	v, ok := c.Bound[name]
	if !ok || v == nil {
		return nil, nil, nil
	}
	h, ok := v.(*value.Hashtable)
	if !ok {
		return nil, nil, fmt.Errorf("winsim's PowerShell: -%s takes a hashtable here, not %s", name, value.TypeName(v))
	}
	out := map[string]any{}
	var keys []string
	for i, k := range h.Keys() {
		ks := value.ToString(k)
		keys = append(keys, ks)
		out[strings.ToUpper(ks)] = h.Values()[i]
	}
	return out, keys, nil
}

// localTime is a machine time as a Local DateTime of the machine's zone.
func localTime(t time.Time, offset time.Duration) value.DateTime {
	d := value.FromTime(t.UTC().Add(offset), value.UTC)
	return value.DateTime{Ticks: d.Ticks, Kind: value.Local, Offset: int64(offset / 100)}
}

// dateTime converts a bound DateTime-like value to a Go time (UTC).
func dateTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case value.DateTime:
		return x.Time(), nil
	case time.Time:
		return x.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("winsim's PowerShell: %s is not a DateTime", value.TypeName(v))
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// listOf is a parameter's value as a list: a collection's elements, or the value alone.
func listOf(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case []any:
		return x
	}
	if items, ok := value.List(v); ok {
		return items
	}
	return []any{v}
}
