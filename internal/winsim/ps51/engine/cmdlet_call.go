package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Running a Cmdlet (the engine's own and the host's) as a pipeline element.

// outPanic carries an error of a downstream element through a cmdlet's Out callback, which has no
// error result; the engine recovers it around every cmdlet step.
type outPanic struct{ err error }

func (s *Session) cmdletElement(el *element, c *Cmdlet, args []argument) (*element, error) {
	b, err := s.bindCmdlet(c, args)
	if err != nil {
		return nil, err
	}
	call := &Call{Bound: b.bound, Session: s}
	cs := &callState{b: b, call: call, el: el}
	call.Out = func(v any) {
		if cs.outVar != nil {
			cs.outVar = append(cs.outVar, v)
		}
		if err := el.st.out(v); err != nil {
			panic(outPanic{err})
		}
	}
	call.Err = func(rec *ErrorRecord) error {
		if rec.Activity == "" {
			rec.Activity = c.Name
		}
		if rec.Invocation == nil {
			s.stamp(rec)
			rec.Invocation.Command = c.Name
		}
		cs.addErrorVariable(s, rec)
		err := s.writeError(rec, b.errorAction)
		if err != nil && cs.pending == nil {
			cs.pending = err
		}
		return err
	}
	call.Warn = func(msg string) error { return s.warn(msg, b.warnAction) }
	if _, ok := b.common["OutVariable"]; ok {
		cs.outVar = []any{}
	}
	el.begin = func() error {
		if c.Begin == nil {
			return nil
		}
		return cs.run(s, c.Begin)
	}
	el.process = func(in any, has bool) error {
		if err := s.step(); err != nil {
			return err
		}
		call.Input, call.HasInput = in, has
		if has {
			ok, err := s.bindPipeline(b, in)
			if err != nil {
				return s.nonTerminatingBinding(cs, err)
			}
			if !ok {
				return s.nonTerminatingBinding(cs, s.paramBindingError(c,
					"The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.",
					"InputObjectNotBound", "InvalidArgument"))
			}
		}
		if err := s.checkMandatory(b); err != nil {
			return err
		}
		if c.Process == nil {
			return nil
		}
		return cs.run(s, c.Process)
	}
	el.end = func() error {
		var err error
		if c.End != nil {
			err = cs.run(s, c.End)
		}
		if v, ok := b.common["OutVariable"]; ok && err == nil {
			err = s.setCommonVariable(value.ToString(v), unwrapOutVariable(cs.outVar))
		}
		return err
	}
	return el, nil
}

func unwrapOutVariable(items []any) any {
	l := &arrayList{items: append([]any{}, items...)}
	return l
}

// nonTerminatingBinding writes a pipeline binding failure as the non-terminating error it is in 5.1.
func (s *Session) nonTerminatingBinding(cs *callState, err error) error {
	var pe *psError
	if !errors.As(err, &pe) {
		return err
	}
	cs.addErrorVariable(s, pe.rec)
	return s.writeError(pe.rec, cs.b.errorAction)
}

type callState struct {
	el      *element
	b       *cmdletBinding
	call    *Call
	pending error
	outVar  []any
	errVar  bool
}

func (cs *callState) addErrorVariable(s *Session, rec *ErrorRecord) {
	v, ok := cs.b.common["ErrorVariable"]
	if !ok {
		return
	}
	name := value.ToString(v)
	appendTo := strings.HasPrefix(name, "+")
	name = strings.TrimPrefix(name, "+")
	vr := s.cur.lookup(name)
	if vr == nil || (!appendTo && !cs.errVar) {
		vr = s.cur.local(name)
		vr.value = &arrayList{}
	}
	cs.errVar = true
	l, ok := vr.value.(*arrayList)
	if !ok {
		l = &arrayList{items: enumerate(vr.value)}
		vr.value = l
	}
	l.items = append(l.items, rec)
}

func (s *Session) setCommonVariable(name string, v any) error {
	name = strings.TrimPrefix(name, "+")
	return s.assignVar(s.cur, name, v, false)
}

// run runs one step of a cmdlet: it recovers a downstream error raised through Out, turns a returned
// error into a terminating error of this command, and raises an error that Err escalated (Stop) even
// when the cmdlet ignored Err's result.
func (cs *callState) run(s *Session, step func(*Call) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			op, ok := r.(outPanic)
			if !ok {
				panic(r)
			}
			err = op.err
		}
	}()
	err = step(cs.call)
	if err == nil {
		err = cs.pending
	}
	cs.pending = nil
	if err == nil {
		return nil
	}
	if errors.Is(err, errStopUpstream) {
		return &stopUpstream{owner: cs.el}
	}
	return s.cmdletTerminating(cs.b.c, err)
}

// cmdletTerminating makes a cmdlet's returned error a terminating error of that command
// (ThrowTerminatingError: it ends the statement).
func (s *Session) cmdletTerminating(c *Cmdlet, err error) error {
	if passThrough(err) {
		return err
	}
	var pe *psError
	if errors.As(err, &pe) {
		return pe
	}
	if value.IsNotModelled(err) {
		return s.terminating(err)
	}
	var rec *ErrorRecord
	if !errors.As(err, &rec) {
		rec = recordFromError(err)
		if rec.FullyQualifiedErrorId == "RuntimeException" {
			rec.FullyQualifiedErrorId = "System.Management.Automation.RuntimeException," + cmdletClassName(c)
		}
	}
	if rec.Activity == "" {
		rec.Activity = c.Name
	}
	if rec.Invocation == nil {
		s.stamp(rec)
		rec.Invocation.Command = c.Name
	}
	if rec.Exception.record == nil {
		rec.Exception.record = rec
	}
	return &psError{rec: rec}
}

// warn writes a warning as Write-Warning does, by the effective WarningAction.
func (s *Session) warn(msg, action string) error {
	switch action {
	case "SilentlyContinue", "Ignore":
		return nil
	case "Stop":
		rec := newRecord("System.Management.Automation.ActionPreferenceStopException",
			fmt.Sprintf("The running command stopped because the preference variable \"WarningPreference\" or common parameter is set to Stop: %s", msg),
			"ActionPreferenceStop", "OperationStopped", nil)
		s.stamp(rec)
		return &psError{rec: rec, scriptTerminating: true}
	}
	return s.writeStream("Warning", msg)
}
