package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// The pipeline (about_Pipelines, about_Redirection, about_CommonParameters). Elements stream: each
// object an element writes goes at once to the next element's process step, as in 5.1; begin steps
// run first, in order, and end steps last, in order. Every element has its own streams, so that its
// redirections (2>&1, 2>$null, > file) apply to what it and everything it calls writes.

// streams are where the running code writes: success output, error records, and the warning,
// verbose, debug and information streams (nil: the host displays them). failed is the $? flag of the
// command that is running.
type streams struct {
	out     func(any) error
	err     func(*ErrorRecord) error
	warn    func(any) error
	verbose func(any) error
	debug   func(any) error
	info    func(any) error
	failed  *bool
}

func (s *Session) topStreams() *streams {
	return &streams{
		out: func(v any) error { s.writeTop(v); return nil },
		err: func(rec *ErrorRecord) error {
			fmt.Fprint(s.stderr, errorView(rec))
			return nil
		},
	}
}

// writeTop is Out-Default at the top level: one line per object. 5.1's table and list views of
// complex objects are not modelled; an object is written as its ToString.
func (s *Session) writeTop(v any) {
	if t := s.displayString(v); t != nil {
		fmt.Fprint(s.stdout, *t)
	}
}

// displayString is the text Out-Default writes for an object, with its line end; nil for $null.
func (s *Session) displayString(v any) *string {
	var t string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		t = x + "\r\n"
	case *ErrorRecord:
		t = errorView(x)
	case bool, value.Char, uint8, int32, int64, float64, value.Decimal:
		t = value.ToString(x) + "\r\n"
	case value.Array, *value.TypedArray:
		// Out-Default enumerates a collection it receives (a nested array written as one object).
		var b strings.Builder
		for _, it := range itemsOf(x) {
			if l := s.displayString(it); l != nil {
				b.WriteString(*l)
			}
		}
		t = b.String()
	default:
		t = value.DotNetString(x) + "\r\n"
	}
	return &t
}

// writeError writes a non-terminating error as the command that reports it: action is the
// effective ErrorAction (the command's -ErrorAction, else $ErrorActionPreference). Stop makes it a
// terminating error at once (ActionPreferenceStopException carrying the original record); Continue
// writes it to the error stream; SilentlyContinue only records it in $Error; Ignore drops it. All of
// them set $? to $false (about_CommonParameters "-ErrorAction"; about_Preference_Variables).
func (s *Session) writeError(rec *ErrorRecord, action string) error {
	s.stamp(rec)
	if s.st.failed != nil {
		*s.st.failed = true
	}
	switch action {
	case "Stop":
		rec.stopped = true
		return &psError{rec: rec, scriptTerminating: true}
	case "Ignore":
		return nil
	case "SilentlyContinue":
		s.addError(rec)
		return nil
	case "Inquire", "Suspend":
		return notImpl("the ErrorAction %s", action)
	}
	s.addError(rec)
	return s.st.err(rec)
}

// errorAction is the effective ErrorAction of the current command when it has no -ErrorAction.
func (s *Session) errorAction() string { return s.preference("ErrorActionPreference", "Continue") }

// element is one element of a running pipeline.
type element struct {
	name    string
	pos     syntax.Pos
	src     *source
	st      *streams
	failed  bool
	begin   func() error
	process func(in any, has bool) error
	end     func() error
	flush   []func() error
}

type stopUpstream struct{ owner *element }

func (*stopUpstream) Error() string { return "the pipeline was stopped by a downstream command" }

// inElement runs one step of an element with its streams and its name as the current command.
func (s *Session) inElement(el *element, fn func() error) error {
	savedSt, savedCmd, savedPos, savedSrc := s.st, s.command, s.pos, s.src
	s.st, s.command, s.pos, s.src = el.st, el.name, el.pos, el.src
	err := fn()
	s.st, s.command, s.pos, s.src = savedSt, savedCmd, savedPos, savedSrc
	return err
}

func (s *Session) execPipeline(p *syntax.Pipeline) error {
	parent := s.st
	n := len(p.Elements)
	els := make([]*element, n)
	for i, pe := range p.Elements {
		el, err := s.buildElement(pe)
		if err != nil {
			s.lastOK = false
			return err
		}
		els[i] = el
	}
	next := parent.out
	for i := n - 1; i >= 0; i-- {
		el := els[i]
		if err := s.wireStreams(el, parent, next, redirectionsOf(p.Elements[i])); err != nil {
			s.lastOK = false
			return err
		}
		next = func(v any) error {
			if el.process == nil {
				return nil
			}
			return s.inElement(el, func() error { return el.process(v, true) })
		}
	}
	err := s.runElements(els)
	for _, el := range els {
		for _, f := range el.flush {
			if ferr := f(); ferr != nil && err == nil {
				err = ferr
			}
		}
	}
	ok := true
	for _, el := range els {
		if el.failed {
			ok = false
		}
	}
	s.lastOK = ok
	return err
}

func (s *Session) runElements(els []*element) error {
	for _, el := range els {
		if el.begin != nil {
			if err := s.inElement(el, el.begin); err != nil {
				return s.stopped(els, err)
			}
		}
	}
	first := els[0]
	if first.process != nil {
		if err := s.inElement(first, func() error { return first.process(nil, false) }); err != nil {
			return s.stopped(els, err)
		}
	}
	return s.endFrom(els, 0)
}

func (s *Session) endFrom(els []*element, from int) error {
	for i := from; i < len(els); i++ {
		el := els[i]
		if el.end != nil {
			if err := s.inElement(el, el.end); err != nil {
				return s.stopped(els, err)
			}
		}
	}
	return nil
}

// stopped handles an error from an element: a downstream Select-Object -First that has what it wants
// stops the elements before it, and the rest end normally.
func (s *Session) stopped(els []*element, err error) error {
	var su *stopUpstream
	if errors.As(err, &su) {
		for i, el := range els {
			if el == su.owner {
				return s.endFrom(els, i)
			}
		}
	}
	return err
}

func redirectionsOf(pe syntax.PipelineElement) []*syntax.Redirection {
	switch x := pe.(type) {
	case *syntax.Command:
		return x.Redirections
	case *syntax.CommandExpr:
		return x.Redirections
	}
	return nil
}

// streamRecord is a warning, verbose, debug or information message merged into the success stream
// (3>&1 ... 6>&1, *>&1).
type streamRecord struct {
	kind string
	msg  any
}

func (r *streamRecord) TypeName() string {
	return "System.Management.Automation." + r.kind + "Record"
}
func (r *streamRecord) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "message":
		return value.ToString(r.msg), true
	case "messagedata":
		return r.msg, true
	}
	return nil, false
}
func (r *streamRecord) ToString() string { return value.ToString(r.msg) }
func (r *streamRecord) class() *class {
	return &class{name: r.TypeName(), members: "Message MessageData InvocationInfo PipelineIterationInfo Source TimeGenerated Tags User Computer ProcessId NativeThreadId ManagedThreadId"}
}

// wireStreams gives an element its streams: its success output goes to out, the rest to the
// enclosing streams, then its redirections apply in the order written.
func (s *Session) wireStreams(el *element, parent *streams, out func(any) error, redirs []*syntax.Redirection) error {
	st := &streams{failed: &el.failed, out: out, warn: parent.warn, verbose: parent.verbose, debug: parent.debug, info: parent.info}
	errDest := parent.err
	for _, r := range redirs {
		if r.Merge {
			cur := st.out
			merge := func(kind string) func(any) error {
				return func(v any) error { return cur(&streamRecord{kind: kind, msg: v}) }
			}
			switch r.Stream {
			case "2":
				errDest = func(rec *ErrorRecord) error { return cur(rec) }
			case "3":
				st.warn = merge("Warning")
			case "4":
				st.verbose = merge("Verbose")
			case "5":
				st.debug = merge("Debug")
			case "6":
				st.info = merge("Information")
			case "*":
				errDest = func(rec *ErrorRecord) error { return cur(rec) }
				st.warn, st.verbose, st.debug, st.info = merge("Warning"), merge("Verbose"), merge("Debug"), merge("Information")
			}
			continue
		}
		sink, flush, err := s.fileSink(r)
		if err != nil {
			return err
		}
		if flush != nil {
			el.flush = append(el.flush, flush)
		}
		recSink := func(rec *ErrorRecord) error { return sink(rec) }
		switch r.Stream {
		case "1":
			st.out = sink
		case "2":
			errDest = recSink
		case "3":
			st.warn = sink
		case "4":
			st.verbose = sink
		case "5":
			st.debug = sink
		case "6":
			st.info = sink
		case "*":
			st.out, errDest = sink, recSink
			st.warn, st.verbose, st.debug, st.info = sink, sink, sink, sink
		}
	}
	// An error record passing through does not make this command fail ($? after a function that
	// wrote an error is still $true: about_Automatic_Variables "$?"); the command that wrote it failed.
	st.err = errDest
	el.st = st
	return nil
}

// fileSink is the destination of n>target: $null discards; a path goes to Config.WriteFile when the
// pipeline ends (Out-File's text: one line per object).
func (s *Session) fileSink(r *syntax.Redirection) (func(any) error, func() error, error) {
	if v, ok := r.Target.(*syntax.Variable); ok && strings.EqualFold(v.Name, "null") && v.Scope == "" {
		return func(any) error { return nil }, nil, nil
	}
	t, err := s.eval(r.Target)
	if err != nil {
		return nil, nil, err
	}
	if t == nil {
		return func(any) error { return nil }, nil, nil
	}
	path := s.str(t)
	if s.cfg.WriteFile == nil {
		return nil, nil, s.notImplAt(r, "redirection to the file %q (the host provides no Config.WriteFile)", path)
	}
	var b strings.Builder
	sink := func(v any) error {
		if t := s.displayString(v); t != nil {
			b.WriteString(*t)
		}
		return nil
	}
	flush := func() error {
		if err := s.cfg.WriteFile(path, b.String(), r.Append); err != nil {
			return s.terminating(err)
		}
		return nil
	}
	return sink, flush, nil
}

// writeStream writes a message to stream 3 to 6, or displays it as the console host does.
func (s *Session) writeStream(kind string, msg any) error {
	var sink func(any) error
	prefix := ""
	switch kind {
	case "Warning":
		sink, prefix = s.st.warn, "WARNING: "
	case "Verbose":
		sink, prefix = s.st.verbose, "VERBOSE: "
	case "Debug":
		sink, prefix = s.st.debug, "DEBUG: "
	case "Information":
		sink = s.st.info
	}
	if sink != nil {
		return sink(msg)
	}
	fmt.Fprint(s.stdout, prefix+value.ToString(msg)+"\r\n")
	return nil
}
