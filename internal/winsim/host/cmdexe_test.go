package host

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

func testHost() *Host {
	return New("WIN-1", 20348, time.Unix(0, 0), machine.New(machine.Config{Build: 20348}))
}

// TestCmdExe is cmd.exe /c as winsim models it: the operators, redirections, echo's spacing, exit
// codes, more, ping and for /L, each with the output real Windows prints.
func TestCmdExe(t *testing.T) {
	pingOut := func(n int) string {
		return "\r\nPinging 127.0.0.1 with 32 bytes of data:\r\n" + strings.Repeat("Reply from 127.0.0.1: bytes=32 time<1ms TTL=128\r\n", n) +
			"\r\nPing statistics for 127.0.0.1:\r\n" +
			fmt.Sprintf("    Packets: Sent = %d, Received = %d, Lost = 0 (0%% loss),\r\n", n, n) +
			"Approximate round trip times in milli-seconds:\r\n    Minimum = 0ms, Maximum = 0ms, Average = 0ms\r\n"
	}
	cases := []struct {
		name, line, stdin, out, errOut string
		code                           uint32
	}{
		{"echo keeps spaces before an operator", "echo out & echo two", "", "out \r\ntwo\r\n", "", 0},
		{"echo to stderr", "echo out& echo err 1>&2", "", "out\r\n", "err \r\n", 0},
		{"bare echo", "echo", "", "ECHO is on.\r\n", "", 0},
		{"echo. prints an empty line", "echo.", "", "\r\n", "", 0},
		{"@ is not printed", "@echo quiet", "", "quiet\r\n", "", 0},
		{"quoted operators are text", `echo "a & b | c > d"`, "", "\"a & b | c > d\"\r\n", "", 0},
		{"escaped ampersand", "echo a ^& b", "", "a ^& b\r\n", "", 0},
		{"stdout to nul", "echo hidden >nul", "", "", "", 0},
		{"stderr to nul", "nosuch 2>nul", "", "", "", 1},
		{"both to nul", "nosuch >nul 2>&1", "", "", "", 1},
		{"stderr to stdout", "nosuch 2>&1", "", "'nosuch' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", "", 1},
		{"&& after success", "echo a&& echo b", "", "a\r\nb\r\n", "", 0},
		{"&& after failure", "cmd /c exit 2&& echo b", "", "", "", 2},
		{"|| after failure (echo keeps the errorlevel)", "cmd /c exit 2|| echo b", "", "b\r\n", "", 2},
		{"|| after success", "echo a|| echo b", "", "a\r\n", "", 0},
		{"exit codes", "cmd /c exit 3010", "", "", "", 3010},
		{"exit -1 is the DWORD", "cmd /c exit -1", "", "", "", 4294967295},
		{"bare exit", "exit 7", "", "", "", 7},
		{"exit /b", "cmd /c exit /b 5", "", "", "", 5},
		{"exit code of the last command", "cmd /c exit 3 & cmd /c exit 4", "", "", "", 4},
		{"echo keeps the errorlevel", "cmd /c exit 3 & echo x", "", "x\r\n", "", 3},
		{"cmd /c nests", "cmd /c echo inner", "", "inner\r\n", "", 0},
		{"more copies stdin", "more", "one\r\ntwo\r\n", "one\r\ntwo\r\n", "", 0},
		{"more ends lines with CRLF", "more", "lf\nlast", "lf\r\nlast\r\n", "", 0},
		{"more expands tabs", "more", "a\tb\r\n12345678\tc\r\n", "a       b\r\n12345678        c\r\n", "", 0},
		{"more with nothing", "more", "", "", "", 0},
		{"more with a file", "more C:\\x.txt", "", "", "winsim: more C:\\x.txt is not modelled (only more reading stdin)\r\n", 1},
		{"for /L", "for /L %i in (1,1,3) do @echo line %i", "", "line 1\r\nline 2\r\nline 3\r\n", "", 0},
		{"for /L counts down", "for /L %n in (3,-1,1) do @echo %n", "", "3\r\n2\r\n1\r\n", "", 0},
		{"for /L with nothing to do", "for /L %i in (2,1,1) do @echo never", "", "", "", 0},
		{"for /L takes the rest of the line", "for /L %i in (1,1,2) do @echo a%i & echo b%i", "", "a1 \r\nb1\r\na2 \r\nb2\r\n", "", 0},
		{"cmd /c for /L", "cmd /c for /L %i in (1,1,2) do @echo %i", "", "1\r\n2\r\n", "", 0},
		{"for /L without @", "for /L %i in (1,1,2) do echo %i", "", "", "winsim: for /L without @ before its command (cmd.exe then echoes every iteration) is not modelled\r\n", 1},
		{"ping once", "ping -n 1 127.0.0.1", "", pingOut(1), "", 0},
		{"ping to nul", "ping -n 1 127.0.0.1 >nul", "", "", "", 0},
		{"ping bad count", "ping -n 0 127.0.0.1", "", "Bad value for option -n, valid range is from 1 to 4294967295.\r\n", "", 1},
		{"ping elsewhere", "ping -n 1 10.0.0.1", "", "", "winsim: ping to \"10.0.0.1\" is not modelled (only 127.0.0.1)\r\n", 1},
		{"pipes", "echo a | more", "", "", "winsim: pipes between commands (|) are not modelled\r\n", 1},
		{"redirection to a file", "echo a > C:\\out.txt", "", "", "winsim: redirection to or from a file is not modelled (only >nul, 2>nul, 1>&2 and 2>&1)\r\n", 1},
		{"unknown command", "nosuch /x", "", "", "'nosuch' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", 1},
	}
	h := testHost()
	for _, c := range cases {
		out, errOut, code := run(h, c.line, c.stdin)
		if out != c.out || errOut != c.errOut || code != c.code {
			t.Errorf("%s: %q\n got out %q err %q code %d\nwant out %q err %q code %d", c.name, c.line, out, errOut, code, c.out, c.errOut, c.code)
		}
	}
}

// TestPingTakesNMinusOneSeconds: ping -n 3 answers at once, then once a second.
func TestPingTakesNMinusOneSeconds(t *testing.T) {
	t.Parallel()
	start := time.Now()
	out, _, code := run(testHost(), "ping -n 3 127.0.0.1", "")
	if d := time.Since(start); d < 2*time.Second || d > 3*time.Second || code != 0 || strings.Count(out, "Reply from") != 3 {
		t.Errorf("ping -n 3 took %s, code %d, out %q", d, code, out)
	}
}

// blockingReader never returns: stdin no one ends.
type blockingReader struct{ done chan struct{} }

func (b blockingReader) Read([]byte) (int, error) { <-b.done; return 0, io.EOF }

// TestCancelEndsCommands: a restart (the context) ends a running ping, a more waiting for stdin and a
// long for loop at once.
func TestCancelEndsCommands(t *testing.T) {
	t.Parallel()
	for _, line := range []string{"ping -n 100 127.0.0.1", "more", "for /L %i in (1,0,2) do @echo forever"} {
		ctx, cancel := context.WithCancel(context.Background())
		stdin := blockingReader{done: make(chan struct{})}
		result := make(chan uint32, 1)
		go func() { result <- testHost().Run(ctx, line, stdin, io.Discard, io.Discard) }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		select {
		case code := <-result:
			if code != exitKilled {
				t.Errorf("%s: exit %d after cancel, want %d", line, code, uint32(exitKilled))
			}
		case <-time.After(2 * time.Second):
			t.Errorf("%s: still running 2 s after its context ended", line)
		}
		close(stdin.done)
	}
}

// TestMoreWritesAsItReads: each line comes out as soon as it is read, before stdin ends.
func TestMoreWritesAsItReads(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	var mu syncBuffer
	done := make(chan uint32, 1)
	go func() { done <- testHost().Run(context.Background(), "more", pr, &mu, io.Discard) }()
	_, _ = pw.Write([]byte("first\r\n"))
	deadline := time.Now().Add(2 * time.Second)
	for mu.String() != "first\r\n" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := mu.String(); got != "first\r\n" {
		t.Fatalf("before stdin ended: %q", got)
	}
	_ = pw.Close()
	if code := <-done; code != 0 || mu.String() != "first\r\n" {
		t.Errorf("after stdin ended: code %d, %q", code, mu.String())
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// argv follows the C runtime's rules for a program's arguments (MicrosoftDocs "Parsing C++
// command-line arguments", its table of examples).
func TestArgv(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`"abc" d e`, []string{"abc", "d", "e"}},
		{`a\\\b d"e f"g h`, []string{`a\\\b`, "de fg", "h"}},
		{`a\\\"b c d`, []string{`a\"b`, "c", "d"}},
		{`a\\\\"b c" d e`, []string{`a\\b c`, "d", "e"}},
		{`/r /f /t 60 /c "packer restart test"`, []string{"/r", "/f", "/t", "60", "/c", "packer restart test"}},
		{`  `, nil},
	} {
		if got := argv(c.in); !slices.Equal(got, c.want) {
			t.Errorf("argv(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A program cmd.exe does not build in runs through Host.Programs with its arguments split, and its exit
// code is the errorlevel (echo keeps it); one that resolves to nothing is cmd.exe's "not recognized".
func TestCmdRunsPrograms(t *testing.T) {
	h := testHost()
	var got []string
	h.Programs = func(_ context.Context, name string, args []string, _ io.Reader, stdout, _ io.Writer) (uint32, bool) {
		if !strings.EqualFold(name, "shutdown") {
			return 0, false
		}
		got = args
		_, _ = io.WriteString(stdout, "ok\r\n")
		return 7, true
	}
	out, _, code := run(h, `shutdown /r /t 5 /c "a b" && echo after || echo failed`, "")
	if code != 7 || out != "ok\r\nfailed\r\n" || !slices.Equal(got, []string{"/r", "/t", "5", "/c", "a b"}) {
		t.Errorf("out %q code %d args %q", out, code, got)
	}
	if _, e, code := run(h, "nosuch.exe /x", ""); code != 1 || !strings.Contains(e, "'nosuch.exe' is not recognized") {
		t.Errorf("unknown program: %q %d", e, code)
	}
}
