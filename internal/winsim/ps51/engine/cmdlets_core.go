package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// The engine's own cmdlets of Microsoft.PowerShell.Core and Microsoft.PowerShell.Utility, with their
// 5.1 parameters (the cmdlets' 5.1 help pages in MicrosoftDocs/PowerShell-Docs reference/5.1).

const (
	modCore    = "Microsoft.PowerShell.Core"
	modUtility = "Microsoft.PowerShell.Utility"
	modMgmt    = "Microsoft.PowerShell.Management"
)

// errStopUpstream is returned by an engine cmdlet that needs no more input (Select-Object -First).
var errStopUpstream = errors.New("stop upstream")

func named(name, typ string) Param { return Param{Name: name, Type: typ, Position: -1} }

func positional(name, typ string, pos int) Param { return Param{Name: name, Type: typ, Position: pos} }

// inputObject is -InputObject, bound from the pipeline.
func inputObject() Param {
	return Param{Name: "InputObject", Type: "object", Position: -1, ValueFromPipeline: true}
}

func (s *Session) initCommands() {
	s.commands = map[string]*Cmdlet{}
	s.modules = map[string]bool{}
	for _, c := range engineCmdlets() {
		s.commands[strings.ToLower(c.Name)] = c
		s.modules[strings.ToLower(c.Module)] = true
	}
	for _, c := range s.cfg.Commands {
		s.commands[strings.ToLower(c.Name)] = c
		if c.Module != "" {
			s.modules[strings.ToLower(c.Module)] = true
		}
	}
	for _, m := range s.cfg.Modules {
		s.modules[strings.ToLower(m)] = true
	}
	s.modules[strings.ToLower(modMgmt)] = true
}

func engineCmdlets() []*Cmdlet {
	return append(moreCmdlets(),
		forEachObject(), whereObject(), selectObject(), outNull(), outString(), outHost(), writeOutput(),
		writeError(), writeWarning(), writeVerbose(), writeDebug(), writeInformation(), writeHost(), writeProgress(),
		convertToJSON(), convertFromJSON(), newObject(), getDate(), startSleep(), measureObject(), getCommand(),
		importModule(), joinPath(), splitPath(), newTimeSpan(), setStrictMode(),
	)
}

// forEachObject runs script blocks per input in the caller's scope (ForEach-Object.md): -Process
// (one or more blocks), -Begin and -End; positional blocks beyond the first are the remaining scripts:
// two are begin and process, three or more begin, process... and end. -MemberName reads a property or
// calls a method with -ArgumentList.
func forEachObject() *Cmdlet {
	type state struct {
		begin, end any
		process    []any
	}
	return &Cmdlet{Name: "ForEach-Object", Module: modCore,
		Params: []Param{
			{Name: "Process", Type: "scriptblock[]", Position: 0, Mandatory: true, Set: "ScriptBlockSet"},
			{Name: "MemberName", Type: "string", Position: 0, Mandatory: true, Set: "PropertyAndMethodSet"},
			{Name: "Begin", Type: "scriptblock", Position: -1, Set: "ScriptBlockSet"},
			{Name: "End", Type: "scriptblock", Position: -1, Set: "ScriptBlockSet"},
			{Name: "RemainingScripts", Type: "scriptblock[]", Position: -1, Set: "ScriptBlockSet", ValueFromRemainingArguments: true},
			{Name: "ArgumentList", Aliases: []string{"Args"}, Type: "object[]", Position: -1, Set: "PropertyAndMethodSet", ValueFromRemainingArguments: true},
			inputObject(),
		},
		Begin: func(c *Call) error {
			st := &state{begin: c.Bound["Begin"], end: c.Bound["End"]}
			c.State = st
			if p, ok := c.Bound["Process"]; ok {
				st.process = enumerate(p)
			}
			if r, ok := c.Bound["RemainingScripts"]; ok {
				all := append(append([]any{}, st.process...), enumerate(r)...)
				st.begin, st.process = all[0], all[1:]
				if len(all) >= 3 {
					st.process, st.end = all[1:len(all)-1], all[len(all)-1]
				}
			}
			if st.begin != nil {
				return c.Session.InvokeWithInput(st.begin, nil, nil)
			}
			return nil
		},
		Process: func(c *Call) error {
			st, _ := c.State.(*state)
			in := c.Input
			if v, ok := c.Bound["InputObject"]; ok && !c.HasInput {
				in = v
			}
			if name, ok := c.Bound["MemberName"]; ok {
				var args []any
				if a, has := c.Bound["ArgumentList"]; has {
					args = enumerate(a)
				}
				r, err := c.Session.memberOrMethod(in, value.ToString(name), args)
				if err != nil {
					return err
				}
				for _, it := range enumerate(r) {
					c.Out(it)
				}
				return nil
			}
			for _, p := range st.process {
				if p == nil {
					continue
				}
				if err := c.Session.InvokeWithInput(p, in, nil); err != nil {
					return err
				}
			}
			return nil
		},
		End: func(c *Call) error {
			if st, _ := c.State.(*state); st.end != nil {
				return c.Session.InvokeWithInput(st.end, nil, nil)
			}
			return nil
		},
	}
}

// whereOps are Where-Object's comparison switches (the simplified syntax of PowerShell 3.0).
var whereOps = []string{"EQ", "CEQ", "NE", "CNE", "GT", "CGT", "LT", "CLT", "GE", "CGE", "LE", "CLE", "Like", "CLike",
	"NotLike", "CNotLike", "Match", "CMatch", "NotMatch", "CNotMatch", "Contains", "CContains", "NotContains",
	"CNotContains", "In", "CIn", "NotIn", "CNotIn", "Is", "IsNot"}

func whereObject() *Cmdlet {
	params := []Param{
		{Name: "FilterScript", Type: "scriptblock", Position: 0, Set: "ScriptBlockSet"},
		{Name: "Property", Type: "string", Position: 0, Set: "Simplified"},
		{Name: "Value", Type: "object", Position: 1, Set: "Simplified"},
		inputObject(),
	}
	for _, op := range whereOps {
		params = append(params, Param{Name: op, Type: "switch", Position: -1, Set: "Simplified"})
	}
	return &Cmdlet{Name: "Where-Object", Module: modCore, Params: params,
		Process: func(c *Call) error {
			s := c.Session
			in := c.Input
			if v, ok := c.Bound["InputObject"]; ok && !c.HasInput {
				in = v
			}
			if fs, ok := c.Bound["FilterScript"]; ok {
				var res []any
				if err := s.InvokeWithInput(fs, in, func(v any) error { res = append(res, v); return nil }); err != nil {
					return err
				}
				if value.ToBool(unwrapCollected(res)) {
					c.Out(in)
				}
				return nil
			}
			prop := value.ToString(c.Bound["Property"])
			pv, err := s.getMember(in, prop)
			if err != nil {
				return err
			}
			op := ""
			for _, o := range whereOps {
				if b, _ := c.Bound[o].(bool); b {
					op = o
				}
			}
			val, hasVal := c.Bound["Value"]
			if op == "" {
				if hasVal {
					return notImpl("Where-Object Property Value without an operator switch")
				}
				if value.ToBool(pv) {
					c.Out(in)
				}
				return nil
			}
			r, err := s.binaryOp(nil, "-"+strings.ToLower(op), pv, val)
			if err != nil {
				return err
			}
			if value.ToBool(r) {
				c.Out(in)
			}
			return nil
		}}
}

func selectObject() *Cmdlet {
	type state = selectObjectState
	return &Cmdlet{Name: "Select-Object", Module: modUtility,
		Params: []Param{
			positional("Property", "object[]", 0),
			named("ExpandProperty", "string"),
			named("First", "int"),
			named("Last", "int"),
			named("Skip", "int"),
			named("Unique", "switch"),
			named("ExcludeProperty", "string[]"),
			named("Index", "int[]"),
			inputObject(),
		},
		Begin: func(c *Call) error {
			if _, ok := c.Bound["ExcludeProperty"]; ok {
				return notImpl("Select-Object -ExcludeProperty")
			}
			st := &state{}
			if u, _ := c.Bound["Unique"].(bool); u {
				st.unique = []any{}
			}
			c.State = st
			return nil
		},
		Process: func(c *Call) error {
			st, _ := c.State.(*state)
			in := c.Input
			if !c.HasInput {
				v, ok := c.Bound["InputObject"]
				if !ok {
					return nil
				}
				in = v
			}
			if idx, ok := c.Bound["Index"]; ok {
				at := st.n
				st.n++
				for _, k := range enumerate(idx) {
					if n, _ := value.ToInt32(k); int(n) == at {
						return selectEmit(c, in, st)
					}
				}
				return nil
			}
			return selectOne(c, in, st)
		},
		End: func(c *Call) error {
			st, _ := c.State.(*state)
			if _, ok := c.Bound["Last"]; ok {
				for _, v := range st.last {
					if err := selectEmit(c, v, st); err != nil {
						return err
					}
				}
			}
			if st.unique != nil {
				var seen []any
			next:
				for _, v := range st.unique {
					for _, o := range seen {
						if objectEquals(o, v) {
							continue next
						}
					}
					seen = append(seen, v)
					c.Out(v)
				}
			}
			return nil
		},
	}
}

func boundInt(c *Call, name string) (int, bool) {
	v, ok := c.Bound[name]
	if !ok {
		return 0, false
	}
	n, _ := value.ToInt32(v)
	return int(n), true
}

// selectObjectState is Select-Object's state: objects seen, the last ones for -Last, and the selected
// objects when -Unique (written at the end without duplicates).
type selectObjectState struct {
	n      int
	last   []any
	unique []any
}

func (s *selectObjectState) counter() *int     { return &s.n }
func (s *selectObjectState) lastBuf() *[]any   { return &s.last }
func (s *selectObjectState) uniqueBuf() *[]any { return &s.unique }

// selectState is Select-Object's state as selectOne and selectEmit see it.
type selectState interface {
	counter() *int
	lastBuf() *[]any
	uniqueBuf() *[]any
}

func selectOne(c *Call, in any, st selectState) error {
	n := st.counter()
	seen := *n
	*n = seen + 1
	last := st.lastBuf()
	if skip, ok := boundInt(c, "Skip"); ok && seen < skip {
		return nil
	}
	idx := seen
	if skip, ok := boundInt(c, "Skip"); ok {
		idx -= skip
	}
	if k, ok := boundInt(c, "Last"); ok {
		*last = append(*last, in)
		if len(*last) > k {
			*last = (*last)[1:]
		}
		return nil
	}
	if k, ok := boundInt(c, "First"); ok {
		if idx >= k {
			return errStopUpstream
		}
		if err := selectEmit(c, in, st); err != nil {
			return err
		}
		if idx+1 >= k {
			return errStopUpstream
		}
		return nil
	}
	return selectEmit(c, in, st)
}

// selectEmit writes one selected object: its expanded property, a new object with the named
// properties, or the object itself.
func selectEmit(c *Call, in any, st selectState) error {
	s := c.Session
	if u := st.uniqueBuf(); *u != nil {
		out := c.Out
		c.Out = func(v any) { *u = append(*u, v) }
		defer func() { c.Out = out }()
	}
	if ep, ok := c.Bound["ExpandProperty"]; ok {
		name := value.ToString(ep)
		if !s.hasMember(in, name) {
			rec := newRecord("System.Management.Automation.PSArgumentException", fmt.Sprintf("Property \"%s\" cannot be found.", name),
				"ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand", "InvalidArgument", in)
			return c.Err(rec)
		}
		v, err := s.getMember(in, name)
		if err != nil {
			return err
		}
		for _, it := range enumerate(v) {
			c.Out(it)
		}
		return nil
	}
	props, ok := c.Bound["Property"]
	if !ok {
		c.Out(in)
		return nil
	}
	o := value.NewPSObject()
	for _, p := range enumerate(props) {
		switch x := p.(type) {
		case string:
			if strings.ContainsAny(x, "*?[") {
				return notImpl("Select-Object -Property with the wildcard %q", x)
			}
			v, err := s.getMember(in, x)
			if err != nil {
				return err
			}
			o.Set(x, v)
		case *value.Hashtable:
			name, expr := calculatedProperty(x)
			if name == "" || expr == nil {
				return notImpl("Select-Object with this calculated property")
			}
			var v any
			if sb, ok := expr.(*scriptBlock); ok {
				var res []any
				if err := s.InvokeWithInput(sb, in, func(r any) error { res = append(res, r); return nil }); err != nil {
					return err
				}
				v = unwrapCollected(res)
			} else {
				r, err := s.getMember(in, value.ToString(expr))
				if err != nil {
					return err
				}
				v = r
			}
			o.Set(name, v)
		default:
			return notImpl("Select-Object -Property of a %s", value.TypeName(p))
		}
	}
	c.Out(o)
	return nil
}

func calculatedProperty(h *value.Hashtable) (string, any) {
	var name string
	var expr any
	for _, k := range h.Keys() {
		v, _ := h.Get(k)
		switch strings.ToLower(value.ToString(k)) {
		case "n", "name", "l", "label":
			name = value.ToString(v)
		case "e", "expression":
			expr = v
		}
	}
	return name, expr
}

func outNull() *Cmdlet {
	return &Cmdlet{Name: "Out-Null", Module: modCore, Params: []Param{inputObject()}}
}

func outString() *Cmdlet {
	type state struct{ b strings.Builder }
	return &Cmdlet{Name: "Out-String", Module: modUtility,
		Params: []Param{named("Stream", "switch"), named("Width", "int"), inputObject()},
		Begin:  func(c *Call) error { c.State = &state{}; return nil },
		Process: func(c *Call) error {
			in := c.Input
			if !c.HasInput {
				v, ok := c.Bound["InputObject"]
				if !ok {
					return nil
				}
				in = v
			}
			t := c.Session.displayString(in)
			if t == nil {
				return nil
			}
			if b, _ := c.Bound["Stream"].(bool); b {
				for _, l := range splitLines(*t) {
					c.Out(l)
				}
				return nil
			}
			st, _ := c.State.(*state)
			st.b.WriteString(*t)
			return nil
		},
		End: func(c *Call) error {
			if b, _ := c.Bound["Stream"].(bool); b {
				return nil
			}
			// Out-String writes one string, each object's text followed by a line end (5.1 adds a
			// final newline: Out-String.md, "NOTES").
			st, _ := c.State.(*state)
			c.Out(st.b.String())
			return nil
		}}
}

func outHost() *Cmdlet {
	return &Cmdlet{Name: "Out-Host", Module: modCore, Params: []Param{named("Paging", "switch"), inputObject()},
		Process: func(c *Call) error {
			if c.HasInput {
				c.Session.writeTop(c.Input)
			} else if v, ok := c.Bound["InputObject"]; ok {
				c.Session.writeTop(v)
			}
			return nil
		}}
}

func writeOutput() *Cmdlet {
	return &Cmdlet{Name: "Write-Output", Module: modUtility,
		Params: []Param{{Name: "InputObject", Type: "object", Position: 0, ValueFromPipeline: true, ValueFromRemainingArguments: true}, named("NoEnumerate", "switch")},
		Process: func(c *Call) error {
			v, ok := c.Bound["InputObject"]
			if c.HasInput {
				v, ok = c.Input, true
			}
			if !ok {
				return nil
			}
			if ne, _ := c.Bound["NoEnumerate"].(bool); ne {
				c.Out(v)
				return nil
			}
			for _, it := range enumerate(v) {
				c.Out(it)
			}
			return nil
		}}
}

func writeError() *Cmdlet {
	return &Cmdlet{Name: "Write-Error", Module: modUtility,
		Params: []Param{
			{Name: "Message", Aliases: []string{"Msg"}, Type: "string", Position: 0, ValueFromPipeline: true},
			named("Exception", "object"), named("ErrorRecord", "object"), named("Category", "string"),
			named("ErrorId", "string"), named("TargetObject", "object"), named("RecommendedAction", "string"),
			named("CategoryActivity", "string"), named("CategoryReason", "string"), named("CategoryTargetName", "string"),
			named("CategoryTargetType", "string"),
		},
		Process: func(c *Call) error {
			if r, ok := c.Bound["ErrorRecord"].(*ErrorRecord); ok {
				return c.Err(r)
			}
			msg := value.ToString(c.Bound["Message"])
			if c.HasInput {
				msg = value.ToString(c.Input)
			}
			ex := &Exception{Message: msg, Types: exceptionTypes("Microsoft.PowerShell.Commands.WriteErrorException")}
			if e, ok := c.Bound["Exception"].(*Exception); ok {
				ex = e
				if _, has := c.Bound["Message"]; has {
					ex = &Exception{Message: msg, Types: e.Types, Inner: e.Inner}
				}
			}
			id := "Microsoft.PowerShell.Commands.WriteErrorException"
			if e, ok := c.Bound["ErrorId"]; ok {
				id = value.ToString(e)
			}
			cat := "NotSpecified"
			if v, ok := c.Bound["Category"]; ok {
				cat = value.ToString(v)
			}
			rec := &ErrorRecord{Exception: ex, FullyQualifiedErrorId: id, Category: cat, TargetObject: c.Bound["TargetObject"], Activity: "Write-Error"}
			return c.Err(rec)
		}}
}

func messageOf(c *Call) string {
	if c.HasInput {
		return value.ToString(c.Input)
	}
	return value.ToString(c.Bound["Message"])
}

func writeWarning() *Cmdlet {
	return &Cmdlet{Name: "Write-Warning", Module: modUtility,
		Params:  []Param{{Name: "Message", Aliases: []string{"Msg"}, Type: "string", Position: 0, ValueFromPipeline: true, Mandatory: true}},
		Process: func(c *Call) error { return c.Warn(messageOf(c)) }}
}

// preferenceStream writes to the verbose or debug stream when its preference (or the -Verbose/-Debug
// switch) is Continue.
func preferenceStream(name, kind, pref string) *Cmdlet {
	return &Cmdlet{Name: name, Module: modUtility,
		Params: []Param{{Name: "Message", Aliases: []string{"Msg"}, Type: "string", Position: 0, ValueFromPipeline: true, Mandatory: true}},
		Process: func(c *Call) error {
			s := c.Session
			p := s.preference(pref, "SilentlyContinue")
			if p == "Inquire" || p == "Stop" {
				return notImpl("$%s = %s", pref, p)
			}
			if p != "Continue" {
				return nil
			}
			return s.writeStream(kind, messageOf(c))
		}}
}

func writeVerbose() *Cmdlet {
	return preferenceStream("Write-Verbose", "Verbose", "VerbosePreference")
}

func writeDebug() *Cmdlet {
	return preferenceStream("Write-Debug", "Debug", "DebugPreference")
}

func writeInformation() *Cmdlet {
	return &Cmdlet{Name: "Write-Information", Module: modUtility,
		Params: []Param{{Name: "MessageData", Aliases: []string{"Msg", "Message"}, Type: "object", Position: 0, Mandatory: true}, positional("Tags", "string[]", 1)},
		Process: func(c *Call) error {
			s := c.Session
			if s.st.info == nil && s.preference("InformationPreference", "SilentlyContinue") != "Continue" {
				return nil
			}
			return s.writeStream("Information", c.Bound["MessageData"])
		}}
}

// writeHost writes to the console (stdout): objects joined with the separator, a collection's
// elements too; in 5.1 it is the information stream, so 6> and *> redirect it.
func writeHost() *Cmdlet {
	return &Cmdlet{Name: "Write-Host", Module: modUtility,
		Params: []Param{
			{Name: "Object", Aliases: []string{"Msg", "Message"}, Type: "object", Position: 0, ValueFromPipeline: true, ValueFromRemainingArguments: true},
			named("NoNewline", "switch"), named("Separator", "object"), named("ForegroundColor", "string"), named("BackgroundColor", "string"),
		},
		Process: func(c *Call) error {
			s := c.Session
			v, ok := c.Bound["Object"]
			if c.HasInput {
				v, ok = c.Input, true
			}
			sep := " "
			if x, has := c.Bound["Separator"]; has {
				sep = value.ToString(x)
			}
			var parts []string
			if ok {
				for _, it := range enumerate(v) {
					if inner, isList := value.List(it); isList {
						sub := make([]string, len(inner))
						for i, e := range inner {
							sub[i] = value.ToString(e)
						}
						parts = append(parts, strings.Join(sub, sep))
						continue
					}
					parts = append(parts, value.ToString(it))
				}
			}
			text := strings.Join(parts, sep)
			if s.st.info != nil {
				return s.st.info(text)
			}
			if nn, _ := c.Bound["NoNewline"].(bool); !nn {
				text += "\r\n"
			}
			_, _ = s.stdout.Write([]byte(text))
			return nil
		}}
}

func writeProgress() *Cmdlet {
	return &Cmdlet{Name: "Write-Progress", Module: modUtility,
		Params: []Param{positional("Activity", "string", 0), positional("Status", "string", 1), positional("Id", "int", 2),
			named("PercentComplete", "int"), named("SecondsRemaining", "int"), named("CurrentOperation", "string"),
			named("ParentId", "int"), named("Completed", "switch"), named("SourceId", "int")}}
}

func setStrictMode() *Cmdlet {
	return &Cmdlet{Name: "Set-StrictMode", Module: modCore,
		Params: []Param{named("Version", "object"), named("Off", "switch")},
		Begin: func(c *Call) error {
			if off, _ := c.Bound["Off"].(bool); off {
				return nil
			}
			return notImpl("Set-StrictMode (strict mode)")
		}}
}
