package runner

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
)

// wireHost is an Exec double that checks the wire contract the way the simulated host does: it decodes
// the -EncodedCommand, requires the bootstrap, reads the framed script from stdin, and answers per script.
type wireHost struct {
	t        *testing.T
	lib      *powershell.Library
	commands []string
	bootID   int
	down     int // the next n calls fail as if the host were restarting
	never    bool
	files    map[string][]byte
	respond  func(script string, params map[string]any, data io.Reader, stdout, stderr io.Writer) int
}

var prelude = regexp.MustCompile(`^\$WcParams = '([A-Za-z0-9+/=]*)'\n# wincontainers:script ([a-z-]+)/\d+\n`)

func (h *wireHost) Exec(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	h.commands = append(h.commands, cmd)
	if h.never || h.down > 0 {
		h.down--
		return 0, &TransportError{Op: "post", Retryable: true, Err: errors.New("dial tcp 127.0.0.1:5986: connect: connection refused")}
	}
	const pre = "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
	if !strings.HasPrefix(cmd, pre) {
		h.t.Fatalf("unexpected command line %q", cmd)
	}
	boot, err := powershell.DecodeCommand(strings.TrimPrefix(cmd, pre))
	if err != nil || boot != h.lib.Bootstrap() {
		h.t.Fatalf("the command line is not the bootstrap: %v", err)
	}
	br := bufio.NewReader(stdin)
	head, _ := br.ReadString('\n')
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(head, powershell.StdinHeader+" "), "\n"))
	if err != nil {
		h.t.Fatalf("bad stdin header %q", head)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil {
		h.t.Fatalf("short body: %v", err)
	}
	m := prelude.FindSubmatch(body)
	if m == nil {
		h.t.Fatalf("body does not start with the prelude and a header: %.80q", body)
	}
	raw, _ := base64.StdEncoding.DecodeString(string(m[1]))
	var params map[string]any
	_ = json.Unmarshal(raw, &params)
	return h.respond(string(m[2]), params, br, stdout, stderr), nil
}

func newHost(t *testing.T) (*wireHost, *ScriptRunner) {
	lib := powershell.MustLoad()
	h := &wireHost{t: t, lib: lib, bootID: 1, files: map[string][]byte{}}
	h.respond = func(script string, params map[string]any, data io.Reader, stdout, stderr io.Writer) int {
		switch script {
		case "probe":
			fmt.Fprintf(stdout, "##wincontainers:result {\"boot_id\":\"%d\",\"computer_name\":\"WIN-1\",\"os_build\":20348}\r\n", h.bootID)
			return 0
		case "restart":
			h.bootID++
			h.down = 2
			fmt.Fprintf(stdout, "##wincontainers:result {\"scheduled\":true}\r\n")
			return 0
		case "receive-file":
			b := bufio.NewScanner(data)
			b.Buffer(make([]byte, 1<<20), 1<<20)
			var content []byte
			for b.Scan() {
				chunk, err := base64.StdEncoding.DecodeString(b.Text())
				if err != nil {
					t.Fatalf("upload line is not base64: %v", err)
				}
				content = append(content, chunk...)
			}
			sum := sha256.Sum256(content)
			if hex.EncodeToString(sum[:]) != params["sha256"] {
				fmt.Fprintf(stdout, "##wincontainers:result {\"error\":{\"code\":\"checksum_mismatch\",\"message\":\"bad\"}}\r\n")
				return 1
			}
			h.files[params["path"].(string)] = content
			fmt.Fprintf(stdout, "##wincontainers:progress {\"step\":\"receive-file\",\"message\":\"done\"}\r\n##wincontainers:result {\"bytes\":%d}\r\n", len(content))
			return 0
		case "facts":
			fmt.Fprint(stdout, "##wincontainers:result {\"schema\":1}\r\n")
			return powershell.ExitRebootRequired
		default:
			fmt.Fprint(stderr, "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><S S=\"Error\">boom_x000D__x000A_</S></Objs>")
			return 1
		}
	}
	return h, &ScriptRunner{Exec: h, Library: lib}
}

func TestScriptRunner(t *testing.T) {
	h, r := newHost(t)
	o, err := r.Run(context.Background(), "probe", nil, nil)
	if err != nil || !strings.Contains(string(o.Result), `"boot_id":"1"`) {
		t.Fatalf("probe: %+v %v", o, err)
	}
	o, err = r.Run(context.Background(), "facts", nil, nil)
	if err != nil || !o.RebootRequired || o.ExitCode != 3010 {
		t.Errorf("3010: %+v %v", o, err)
	}
	if _, err := r.Run(context.Background(), "no-such-script", nil, nil); err == nil || !strings.Contains(err.Error(), "no library script") {
		t.Errorf("unknown script: %v", err)
	}
	// A script that fails reports its stderr.
	h.respond = func(string, map[string]any, io.Reader, io.Writer, io.Writer) int {
		return 1
	}
	_, err = r.Run(context.Background(), "probe", nil, nil)
	var se *powershell.ScriptError
	if !errors.As(err, &se) || se.ExitCode != 1 {
		t.Errorf("failing script: %v", err)
	}
}

// Secrets and every parameter travel only on stdin; every command line is the same bootstrap.
func TestNoParameterOnTheCommandLine(t *testing.T) {
	h, r := newHost(t)
	secret := "S3cr3t-'quoted'-$(whoami)"
	big := strings.Repeat("x", 150_000) // a parameter well over 100 KB
	_, _ = r.Run(context.Background(), "probe", map[string]string{"password": secret, "big": big}, nil)
	_, _ = r.Run(context.Background(), "facts", map[string]string{"token": secret}, nil)
	for _, c := range h.commands {
		if strings.Contains(c, secret) || strings.Contains(c, "S3cr3t") || len(c) > 8191 || c != h.commands[0] {
			t.Errorf("command line carries data or varies (%d chars)", len(c))
		}
	}
}

func TestUploadThroughStdin(t *testing.T) {
	h, r := newHost(t)
	content := []byte(strings.Repeat("engine-archive-bytes", 50_000))
	sum := sha256.Sum256(content)
	var lines strings.Builder
	for i := 0; i < len(content); i += 57000 {
		end := min(i+57000, len(content))
		lines.WriteString(base64.StdEncoding.EncodeToString(content[i:end]) + "\n")
	}
	var events []powershell.Progress
	o, err := r.RunWithData(context.Background(), "receive-file",
		map[string]any{"path": `C:\ProgramData\wincontainers\docker.zip`, "sha256": hex.EncodeToString(sum[:]), "size": len(content)},
		strings.NewReader(lines.String()), func(p powershell.Progress) { events = append(events, p) })
	if err != nil || string(h.files[`C:\ProgramData\wincontainers\docker.zip`]) != string(content) || len(events) != 1 {
		t.Fatalf("upload: %+v %v (%d events)", o, err, len(events))
	}
	_, err = r.RunWithData(context.Background(), "receive-file", map[string]any{"path": `C:\x`, "sha256": strings.Repeat("0", 64)},
		strings.NewReader(lines.String()), nil)
	var se *powershell.ScriptError
	if !errors.As(err, &se) || se.Code != "checksum_mismatch" {
		t.Errorf("mismatch: %v", err)
	}
}

// fakeClock advances only when the code under test sleeps.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.now = c.now.Add(d)
	return nil
}

func rebootOpts(c *fakeClock, events *[]string) RebootOptions {
	return RebootOptions{Timeout: 2 * time.Minute, PollInterval: 5 * time.Second, Now: c.Now, Sleep: c.Sleep,
		OnEvent: func(s string) { *events = append(*events, s) }}
}

func TestRebootAndWait(t *testing.T) {
	h, r := newHost(t)
	c := &fakeClock{now: time.Unix(0, 0)}
	var events []string
	if err := RebootAndWait(context.Background(), r, rebootOpts(c, &events)); err != nil {
		t.Fatal(err)
	}
	if h.bootID != 2 || len(events) != 2 || !strings.Contains(events[1], "boot 2") {
		t.Errorf("boot %d, events %v", h.bootID, events)
	}
	// Down for two polls, up at the third (5 s apart), then two confirming probes 1 s apart.
	if got := c.now.Sub(time.Unix(0, 0)); got != 17*time.Second {
		t.Errorf("waited %s, want 17s", got)
	}
}

func TestRebootHostNeverComesBack(t *testing.T) {
	h, r := newHost(t)
	inner := h.respond
	h.respond = func(script string, p map[string]any, d io.Reader, o, e io.Writer) int {
		code := inner(script, p, d, o, e)
		if script == "restart" {
			h.never = true
		}
		return code
	}
	c := &fakeClock{now: time.Unix(0, 0)}
	var events []string
	err := RebootAndWait(context.Background(), r, rebootOpts(c, &events))
	if !errors.Is(err, ErrHostNotBack) || !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "never answered again") {
		t.Fatalf("want ErrHostNotBack naming what was seen, got %v", err)
	}
	if c.now.Sub(time.Unix(0, 0)) > 2*time.Minute+5*time.Second {
		t.Errorf("the error came after the deadline: %s", c.now.Sub(time.Unix(0, 0)))
	}
}

func TestRebootThatNeverHappens(t *testing.T) {
	h, r := newHost(t)
	inner := h.respond
	h.respond = func(script string, p map[string]any, d io.Reader, o, e io.Writer) int {
		if script == "restart" {
			fmt.Fprint(o, "##wincontainers:result {\"scheduled\":true}\r\n")
			return 0 // accepted, but the host never restarts
		}
		return inner(script, p, d, o, e)
	}
	c := &fakeClock{now: time.Unix(0, 0)}
	var events []string
	err := RebootAndWait(context.Background(), r, rebootOpts(c, &events))
	if !errors.Is(err, ErrHostNotBack) || !strings.Contains(err.Error(), "the restart never happened") {
		t.Fatalf("got %v", err)
	}
}

func TestRebootCancelled(t *testing.T) {
	_, r := newHost(t)
	ctx, cancel := context.WithCancel(context.Background())
	c := &fakeClock{now: time.Unix(0, 0)}
	opts := RebootOptions{Now: c.Now, Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return c.Sleep(ctx, d) }}
	if err := RebootAndWait(ctx, r, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func TestIsRetryable(t *testing.T) {
	if !IsRetryable(fmt.Errorf("x: %w", &TransportError{Op: "post", Retryable: true, Err: io.ErrUnexpectedEOF})) || IsRetryable(errors.New("x")) {
		t.Error("IsRetryable")
	}
}
