package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// defaultMaxSteps bounds a run when Config.MaxSteps is 0.
const defaultMaxSteps = 5_000_000

// maxCallDepth is the nesting of function and script block invocations at which 5.1 stops with "The
// script failed due to call depth overflow." (ScriptCallDepthException). inferred: 5.1's limit is
// set by its stack guard; 1000 nested calls is where the engine stops.
const maxCallDepth = 1000

// Session is one powershell.exe process: its scopes, functions, environment and streams. A Session
// is not safe for concurrent use.
type Session struct {
	cfg    Config
	ctx    context.Context
	global *scope
	cur    *scope
	env    map[string]envEntry

	commands map[string]*Cmdlet
	modules  map[string]bool
	types    map[string]*typeInfo

	stdout, stderr io.Writer
	stdin          *bufio.Reader

	st *streams

	src     *source
	pos     syntax.Pos
	command string

	steps, maxSteps int
	depth           int
	tryDepth        int
	catching        []*ErrorRecord
	lastOK          bool
	errs            *arrayList

	securityProtocol value.Enum
	fault            error
	uncaught         *ErrorRecord
}

// NewSession makes a session from a configuration. Nil writers discard; a nil Stdin is empty.
func NewSession(cfg Config) *Session {
	s := &Session{cfg: cfg, ctx: cfg.Context, env: map[string]envEntry{}, lastOK: true}
	if s.ctx == nil {
		s.ctx = context.Background()
	}
	s.stdout, s.stderr = cfg.Stdout, cfg.Stderr
	if s.stdout == nil {
		s.stdout = io.Discard
	}
	if s.stderr == nil {
		s.stderr = io.Discard
	}
	in := cfg.Stdin
	if in == nil {
		in = strings.NewReader("")
	}
	s.stdin = bufio.NewReader(in)
	s.maxSteps = cfg.MaxSteps
	if s.maxSteps <= 0 {
		s.maxSteps = defaultMaxSteps
	}
	for k, v := range cfg.Env {
		s.env[strings.ToUpper(k)] = envEntry{name: k, value: v}
	}
	s.global = newScope(nil)
	s.cur = s.global
	s.errs = &arrayList{}
	// inferred: Windows PowerShell 5.1 on .NET Framework 4.x without the SchUseStrongCrypto registry
	// setting starts with Ssl3, Tls, which is why the library enables Tls12 with -bor.
	s.securityProtocol = value.Enum{Type: securityProtocolType, Value: 48 | 192}
	s.initCommands()
	s.initTypes()
	s.initVariables()
	s.st = s.topStreams()
	return s
}

func (s *Session) initVariables() {
	set := func(name string, v any, ro bool) {
		vr := s.global.local(name)
		vr.value, vr.readOnly = v, ro
	}
	set("true", true, true)
	set("false", false, true)
	set("ErrorActionPreference", "Continue", false)
	set("ProgressPreference", "Continue", false)
	set("WarningPreference", "Continue", false)
	set("VerbosePreference", "SilentlyContinue", false)
	set("DebugPreference", "SilentlyContinue", false)
	set("InformationPreference", "SilentlyContinue", false)
	set("ConfirmPreference", "High", false)
	set("WhatIfPreference", false, false)
	set("Error", s.errs, true)
	set("PSScriptRoot", "", false)
	set("PSCommandPath", "", false)
	set("PSEdition", "Desktop", true)
	set("FormatEnumerationLimit", int32(4), false)
	set("MaximumErrorCount", int32(256), false)
	if h, ok := s.envGet("USERPROFILE"); ok {
		set("HOME", h, true)
	}
	t := value.NewHashtable()
	t.Set("PSVersion", &version{parts: []int{5, 1, 17763, 1}})
	t.Set("PSEdition", "Desktop")
	t.Set("PSCompatibleVersions", value.Array{&version{parts: []int{1, 0}}, &version{parts: []int{2, 0}},
		&version{parts: []int{3, 0}}, &version{parts: []int{4, 0}}, &version{parts: []int{5, 0}}, &version{parts: []int{5, 1, 17763, 1}}})
	t.Set("BuildVersion", &version{parts: []int{10, 0, 17763, 1}})
	t.Set("CLRVersion", &version{parts: []int{4, 0, 30319, 42000}})
	t.Set("WSManStackVersion", &version{parts: []int{3, 0}})
	t.Set("PSRemotingProtocolVersion", &version{parts: []int{2, 3}})
	t.Set("SerializationVersion", &version{parts: []int{1, 1, 0, 1}})
	set("PSVersionTable", t, false)
	for k, v := range s.cfg.Variables {
		set(k, v, false)
	}
}

// Run runs a script as `powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass
// -EncodedCommand` runs it, and returns the process exit code:
//
//   - top-level success output is written to Config.Stdout, one line ("\r\n") per object: a string as
//     it is, other values by their 5.1 string form. 5.1's table and list formatting of complex
//     objects is not modelled: a hashtable or an object is written as its ToString;
//   - an uncaught terminating error is written to Config.Stderr in 5.1's error view, exit code 1;
//   - `exit N` ends the run with N, also inside a function or a script block invoked with & (under
//     -Command exit ends the process; inferred from about_Language_Keywords "exit" and
//     about_PowerShell_exe: the script runs in the global scope, not as a script file);
//   - otherwise the exit code is 0 when the last statement succeeded ($? is $true) and 1 when it did
//     not (about_PowerShell_exe, -Command: "the exit code is determined by the status of the last
//     command").
//
// A construct the engine does not implement, the step limit and a cancelled context end the run with
// exit code 1, the message on Stderr, and Fault reporting the error.
func (s *Session) Run(script string) int {
	s.fault, s.uncaught = nil, nil
	s.steps = 0
	sb, err := syntax.Parse(script)
	if err != nil {
		var pe *syntax.Error
		if errors.As(err, &pe) && pe.Kind == syntax.Unsupported {
			s.fault = &NotImplementedError{What: strings.TrimPrefix(pe.Message, notImplPrefix), Pos: pe.Pos.String()}
			fmt.Fprintf(s.stderr, "%s\r\n", s.fault.Error())
			return 1
		}
		rec := newRecord("System.Management.Automation.ParseException", parseMessage(err), "ParseException", "ParserError", nil)
		fmt.Fprint(s.stderr, errorView(rec))
		return 1
	}
	return s.runTop(sb, newSource(script))
}

func parseMessage(err error) string {
	var pe *syntax.Error
	if errors.As(err, &pe) {
		return fmt.Sprintf("At line:%d char:%d\r\n%s", pe.Pos.Line, pe.Pos.Column, pe.Message)
	}
	return err.Error()
}

func (s *Session) runTop(sb *syntax.ScriptBlock, src *source) int {
	s.src = src
	s.cur = s.global
	s.st = s.topStreams()
	err := s.execBody(sb, nil)
	return s.finish(err)
}

func (s *Session) finish(err error) int {
	if err == nil {
		if s.lastOK {
			return 0
		}
		return 1
	}
	var ex *exitFlow
	var pe *psError
	switch {
	case errors.As(err, &ex):
		return ex.code
	case errors.As(err, &pe):
		s.uncaught = pe.rec
		s.addError(pe.rec)
		fmt.Fprint(s.stderr, errorView(pe.rec))
		return 1
	}
	var (
		br *breakFlow
		co *continueFlow
		rf *returnFlow
	)
	if errors.As(err, &br) || errors.As(err, &co) || errors.As(err, &rf) {
		// break/continue outside a loop and return at top level end the script quietly.
		if s.lastOK {
			return 0
		}
		return 1
	}
	s.fault = err
	fmt.Fprintf(s.stderr, "%s\r\n", err.Error())
	return 1
}

// Fault is the engine error that ended the last Run: a NotImplementedError, the step limit or a
// cancelled context; nil when the run ended as a PowerShell script ends.
func (s *Session) Fault() error { return s.fault }

// Uncaught is the terminating error that ended the last Run, or nil.
func (s *Session) Uncaught() *ErrorRecord { return s.uncaught }

// Var gets a variable by name as the script's current scope sees it ($name), and whether it exists.
func (s *Session) Var(name string) (any, bool) {
	v := s.cur.lookup(name)
	if v == nil {
		return nil, false
	}
	return v.value, true
}

// VariableExists reports whether the Variable: drive has an item for a path such as
// "variable:global:ProgressPreference" or "Variable:\x" (about_Variable_Provider: the drive shows the
// variables of the current scope and its parents; a scope qualifier after the drive picks one scope).
// ok is false when the path is not on the Variable: drive.
func (s *Session) VariableExists(path string) (exists, ok bool) {
	drive, rest, found := strings.Cut(path, ":")
	if !found || !strings.EqualFold(drive, "variable") {
		return false, false
	}
	rest = strings.TrimLeft(rest, `\/`)
	scope := ""
	if q, name, qualified := strings.Cut(rest, ":"); qualified {
		scope, rest = q, name
	}
	if rest == "" {
		return true, true // the drive's root
	}
	switch strings.ToLower(scope) {
	case "", "local", "private", "global", "script":
	default:
		return false, true
	}
	return s.findVariable(&syntax.Variable{Scope: scope, Name: rest}) != nil, true
}

// SetVar sets a variable in the current scope.
func (s *Session) SetVar(name string, v any) error { return s.assignVar(s.cur, name, v, false) }

// SetGlobal sets a global variable ($global:name).
func (s *Session) SetGlobal(name string, v any) error { return s.assignVar(s.global, name, v, false) }

// Env is a copy of the process environment as the script has changed it, with the names as they were
// first set.
func (s *Session) Env() map[string]string {
	out := make(map[string]string, len(s.env))
	for _, e := range s.env {
		out[e.name] = e.value
	}
	return out
}

// SetEnv sets (or, with "", removes) an environment variable.
func (s *Session) SetEnv(name, v string) { s.envSet(name, v) }

// Context is the session's context.
func (s *Session) Context() context.Context { return s.ctx }

// Now is the session clock's local time as a [datetime].
func (s *Session) Now() value.DateTime {
	t := time.Now()
	if s.cfg.Clock != nil {
		t = s.cfg.Clock()
	}
	return value.FromTime(t, value.Local)
}

// Stdout and Stderr are the session's console streams.
func (s *Session) Stdout() io.Writer { return s.stdout }

// Stderr is [Console]::Error.
func (s *Session) Stderr() io.Writer { return s.stderr }

// step counts one evaluation step and checks the limit and the context.
func (s *Session) step() error {
	s.steps++
	if s.steps > s.maxSteps {
		return &limitError{msg: fmt.Sprintf("winsim's PowerShell stopped the script after %d steps (Config.MaxSteps)", s.maxSteps)}
	}
	if s.steps&1023 == 0 {
		if err := s.ctx.Err(); err != nil {
			return &limitError{msg: "the script was stopped: " + err.Error()}
		}
	}
	return nil
}

func (s *Session) posString() string {
	return fmt.Sprintf("line %d, column %d", s.pos.Line, s.pos.Column)
}

// stamp fills in where an error record was raised.
func (s *Session) stamp(rec *ErrorRecord) {
	if rec.Invocation == nil {
		rec.Invocation = &InvocationInfo{Command: s.command, Line: s.pos.Line, Column: s.pos.Column, LineText: s.src.line(s.pos.Line)}
	}
	if rec.Exception != nil && rec.Exception.record == nil {
		rec.Exception.record = rec
	}
}

// addError records an error in $Error (newest first, at most $MaximumErrorCount).
func (s *Session) addError(rec *ErrorRecord) {
	if len(s.errs.items) > 0 && s.errs.items[0] == rec {
		return
	}
	s.errs.items = append([]any{rec}, s.errs.items...)
	if len(s.errs.items) > 256 {
		s.errs.items = s.errs.items[:256]
	}
}

// preference reads a preference variable ($ErrorActionPreference, ...) as an ActionPreference name.
func (s *Session) preference(name, def string) string {
	v := s.cur.lookup(name)
	if v == nil || v.value == nil {
		return def
	}
	return canonicalAction(value.ToString(v.value), def)
}

func canonicalAction(v, def string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "stop", "1":
		return "Stop"
	case "continue", "2":
		return "Continue"
	case "silentlycontinue", "0":
		return "SilentlyContinue"
	case "ignore", "4":
		return "Ignore"
	case "inquire", "3":
		return "Inquire"
	case "suspend", "5":
		return "Suspend"
	}
	return def
}
