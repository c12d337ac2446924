package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Sort-Object, Invoke-Expression, the variable cmdlets and Get-Culture.

func moreCmdlets() []*Cmdlet {
	return []*Cmdlet{sortObject(), invokeExpression(), getVariable(), setVariable(), newVariable(), removeVariable(), getCulture()}
}

type sortKey struct {
	expr any // a property name or a script block
	desc *bool
}

// sortObject sorts by the objects themselves or by properties and script blocks, ascending unless
// -Descending, strings case-insensitively unless -CaseSensitive; -Unique drops equal objects
// (Sort-Object.md). The sort is stable.
func sortObject() *Cmdlet {
	type state struct{ in []any }
	return &Cmdlet{Name: "Sort-Object", Module: modUtility,
		Params: []Param{positional("Property", "object[]", 0), named("Descending", "switch"), named("Unique", "switch"),
			named("CaseSensitive", "switch"), named("Culture", "string"), named("Stable", "switch"), named("Top", "int"), named("Bottom", "int"),
			inputObject()},
		Begin: func(c *Call) error {
			for _, n := range []string{"Culture", "Top", "Bottom"} {
				if _, ok := c.Bound[n]; ok {
					return notImpl("Sort-Object -%s", n)
				}
			}
			c.State = &state{}
			return nil
		},
		Process: func(c *Call) error {
			if c.HasInput {
				st, _ := c.State.(*state)
				st.in = append(st.in, c.Input)
			}
			return nil
		},
		End: func(c *Call) error {
			s := c.Session
			st, _ := c.State.(*state)
			items := st.in
			desc, _ := c.Bound["Descending"].(bool)
			cs, _ := c.Bound["CaseSensitive"].(bool)
			var keys []sortKey
			if p, ok := c.Bound["Property"]; ok {
				for _, k := range enumerate(p) {
					if h, isH := k.(*value.Hashtable); isH {
						var sk sortKey
						for _, hk := range h.Keys() {
							v, _ := h.Get(hk)
							switch strings.ToLower(value.ToString(hk)) {
							case "expression", "e":
								sk.expr = v
							case "descending":
								b := value.ToBool(v)
								sk.desc = &b
							case "ascending":
								b := !value.ToBool(v)
								sk.desc = &b
							}
						}
						keys = append(keys, sk)
						continue
					}
					keys = append(keys, sortKey{expr: k})
				}
			}
			vals := make([][]any, len(items))
			for i, it := range items {
				if len(keys) == 0 {
					vals[i] = []any{it}
					continue
				}
				for _, k := range keys {
					var v any
					switch e := k.expr.(type) {
					case *scriptBlock:
						var res []any
						if err := s.InvokeWithInput(e, it, func(r any) error { res = append(res, r); return nil }); err != nil {
							return err
						}
						v = unwrapCollected(res)
					default:
						r, err := s.getMember(it, value.ToString(e))
						if err != nil {
							return err
						}
						v = r
					}
					vals[i] = append(vals[i], v)
				}
			}
			idx := make([]int, len(items))
			for i := range idx {
				idx[i] = i
			}
			cmp := func(a, b int) int {
				for k := range vals[a] {
					c := sortCompare(vals[a][k], vals[b][k], cs)
					d := desc
					if k < len(keys) && keys[k].desc != nil {
						d = *keys[k].desc
					}
					if d {
						c = -c
					}
					if c != 0 {
						return c
					}
				}
				return 0
			}
			sort.SliceStable(idx, func(i, j int) bool { return cmp(idx[i], idx[j]) < 0 })
			unique, _ := c.Bound["Unique"].(bool)
			for n, i := range idx {
				if unique && n > 0 && cmp(idx[n-1], i) == 0 {
					continue
				}
				c.Out(items[i])
			}
			return nil
		}}
}

// sortCompare orders two sort keys: $null first, then by PowerShell's comparison, strings
// case-insensitively; values that do not compare are ordered by their strings.
func sortCompare(a, b any, cs bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	c, err := value.Compare(a, b, cs)
	if err != nil {
		c, _ = value.Compare(value.ToString(a), value.ToString(b), cs)
	}
	return c
}

// invokeExpression runs a string as script text in the current scope (Invoke-Expression.md).
func invokeExpression() *Cmdlet {
	return &Cmdlet{Name: "Invoke-Expression", Module: modUtility,
		Params: []Param{{Name: "Command", Type: "string", Position: 0, Mandatory: true, ValueFromPipeline: true}},
		Process: func(c *Call) error {
			s := c.Session
			text := value.ToString(c.Bound["Command"])
			if c.HasInput {
				text = value.ToString(c.Input)
			}
			sb, err := syntax.Parse(text)
			if err != nil {
				var pe *syntax.Error
				if errors.As(err, &pe) && pe.Kind == syntax.Unsupported {
					return &NotImplementedError{What: strings.TrimPrefix(pe.Message, notImplPrefix), Pos: "in Invoke-Expression, " + pe.Pos.String()}
				}
				return newRecord("System.Management.Automation.ParseException", parseMessage(err), "ParseException,Microsoft.PowerShell.Commands.InvokeExpressionCommand", "ParserError", nil)
			}
			saved := s.src
			s.src = newSource(text)
			defer func() { s.src = saved }()
			return s.execStmts(sb.Statements)
		}}
}

// psVariable is what Get-Variable returns.
type psVariable struct{ v *variable }

func (p *psVariable) TypeName() string { return "System.Management.Automation.PSVariable" }
func (p *psVariable) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "name":
		return p.v.name, true
	case "value":
		return p.v.value, true
	}
	return nil, false
}
func (p *psVariable) ToString() string { return p.v.name }
func (p *psVariable) class() *class {
	return &class{name: p.TypeName(), members: "Attributes Description Module ModuleName Name Options Value Visibility IsValidValue"}
}

func (s *Session) variableScope(c *Call) (*scope, error) {
	v, ok := c.Bound["Scope"]
	if !ok {
		return s.cur, nil
	}
	sc, ok := s.scopeFor(value.ToString(v))
	if !ok {
		return nil, notImpl("the scope %s", value.ToString(v))
	}
	return sc, nil
}

func variableNotFound(name, cmd string) *ErrorRecord {
	return newRecord("System.Management.Automation.ItemNotFoundException", fmt.Sprintf("Cannot find a variable with the name '%s'.", name),
		"VariableNotFound,Microsoft.PowerShell.Commands."+cmd, "ObjectNotFound", name)
}

func getVariable() *Cmdlet {
	return &Cmdlet{Name: "Get-Variable", Module: modUtility,
		Params: []Param{{Name: "Name", Type: "string[]", Position: 0, ValueFromPipeline: true}, named("ValueOnly", "switch"), named("Scope", "string")},
		Process: func(c *Call) error {
			s := c.Session
			sc, err := s.variableScope(c)
			if err != nil {
				return err
			}
			names, ok := c.Bound["Name"]
			if !ok {
				return notImpl("Get-Variable without -Name")
			}
			for _, n := range enumerate(names) {
				name := value.ToString(n)
				if strings.ContainsAny(name, "*?") {
					return notImpl("Get-Variable with a wildcard")
				}
				vr := sc.lookup(name)
				if vr == nil {
					if err := c.Err(variableNotFound(name, "GetVariableCommand")); err != nil {
						return err
					}
					continue
				}
				if vo, _ := c.Bound["ValueOnly"].(bool); vo {
					c.Out(vr.value)
				} else {
					c.Out(&psVariable{v: vr})
				}
			}
			return nil
		}}
}

func setVariable() *Cmdlet {
	return &Cmdlet{Name: "Set-Variable", Module: modUtility,
		Params: []Param{{Name: "Name", Type: "string[]", Position: 0, Mandatory: true}, {Name: "Value", Type: "object", Position: 1, ValueFromPipeline: true},
			named("Scope", "string"), named("Option", "string"), named("Force", "switch"), named("PassThru", "switch")},
		Process: func(c *Call) error {
			s := c.Session
			sc, err := s.variableScope(c)
			if err != nil {
				return err
			}
			v := c.Bound["Value"]
			if c.HasInput {
				v = c.Input
			}
			for _, n := range enumerate(c.Bound["Name"]) {
				if err := s.assignVar(sc, value.ToString(n), v, false); err != nil {
					return err
				}
			}
			return nil
		}}
}

func newVariable() *Cmdlet {
	return &Cmdlet{Name: "New-Variable", Module: modUtility,
		Params: []Param{{Name: "Name", Type: "string", Position: 0, Mandatory: true}, {Name: "Value", Type: "object", Position: 1, ValueFromPipeline: true},
			named("Scope", "string"), named("Option", "string"), named("Force", "switch"), named("PassThru", "switch")},
		Process: func(c *Call) error {
			s := c.Session
			sc, err := s.variableScope(c)
			if err != nil {
				return err
			}
			name := value.ToString(c.Bound["Name"])
			if _, exists := sc.vars[varKey(name)]; exists {
				if f, _ := c.Bound["Force"].(bool); !f {
					return c.Err(newRecord("System.Management.Automation.SessionStateException", fmt.Sprintf("A variable with name '%s' already exists.", name),
						"VariableAlreadyExists,Microsoft.PowerShell.Commands.NewVariableCommand", "ResourceExists", name))
				}
			}
			return s.assignVar(sc, name, c.Bound["Value"], false)
		}}
}

func removeVariable() *Cmdlet {
	return &Cmdlet{Name: "Remove-Variable", Module: modUtility,
		Params: []Param{{Name: "Name", Type: "string[]", Position: 0, Mandatory: true}, named("Scope", "string"), named("Force", "switch")},
		Process: func(c *Call) error {
			s := c.Session
			sc, err := s.variableScope(c)
			if err != nil {
				return err
			}
			for _, n := range enumerate(c.Bound["Name"]) {
				name := value.ToString(n)
				found := false
				for x := sc; x != nil; x = x.parent {
					if vr, ok := x.vars[varKey(name)]; ok {
						if vr.readOnly {
							return c.Err(newRecord("System.Management.Automation.SessionStateUnauthorizedAccessException",
								fmt.Sprintf("Cannot remove variable %s because it is constant or read-only. If the variable is read-only, try the operation again specifying the Force option.", name),
								"VariableNotRemovable,Microsoft.PowerShell.Commands.RemoveVariableCommand", "WriteError", name))
						}
						delete(x.vars, varKey(name))
						found = true
						break
					}
					if _, qualified := c.Bound["Scope"]; qualified {
						break
					}
				}
				if !found {
					if err := c.Err(variableNotFound(name, "RemoveVariableCommand")); err != nil {
						return err
					}
				}
			}
			return nil
		}}
}

// cultureInfo is the session's culture: en-US, which the engine assumes throughout.
type cultureInfo struct{}

func (cultureInfo) TypeName() string { return "System.Globalization.CultureInfo" }
func (cultureInfo) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "name", "ietflanguagetag":
		return "en-US", true
	case "displayname", "englishname":
		return "English (United States)", true
	case "lcid":
		return int32(1033), true
	case "twoletterisolanguagename":
		return "en", true
	}
	return nil, false
}
func (cultureInfo) ToString() string { return "en-US" }
func (cultureInfo) class() *class {
	return &class{name: "System.Globalization.CultureInfo", members: "Calendar CompareInfo CultureTypes DateTimeFormat DisplayName EnglishName IetfLanguageTag IsNeutralCulture IsReadOnly KeyboardLayoutId LCID Name NativeName NumberFormat OptionalCalendars Parent TextInfo ThreeLetterISOLanguageName ThreeLetterWindowsLanguageName TwoLetterISOLanguageName UseUserOverride ClearCachedData Clone Equals GetConsoleFallbackUICulture GetFormat"}
}

func getCulture() *Cmdlet {
	return &Cmdlet{Name: "Get-Culture", Module: modUtility,
		Begin: func(c *Call) error { c.Out(cultureInfo{}); return nil }}
}
