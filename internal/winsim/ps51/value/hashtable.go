package value

import (
	"math"
	"strconv"
	"strings"
)

// Hashtable is a PowerShell [hashtable] (System.Collections.Hashtable created by @{}) or, when Ordered,
// an [ordered] dictionary (System.Collections.Specialized.OrderedDictionary created by [ordered]@{}).
//
// Keys compare as PowerShell's @{} does: string keys case-insensitively (StringComparer.
// OrdinalIgnoreCase, about_Hash_Tables "Hashtable and dictionary properties": "keys are
// case-insensitive"), other keys by value and type (an [int] 1 and a [long] 1 are different keys, as
// Object.Equals makes them).
//
// Order. An [ordered] dictionary enumerates in insertion order (about_Hash_Tables "Creating hashtables
// and ordered dictionaries"). A 5.1 [hashtable] enumerates in the order of its hash buckets, which
// depends on .NET Framework's string hash codes and is not insertion order (ConvertFrom-Json.md, NOTES:
// "Hashtable objects don't maintain that order"; the ConvertTo-Json.md 5.1 example 2 shows
// @{Account;Domain;Admin} written as Domain, Account, Admin). That order is not reproduced: this model
// enumerates every Hashtable, ordered or not, in insertion order, a deterministic order chosen so that
// output is reproducible. Nothing should depend on a [hashtable]'s order; code that does behaves
// differently on Windows.
type Hashtable struct {
	Ordered bool
	keys    []any
	vals    []any
	index   map[hashKey]int
}

type hashKey struct {
	kind string
	s    string
}

// NewHashtable returns an empty @{}.
func NewHashtable() *Hashtable { return &Hashtable{index: map[hashKey]int{}} }

// NewOrdered returns an empty [ordered]@{}.
func NewOrdered() *Hashtable {
	h := NewHashtable()
	h.Ordered = true
	return h
}

// foldKey is OrdinalIgnoreCase's key: .NET upper-cases each char invariantly.
func foldKey(s string) string { return strings.ToUpper(s) }

func keyOf(k any) hashKey {
	switch x := norm(k).(type) {
	case nil:
		return hashKey{kind: "null"}
	case string:
		return hashKey{kind: "s", s: foldKey(x)}
	case bool:
		return hashKey{kind: "b", s: strconv.FormatBool(x)}
	case Char:
		return hashKey{kind: "c", s: string(rune(x))}
	case uint8:
		return hashKey{kind: "u8", s: strconv.Itoa(int(x))}
	case int32:
		return hashKey{kind: "i32", s: strconv.FormatInt(int64(x), 10)}
	case int64:
		return hashKey{kind: "i64", s: strconv.FormatInt(x, 10)}
	case float64:
		return hashKey{kind: "f64", s: strconv.FormatUint(math.Float64bits(x), 16)}
	case Decimal:
		return hashKey{kind: "dec", s: x.normalized()}
	case Enum:
		return hashKey{kind: "enum:" + x.Type.Name, s: strconv.FormatInt(x.Value, 10)}
	case DateTime:
		return hashKey{kind: "dt", s: strconv.FormatInt(x.Ticks, 10)}
	}
	// inferred: reference-type keys (arrays, objects) compare by identity in .NET; the pointer or
	// slice header identity is approximated by the formatted address.
	return hashKey{kind: "ref", s: refIdentity(k)}
}

// Len is $h.Count.
func (h *Hashtable) Len() int { return len(h.keys) }

// Get is $h[key]; false when the key is absent (PowerShell then gives $null).
func (h *Hashtable) Get(key any) (any, bool) {
	i, ok := h.index[keyOf(key)]
	if !ok {
		return nil, false
	}
	return h.vals[i], true
}

// Set is $h[key] = value: it replaces the value of an existing key (keeping the key's original spelling
// and position) or adds the key at the end.
func (h *Hashtable) Set(key, val any) {
	key, val = norm(key), norm(val)
	k := keyOf(key)
	if i, ok := h.index[k]; ok {
		h.vals[i] = val
		return
	}
	h.index[k] = len(h.keys)
	h.keys = append(h.keys, key)
	h.vals = append(h.vals, val)
}

// Add is $h.Add(key, value): it fails when the key exists, with .NET Framework's message.
// inferred: the text is .NET Framework 4.x's Hashtable.Add ArgumentException (two spaces before "Key
// being added"); OrderedDictionary.Add reports the shorter "An item with the same key has already been
// added.".
func (h *Hashtable) Add(key, val any) error {
	if existing, ok := h.keyFor(key); ok {
		if h.Ordered {
			return &RuntimeError{ID: "ArgumentException", Message: "An item with the same key has already been added."}
		}
		return &RuntimeError{ID: "ArgumentException", Message: "Item has already been added. Key in dictionary: '" +
			ToString(existing) + "'  Key being added: '" + ToString(key) + "'"}
	}
	h.Set(key, val)
	return nil
}

func (h *Hashtable) keyFor(key any) (any, bool) {
	i, ok := h.index[keyOf(key)]
	if !ok {
		return nil, false
	}
	return h.keys[i], true
}

// ContainsKey is $h.ContainsKey(key) (also $h.Contains(key)).
func (h *Hashtable) ContainsKey(key any) bool { _, ok := h.index[keyOf(key)]; return ok }

// Remove is $h.Remove(key); removing an absent key does nothing.
func (h *Hashtable) Remove(key any) {
	k := keyOf(key)
	i, ok := h.index[k]
	if !ok {
		return
	}
	h.keys = append(h.keys[:i], h.keys[i+1:]...)
	h.vals = append(h.vals[:i], h.vals[i+1:]...)
	delete(h.index, k)
	for j := i; j < len(h.keys); j++ {
		h.index[keyOf(h.keys[j])] = j
	}
}

// Keys is $h.Keys, in this model's enumeration order (see the type's comment).
func (h *Hashtable) Keys() []any { return append([]any(nil), h.keys...) }

// Values is $h.Values, in the same order as Keys.
func (h *Hashtable) Values() []any { return append([]any(nil), h.vals...) }

// Clone is $h.Clone(): a shallow copy.
func (h *Hashtable) Clone() *Hashtable {
	c := &Hashtable{Ordered: h.Ordered, index: make(map[hashKey]int, len(h.keys))}
	c.keys = append(c.keys, h.keys...)
	c.vals = append(c.vals, h.vals...)
	for k, i := range h.index {
		c.index[k] = i
	}
	return c
}

// TypeName implements Object.
func (h *Hashtable) TypeName() string {
	if h.Ordered {
		return "System.Collections.Specialized.OrderedDictionary"
	}
	return "System.Collections.Hashtable"
}

// Property implements Object: $h.Name gets the key Name when it exists (member-access on a dictionary
// reads keys first, about_Hash_Tables "Handling property name collisions"), else Count, Keys, Values.
func (h *Hashtable) Property(name string) (any, bool) {
	if v, ok := h.Get(name); ok {
		return v, true
	}
	switch foldKey(name) {
	case "COUNT":
		return int32(h.Len()), true //nolint:gosec // far below 2^31 keys
	case "KEYS":
		return Array(h.Keys()), true
	case "VALUES":
		return Array(h.Values()), true
	}
	return nil, false
}

// ToString implements Object: .NET's Object.ToString(), the type name.
func (h *Hashtable) ToString() string { return h.TypeName() }
