package host

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// WinRS runs every command line as `cmd.exe /c <line>` (docs/knowledge/winrm.md#commands-and-the-operations-quota, #the-command-line-limit). This file is the part of
// cmd.exe winsim models: the operators &, && and ||, redirection of stdout and stderr to nul or to each
// other, and the commands clients send — echo, exit, cmd /c, hostname, more, ping and for /L; other programs (shutdown.exe) are the
// machine's own, shared with PowerShell (Host.Programs).

// exitKilled is the exit code of a process ended from outside (STATUS_CONTROL_C_EXIT, docs/knowledge/winrm.md#signal): a
// restart or a terminate Signal ends a running command; no client sees it, as its shell is gone.
const exitKilled = 0xC000013A

// pingInterval is ping.exe's pause between echo requests.
var pingInterval = time.Second

var echoAppend = regexp.MustCompile(`(?i)^echo (.*?) >> "([^"]+)"$`)

// cmd handles a command line the way cmd.exe /c does (docs/knowledge/winrm.md#commands-and-the-operations-quota).
func (h *Host) cmd(ctx context.Context, line string, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	line = h.expand(line) // %NAME% is replaced when the line is read, before anything runs
	if m := echoAppend.FindStringSubmatch(line); m != nil {
		// winrmcp (Packer's upload): echo <base64> >> "%TEMP%\winrmcp-<uuid>.tmp". The echoed text runs to
		// the redirection, so the space before >> is written too, then CR LF; a missing folder is cmd's
		// "The system cannot find the path specified."
		return h.appendText(m[2], m[1]+" \r\n", stderr)
	}
	return h.cmdLine(ctx, line, stdin, stdout, stderr)
}

// cmdLine runs commands joined by & (always), && (after success) and || (after failure), left to right,
// and returns the last errorlevel.
func (h *Host) cmdLine(ctx context.Context, line string, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	var code uint32
	op, rest := "&", line
	for {
		if ctx.Err() != nil {
			return exitKilled
		}
		seg, next, nextOp := splitCommand(rest)
		if nextOp == "|" {
			fmt.Fprint(stderr, "winsim: pipes between commands (|) are not modelled\r\n")
			return 1
		}
		if op == "&" || (op == "&&" && code == 0) || (op == "||" && code != 0) {
			code = h.simple(ctx, seg, code, stdin, stdout, stderr)
		}
		if nextOp == "" {
			return code
		}
		op, rest = nextOp, next
	}
}

// splitCommand splits off the first command of a line at &, &&, || or |, outside double quotes and not
// escaped with ^; the & of a redirection (2>&1) does not split. A for command takes the rest of the line
// as its body, as cmd.exe parses it.
func splitCommand(line string) (first, rest, op string) {
	if forLoop.MatchString(strings.TrimLeft(line, " \t@")) {
		return line, "", ""
	}
	quoted := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '^':
			i++
		case c == '&' && i > 0 && (line[i-1] == '>' || line[i-1] == '<'):
		case c == '&' || c == '|':
			op = string(c)
			if i+1 < len(line) && line[i+1] == c {
				op += string(c)
			}
			return line[:i], line[i+len(op):], op
		}
	}
	return line, "", ""
}

// redirection is one of the redirections winsim models: stdout or stderr to nul, or to the other.
var redirection = regexp.MustCompile(`(?i)([12]?)>\s*(&[12]|nul\b)`)

// simple runs one command with its redirections; errorlevel is the level before it (echo keeps it).
func (h *Host) simple(ctx context.Context, seg string, errorlevel uint32, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	seg = strings.TrimLeft(seg, " \t")
	seg = strings.TrimPrefix(seg, "@")
	if strings.ContainsAny(seg, "<>") {
		// Redirections are taken out of the text, the spaces around them stay: `echo err 1>&2` prints "err ".
		var text strings.Builder
		last := 0
		for _, m := range redirection.FindAllStringSubmatchIndex(seg, -1) {
			if strings.Count(seg[:m[0]], `"`)%2 == 1 {
				continue
			}
			text.WriteString(seg[last:m[0]])
			last = m[1]
			fd, target := seg[m[2]:m[3]], strings.ToLower(seg[m[4]:m[5]])
			var w io.Writer
			switch target {
			case "nul":
				w = io.Discard
			case "&1":
				w = stdout
			case "&2":
				w = stderr
			}
			if fd == "2" {
				stderr = w
			} else {
				stdout = w
			}
		}
		text.WriteString(seg[last:])
		seg = text.String()
		if strings.ContainsAny(stripQuoted(seg), "<>") {
			fmt.Fprint(stderr, "winsim: redirection to or from a file is not modelled (only >nul, 2>nul, 1>&2 and 2>&1)\r\n")
			return 1
		}
	}
	fields := strings.Fields(seg)
	if len(fields) == 0 {
		return errorlevel
	}
	name := strings.ToLower(fields[0])
	switch {
	case name == "echo" || strings.HasPrefix(name, "echo.") || strings.HasPrefix(name, "echo:"):
		return echo(seg, errorlevel, stdout)
	case name == "exit":
		return exit(fields[1:])
	case name == "cmd" || name == "cmd.exe":
		if len(fields) > 1 && (strings.EqualFold(fields[1], "/c") || strings.EqualFold(fields[1], "/k")) {
			_, after, _ := strings.Cut(seg, fields[1])
			return h.cmdLine(ctx, strings.TrimSpace(after), stdin, stdout, stderr)
		}
		fmt.Fprint(stderr, "winsim: cmd.exe without /c is not modelled\r\n")
		return 1
	case name == "hostname" || name == "hostname.exe":
		fmt.Fprint(stdout, h.computerName+"\r\n")
		return 0
	case name == "ipconfig" || name == "ipconfig.exe":
		return h.ipconfig(fields[1:], stdout, stderr)
	case name == "more" || name == "more.com":
		return more(ctx, fields[1:], stdin, stdout, stderr)
	case name == "ping" || name == "ping.exe":
		return ping(ctx, fields[1:], stdout, stderr)
	case name == "for":
		return h.forL(ctx, seg, stdin, stdout, stderr)
	}
	if h.Programs != nil {
		_, rest, _ := strings.Cut(seg, fields[0])
		if code, found := h.Programs(ctx, fields[0], argv(rest), stdin, stdout, stderr); found {
			return code
		}
	}
	fmt.Fprintf(stderr, "'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", fields[0])
	return 1
}

// argv splits a program's arguments as the C runtime does (CommandLineToArgvW's rules, MicrosoftDocs
// "Parsing C++ command-line arguments"): white space separates, double quotes group and are removed,
// 2n backslashes before a quote are n backslashes, 2n+1 are n and a literal quote.
func argv(s string) []string {
	var out []string
	var cur strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					quoted = !quoted
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			inArg = true
		case c == '"':
			quoted = !quoted
			inArg = true
		case (c == ' ' || c == '\t') && !quoted:
			if inArg {
				out = append(out, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		out = append(out, cur.String())
	}
	return out
}

// stripQuoted removes double-quoted text.
func stripQuoted(s string) string {
	var b strings.Builder
	quoted := false
	for _, r := range s {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if !quoted {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// echo prints the text after the one delimiter that follows the word, spaces kept; bare echo reports
// the echo state, which is on under cmd /c. It leaves the errorlevel as it was.
func echo(seg string, errorlevel uint32, stdout io.Writer) uint32 {
	text := seg[len("echo"):]
	if strings.TrimSpace(text) == "" {
		fmt.Fprint(stdout, "ECHO is on.\r\n")
		return errorlevel
	}
	fmt.Fprint(stdout, text[1:]+"\r\n")
	return errorlevel
}

// exit [/b] [N]: N as the DWORD (exit -1 is 4294967295); no number or a non-number is 0.
func exit(args []string) uint32 {
	if len(args) > 0 && strings.EqualFold(args[0], "/b") {
		args = args[1:]
	}
	if len(args) == 0 {
		return 0
	}
	n, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		return 0
	}
	return uint32(n)
}

// more copies stdin to stdout a line at a time, as it reads it: every line ends in CRLF (a last line
// without one gets it) and tabs expand to the next multiple of 8 columns. With stdout not a console it
// never prompts. Arguments (files, switches) are not modelled.
func more(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "winsim: more %s is not modelled (only more reading stdin)\r\n", strings.Join(args, " "))
		return 1
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		br := bufio.NewReader(stdin)
		for {
			line, err := br.ReadString('\n')
			if line != "" {
				select {
				case lines <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return exitKilled
		case line, ok := <-lines:
			if !ok {
				return 0
			}
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			fmt.Fprint(stdout, expandTabs(line)+"\r\n")
		}
	}
}

func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}

// ping -n N 127.0.0.1: N echo requests a second apart to the loopback address, answered at once, then
// the statistics; about N-1 seconds in all. -w (the reply timeout) and -4 are accepted; other targets
// and options are not modelled.
func ping(ctx context.Context, args []string, stdout, stderr io.Writer) uint32 {
	count, target := uint64(4), ""
	for i := 0; i < len(args); i++ {
		switch a := strings.ToLower(strings.Replace(args[i], "/", "-", 1)); a {
		case "-n", "-w":
			if i+1 >= len(args) {
				fmt.Fprintf(stdout, "Value must be supplied for option %s.\r\n", args[i])
				return 1
			}
			n, err := strconv.ParseUint(args[i+1], 10, 32)
			if err != nil || n == 0 && a == "-n" {
				fmt.Fprintf(stdout, "Bad value for option %s, valid range is from 1 to 4294967295.\r\n", args[i])
				return 1
			}
			if a == "-n" {
				count = n
			}
			i++
		case "-4":
		default:
			if strings.HasPrefix(a, "-") || target != "" {
				fmt.Fprintf(stderr, "winsim: ping %s is not modelled (only ping [-n N] [-w ms] 127.0.0.1)\r\n", args[i])
				return 1
			}
			target = args[i]
		}
	}
	if target != "127.0.0.1" {
		fmt.Fprintf(stderr, "winsim: ping to %q is not modelled (only 127.0.0.1)\r\n", target)
		return 1
	}
	fmt.Fprint(stdout, "\r\nPinging 127.0.0.1 with 32 bytes of data:\r\n")
	for i := uint64(0); i < count; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return exitKilled
			case <-time.After(pingInterval):
			}
		}
		fmt.Fprint(stdout, "Reply from 127.0.0.1: bytes=32 time<1ms TTL=128\r\n")
	}
	fmt.Fprintf(stdout, "\r\nPing statistics for 127.0.0.1:\r\n    Packets: Sent = %d, Received = %d, Lost = 0 (0%% loss),\r\n"+
		"Approximate round trip times in milli-seconds:\r\n    Minimum = 0ms, Maximum = 0ms, Average = 0ms\r\n", count, count)
	return 0
}

// forLoop is for /L %v in (start,step,end) do <command>, as typed on a command line (one %).
var forLoop = regexp.MustCompile(`(?i)^for\s+/L\s+%([a-z])\s+in\s*\(\s*(-?\d+)\s*[,;= ]\s*(-?\d+)\s*[,;= ]\s*(-?\d+)\s*\)\s*do\s+(.*)$`)

// forL runs for /L: the command, with %v replaced by the value, for start, start+step, ... while the value
// has not passed end. cmd.exe echoes each iteration's command (with the prompt) unless it starts with @;
// that echo is not modelled, so the command must start with @.
func (h *Host) forL(ctx context.Context, seg string, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	m := forLoop.FindStringSubmatch(seg)
	if m == nil {
		fmt.Fprint(stderr, "winsim: only for /L %<letter> in (start,step,end) do @command is modelled\r\n")
		return 1
	}
	body := strings.TrimSpace(m[5])
	if !strings.HasPrefix(body, "@") {
		fmt.Fprint(stderr, "winsim: for /L without @ before its command (cmd.exe then echoes every iteration) is not modelled\r\n")
		return 1
	}
	start, _ := strconv.ParseInt(m[2], 10, 64)
	step, _ := strconv.ParseInt(m[3], 10, 64)
	end, _ := strconv.ParseInt(m[4], 10, 64)
	var code uint32
	for v := start; (step >= 0 && v <= end) || (step < 0 && v >= end); v += step {
		if ctx.Err() != nil {
			return exitKilled
		}
		code = h.cmdLine(ctx, strings.ReplaceAll(body, "%"+m[1], strconv.FormatInt(v, 10)), stdin, stdout, stderr)
	}
	return code
}

// appendText is a `>>` redirection: the text is added at the end of the file, which is created if
// missing.
func (h *Host) appendText(path, text string, stderr io.Writer) uint32 {
	var content []byte
	if f, ok := h.machine.File(path); ok {
		content = append(content, f.Content...)
	}
	content = append(content, text...)
	sum := sha256.Sum256(content)
	if err := h.machine.CreateFile(path, machine.File{Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), Content: content}); err != nil {
		var disk machine.DiskError
		if errors.As(err, &disk) {
			fmt.Fprint(stderr, "There is not enough space on the disk.\r\n")
			return 1
		}
		fmt.Fprint(stderr, "The system cannot find the path specified.\r\n")
		return 1
	}
	return 0
}
