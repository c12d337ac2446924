package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// More engine cmdlets: JSON, New-Object, Get-Date, Start-Sleep, Measure-Object, Get-Command,
// Import-Module, Join-Path, Split-Path, New-TimeSpan.

func convertToJSON() *Cmdlet {
	type state struct{ in []any }
	return &Cmdlet{Name: "ConvertTo-Json", Module: modUtility,
		Params: []Param{{Name: "InputObject", Type: "object", Position: 0, ValueFromPipeline: true, Mandatory: true},
			named("Depth", "int"), named("Compress", "switch")},
		Begin: func(c *Call) error { c.State = &state{}; return nil },
		Process: func(c *Call) error {
			st, _ := c.State.(*state)
			if c.HasInput {
				st.in = append(st.in, c.Input)
			} else {
				st.in = append(st.in, c.Bound["InputObject"])
			}
			return nil
		},
		End: func(c *Call) error {
			opts := value.ToJSONOptions{}
			if d, ok := boundInt(c, "Depth"); ok {
				opts.Depth = d
			}
			opts.Compress, _ = c.Bound["Compress"].(bool)
			st, _ := c.State.(*state)
			out, ok, err := value.ConvertToJSON(st.in, opts)
			if err != nil {
				return err
			}
			if ok {
				c.Out(out)
			}
			return nil
		}}
}

func convertFromJSON() *Cmdlet {
	type state struct{ in []string }
	return &Cmdlet{Name: "ConvertFrom-Json", Module: modUtility,
		Params: []Param{{Name: "InputObject", Type: "string", Position: 0, ValueFromPipeline: true, Mandatory: true}},
		Begin:  func(c *Call) error { c.State = &state{}; return nil },
		Process: func(c *Call) error {
			st, _ := c.State.(*state)
			st.in = append(st.in, value.ToString(c.Bound["InputObject"]))
			return nil
		},
		End: func(c *Call) error {
			st, _ := c.State.(*state)
			out, err := value.ConvertFromJSON(st.in)
			if err != nil {
				rec := recordFromError(err)
				rec.FullyQualifiedErrorId = "System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand"
				rec.Category = "NotSpecified"
				return rec
			}
			for _, v := range out {
				c.Out(v)
			}
			return nil
		}}
}

func newObject() *Cmdlet {
	return &Cmdlet{Name: "New-Object", Module: modUtility,
		Params: []Param{
			{Name: "TypeName", Type: "string", Position: 0, Mandatory: true, Set: "Net"},
			{Name: "ArgumentList", Aliases: []string{"Args"}, Type: "object[]", Position: 1, Set: "Net"},
			named("Property", "hashtable"),
			{Name: "ComObject", Type: "string", Position: 0, Mandatory: true, Set: "Com"},
			named("Strict", "switch"),
		},
		Begin: func(c *Call) error {
			s := c.Session
			if _, ok := c.Bound["ComObject"]; ok {
				return notImpl("New-Object -ComObject")
			}
			name := value.ToString(c.Bound["TypeName"])
			t, err := s.resolveTypeName(name)
			if err != nil {
				var pe *psError
				if errors.As(err, &pe) && pe.rec.FullyQualifiedErrorId == "TypeNotFound" {
					return newRecord("System.Management.Automation.PSArgumentException", fmt.Sprintf(
						"Cannot find type [%s]: verify that the assembly containing this type is loaded.", name),
						"TypeNotFound,Microsoft.PowerShell.Commands.NewObjectCommand", "InvalidType", nil)
				}
				return err
			}
			var args []any
			if a, ok := c.Bound["ArgumentList"]; ok {
				args = enumerate(a)
				if a == nil {
					args = []any{nil}
				}
			}
			var obj any
			if t.elem != nil && t.ctor == nil {
				obj, err = s.newArray(t, args)
			} else {
				obj, err = s.newObject(t, args)
			}
			if err != nil {
				return err
			}
			if props, ok := c.Bound["Property"].(*value.Hashtable); ok {
				for _, k := range props.Keys() {
					v, _ := props.Get(k)
					if o, isPS := obj.(*value.PSObject); isPS {
						o.Set(value.ToString(k), v)
						continue
					}
					if err := s.setMemberValue(obj, value.ToString(k), v); err != nil {
						return err
					}
				}
			}
			c.Out(obj)
			return nil
		}}
}

// newArray is New-Object T[] n: an array of n default elements.
func (s *Session) newArray(t *typeInfo, args []any) (any, error) {
	if len(args) != 1 {
		return nil, overload("new", len(args))
	}
	n, err := value.ToInt32(args[0])
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, dotnetError("System.OverflowException", "Arithmetic operation resulted in an overflow.")
	}
	if n > maxRange {
		return nil, notImpl("an array of more than %d elements", maxRange)
	}
	var zero any
	switch t.elem.fullName {
	case "System.String", "System.Object":
	default:
		zero, _ = s.convertToType(nil, t.elem)
	}
	out := &value.TypedArray{Elem: t.elem.fullName, Values: make(value.Array, n)}
	for i := range out.Values {
		out.Values[i] = zero
	}
	if t.elem.fullName == "System.Object" {
		return out.Values, nil
	}
	return out, nil
}

func getDate() *Cmdlet {
	return &Cmdlet{Name: "Get-Date", Module: modUtility,
		Params: []Param{{Name: "Date", Aliases: []string{"LastWriteTime"}, Type: "object", Position: 0, ValueFromPipeline: true},
			named("Format", "string"), named("UFormat", "string"), named("DisplayHint", "string"),
			named("Year", "int"), named("Month", "int"), named("Day", "int"), named("Hour", "int"),
			named("Minute", "int"), named("Second", "int"), named("Millisecond", "int")},
		Process: func(c *Call) error {
			s := c.Session
			for _, n := range []string{"UFormat", "Year", "Month", "Day", "Hour", "Minute", "Second", "Millisecond"} {
				if _, ok := c.Bound[n]; ok {
					return notImpl("Get-Date -%s", n)
				}
			}
			d := s.Now()
			if v, ok := c.Bound["Date"]; ok {
				dt, isDate := v.(value.DateTime)
				if !isDate {
					return notImpl("Get-Date -Date of a %s (parsing dates is not modelled)", value.TypeName(v))
				}
				d = dt
			}
			if f, ok := c.Bound["Format"]; ok {
				out, err := d.Format(value.ToString(f))
				if err != nil {
					return err
				}
				c.Out(out)
				return nil
			}
			c.Out(d)
			return nil
		}}
}

func startSleep() *Cmdlet {
	return &Cmdlet{Name: "Start-Sleep", Module: modUtility,
		Params: []Param{{Name: "Seconds", Type: "int", Position: 0, Mandatory: true, Set: "Seconds", ValueFromPipeline: true},
			{Name: "Milliseconds", Type: "int", Position: -1, Mandatory: true, Set: "Milliseconds"}},
		Process: func(c *Call) error {
			s := c.Session
			var d time.Duration
			if v, ok := boundInt(c, "Seconds"); ok {
				d = time.Duration(v) * time.Second
			} else if v, ok := boundInt(c, "Milliseconds"); ok {
				d = time.Duration(v) * time.Millisecond
			}
			if err := s.sleep(d); err != nil {
				return &limitError{msg: "the script was stopped: " + err.Error()}
			}
			return nil
		}}
}

func (s *Session) sleep(d time.Duration) error {
	if s.cfg.Sleep != nil {
		return s.cfg.Sleep(s.ctx, d)
	}
	return sleepCtx(s.ctx, d)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("start-sleep: %w", ctx.Err())
	case <-t.C:
		return nil
	}
}

// measureInfo is Measure-Object's GenericMeasureInfo.
type measureInfo struct {
	count              int
	sum, avg, max, min any
	property           any
}

func (m *measureInfo) TypeName() string { return "Microsoft.PowerShell.Commands.GenericMeasureInfo" }
func (m *measureInfo) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "count":
		return int32(m.count), true //nolint:gosec // small
	case "sum":
		return m.sum, true
	case "average":
		return m.avg, true
	case "maximum":
		return m.max, true
	case "minimum":
		return m.min, true
	case "property":
		return m.property, true
	}
	return nil, false
}
func (m *measureInfo) ToString() string { return m.TypeName() }
func (m *measureInfo) class() *class {
	return &class{name: m.TypeName(), members: "Average Count Maximum Minimum Property Sum"}
}

func measureObject() *Cmdlet {
	type state struct{ vals []any }
	return &Cmdlet{Name: "Measure-Object", Module: modUtility,
		Params: []Param{positional("Property", "string[]", 0), named("Sum", "switch"), named("Average", "switch"),
			named("Maximum", "switch"), named("Minimum", "switch"), named("Line", "switch"), named("Word", "switch"),
			named("Character", "switch"), inputObject()},
		Begin: func(c *Call) error {
			c.State = &state{}
			return nil
		},
		Process: func(c *Call) error {
			if !c.HasInput {
				return nil
			}
			st, _ := c.State.(*state)
			v := c.Input
			if p, ok := c.Bound["Property"]; ok {
				pv, err := c.Session.getMember(v, value.ToString(p))
				if err != nil {
					return err
				}
				v = pv
			}
			st.vals = append(st.vals, v)
			return nil
		},
		End: func(c *Call) error {
			st, _ := c.State.(*state)
			if t := textMeasure(c, st.vals); t != nil {
				c.Out(t)
				return nil
			}
			m := &measureInfo{count: len(st.vals), property: c.Bound["Property"]}
			want := func(n string) bool { b, _ := c.Bound[n].(bool); return b }
			if want("Sum") || want("Average") || want("Maximum") || want("Minimum") {
				var sum float64
				var lo, hi float64
				for i, v := range st.vals {
					f, err := value.ToDouble(v)
					if err != nil {
						return err
					}
					sum += f
					if i == 0 || f < lo {
						lo = f
					}
					if i == 0 || f > hi {
						hi = f
					}
				}
				if want("Sum") {
					m.sum = sum
				}
				if want("Average") && len(st.vals) > 0 {
					m.avg = sum / float64(len(st.vals))
				}
				if want("Maximum") && len(st.vals) > 0 {
					m.max = hi
				}
				if want("Minimum") && len(st.vals) > 0 {
					m.min = lo
				}
			}
			c.Out(m)
			return nil
		}}
}

func getCommand() *Cmdlet {
	return &Cmdlet{Name: "Get-Command", Module: modCore,
		Params: []Param{{Name: "Name", Type: "string[]", Position: 0, ValueFromPipeline: true},
			named("CommandType", "string"), named("Module", "string[]")},
		Process: func(c *Call) error {
			s := c.Session
			names, ok := c.Bound["Name"]
			if c.HasInput {
				names, ok = c.Input, true
			}
			if !ok {
				return notImpl("Get-Command without -Name")
			}
			for _, n := range enumerate(names) {
				name := value.ToString(n)
				if strings.ContainsAny(name, "*?[") {
					return notImpl("Get-Command with the wildcard %q", name)
				}
				ci, err := s.lookupCommand(name)
				if err != nil {
					if !isNotImplemented(err) || !knownCmdlets[strings.ToLower(name)] {
						return err
					}
					ci = nil
				}
				if ci == nil {
					rec := commandNotFound(name)
					rec.FullyQualifiedErrorId = "CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand"
					if err := c.Err(rec); err != nil {
						return err
					}
					continue
				}
				c.Out(ci)
			}
			return nil
		}}
}

// importModule imports the modules the host has: Import-Module of one it lacks is 5.1's
// non-terminating "module not loaded" error (Import-Module.md).
func importModule() *Cmdlet {
	return &Cmdlet{Name: "Import-Module", Module: modCore,
		Params: []Param{{Name: "Name", Type: "string[]", Position: 0, Mandatory: true, ValueFromPipeline: true},
			named("Force", "switch"), named("Global", "switch"), named("PassThru", "switch"), named("DisableNameChecking", "switch"),
			named("Prefix", "string"), named("MinimumVersion", "string"), named("RequiredVersion", "string"), named("Scope", "string"),
			named("Function", "string[]"), named("Cmdlet", "string[]"), named("Alias", "string[]"), named("Variable", "string[]"),
			named("NoClobber", "switch"), named("SkipEditionCheck", "switch"), named("UseWindowsPowerShell", "switch")},
		Process: func(c *Call) error {
			s := c.Session
			if pt, _ := c.Bound["PassThru"].(bool); pt {
				return notImpl("Import-Module -PassThru")
			}
			names := c.Bound["Name"]
			if c.HasInput {
				names = c.Input
			}
			for _, n := range enumerate(names) {
				name := value.ToString(n)
				if s.modules[strings.ToLower(name)] {
					continue
				}
				rec := newRecord("System.IO.FileNotFoundException", fmt.Sprintf(
					"The specified module '%s' was not loaded because no valid module file was found in any module directory.", name),
					"Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand", "ResourceUnavailable", name)
				if err := c.Err(rec); err != nil {
					return err
				}
			}
			return nil
		}}
}

// joinPath joins Windows paths as strings: one separator between the parts, forward slashes made
// backslashes. Provider resolution (the drive must exist, -Resolve) is not modelled.
func joinPath() *Cmdlet {
	return &Cmdlet{Name: "Join-Path", Module: modMgmt,
		Params: []Param{{Name: "Path", Aliases: []string{"PSPath"}, Type: "string[]", Position: 0, Mandatory: true, ValueFromPipeline: true, ValueFromPipelineByPropertyName: true},
			{Name: "ChildPath", Type: "string", Position: 1, ValueFromPipelineByPropertyName: true},
			named("Resolve", "switch"), named("Credential", "object")},
		Process: func(c *Call) error {
			if r, _ := c.Bound["Resolve"].(bool); r {
				return notImpl("Join-Path -Resolve")
			}
			child := value.ToString(c.Bound["ChildPath"])
			for _, p := range enumerate(c.Bound["Path"]) {
				c.Out(joinWin(value.ToString(p), child))
			}
			return nil
		}}
}

func joinWin(parent, child string) string {
	parent = strings.ReplaceAll(parent, "/", `\`)
	child = strings.ReplaceAll(child, "/", `\`)
	switch {
	case child == "":
		return parent
	case parent == "":
		return child
	}
	return strings.TrimRight(parent, `\`) + `\` + strings.TrimLeft(child, `\`)
}

// splitPath splits Windows paths as strings (-Parent, the default, -Leaf, -Qualifier, -NoQualifier,
// -IsAbsolute); provider resolution is not modelled.
func splitPath() *Cmdlet {
	return &Cmdlet{Name: "Split-Path", Module: modMgmt,
		Params: []Param{
			{Name: "Path", Type: "string[]", Position: 0, Mandatory: true, ValueFromPipeline: true, ValueFromPipelineByPropertyName: true},
			{Name: "LiteralPath", Aliases: []string{"PSPath"}, Type: "string[]", Position: -1, Mandatory: true, ValueFromPipelineByPropertyName: true, Set: "LiteralPathSet"},
			{Name: "Parent", Type: "switch", Position: -1, Set: "ParentSet"},
			{Name: "Leaf", Type: "switch", Position: -1, Set: "LeafSet"},
			{Name: "Qualifier", Type: "switch", Position: -1, Set: "QualifierSet"},
			{Name: "NoQualifier", Type: "switch", Position: -1, Set: "NoQualifierSet"},
			{Name: "IsAbsolute", Type: "switch", Position: -1, Set: "IsAbsoluteSet"},
			named("Resolve", "switch"), named("Credential", "object"),
		},
		Process: func(c *Call) error {
			if r, _ := c.Bound["Resolve"].(bool); r {
				return notImpl("Split-Path -Resolve")
			}
			paths := c.Bound["Path"]
			if lp, ok := c.Bound["LiteralPath"]; ok {
				paths = lp
			}
			is := func(n string) bool { b, _ := c.Bound[n].(bool); return b }
			for _, pv := range enumerate(paths) {
				p := value.ToString(pv)
				switch {
				case is("Leaf"):
					t := strings.TrimRight(p, `\/`)
					c.Out(t[strings.LastIndexAny(t, `\/`)+1:])
				case is("Qualifier"):
					i := strings.IndexByte(p, ':')
					if i < 0 {
						rec := newRecord("System.Management.Automation.PSArgumentException", "Cannot parse path because path does not contain a qualifier.",
							"ParsePathFailed,Microsoft.PowerShell.Commands.SplitPathCommand", "InvalidArgument", p)
						if err := c.Err(rec); err != nil {
							return err
						}
						continue
					}
					c.Out(p[:i+1])
				case is("NoQualifier"):
					if i := strings.IndexByte(p, ':'); i >= 0 {
						p = p[i+1:]
					}
					c.Out(p)
				case is("IsAbsolute"):
					c.Out(len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`))
				default:
					c.Out(splitParent(p))
				}
			}
			return nil
		}}
}

// splitParent is Split-Path -Parent: "C:\a\b" is "C:\a", "C:\a" is "C:\", "C:\" is "".
func splitParent(p string) string {
	t := strings.TrimRight(p, `\/`)
	if len(t) == 2 && t[1] == ':' {
		return ""
	}
	i := strings.LastIndexAny(t, `\/`)
	if i < 0 {
		return ""
	}
	parent := t[:i]
	if len(parent) == 2 && parent[1] == ':' {
		return parent + `\`
	}
	if parent == "" {
		return `\`
	}
	return parent
}

func newTimeSpan() *Cmdlet {
	return &Cmdlet{Name: "New-TimeSpan", Module: modUtility,
		Params: []Param{{Name: "Start", Aliases: []string{"LastWriteTime"}, Type: "object", Position: 0, Set: "Date"},
			{Name: "End", Type: "object", Position: 1, Set: "Date"},
			{Name: "Days", Type: "int", Position: -1, Set: "Time"}, {Name: "Hours", Type: "int", Position: -1, Set: "Time"},
			{Name: "Minutes", Type: "int", Position: -1, Set: "Time"}, {Name: "Seconds", Type: "int", Position: -1, Set: "Time"}},
		Process: func(c *Call) error {
			s := c.Session
			if _, ok := c.Bound["Start"]; ok {
				return dateSpan(c, s)
			}
			if _, ok := c.Bound["End"]; ok {
				return dateSpan(c, s)
			}
			var secs int64
			for n, mul := range map[string]int64{"Days": 86400, "Hours": 3600, "Minutes": 60, "Seconds": 1} {
				if v, ok := boundInt(c, n); ok {
					secs += int64(v) * mul
				}
			}
			c.Out(timeSpan(secs * ticksPerSecond))
			return nil
		}}
}

func dateSpan(c *Call, s *Session) error {
	start, end := s.Now(), s.Now()
	if v, ok := c.Bound["Start"]; ok {
		d, isDate := v.(value.DateTime)
		if !isDate {
			return notImpl("New-TimeSpan -Start of a %s", value.TypeName(v))
		}
		start = d
	}
	if v, ok := c.Bound["End"]; ok {
		d, isDate := v.(value.DateTime)
		if !isDate {
			return notImpl("New-TimeSpan -End of a %s", value.TypeName(v))
		}
		end = d
	}
	c.Out(timeSpan(end.Ticks - start.Ticks))
	return nil
}

// textMeasure is Measure-Object -Line, -Word and -Character (TextMeasureInfo): lines, words separated
// by white space, and characters of the input strings; nil when none of the switches is given.
func textMeasure(c *Call, vals []any) *textMeasureInfo {
	want := func(n string) bool { b, _ := c.Bound[n].(bool); return b }
	if !want("Line") && !want("Word") && !want("Character") {
		return nil
	}
	t := &textMeasureInfo{}
	for _, v := range vals {
		str := value.ToString(v)
		if want("Line") {
			t.lines += len(splitLines(str))
		}
		if want("Word") {
			t.words += len(strings.Fields(str))
		}
		if want("Character") {
			t.chars += len([]rune(str))
		}
	}
	t.show = [3]bool{want("Line"), want("Word"), want("Character")}
	return t
}

type textMeasureInfo struct {
	lines, words, chars int
	show                [3]bool
}

func (m *textMeasureInfo) TypeName() string { return "Microsoft.PowerShell.Commands.TextMeasureInfo" }
func (m *textMeasureInfo) Property(name string) (any, bool) {
	pick := func(i, n int) (any, bool) {
		if !m.show[i] {
			return nil, true
		}
		return int32(n), true //nolint:gosec // small
	}
	switch strings.ToLower(name) {
	case "lines":
		return pick(0, m.lines)
	case "words":
		return pick(1, m.words)
	case "characters":
		return pick(2, m.chars)
	case "property":
		return nil, true
	}
	return nil, false
}
func (m *textMeasureInfo) ToString() string { return m.TypeName() }
func (m *textMeasureInfo) class() *class {
	return &class{name: m.TypeName(), members: "Characters Lines Property Words"}
}
