package engine

import (
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Scopes (about_Scopes): the global scope, the script scope and one local scope per function or
// script block invocation (& { }); dot-sourcing (. { }) and ForEach-Object/Where-Object script blocks
// run in the caller's scope. Lookup is dynamic: a function sees its caller's variables. Under
// powershell.exe -Command (and -EncodedCommand) the script runs in the global scope, which is also its
// script scope; a script block made with [ScriptBlock]::Create is not a script file, so $script: inside
// it is still that scope (inferred from about_Scopes: only script files get a new script scope).

type scope struct {
	parent *scope
	script *scope
	vars   map[string]*variable
	funcs  map[string]*function
}

// variable is a PowerShell variable. typ is its type constraint ([int]$x = 1), conv converts
// assigned values to it; autoNull marks a variable assigned from a command that wrote nothing
// (AutomationNull: $null in expressions, nothing in a pipeline).
type variable struct {
	name     string
	value    any
	typ      string
	conv     func(any) (any, error)
	autoNull bool
	readOnly bool
}

// function is a function definition: its name, parameters and body, and the source it came from.
type function struct {
	name   string
	params []*syntax.Parameter
	body   *syntax.ScriptBlock
	src    *source
}

// source is a parsed script text, kept for the error view's line text.
type source struct {
	lines []string
	runes []rune
}

func newSource(text string) *source {
	return &source{lines: strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n"), runes: []rune(text)}
}

// between is the source text between two positions.
func (s *source) between(from, to syntax.Pos) string {
	if s == nil || from.Offset < 0 || to.Offset > len(s.runes) || from.Offset > to.Offset {
		return ""
	}
	return string(s.runes[from.Offset:to.Offset])
}

func (s *source) line(n int) string {
	if s == nil || n < 1 || n > len(s.lines) {
		return ""
	}
	return strings.TrimRight(s.lines[n-1], "\r")
}

func newScope(parent *scope) *scope {
	sc := &scope{parent: parent, vars: map[string]*variable{}}
	if parent != nil {
		sc.script = parent.script
	} else {
		sc.script = sc
	}
	return sc
}

// varKey is a variable's lookup key: its name in lower case; $PSItem is $_.
func varKey(name string) string {
	k := strings.ToLower(name)
	if k == "psitem" {
		return "_"
	}
	return k
}

func (sc *scope) lookup(name string) *variable {
	k := varKey(name)
	for c := sc; c != nil; c = c.parent {
		if v, ok := c.vars[k]; ok {
			return v
		}
	}
	return nil
}

func (sc *scope) lookupFunc(name string) *function {
	k := strings.ToLower(name)
	for c := sc; c != nil; c = c.parent {
		if f, ok := c.funcs[k]; ok {
			return f
		}
	}
	return nil
}

func (sc *scope) setFunc(f *function) {
	if sc.funcs == nil {
		sc.funcs = map[string]*function{}
	}
	sc.funcs[strings.ToLower(f.name)] = f
}

// local returns the variable of this scope, creating it.
func (sc *scope) local(name string) *variable {
	k := varKey(name)
	v, ok := sc.vars[k]
	if !ok {
		v = &variable{name: name}
		sc.vars[k] = v
	}
	return v
}

// setVar assigns a variable as PowerShell's assignment does: the variable of that name visible from
// this scope is... not changed; a new local variable is created unless one exists in this very scope
// (about_Scopes: "a variable ... assigned in a child scope is created in the child scope"). A
// type-constrained variable converts the value.
func (s *Session) assignVar(sc *scope, name string, v any, autoNull bool) error {
	vr := sc.local(name)
	return s.storeVar(vr, v, autoNull)
}

func (s *Session) storeVar(vr *variable, v any, autoNull bool) error {
	if vr.readOnly {
		return s.terminating(newRecord("System.Management.Automation.SessionStateUnauthorizedAccessException",
			"Cannot overwrite variable "+vr.name+" because it is read-only or constant.", "VariableNotWritable", "WriteError", vr.name))
	}
	if vr.conv != nil {
		c, err := vr.conv(v)
		if err != nil {
			return s.terminating(err)
		}
		v, autoNull = c, false
	}
	vr.value, vr.autoNull = v, autoNull
	return nil
}

// scopeFor resolves a scope qualifier: global, script, local, private ("" is local).
func (s *Session) scopeFor(qual string) (*scope, bool) {
	switch strings.ToLower(qual) {
	case "", "local", "private":
		return s.cur, true
	case "global":
		return s.global, true
	case "script":
		return s.cur.script, true
	}
	return nil, false
}

// envGet and envSet are $env:NAME, case-insensitive.
func (s *Session) envGet(name string) (string, bool) {
	e, ok := s.env[strings.ToUpper(name)]
	return e.value, ok
}

func (s *Session) envSet(name string, v any) {
	if v == nil || value.ToString(v) == "" {
		// about_Environment_Variables: assigning an empty string or $null removes the variable.
		delete(s.env, strings.ToUpper(name))
		return
	}
	k := strings.ToUpper(name)
	e, ok := s.env[k]
	if !ok {
		e.name = name
	}
	e.value = value.ToString(v)
	s.env[k] = e
}

type envEntry struct{ name, value string }
