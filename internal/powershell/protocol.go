package powershell

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Output line prefixes.
const (
	ProgressPrefix = "##wincontainers:progress "
	ResultPrefix   = "##wincontainers:result "
)

// ExitRebootRequired is the exit code of a script that succeeded and needs a restart
// (ERROR_SUCCESS_REBOOT_REQUIRED).
const ExitRebootRequired = 3010

// Progress is one progress event.
type Progress struct {
	Step    string `json:"step"`
	Message string `json:"message"`
	Percent *int   `json:"percent,omitempty"`
}

// maxLogLines bounds the free-text output kept for messages.
const maxLogLines = 200

// OutputParser reads a script's stdout as it streams: it calls onProgress for each progress line as soon
// as the line is complete, keeps the result line(s), and keeps the last free-text lines for messages.
// It is an io.Writer; Close flushes a last line without a newline.
type OutputParser struct {
	onProgress func(Progress)
	partial    []byte
	results    []json.RawMessage
	log        []string
	bad        []string
}

// NewOutputParser returns a parser; onProgress may be nil.
func NewOutputParser(onProgress func(Progress)) *OutputParser {
	return &OutputParser{onProgress: onProgress}
}

// Write implements io.Writer.
func (p *OutputParser) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.partial = append(p.partial, b...)
			break
		}
		p.partial = append(p.partial, b[:i]...)
		p.line(string(bytes.TrimRight(p.partial, "\r")))
		p.partial = p.partial[:0]
		b = b[i+1:]
	}
	return n, nil
}

// Close flushes a final line that had no newline.
func (p *OutputParser) Close() error {
	if len(p.partial) > 0 {
		p.line(string(bytes.TrimRight(p.partial, "\r")))
		p.partial = nil
	}
	return nil
}

func (p *OutputParser) line(s string) {
	switch {
	case strings.HasPrefix(s, ProgressPrefix):
		var ev Progress
		if err := json.Unmarshal([]byte(s[len(ProgressPrefix):]), &ev); err != nil || ev.Step == "" {
			p.bad = append(p.bad, "malformed progress line: "+truncate(s, 200))
			return
		}
		if p.onProgress != nil {
			p.onProgress(ev)
		}
	case strings.HasPrefix(s, ResultPrefix):
		raw := json.RawMessage(strings.TrimSpace(s[len(ResultPrefix):]))
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			p.bad = append(p.bad, "malformed result line: "+truncate(s, 200))
			return
		}
		p.results = append(p.results, raw)
	default:
		if strings.TrimSpace(s) == "" {
			return
		}
		p.log = append(p.log, s)
		if len(p.log) > maxLogLines {
			p.log = p.log[len(p.log)-maxLogLines:]
		}
	}
}

// Log returns the last free-text lines.
func (p *OutputParser) Log() []string { return append([]string(nil), p.log...) }

// ErrProtocol is returned (wrapped) when a script's output breaks the protocol.
var ErrProtocol = errors.New("script output protocol violated")

// Result returns the single result object. None, several, or malformed ones are protocol errors.
func (p *OutputParser) Result() (json.RawMessage, error) {
	if len(p.bad) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrProtocol, strings.Join(p.bad, "; "))
	}
	switch len(p.results) {
	case 1:
		return p.results[0], nil
	case 0:
		return nil, fmt.Errorf("%w: no result line; last output: %s", ErrProtocol, truncate(strings.Join(p.log, " | "), 400))
	default:
		return nil, fmt.Errorf("%w: %d result lines, exactly one is allowed", ErrProtocol, len(p.results))
	}
}

// ScriptError is a script that ran and failed, with what it said about why.
type ScriptError struct {
	Script   string
	ExitCode int
	Code     string
	Message  string
	Remedy   string
	// Stderr is the decoded error stream.
	Stderr Stderr
}

func (e *ScriptError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = strings.Join(e.Stderr.Errors, "; ")
	}
	if msg == "" {
		msg = "no message"
	}
	s := fmt.Sprintf("script %s failed (exit %d", e.Script, e.ExitCode)
	if e.Code != "" {
		s += ", " + e.Code
	}
	s += "): " + msg
	if e.Remedy != "" {
		s += "; " + e.Remedy
	}
	return s
}

// Outcome is a finished script's interpreted result.
type Outcome struct {
	ExitCode       int
	RebootRequired bool
	Result         json.RawMessage
	Stderr         Stderr
	Log            []string
}

// Interpret applies the exit-code and result rules to a finished script.
func Interpret(script string, exitCode int, out *OutputParser, stderr string) (Outcome, error) {
	_ = out.Close()
	se := DecodeStderr(stderr)
	o := Outcome{ExitCode: exitCode, RebootRequired: exitCode == ExitRebootRequired, Stderr: se, Log: out.Log()}
	res, resErr := out.Result()
	if exitCode == 0 || exitCode == ExitRebootRequired {
		if resErr != nil {
			return o, fmt.Errorf("script %s exited %d: %w", script, exitCode, resErr)
		}
		var probe struct {
			Error *struct{ Code, Message, Remedy string } `json:"error"`
		}
		if err := json.Unmarshal(res, &probe); err == nil && probe.Error != nil {
			return o, &ScriptError{Script: script, ExitCode: exitCode, Code: probe.Error.Code, Message: probe.Error.Message,
				Remedy: probe.Error.Remedy, Stderr: se}
		}
		o.Result = res
		return o, nil
	}
	e := &ScriptError{Script: script, ExitCode: exitCode, Stderr: se}
	if resErr == nil {
		var r struct {
			Error *struct{ Code, Message, Remedy string } `json:"error"`
		}
		if json.Unmarshal(res, &r) == nil && r.Error != nil {
			e.Code, e.Message, e.Remedy = r.Error.Code, r.Error.Message, r.Error.Remedy
		}
	}
	if e.Message == "" && len(se.Errors) == 0 && len(o.Log) > 0 {
		e.Message = truncate(strings.Join(o.Log, " | "), 600)
	}
	return o, e
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
