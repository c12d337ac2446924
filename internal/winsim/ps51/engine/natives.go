package engine

import (
	"io"
	"strings"
	"unicode"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/syntax"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Native programs (about_Parsing "Passing arguments that contain quote characters"; about_Redirection;
// about_Automatic_Variables "$LASTEXITCODE"; PowerShell/PowerShell#3996 and #4002 for stderr).

func (s *Session) nativeElement(el *element, path string, args []argument, x *syntax.Command) (*element, error) {
	if s.cfg.Natives == nil {
		return nil, s.notImplAt(x, "running the application %s (the host provides no Config.Natives)", path)
	}
	argv := parseCommandLine(s.nativeCommandLine(args))
	redirected := false
	for _, r := range x.Redirections {
		if r.Stream == "2" || r.Stream == "*" {
			redirected = true
		}
	}
	var input []any
	hasInput := false
	el.process = func(in any, has bool) error {
		if has {
			input, hasInput = append(input, in), true
		}
		return nil
	}
	el.end = func() error {
		var stdin io.Reader
		if hasInput {
			var b strings.Builder
			for _, in := range input {
				b.WriteString(s.str(in) + "\r\n")
			}
			stdin = strings.NewReader(b.String())
		}
		if err := s.ctx.Err(); err != nil {
			return &limitError{msg: "the script was stopped: " + err.Error()}
		}
		res := s.cfg.Natives.Run(s.ctx, path, argv, stdin)
		if err := s.assignVar(s.global, "LASTEXITCODE", int32(res.ExitCode), false); err != nil { //nolint:gosec // exit codes are 32-bit
			return err
		}
		if res.ExitCode != 0 {
			el.failed = true
		}
		lines := res.Lines
		if lines == nil {
			for _, l := range splitLines(res.Stdout) {
				lines = append(lines, NativeLine{Text: l})
			}
			for _, l := range splitLines(res.Stderr) {
				lines = append(lines, NativeLine{Text: l, Stderr: true})
			}
		}
		first := true
		for _, l := range lines {
			if !l.Stderr {
				if err := s.st.out(l.Text); err != nil {
					return err
				}
				continue
			}
			if !redirected {
				_, _ = io.WriteString(s.stderr, l.Text+"\r\n")
				continue
			}
			id := "NativeCommandErrorMessage"
			if first {
				id = "NativeCommandError"
			}
			first = false
			rec := newRecord("System.Management.Automation.RemoteException", l.Text, id, "NotSpecified", l.Text)
			s.stamp(rec)
			rec.Invocation.Command = el.name
			if err := s.writeError(rec, s.errorAction()); err != nil {
				return err
			}
		}
		if res.ExitCode != 0 {
			el.failed = true
		}
		return nil
	}
	return el, nil
}

// splitLines splits a program's output into lines; a final line end ends the last line.
func splitLines(t string) []string {
	if t == "" {
		return nil
	}
	t = strings.ReplaceAll(t, "\r\n", "\n")
	t = strings.TrimSuffix(t, "\n")
	return strings.Split(t, "\n")
}

// nativeCommandLine builds the command line Windows PowerShell 5.1 passes to CreateProcess: each
// argument converted to string, an array's elements separated by spaces (by commas when the array was
// written as a comma list in the command), an element with white space outside quotes wrapped in
// double quotes (embedded quotes are not escaped), an empty string dropped; -Name:value as one
// argument. inferred: 5.1's NativeCommandParameterBinder (AppendOneNativeArgument, NeedQuotes), whose
// behaviour PowerShell 7.3 changed (about_Parsing).
func (s *Session) nativeCommandLine(args []argument) string {
	var b strings.Builder
	space := func() {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
	}
	for _, a := range args {
		if a.param {
			space()
			b.WriteString("-" + a.name)
			if a.colon {
				b.WriteByte(':')
				s.appendNative(&b, a.value, a.arrayLit)
			}
			continue
		}
		space()
		s.appendNative(&b, a.value, a.arrayLit)
	}
	return b.String()
}

func (s *Session) appendNative(b *strings.Builder, v any, commas bool) {
	items, isList := value.List(v)
	if !isList {
		items = []any{v}
	}
	for i, it := range items {
		if i > 0 {
			if commas {
				b.WriteByte(',')
			} else {
				b.WriteByte(' ')
			}
		}
		t := s.str(it)
		if t == "" {
			continue
		}
		if needQuotes(t) {
			b.WriteString(`"` + t + `"`)
		} else {
			b.WriteString(t)
		}
	}
}

func needQuotes(t string) bool {
	quotes := 0
	backslash := false
	for _, c := range t {
		if c == '"' && !backslash {
			quotes++
		} else if unicode.IsSpace(c) && quotes%2 == 0 {
			return true
		}
		backslash = c == '\\'
	}
	return false
}

// parseCommandLine splits a command line into arguments as the Microsoft C runtime does
// (CommandLineToArgvW rules: white space separates, double quotes group, 2n backslashes before a
// quote are n backslashes and the quote is special, 2n+1 are n backslashes and a literal quote, ""
// inside quotes is a literal quote).
func parseCommandLine(cl string) []string {
	var out []string
	r := []rune(cl)
	i := 0
	for {
		for i < len(r) && (r[i] == ' ' || r[i] == '\t') {
			i++
		}
		if i >= len(r) {
			return out
		}
		var b strings.Builder
		inQuote := false
		for i < len(r) {
			c := r[i]
			if (c == ' ' || c == '\t') && !inQuote {
				break
			}
			if c == '\\' {
				n := 0
				for i < len(r) && r[i] == '\\' {
					n++
					i++
				}
				if i < len(r) && r[i] == '"' {
					b.WriteString(strings.Repeat(`\`, n/2))
					if n%2 == 1 {
						b.WriteByte('"')
						i++
					}
				} else {
					b.WriteString(strings.Repeat(`\`, n))
				}
				continue
			}
			if c == '"' {
				if inQuote && i+1 < len(r) && r[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				inQuote = !inQuote
				i++
				continue
			}
			b.WriteRune(c)
			i++
		}
		out = append(out, b.String())
	}
}
