package engine

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Collections: arrays (object[] and typed), hashtables, List[T], ArrayList ($Error), [ref], and the
// .PSObject view. PowerShell 4.0's .Where() and .ForEach() methods are on every collection
// (about_Arrays "Where", "ForEach").

func itemsOf(v any) []any {
	items, _ := value.List(v)
	return items
}

var arrayClass = &class{name: "System.Array",
	members: "Count Length LongLength Rank SyncRoot IsReadOnly IsFixedSize IsSynchronized Add Clear Clone Contains CopyTo Get GetEnumerator GetLength GetLongLength GetLowerBound GetUpperBound GetValue IndexOf Initialize Insert Remove RemoveAt Set SetValue Where ForEach",
	props: map[string]getter{
		"count":          func(_ *Session, self any) (any, error) { return int32(len(itemsOf(self))), nil }, //nolint:gosec // small
		"length":         func(_ *Session, self any) (any, error) { return int32(len(itemsOf(self))), nil }, //nolint:gosec // small
		"longlength":     func(_ *Session, self any) (any, error) { return int64(len(itemsOf(self))), nil },
		"rank":           func(_ *Session, _ any) (any, error) { return int32(1), nil },
		"isreadonly":     func(_ *Session, _ any) (any, error) { return false, nil },
		"isfixedsize":    func(_ *Session, _ any) (any, error) { return true, nil },
		"issynchronized": func(_ *Session, _ any) (any, error) { return false, nil },
	},
	methods: map[string]method{
		"contains": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("Contains", len(args))
			}
			for _, it := range itemsOf(self) {
				if objectEquals(it, args[0]) {
					return true, nil
				}
			}
			return false, nil
		},
		"indexof": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("IndexOf", len(args))
			}
			for i, it := range itemsOf(self) {
				if objectEquals(it, args[0]) {
					return int32(i), nil //nolint:gosec // small
				}
			}
			return int32(-1), nil
		},
		"add": fixedSize, "remove": fixedSize, "removeat": fixedSize, "insert": fixedSize,
		// Clear() resets every element to its type's default (.NET Array.Clear through IList).
		"clear": func(s *Session, self any, _ []any) (any, error) {
			switch x := self.(type) {
			case value.Array:
				for i := range x {
					x[i] = nil
				}
			case *value.TypedArray:
				var zero any
				if x.Elem != "System.String" && x.Elem != "System.Object" {
					zero, _ = value.Convert(nil, x.Elem)
				}
				for i := range x.Values {
					x.Values[i] = zero
				}
			}
			return nil, nil
		},
		"setvalue": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 2 {
				return nil, overload("SetValue", len(args))
			}
			items := itemsOf(self)
			n, err := argInt(args, 1)
			if err != nil {
				return nil, err
			}
			if n < 0 || n >= len(items) {
				return nil, dotnetError("System.IndexOutOfRangeException", "Index was outside the bounds of the array.")
			}
			v := args[0]
			if ta, ok := self.(*value.TypedArray); ok {
				c, err := value.Convert(v, ta.Elem)
				if err != nil {
					return nil, err
				}
				v = c
			}
			items[n] = v
			return nil, nil
		},
		"clone": func(_ *Session, self any, _ []any) (any, error) {
			switch x := self.(type) {
			case value.Array:
				return append(value.Array{}, x...), nil
			case *value.TypedArray:
				return &value.TypedArray{Elem: x.Elem, Values: append(value.Array{}, x.Values...)}, nil
			}
			return self, nil
		},
		"getvalue": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("GetValue", len(args))
			}
			n, err := argInt(args, 0)
			if err != nil {
				return nil, err
			}
			items := itemsOf(self)
			if n < 0 || n >= len(items) {
				return nil, dotnetError("System.IndexOutOfRangeException", "Index was outside the bounds of the array.")
			}
			return items[n], nil
		},
		"where":   whereMethod,
		"foreach": foreachMethod,
	}}

func fixedSize(_ *Session, _ any, _ []any) (any, error) {
	return nil, dotnetError("System.NotSupportedException", "Collection was of a fixed size.")
}

// whereMethod is .Where({ condition } [, mode [, count]]): the elements for which the block is true
// (about_Arrays "Where": modes Default, First, Last, SkipUntil, Until, Split).
func whereMethod(s *Session, self any, args []any) (any, error) {
	if len(args) < 1 || len(args) > 3 {
		return nil, overload("Where", len(args))
	}
	mode := "default"
	if len(args) > 1 {
		mode = strings.ToLower(value.ToString(args[1]))
	}
	limit := 0
	if len(args) > 2 {
		n, err := argInt(args, 2)
		if err != nil {
			return nil, err
		}
		limit = n
	}
	test := func(it any) (bool, error) {
		var res []any
		if err := cb(s).InvokeWithInput(args[0], it, func(v any) error { res = append(res, v); return nil }); err != nil {
			return false, err
		}
		return value.ToBool(unwrapCollected(res)), nil
	}
	items := enumerate(self)
	if self == nil {
		items = nil
	}
	out, rest := value.Array{}, value.Array{}
	switch mode {
	case "default", "first", "last", "split":
		for _, it := range items {
			ok, err := test(it)
			if err != nil {
				return nil, err
			}
			switch {
			case ok && (mode != "split" || limit == 0 || len(out) < limit):
				out = append(out, it)
			default:
				rest = append(rest, it)
			}
			if ok && mode == "first" && (limit == 0 && len(out) == 1 || limit > 0 && len(out) == limit) {
				break
			}
		}
		switch mode {
		case "first":
			if limit == 0 && len(out) > 1 {
				out = out[:1]
			}
		case "last":
			k := limit
			if k == 0 {
				k = 1
			}
			if len(out) > k {
				out = out[len(out)-k:]
			}
		case "split":
			return value.Array{out, rest}, nil
		case "default":
			if limit > 0 && len(out) > limit {
				out = out[:limit]
			}
		}
		return out, nil
	case "skipuntil", "until":
		hit := false
		for _, it := range items {
			if !hit {
				ok, err := test(it)
				if err != nil {
					return nil, err
				}
				hit = ok
			}
			if hit == (mode == "skipuntil") {
				out = append(out, it)
			} else if mode == "until" && hit {
				break
			}
		}
		if limit > 0 && len(out) > limit {
			out = out[:limit]
		}
		return out, nil
	}
	return nil, notImpl(".Where() mode %s", mode)
}

// foreachMethod is .ForEach({ block }) and .ForEach('PropertyName').
func foreachMethod(s *Session, self any, args []any) (any, error) {
	if len(args) != 1 {
		return nil, notImpl(".ForEach() with %d arguments", len(args))
	}
	out := value.Array{}
	for _, it := range enumerate(self) {
		if name, ok := args[0].(string); ok {
			v, err := cb(s).memberOrMethodCB(it, name)
			if err != nil {
				return nil, err
			}
			out = append(out, enumerate(v)...)
			continue
		}
		if err := cb(s).InvokeWithInput(args[0], it, func(v any) error { out = append(out, v); return nil }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var hashtableClass = &class{name: "System.Collections.Hashtable",
	members: "Count IsFixedSize IsReadOnly IsSynchronized Keys SyncRoot Values Add Clear Clone Contains ContainsKey ContainsValue CopyTo GetEnumerator GetObjectData OnDeserialization Remove Item Insert RemoveAt AsReadOnly",
	props: map[string]getter{
		"count":          func(_ *Session, self any) (any, error) { return int32(as[*value.Hashtable](self).Len()), nil }, //nolint:gosec // small
		"keys":           func(_ *Session, self any) (any, error) { return value.Array(as[*value.Hashtable](self).Keys()), nil },
		"values":         func(_ *Session, self any) (any, error) { return value.Array(as[*value.Hashtable](self).Values()), nil },
		"isreadonly":     func(_ *Session, _ any) (any, error) { return false, nil },
		"isfixedsize":    func(_ *Session, _ any) (any, error) { return false, nil },
		"issynchronized": func(_ *Session, _ any) (any, error) { return false, nil },
	},
	methods: map[string]method{
		"containskey": hashContains,
		"contains":    hashContains,
		"containsvalue": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("ContainsValue", len(args))
			}
			for _, v := range as[*value.Hashtable](self).Values() {
				if objectEquals(v, args[0]) || (v == nil && args[0] == nil) {
					return true, nil
				}
			}
			return false, nil
		},
		"add": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 2 {
				return nil, overload("Add", len(args))
			}
			if args[0] == nil {
				return nil, dotnetError("System.ArgumentNullException", "Key cannot be null.\r\nParameter name: key")
			}
			h := as[*value.Hashtable](self)
			if h.ContainsKey(args[0]) {
				k := value.ToString(args[0])
				for _, have := range h.Keys() {
					if objectEquals(have, args[0]) || strings.EqualFold(value.ToString(have), k) {
						k = value.ToString(have)
					}
				}
				return nil, dotnetError("System.ArgumentException", fmt.Sprintf("Item has already been added. Key in dictionary: '%s'  Key being added: '%s'", k, value.ToString(args[0])))
			}
			h.Set(args[0], args[1])
			return nil, nil
		},
		"remove": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("Remove", len(args))
			}
			if args[0] == nil {
				return nil, dotnetError("System.ArgumentNullException", "Key cannot be null.\r\nParameter name: key")
			}
			as[*value.Hashtable](self).Remove(args[0])
			return nil, nil
		},
		"clear": func(_ *Session, self any, _ []any) (any, error) {
			h := as[*value.Hashtable](self)
			for _, k := range h.Keys() {
				h.Remove(k)
			}
			return nil, nil
		},
		"clone": func(_ *Session, self any, _ []any) (any, error) { return as[*value.Hashtable](self).Clone(), nil },
		"item": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("Item", len(args))
			}
			v, _ := as[*value.Hashtable](self).Get(args[0])
			return v, nil
		},
		"getenumerator": func(_ *Session, self any, _ []any) (any, error) {
			h := as[*value.Hashtable](self)
			out := &enumeratorValue{}
			for _, k := range h.Keys() {
				v, _ := h.Get(k)
				out.items = append(out.items, &dictEntry{key: k, val: v})
			}
			return out, nil
		},
	}}

func hashContains(_ *Session, self any, args []any) (any, error) {
	if len(args) != 1 {
		return nil, overload("ContainsKey", len(args))
	}
	if args[0] == nil {
		return nil, dotnetError("System.ArgumentNullException", "Key cannot be null.\r\nParameter name: key")
	}
	return as[*value.Hashtable](self).ContainsKey(args[0]), nil
}

// dictEntry is a System.Collections.DictionaryEntry.
type dictEntry struct{ key, val any }

func (d *dictEntry) TypeName() string { return "System.Collections.DictionaryEntry" }
func (d *dictEntry) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "key", "name":
		return d.key, true
	case "value":
		return d.val, true
	}
	return nil, false
}
func (d *dictEntry) ToString() string { return "System.Collections.DictionaryEntry" }
func (d *dictEntry) class() *class    { return dictEntryClass }

var dictEntryClass = &class{name: "System.Collections.DictionaryEntry", members: "Key Value Name"}

// enumeratorValue is what GetEnumerator() returns: the pipeline enumerates it.
type enumeratorValue struct{ items []any }

func (e *enumeratorValue) TypeName() string            { return "System.Collections.IEnumerator" }
func (e *enumeratorValue) Property(string) (any, bool) { return nil, false }
func (e *enumeratorValue) ToString() string            { return e.TypeName() }
func (e *enumeratorValue) Items() []any                { return e.items }
func (e *enumeratorValue) class() *class               { return enumeratorClass }

var enumeratorClass = &class{name: "System.Collections.IEnumerator", members: "Current MoveNext Reset"}

// listValue is System.Collections.Generic.List[T].
type listValue struct {
	elem  *typeInfo
	items []any
}

func listType(el *typeInfo) *typeInfo {
	full := "System.Collections.Generic.List`1[[" + el.fullName + "]]"
	return &typeInfo{fullName: full, ctor: func(s *Session, args []any) (any, error) {
		l := &listValue{elem: el}
		if len(args) == 1 {
			if items, ok := value.List(args[0]); ok {
				for _, it := range items {
					c, err := cb(s).convertToType(it, el)
					if err != nil {
						return nil, err
					}
					l.items = append(l.items, c)
				}
				return l, nil
			}
			if _, err := value.ToInt32(args[0]); err != nil {
				return nil, err
			}
		} else if len(args) > 1 {
			return nil, overload("new", len(args))
		}
		return l, nil
	}, isA: func(v any) bool {
		l, ok := v.(*listValue)
		return ok && strings.EqualFold(l.elem.fullName, el.fullName)
	}}
}

func (l *listValue) TypeName() string {
	return "System.Collections.Generic.List`1[[" + l.elem.fullName + "]]"
}
func (l *listValue) TypeNames() []string {
	return []string{l.TypeName(), "System.Collections.IList", "System.Collections.ICollection", "System.Collections.IEnumerable"}
}
func (l *listValue) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "count":
		return int32(len(l.items)), true //nolint:gosec // small
	case "capacity":
		return int32(cap(l.items)), true //nolint:gosec // small
	}
	return nil, false
}
func (l *listValue) ToString() string {
	return "System.Collections.Generic.List`1[" + l.elem.fullName + "]"
}
func (l *listValue) Items() []any  { return l.items }
func (l *listValue) class() *class { return listClass }

func (l *listValue) getIndex(_ *Session, i any) (any, error) {
	if _, ok := value.List(i); ok {
		return indexItems(l.items, i)
	}
	n, err := value.ToInt32(i)
	if err != nil {
		return nil, err
	}
	if n < 0 || int(n) >= len(l.items) {
		return nil, dotnetError("System.ArgumentOutOfRangeException", "Index was out of range. Must be non-negative and less than the size of the collection.\r\nParameter name: index")
	}
	return l.items[n], nil
}

func (l *listValue) setIndex(s *Session, i, v any) error {
	n, err := value.ToInt32(i)
	if err != nil {
		return err
	}
	if n < 0 || int(n) >= len(l.items) {
		return dotnetError("System.ArgumentOutOfRangeException", "Index was out of range. Must be non-negative and less than the size of the collection.\r\nParameter name: index")
	}
	c, err := cb(s).convertToType(v, l.elem)
	if err != nil {
		return err
	}
	l.items[n] = c
	return nil
}

var listClass = &class{name: "System.Collections.Generic.List`1",
	members: "Capacity Count Item Add AddRange AsReadOnly BinarySearch Clear Contains ConvertAll CopyTo Exists Find FindAll FindIndex FindLast FindLastIndex ForEach GetEnumerator GetRange IndexOf Insert InsertRange LastIndexOf Remove RemoveAll RemoveAt RemoveRange Reverse Sort ToArray TrimExcess TrueForAll Where",
	methods: map[string]method{
		"add": func(s *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("Add", len(args))
			}
			l := as[*listValue](self)
			c, err := cb(s).convertToType(args[0], l.elem)
			if err != nil {
				return nil, err
			}
			l.items = append(l.items, c)
			return nil, nil
		},
		"addrange": func(s *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("AddRange", len(args))
			}
			l := as[*listValue](self)
			for _, it := range enumerate(args[0]) {
				c, err := cb(s).convertToType(it, l.elem)
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, c)
			}
			return nil, nil
		},
		"toarray": func(_ *Session, self any, _ []any) (any, error) {
			l := as[*listValue](self)
			if l.elem.fullName == "System.Object" {
				return append(value.Array{}, l.items...), nil
			}
			return &value.TypedArray{Elem: l.elem.fullName, Values: append(value.Array{}, l.items...)}, nil
		},
		"contains": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("Contains", len(args))
			}
			for _, it := range as[*listValue](self).items {
				if objectEquals(it, args[0]) {
					return true, nil
				}
			}
			return false, nil
		},
		"clear": func(_ *Session, self any, _ []any) (any, error) {
			as[*listValue](self).items = nil
			return nil, nil
		},
		"remove": func(_ *Session, self any, args []any) (any, error) {
			l := as[*listValue](self)
			for i, it := range l.items {
				if len(args) == 1 && objectEquals(it, args[0]) {
					l.items = append(l.items[:i], l.items[i+1:]...)
					return true, nil
				}
			}
			return false, nil
		},
		"removeat": func(_ *Session, self any, args []any) (any, error) {
			l := as[*listValue](self)
			n, err := argInt(args, 0)
			if err != nil {
				return nil, err
			}
			if n < 0 || n >= len(l.items) {
				return nil, argOutOfRange("index", "Index was out of range. Must be non-negative and less than the size of the collection.")
			}
			l.items = append(l.items[:n], l.items[n+1:]...)
			return nil, nil
		},
		"insert": func(s *Session, self any, args []any) (any, error) {
			l := as[*listValue](self)
			if len(args) != 2 {
				return nil, overload("Insert", len(args))
			}
			n, err := argInt(args, 0)
			if err != nil {
				return nil, err
			}
			if n < 0 || n > len(l.items) {
				return nil, argOutOfRange("index", "Index must be within the bounds of the List.")
			}
			c, err := cb(s).convertToType(args[1], l.elem)
			if err != nil {
				return nil, err
			}
			l.items = append(l.items[:n], append([]any{c}, l.items[n:]...)...)
			return nil, nil
		},
		"indexof": func(_ *Session, self any, args []any) (any, error) {
			for i, it := range as[*listValue](self).items {
				if len(args) == 1 && objectEquals(it, args[0]) {
					return int32(i), nil //nolint:gosec // small
				}
			}
			return int32(-1), nil
		},
		"reverse": func(_ *Session, self any, _ []any) (any, error) {
			l := as[*listValue](self)
			for i, j := 0, len(l.items)-1; i < j; i, j = i+1, j-1 {
				l.items[i], l.items[j] = l.items[j], l.items[i]
			}
			return nil, nil
		},
		"where":   whereMethod,
		"foreach": foreachMethod,
	}}

// arrayList is System.Collections.ArrayList ($Error, -ErrorVariable, -OutVariable).
type arrayList struct{ items []any }

func (l *arrayList) TypeName() string { return "System.Collections.ArrayList" }
func (l *arrayList) Property(name string) (any, bool) {
	if strings.EqualFold(name, "count") {
		return int32(len(l.items)), true //nolint:gosec // small
	}
	return nil, false
}
func (l *arrayList) ToString() string { return l.TypeName() }
func (l *arrayList) Items() []any     { return l.items }
func (l *arrayList) class() *class    { return arrayListClass }

var arrayListClass = &class{name: "System.Collections.ArrayList",
	members: "Capacity Count IsFixedSize IsReadOnly IsSynchronized Item SyncRoot Add AddRange BinarySearch Clear Clone Contains CopyTo GetEnumerator GetRange IndexOf Insert InsertRange LastIndexOf Remove RemoveAt RemoveRange Reverse SetRange Sort ToArray TrimToSize",
	methods: map[string]method{
		"add": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("Add", len(args))
			}
			l := as[*arrayList](self)
			l.items = append(l.items, args[0])
			return int32(len(l.items) - 1), nil //nolint:gosec // small
		},
		"clear": func(_ *Session, self any, _ []any) (any, error) {
			as[*arrayList](self).items = nil
			return nil, nil
		},
		"toarray": func(_ *Session, self any, _ []any) (any, error) {
			return append(value.Array{}, as[*arrayList](self).items...), nil
		},
		"contains": func(_ *Session, self any, args []any) (any, error) {
			for _, it := range as[*arrayList](self).items {
				if len(args) == 1 && objectEquals(it, args[0]) {
					return true, nil
				}
			}
			return false, nil
		},
		"where":   whereMethod,
		"foreach": foreachMethod,
	}}

// psRef is [ref]: a reference to a variable, or to a value.
type psRef struct {
	vr  *variable
	val any
}

func (r *psRef) get() any {
	if r.vr != nil {
		return r.vr.value
	}
	return r.val
}

func (r *psRef) set(v any) {
	if r.vr != nil {
		r.vr.value, r.vr.autoNull = v, false
		return
	}
	r.val = v
}

func (r *psRef) TypeName() string { return "System.Management.Automation.PSReference" }
func (r *psRef) Property(name string) (any, bool) {
	if strings.EqualFold(name, "value") {
		return r.get(), true
	}
	return nil, false
}
func (r *psRef) ToString() string { return r.TypeName() }
func (r *psRef) class() *class    { return refClass }

var refClass = &class{name: "System.Management.Automation.PSReference", members: "Value",
	setters: map[string]setter{"value": func(_ *Session, self any, v any) error { as[*psRef](self).set(v); return nil }}}

// psObjectView is $x.PSObject.
type psObjectView struct{ obj any }

func (p *psObjectView) TypeName() string { return "System.Management.Automation.PSObject" }
func (p *psObjectView) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "baseobject", "immediatebaseobject":
		return p.obj, true
	case "properties":
		return p.properties(), true
	}
	return nil, false
}
func (p *psObjectView) ToString() string { return value.DotNetString(p.obj) }
func (p *psObjectView) class() *class    { return psObjectViewClass }

func (p *psObjectView) properties() *propertyCollection {
	pc := &propertyCollection{}
	switch x := p.obj.(type) {
	case *value.PSObject:
		for _, n := range x.Names() {
			v, _ := x.Get(n)
			pc.items = append(pc.items, &propertyInfo{name: n, val: v, owner: x})
		}
	case value.PropertyLister:
		o, _ := p.obj.(value.Object)
		for _, n := range x.PropertyNames() {
			var v any
			if o != nil {
				v, _ = o.Property(n)
			}
			pc.items = append(pc.items, &propertyInfo{name: n, val: v, member: "Property"})
		}
	default:
		pc.unmodelled = value.TypeName(p.obj)
	}
	return pc
}

var psObjectViewClass = &class{name: "System.Management.Automation.PSObject",
	members: "BaseObject ImmediateBaseObject Members Methods Properties TypeNames Copy"}

// propertyCollection is .PSObject.Properties.
type propertyCollection struct {
	items      []any
	unmodelled string
}

func (c *propertyCollection) TypeName() string {
	return "System.Management.Automation.PSMemberInfoIntegratingCollection`1[[System.Management.Automation.PSPropertyInfo]]"
}
func (c *propertyCollection) Property(string) (any, bool) { return nil, false }
func (c *propertyCollection) ToString() string            { return c.TypeName() }
func (c *propertyCollection) Items() []any {
	return c.items
}
func (c *propertyCollection) class() *class { return propertyCollectionClass }
func (c *propertyCollection) getIndex(_ *Session, i any) (any, error) {
	if c.unmodelled != "" {
		return nil, notImpl(".PSObject.Properties of [%s]", c.unmodelled)
	}
	n := value.ToString(i)
	for _, it := range c.items {
		if strings.EqualFold(as[*propertyInfo](it).name, n) {
			return it, nil
		}
	}
	return nil, nil
}

var propertyCollectionClass = &class{name: "System.Management.Automation.PSMemberInfoCollection",
	members: "Add Remove Match Item GetEnumerator"}

// propertyInfo is a PSPropertyInfo (a NoteProperty of a [pscustomobject]).
type propertyInfo struct {
	name   string
	val    any
	owner  *value.PSObject
	member string
}

func (p *propertyInfo) TypeName() string { return "System.Management.Automation.PSNoteProperty" }
func (p *propertyInfo) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "name":
		return p.name, true
	case "value":
		if p.owner != nil {
			v, _ := p.owner.Get(p.name)
			return v, true
		}
		return p.val, true
	case "membertype":
		if p.member != "" {
			return p.member, true
		}
		return "NoteProperty", true
	case "typenameofvalue":
		v, _ := p.Property("Value")
		if v == nil {
			return "System.Object", true
		}
		return value.TypeName(v), true
	case "isgettable":
		return true, true
	case "issettable":
		return p.owner != nil, true
	}
	return nil, false
}
func (p *propertyInfo) ToString() string {
	v, _ := p.Property("Value")
	return "System.Object " + p.name + "=" + value.ToString(v)
}
func (p *propertyInfo) class() *class { return propertyInfoClass }

var propertyInfoClass = &class{name: "System.Management.Automation.PSPropertyInfo",
	members: "IsGettable IsInstance IsSettable MemberType Name TypeNameOfValue Value Copy",
	setters: map[string]setter{"value": func(_ *Session, self any, v any) error {
		p := as[*propertyInfo](self)
		if p.owner == nil {
			return notImpl("setting a property through .PSObject.Properties")
		}
		p.owner.Set(p.name, v)
		return nil
	}}}

// psBase is $hashtable.psbase: the .NET object's own members, not its keys.
type psBase struct{ h *value.Hashtable }

func (p *psBase) TypeName() string { return p.h.TypeName() }
func (p *psBase) Property(name string) (any, bool) {
	if g, ok := hashtableClass.props[strings.ToLower(name)]; ok {
		v, _ := g(nil, p.h)
		return v, true
	}
	return nil, false
}
func (p *psBase) ToString() string { return p.h.ToString() }
func (p *psBase) class() *class    { return &class{name: p.h.TypeName(), members: hashtableClass.members} }

// foreachEnum is $foreach in a foreach loop.
type foreachEnum struct {
	items []any
	pos   int
}

func (e *foreachEnum) moveNext() bool {
	if e.pos < len(e.items) {
		e.pos++
	}
	return e.pos < len(e.items)
}

func (e *foreachEnum) current() any {
	if e.pos < 0 || e.pos >= len(e.items) {
		return nil
	}
	return e.items[e.pos]
}

func (e *foreachEnum) TypeName() string { return "System.Array+SZArrayEnumerator" }
func (e *foreachEnum) Property(name string) (any, bool) {
	if strings.EqualFold(name, "current") {
		return e.current(), true
	}
	return nil, false
}
func (e *foreachEnum) ToString() string { return e.TypeName() }
func (e *foreachEnum) class() *class    { return foreachEnumClass }

var foreachEnumClass = &class{name: "System.Collections.IEnumerator", members: "Current MoveNext Reset",
	methods: map[string]method{
		"movenext": func(_ *Session, self any, _ []any) (any, error) { return as[*foreachEnum](self).moveNext(), nil },
		"reset":    func(_ *Session, self any, _ []any) (any, error) { as[*foreachEnum](self).pos = -1; return nil, nil },
	}}
