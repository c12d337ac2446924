package value

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// EnumType is a .NET enum type: its full name, whether it is a [Flags] enum, and its named constants.
type EnumType struct {
	Name    string
	Flags   bool
	Members []EnumMember
}

// EnumMember is one named constant of an enum type.
type EnumMember struct {
	Name  string
	Value int64
}

// Enum is a value of an enum type.
type Enum struct {
	Type  *EnumType
	Value int64
}

// Of returns the enum value of the named member (case-insensitive); false when there is none.
func (t *EnumType) Of(name string) (Enum, bool) {
	for _, m := range t.Members {
		if strings.EqualFold(m.Name, name) {
			return Enum{Type: t, Value: m.Value}, true
		}
	}
	return Enum{}, false
}

// Must returns the member's value and panics when the name is not a member; for tables of constants.
func (t *EnumType) Must(name string) Enum {
	e, ok := t.Of(name)
	if !ok {
		panic("value: " + t.Name + " has no member " + name)
	}
	return e
}

// Parse converts a string to the enum as PowerShell's cast does: a member name, case-insensitively, or
// for a flags enum a comma-separated list of names whose values are OR-ed (PowerShell language
// specification §6.13), or an integer. inferred: the match ignores case (PowerShell's cast calls
// Enum.Parse with ignoreCase), although §6.13 says "with regard for case".
func (t *EnumType) Parse(s string) (Enum, error) {
	parts := []string{s}
	if t.Flags || strings.Contains(s, ",") {
		parts = strings.Split(s, ",")
	}
	var v int64
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if m, ok := t.Of(p); ok {
			v |= m.Value
			continue
		}
		if n, err := strconv.ParseInt(p, 10, 64); err == nil {
			v |= n
			continue
		}
		names := make([]string, len(t.Members))
		for i, m := range t.Members {
			names[i] = m.Name
		}
		// inferred: 5.1's message from LanguagePrimitives' enum conversion (ExtendedTypeSystem
		// EnumFromStringInvalid); the list is in declaration order.
		return Enum{}, &ConversionError{Value: s, Target: t.Name, Reason: fmt.Sprintf(
			"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n%s",
			p, strings.Join(names, ", "))}
	}
	return Enum{Type: t, Value: v}, nil
}

// String is the enum's ToString(): the member's name; for a flags enum the names of the set bits,
// lowest first, joined by ", "; otherwise the number (about_Type_Conversion "Enum type conversion";
// PowerShell language specification §6.8: "the name of each enumeration constant encoded in that value,
// separated by commas").
func (e Enum) String() string {
	if e.Type == nil {
		return strconv.FormatInt(e.Value, 10)
	}
	for _, m := range e.Type.Members {
		if m.Value == e.Value {
			return m.Name
		}
	}
	if e.Type.Flags && e.Value > 0 {
		ms := append([]EnumMember(nil), e.Type.Members...)
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Value > ms[j].Value })
		rest := e.Value
		var names []string
		for _, m := range ms {
			if m.Value != 0 && rest&m.Value == m.Value {
				names = append(names, m.Name)
				rest &^= m.Value
			}
		}
		if rest == 0 {
			for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
				names[i], names[j] = names[j], names[i]
			}
			return strings.Join(names, ", ")
		}
	}
	return strconv.FormatInt(e.Value, 10)
}

// TypeName implements Object.
func (e Enum) TypeName() string { return e.Type.Name }

// Property implements Object: value__ is the underlying number.
func (e Enum) Property(name string) (any, bool) {
	if strings.EqualFold(name, "value__") {
		return int32(e.Value), true //nolint:gosec // the modelled enums are Int32-based
	}
	return nil, false
}

// ToString implements Object.
func (e Enum) ToString() string { return e.String() }

// SecurityProtocolType is System.Net.SecurityProtocolType (flags), which the scripts combine with -bor
// to enable TLS 1.2 ([Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12).
// Values from .NET's reference documentation of the enum.
func SecurityProtocolType() *EnumType {
	return &EnumType{Name: "System.Net.SecurityProtocolType", Flags: true, Members: []EnumMember{
		{"SystemDefault", 0}, {"Ssl3", 48}, {"Tls", 192}, {"Tls11", 768}, {"Tls12", 3072}, {"Tls13", 12288},
	}}
}

// ServiceControllerStatus is System.ServiceProcess.ServiceControllerStatus (Get-Service's Status).
func ServiceControllerStatus() *EnumType {
	return &EnumType{Name: "System.ServiceProcess.ServiceControllerStatus", Members: []EnumMember{
		{"Stopped", 1}, {"StartPending", 2}, {"StopPending", 3}, {"Running", 4},
		{"ContinuePending", 5}, {"PausePending", 6}, {"Paused", 7},
	}}
}

// ServiceStartMode is System.ServiceProcess.ServiceStartMode (Get-Service's StartType).
func ServiceStartMode() *EnumType {
	return &EnumType{Name: "System.ServiceProcess.ServiceStartMode", Members: []EnumMember{
		{"Boot", 0}, {"System", 1}, {"Automatic", 2}, {"Manual", 3}, {"Disabled", 4},
	}}
}
