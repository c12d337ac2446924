package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Parameter binding (about_Parameters, about_Functions, about_Splatting, about_CommonParameters,
// about_Parameter_Sets).

func paramName(p *syntax.Parameter) string { return p.Variable.Name }

func isSwitchParam(p *syntax.Parameter) bool {
	return p.Type != nil && (strings.EqualFold(p.Type.String(), "switch") ||
		strings.EqualFold(p.Type.String(), "System.Management.Automation.SwitchParameter"))
}

// matchFunctionParam finds a declared parameter by name or unique prefix; -1 when none.
func matchFunctionParam(params []*syntax.Parameter, name string) (int, *ErrorRecord) {
	for i, p := range params {
		if strings.EqualFold(paramName(p), name) {
			return i, nil
		}
	}
	found := -1
	var names []string
	for i, p := range params {
		if len(name) > 0 && strings.HasPrefix(strings.ToLower(paramName(p)), strings.ToLower(name)) {
			if found >= 0 {
				names = append(names, "-"+paramName(params[found]))
			}
			found = i
			names = append(names, "-"+paramName(p))
		}
	}
	if len(names) > 1 {
		return -1, ambiguousParam(name, uniq(names))
	}
	return found, nil
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func ambiguousParam(name string, matches []string) *ErrorRecord {
	return newRecord("System.Management.Automation.ParameterBindingException", fmt.Sprintf(
		"Parameter cannot be processed because the parameter name '%s' is ambiguous. Possible matches include: %s.", name, strings.Join(matches, " ")),
		"AmbiguousParameter", "InvalidArgument", nil)
}

// bindFunction binds a function's or script block's arguments: named parameters by name or unique
// prefix, switches, positional arguments to the unbound parameters in order, the rest in $args;
// unbound parameters get their default, or the default of their type ([string] is ”, [int] 0);
// typed parameters convert their value and keep the type constraint (about_Functions). A simple
// function (the engine has no [CmdletBinding()]) takes an unknown -Name into $args as 5.1 does.
func (s *Session) bindFunction(fn *function, args []argument) error {
	params := fn.params
	vals := make([]any, len(params))
	bound := make([]bool, len(params))
	var positional, rest []any
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !a.param {
			positional = append(positional, a.value)
			continue
		}
		idx, rec := matchFunctionParam(params, a.name)
		if rec != nil {
			return s.bindingError(rec, fn.name)
		}
		if idx < 0 {
			if a.colon {
				rest = append(rest, "-"+a.name+":", a.value)
			} else {
				rest = append(rest, "-"+a.name)
			}
			continue
		}
		p := params[idx]
		switch {
		case isSwitchParam(p):
			v := any(true)
			if a.colon {
				v = value.ToBool(a.value)
			}
			vals[idx], bound[idx] = v, true
		case a.colon:
			vals[idx], bound[idx] = a.value, true
		case i+1 < len(args) && !args[i+1].param:
			i++
			vals[idx], bound[idx] = args[i].value, true
		default:
			t := "System.Object"
			if p.Type != nil {
				if ti, err := s.resolveType(p.Type); err == nil {
					t = ti.fullName
				}
			}
			return s.bindingError(newRecord("System.Management.Automation.ParameterBindingException", fmt.Sprintf(
				"Missing an argument for parameter '%s'. Specify a parameter of type '%s' and try again.", paramName(p), t),
				"MissingArgument", "InvalidArgument", nil), fn.name)
		}
	}
	pi := 0
	for _, v := range positional {
		for pi < len(params) && (bound[pi] || isSwitchParam(params[pi])) {
			pi++
		}
		if pi < len(params) {
			vals[pi], bound[pi] = v, true
			pi++
			continue
		}
		rest = append(rest, v)
	}
	boundTable := value.NewHashtable()
	for i, p := range params {
		name := paramName(p)
		vr := s.cur.local(name)
		var conv func(any) (any, error)
		if p.Type != nil {
			t, err := s.resolveType(p.Type)
			if err != nil {
				return err
			}
			conv = func(a any) (any, error) { return s.convertToType(a, t) }
		}
		v := vals[i]
		if !bound[i] {
			if p.Default != nil {
				d, err := s.eval(p.Default)
				if err != nil {
					return err
				}
				v = d
			} else if isSwitchParam(p) {
				v = false
			}
		} else {
			boundTable.Set(name, v)
		}
		if conv != nil {
			c, err := conv(v)
			if err != nil {
				if !bound[i] && p.Default == nil {
					c = nil
				} else {
					if passThrough(err) {
						return err
					}
					rec := recordFromError(err)
					return s.bindingError(newRecord("System.Management.Automation.ParameterBindingArgumentTransformationException",
						fmt.Sprintf("Cannot process argument transformation on parameter '%s'. %s", name, rec.Exception.Message),
						"ParameterArgumentTransformationError", "InvalidData", nil), fn.name)
				}
			}
			v = c
		}
		vr.value, vr.conv, vr.autoNull = v, conv, false
		if p.Type != nil {
			vr.typ = p.Type.String()
		}
	}
	a := s.cur.local("args")
	a.value = value.Array(append([]any{}, rest...))
	s.cur.local("PSBoundParameters").value = boundTable
	return nil
}

func (s *Session) bindingError(rec *ErrorRecord, command string) error {
	if command != "" {
		rec.FullyQualifiedErrorId += "," + command
	}
	s.stamp(rec)
	return &psError{rec: rec}
}

// commonParams are the common parameters every cmdlet takes (about_CommonParameters).
var commonParams = []Param{
	{Name: "Verbose", Aliases: []string{"vb"}, Type: "switch", Position: -1},
	{Name: "Debug", Aliases: []string{"db"}, Type: "switch", Position: -1},
	{Name: "ErrorAction", Aliases: []string{"ea"}, Type: "string", Position: -1},
	{Name: "WarningAction", Aliases: []string{"wa"}, Type: "string", Position: -1},
	{Name: "InformationAction", Aliases: []string{"infa"}, Type: "string", Position: -1},
	{Name: "ErrorVariable", Aliases: []string{"ev"}, Type: "string", Position: -1},
	{Name: "WarningVariable", Aliases: []string{"wv"}, Type: "string", Position: -1},
	{Name: "InformationVariable", Aliases: []string{"iv"}, Type: "string", Position: -1},
	{Name: "OutVariable", Aliases: []string{"ov"}, Type: "string", Position: -1},
	{Name: "OutBuffer", Aliases: []string{"ob"}, Type: "int", Position: -1},
	{Name: "PipelineVariable", Aliases: []string{"pv"}, Type: "string", Position: -1},
}

// cmdletBinding is a cmdlet call's bound state.
type cmdletBinding struct {
	c           *Cmdlet
	bound       map[string]any
	fromCommand map[string]bool
	common      map[string]any
	errorAction string
	warnAction  string
}

func cmdletClassName(c *Cmdlet) string {
	return "Microsoft.PowerShell.Commands." + strings.ReplaceAll(c.Name, "-", "") + "Command"
}

func (s *Session) cmdletError(c *Cmdlet, exType, msg, id, category string) error {
	rec := newRecord(exType, msg, id+","+cmdletClassName(c), category, nil)
	rec.Activity = c.Name
	s.stamp(rec)
	rec.Invocation.Command = c.Name
	return &psError{rec: rec}
}

func (s *Session) paramBindingError(c *Cmdlet, msg, id, category string) error {
	return s.cmdletError(c, "System.Management.Automation.ParameterBindingException", msg, id, category)
}

// findCmdletParam finds a cmdlet parameter (or a common parameter) by name, alias or unique prefix.
func (s *Session) findCmdletParam(c *Cmdlet, name string) (*Param, bool, error) {
	all := make([]*Param, 0, len(c.Params)+len(commonParams))
	for i := range c.Params {
		all = append(all, &c.Params[i])
	}
	for i := range commonParams {
		all = append(all, &commonParams[i])
	}
	for _, p := range all {
		if strings.EqualFold(p.Name, name) {
			return p, isCommon(p), nil
		}
		for _, a := range p.Aliases {
			if strings.EqualFold(a, name) {
				return p, isCommon(p), nil
			}
		}
	}
	var found []*Param
	for _, p := range all {
		match := strings.HasPrefix(strings.ToLower(p.Name), strings.ToLower(name))
		for _, a := range p.Aliases {
			match = match || strings.HasPrefix(strings.ToLower(a), strings.ToLower(name))
		}
		if match && name != "" {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return nil, false, s.paramBindingError(c, fmt.Sprintf("A parameter cannot be found that matches parameter name '%s'.", name), "NamedParameterNotFound", "InvalidArgument")
	case 1:
		return found[0], isCommon(found[0]), nil
	}
	var names []string
	for _, p := range found {
		names = append(names, "-"+p.Name)
	}
	rec := ambiguousParam(name, names)
	return nil, false, s.cmdletError(c, rec.Exception.Types[0], rec.Exception.Message, "AmbiguousParameter", "InvalidArgument")
}

func isCommon(p *Param) bool {
	for i := range commonParams {
		if p == &commonParams[i] {
			return true
		}
	}
	return false
}

// bindCmdlet binds a cmdlet's command-line arguments.
func (s *Session) bindCmdlet(c *Cmdlet, args []argument) (*cmdletBinding, error) {
	b := &cmdletBinding{c: c, bound: map[string]any{}, fromCommand: map[string]bool{}, common: map[string]any{}}
	var positional []argument
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !a.param {
			positional = append(positional, a)
			continue
		}
		p, common, err := s.findCmdletParam(c, a.name)
		if err != nil {
			return nil, err
		}
		var v any
		switch {
		case p.Type == "switch":
			v = true
			if a.colon {
				v = value.ToBool(a.value)
			}
		case a.colon:
			v = a.value
		case i+1 < len(args) && !args[i+1].param:
			i++
			v = args[i].value
		default:
			return nil, s.paramBindingError(c, fmt.Sprintf("Missing an argument for parameter '%s'. Specify a parameter of type '%s' and try again.",
				p.Name, paramTypeFullName(p.Type)), "MissingArgument", "InvalidArgument")
		}
		if common {
			b.common[p.Name] = v
			continue
		}
		if _, dup := b.bound[p.Name]; dup {
			return nil, s.paramBindingError(c, fmt.Sprintf("Cannot bind parameter because parameter '%s' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\".", p.Name),
				"ParameterAlreadyBound", "InvalidArgument")
		}
		cv, err := s.convertParam(c, p, v)
		if err != nil {
			return nil, err
		}
		b.bound[p.Name], b.fromCommand[p.Name] = cv, true
	}
	set, err := s.parameterSet(c, b.bound)
	if err != nil {
		return nil, err
	}
	var slots []*Param
	for i := range c.Params {
		if c.Params[i].Position >= 0 {
			slots = append(slots, &c.Params[i])
		}
	}
	sort.SliceStable(slots, func(i, j int) bool { return slots[i].Position < slots[j].Position })
	restFor := func(set string) *Param {
		var found *Param
		for i := range c.Params {
			p := &c.Params[i]
			if p.ValueFromRemainingArguments && (set == "" || p.Set == "" || strings.EqualFold(p.Set, set)) {
				if found == nil || strings.EqualFold(p.Set, set) {
					found = p
				}
			}
		}
		return found
	}
	var rest *Param
	var remaining []any
	for _, a := range positional {
		var firstErr error
		done := false
		pos := -1
		for _, p := range slots {
			if _, ok := b.bound[p.Name]; ok || p.Type == "switch" {
				continue
			}
			if set != "" && p.Set != "" && !strings.EqualFold(p.Set, set) {
				continue
			}
			if pos >= 0 && p.Position != pos {
				break
			}
			pos = p.Position
			cv, err := s.convertParam(c, p, a.value)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			b.bound[p.Name], b.fromCommand[p.Name] = cv, true
			if set == "" && p.Set != "" {
				set = p.Set
			}
			done = true
			break
		}
		if !done && rest == nil {
			rest = restFor(set)
		}
		switch {
		case done:
		case rest != nil:
			remaining = append(remaining, a.value)
		case firstErr != nil:
			return nil, firstErr
		default:
			return nil, s.paramBindingError(c, fmt.Sprintf("A positional parameter cannot be found that accepts argument '%s'.", s.str(a.value)),
				"PositionalParameterNotFound", "InvalidArgument")
		}
	}
	if len(remaining) > 0 {
		all := value.Array{}
		if v, ok := b.bound[rest.Name]; ok {
			all = append(all, v)
		}
		b.bound[rest.Name], b.fromCommand[rest.Name] = append(all, remaining...), true
	}
	if err := s.applyCommon(b); err != nil {
		return nil, err
	}
	return b, nil
}

func (s *Session) applyCommon(b *cmdletBinding) error {
	b.errorAction = s.errorAction()
	b.warnAction = s.preference("WarningPreference", "Continue")
	if v, ok := b.common["ErrorAction"]; ok {
		a := canonicalAction(value.ToString(v), "")
		if a == "" {
			return s.paramBindingError(b.c, fmt.Sprintf("Cannot bind parameter 'ErrorAction'. Cannot convert value \"%s\" to type \"System.Management.Automation.ActionPreference\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again:\r\nSilentlyContinue, Stop, Continue, Inquire, Ignore, Suspend\"", value.ToString(v), value.ToString(v)),
				"CannotConvertArgumentNoMessage", "InvalidArgument")
		}
		b.errorAction = a
	}
	if v, ok := b.common["WarningAction"]; ok {
		b.warnAction = canonicalAction(value.ToString(v), "Continue")
	}
	if _, ok := b.common["PipelineVariable"]; ok {
		return notImpl("the common parameter -PipelineVariable")
	}
	return nil
}

// parameterSet is the one parameter set the bound parameters belong to, "" when none is named.
func (s *Session) parameterSet(c *Cmdlet, bound map[string]any) (string, error) {
	set := ""
	for i := range c.Params {
		p := &c.Params[i]
		if _, ok := bound[p.Name]; !ok || p.Set == "" {
			continue
		}
		if set != "" && !strings.EqualFold(set, p.Set) {
			return "", s.paramBindingError(c, "Parameter set cannot be resolved using the specified named parameters.", "AmbiguousParameterSet", "InvalidArgument")
		}
		set = p.Set
	}
	return set, nil
}

// checkMandatory fails when a mandatory parameter of the chosen set is unbound: under -NonInteractive
// 5.1 does not prompt.
func (s *Session) checkMandatory(b *cmdletBinding) error {
	set, err := s.parameterSet(b.c, b.bound)
	if err != nil {
		return err
	}
	var missing []string
	for i := range b.c.Params {
		p := &b.c.Params[i]
		if !p.Mandatory {
			continue
		}
		if set != "" && p.Set != "" && !strings.EqualFold(p.Set, set) {
			continue
		}
		if set == "" && p.Set != "" && !b.setOnlyOption(p.Set) {
			continue
		}
		if _, ok := b.bound[p.Name]; !ok {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		return s.paramBindingError(b.c, "Cannot process command because of one or more missing mandatory parameters: "+strings.Join(missing, " ")+".",
			"MissingMandatoryParameter", "InvalidArgument")
	}
	return nil
}

// setOnlyOption reports whether set is the only parameter set the cmdlet declares, so that its
// mandatory parameters apply when no set has been chosen.
func (b *cmdletBinding) setOnlyOption(set string) bool {
	for _, p := range b.c.Params {
		if p.Set != "" && !strings.EqualFold(p.Set, set) {
			return false
		}
	}
	return true
}

// bindPipeline binds one pipeline input: to a ValueFromPipeline parameter it converts to, else to
// ValueFromPipelineByPropertyName parameters from the input's properties. It reports false when the
// input binds to nothing.
func (s *Session) bindPipeline(b *cmdletBinding, in any) (bool, error) {
	for name := range b.bound {
		if !b.fromCommand[name] {
			delete(b.bound, name)
		}
	}
	boundAny := false
	for i := range b.c.Params {
		p := &b.c.Params[i]
		if !p.ValueFromPipeline || b.fromCommand[p.Name] {
			continue
		}
		cv, err := s.convertParamValue(p, in)
		if err != nil {
			continue
		}
		if p.Mandatory && in == nil {
			return false, s.paramBindingError(b.c, fmt.Sprintf("Cannot bind argument to parameter '%s' because it is null.", p.Name),
				"ParameterArgumentValidationErrorNullNotAllowed", "InvalidData")
		}
		b.bound[p.Name] = cv
		boundAny = true
		break
	}
	for i := range b.c.Params {
		p := &b.c.Params[i]
		if !p.ValueFromPipelineByPropertyName || b.fromCommand[p.Name] {
			continue
		}
		if _, done := b.bound[p.Name]; done {
			continue
		}
		names := append([]string{p.Name}, p.Aliases...)
		for _, n := range names {
			pv, ok := propertyForBinding(in, n)
			if !ok {
				continue
			}
			cv, err := s.convertParamValue(p, pv)
			if err != nil {
				return false, s.paramBindingError(b.c, fmt.Sprintf("Cannot bind parameter '%s'. %s", p.Name, recordFromError(err).Exception.Message),
					"CannotConvertArgumentNoMessage", "InvalidArgument")
			}
			b.bound[p.Name] = cv
			boundAny = true
			break
		}
	}
	return boundAny, nil
}

// propertyForBinding is an input's property for by-property-name binding: the properties of a
// [pscustomobject] or host object (not a hashtable's keys).
func propertyForBinding(in any, name string) (any, bool) {
	switch x := in.(type) {
	case *value.Hashtable, nil, string:
		return nil, false
	case value.Object:
		return x.Property(name)
	}
	return nil, false
}

func paramTypeFullName(t string) string {
	switch strings.ToLower(t) {
	case "", "object":
		return "System.Object"
	case "string":
		return "System.String"
	case "string[]":
		return "System.String[]"
	case "int":
		return "System.Int32"
	case "int64":
		return "System.Int64"
	case "bool":
		return "System.Boolean"
	case "switch":
		return "System.Management.Automation.SwitchParameter"
	case "object[]":
		return "System.Object[]"
	case "scriptblock":
		return "System.Management.Automation.ScriptBlock"
	case "hashtable":
		return "System.Collections.Hashtable"
	case "datetime":
		return "System.DateTime"
	case "char":
		return "System.Char"
	case "byte[]":
		return "System.Byte[]"
	case "double":
		return "System.Double"
	}
	return t
}

// convertParam converts a command-line argument to a cmdlet parameter's type, with 5.1's binding
// errors.
func (s *Session) convertParam(c *Cmdlet, p *Param, v any) (any, error) {
	if p.Mandatory {
		if msg := emptyArgument(p, v); msg != "" {
			id := "ParameterArgumentValidationErrorNullNotAllowed"
			switch {
			case strings.Contains(msg, "empty string"):
				id = "ParameterArgumentValidationErrorEmptyStringNotAllowed"
			case strings.Contains(msg, "empty array"):
				id = "ParameterArgumentValidationErrorEmptyArrayNotAllowed"
			}
			return nil, s.paramBindingError(c, fmt.Sprintf("Cannot bind argument to parameter '%s' because it is %s.", p.Name, msg), id, "InvalidData")
		}
	}
	cv, err := s.convertParamValue(p, v)
	if err != nil {
		if passThrough(err) {
			return nil, err
		}
		return nil, s.paramBindingError(c, fmt.Sprintf("Cannot bind parameter '%s'. %s", p.Name, recordFromError(err).Exception.Message),
			"CannotConvertArgumentNoMessage", "InvalidArgument")
	}
	return cv, nil
}

func emptyArgument(p *Param, v any) string {
	if v == nil {
		return "null"
	}
	switch strings.ToLower(p.Type) {
	case "string":
		if value.ToString(v) == "" {
			return "an empty string"
		}
	case "string[]", "object[]":
		if items, ok := value.List(v); ok && len(items) == 0 {
			return "an empty array"
		}
		if strings.EqualFold(p.Type, "string[]") {
			for _, it := range enumerate(v) {
				if it == nil || value.ToString(it) == "" {
					return "an empty string"
				}
			}
		}
	}
	return ""
}

func (s *Session) convertParamValue(p *Param, v any) (any, error) {
	switch strings.ToLower(p.Type) {
	case "", "object":
		return v, nil
	case "switch":
		return value.ToBool(v), nil
	case "scriptblock":
		if v == nil {
			return nil, nil
		}
		if sb, ok := v.(*scriptBlock); ok {
			return sb, nil
		}
		return nil, &value.ConversionError{Value: value.DotNetString(v), Source: value.TypeName(v), Target: "System.Management.Automation.ScriptBlock"}
	case "scriptblock[]":
		out := value.Array{}
		for _, it := range enumerate(v) {
			if _, ok := it.(*scriptBlock); !ok && it != nil {
				return nil, &value.ConversionError{Value: value.DotNetString(it), Source: value.TypeName(it), Target: "System.Management.Automation.ScriptBlock"}
			}
			out = append(out, it)
		}
		return out, nil
	case "int":
		return value.Convert(v, "int")
	case "int64":
		return value.Convert(v, "long")
	}
	return s.convertToTypeName(v, p.Type)
}
