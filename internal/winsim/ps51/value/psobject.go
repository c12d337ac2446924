package value

import (
	"fmt"
	"strings"
)

// PSObject is a [pscustomobject] (System.Management.Automation.PSCustomObject wrapped in a PSObject):
// note properties in the order they were added, looked up case-insensitively. It is what
// ConvertFrom-Json returns for a JSON object ("The PSObject type maintains the order of the properties
// as presented in the JSON string", ConvertFrom-Json.md NOTES).
type PSObject struct {
	names []string
	vals  []any
	index map[string]int
}

// NewPSObject returns a [pscustomobject] with no properties.
func NewPSObject() *PSObject { return &PSObject{index: map[string]int{}} }

// Add adds a note property; it fails when a property of that name, in any case, exists. The message is
// the one PSMemberInfoCollection gives (inferred: Add-Member's wording in 5.1).
func (o *PSObject) Add(name string, v any) error {
	if _, ok := o.index[foldKey(name)]; ok {
		return &RuntimeError{ID: "ExtendedTypeSystem", Message: fmt.Sprintf(
			"Cannot add a member with the name \"%s\" because a member with that name already exists.", name)}
	}
	o.index[foldKey(name)] = len(o.names)
	o.names = append(o.names, name)
	o.vals = append(o.vals, norm(v))
	return nil
}

// Set sets an existing property's value or adds the property.
func (o *PSObject) Set(name string, v any) {
	if i, ok := o.index[foldKey(name)]; ok {
		o.vals[i] = norm(v)
		return
	}
	o.index[foldKey(name)] = len(o.names)
	o.names = append(o.names, name)
	o.vals = append(o.vals, norm(v))
}

// Names are the property names in order ($o.PSObject.Properties.Name).
func (o *PSObject) Names() []string { return append([]string(nil), o.names...) }

// Len is the number of properties.
func (o *PSObject) Len() int { return len(o.names) }

// Get gets a property by name, case-insensitively.
func (o *PSObject) Get(name string) (any, bool) {
	i, ok := o.index[foldKey(name)]
	if !ok {
		return nil, false
	}
	return o.vals[i], true
}

// TypeName implements Object.
func (o *PSObject) TypeName() string { return "System.Management.Automation.PSCustomObject" }

// Property implements Object.
func (o *PSObject) Property(name string) (any, bool) { return o.Get(name) }

// ToString implements Object: a PSCustomObject converts to "@{a=1; b=x}" (the ConvertTo-Json.md 5.1
// example 4 output shows "@{Ticks=825527683372; Days=0; ...}"). Each value is its .NET ToString(), so
// an array value shows as System.Object[] (inferred: PSObject.ToString uses the values' ToString, not
// PowerShell's array-joining conversion).
func (o *PSObject) ToString() string {
	var b strings.Builder
	b.WriteString("@{")
	for i, n := range o.names {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(DotNetString(o.vals[i]))
	}
	b.WriteByte('}')
	return b.String()
}
