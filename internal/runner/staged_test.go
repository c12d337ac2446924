package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
)

// stagedHost is a Starter and FileUploader double that plays the staged bootstrap's part: it checks
// the command line, prints a fresh key, waits for the file, deletes it, opens it, and runs the frame
// through wireHost's stdin contract.
type stagedHost struct {
	*wireHost
	mu     sync.Mutex
	disk   map[string][]byte
	lines  []string
	blobs  [][]byte
	upload func(dst string, b []byte) ([]byte, error) // may change or refuse an upload
	noKey  bool                                       // PowerShell fails before the bootstrap runs
	// uncancellable commands ignore the context (Packer's plugin RPC) and give up after a second.
	uncancellable bool
	// storeThenFail stores the upload, then reports a failure (winrmcp's cleanup failing).
	storeThenFail bool
	// dropAfterUpload ends the command with a reset connection once the file is there, unread.
	dropAfterUpload bool
	started         chan struct{}
}

var (
	stagedPrelude = regexp.MustCompile(`^\$WcIn = '(C:\\Windows\\Temp\\wincontainers-[0-9a-f]{16}\.in)'\n\$WcWait = (\d+)\n\$WcStale = @\(((?:'[^']+',?)*)\)\n`)
	stalePath     = regexp.MustCompile(`'([^']+)'`)
)

func (s *stagedHost) Start(ctx context.Context, line string, stdout, stderr io.Writer) (int, error) {
	s.mu.Lock()
	s.lines = append(s.lines, line)
	s.mu.Unlock()
	if s.started != nil {
		close(s.started)
	}
	if s.never || s.down > 0 {
		s.down--
		return 0, &TransportError{Op: "post", Retryable: true, Err: errors.New("dial tcp 127.0.0.1:5986: connect: connection refused")}
	}
	if s.noKey {
		fmt.Fprint(stderr, "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><S S=\"Error\">Program 'powershell.exe' failed to run_x000D__x000A_</S></Objs>")
		return 1, nil
	}
	const pre = "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
	text, derr := powershell.DecodeCommand(strings.TrimPrefix(line, pre))
	m := stagedPrelude.FindStringSubmatch(text)
	if derr != nil || !strings.HasPrefix(line, pre) || m == nil || text[len(m[0]):] != s.lib.StagedBootstrap() {
		s.t.Errorf("not the staged bootstrap: %.200q", text)
		return 1, nil //nolint:nilerr // the test has failed; the exit code is what a host would give
	}
	s.mu.Lock()
	for _, p := range stalePath.FindAllStringSubmatch(m[3], -1) { // the bootstrap's first act
		delete(s.disk, p[1])
	}
	s.mu.Unlock()
	key := make([]byte, powershell.StagedKeySize)
	_, _ = rand.Read(key)
	fmt.Fprintf(stdout, "%s%s\r\n", powershell.KeyPrefix, base64.StdEncoding.EncodeToString(key))
	if s.dropAfterUpload {
		// A restart resets the connection after the file arrived and before the bootstrap read it.
		for {
			s.mu.Lock()
			_, ok := s.disk[m[1]]
			s.mu.Unlock()
			if ok {
				return 0, &TransportError{Op: "receive", Retryable: true, Err: errors.New("read: connection reset by peer")}
			}
			time.Sleep(time.Millisecond)
		}
	}
	var blob []byte
	poll := ctx
	if s.uncancellable {
		var cancel context.CancelFunc
		poll, cancel = context.WithTimeout(context.Background(), time.Second)
		defer cancel()
	}
	for blob == nil {
		s.mu.Lock()
		b, ok := s.disk[m[1]]
		delete(s.disk, m[1]) // deleted as soon as it is read
		s.mu.Unlock()
		if ok {
			blob = b
			break
		}
		select {
		case <-poll.Done():
			if s.uncancellable {
				fmt.Fprint(stderr, "wincontainers: no staged script arrived\r\n")
				return 2, nil
			}
			return 1, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	frame, oerr := powershell.OpenStaged(key, blob)
	if oerr != nil { // the bootstrap's own failure: exit 2 and a line on stderr
		fmt.Fprint(stderr, "wincontainers: the staged script was changed or truncated\r\n")
		return 2, nil //nolint:nilerr // the bootstrap's failure is its exit code, not a transport error
	}
	return s.Exec(ctx, powershell.CommandLine(s.lib.Bootstrap()), bytes.NewReader(frame), stdout, stderr)
}

func (s *stagedHost) UploadFile(_ context.Context, dst string, r io.Reader, _ int64) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("reading the upload: %w", err)
	}
	if s.upload != nil {
		if b, err = s.upload(dst, b); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.disk[dst] = b
	s.blobs = append(s.blobs, b)
	if s.storeThenFail {
		return &TransportError{Op: "upload", Retryable: true, Err: errors.New("cleanup operation returned code=1")}
	}
	return nil
}

func newStagedHost(t *testing.T) (*stagedHost, *StagedRunner) {
	h, _ := newHost(t)
	s := &stagedHost{wireHost: h, disk: map[string][]byte{}}
	inner := h.respond
	h.respond = func(script string, params map[string]any, data io.Reader, stdout, stderr io.Writer) int {
		if script != "finish-upload" {
			return inner(script, params, data, stdout, stderr)
		}
		path, _ := params["path"].(string)
		s.mu.Lock()
		defer s.mu.Unlock()
		b, ok := s.disk[path+PartialSuffix]
		sum := sha256.Sum256(b)
		if !ok || hex.EncodeToString(sum[:]) != params["sha256"] {
			delete(s.disk, path+PartialSuffix)
			fmt.Fprint(stdout, "##wincontainers:result {\"error\":{\"code\":\"checksum_mismatch\",\"message\":\"bad\"}}\r\n")
			return 1
		}
		delete(s.disk, path+PartialSuffix)
		s.disk[path] = b
		fmt.Fprintf(stdout, "##wincontainers:result {\"bytes\":%d}\r\n", len(b))
		return 0
	}
	return s, &StagedRunner{Starter: s, Uploader: s, Library: h.lib}
}

func TestStagedRunner(t *testing.T) {
	h, r := newStagedHost(t)
	var staged []string
	r.OnStaged = func(p string) { staged = append(staged, p) }
	o, err := r.Run(context.Background(), "probe", nil, nil)
	if err != nil || !strings.Contains(string(o.Result), `"boot_id":"1"`) {
		t.Fatalf("probe: %+v %v", o, err)
	}
	for _, l := range o.Log {
		if strings.Contains(l, "wincontainers:key") {
			t.Errorf("the key line reached the output: %q", l)
		}
	}
	o, err = r.Run(context.Background(), "facts", nil, nil)
	if err != nil || !o.RebootRequired || o.ExitCode != 3010 {
		t.Errorf("3010: %+v %v", o, err)
	}
	if len(h.disk) != 0 || len(staged) != 2 || staged[0] == staged[1] {
		t.Errorf("staged files left %v, paths %v", h.disk, staged)
	}
	// Progress streams through, and free text after the key stays in the log.
	inner := h.respond
	h.respond = func(script string, p map[string]any, d io.Reader, o, e io.Writer) int {
		fmt.Fprint(o, "hello\r\n##wincontainers:progress {\"step\":\"s\",\"message\":\"m\"}\r\n")
		return inner(script, p, d, o, e)
	}
	var events []powershell.Progress
	o, err = r.Run(context.Background(), "probe", nil, func(p powershell.Progress) { events = append(events, p) })
	if err != nil || len(events) != 1 || len(o.Log) != 1 || o.Log[0] != "hello" {
		t.Errorf("progress %v, log %q, %v", events, o.Log, err)
	}
	// A failing script is a ScriptError with its stderr.
	h.respond = inner
	_, err = r.Run(context.Background(), "configure-daemon", nil, nil)
	var se *powershell.ScriptError
	if !errors.As(err, &se) || se.ExitCode != 1 || !strings.Contains(se.Error(), "boom") {
		t.Errorf("failing script: %v", err)
	}
	if _, err := r.Run(context.Background(), "no-such-script", nil, nil); err == nil || !strings.Contains(err.Error(), "no library script") {
		t.Errorf("unknown script: %v", err)
	}
}

// Parameters are neither on a command line nor readable in what is uploaded.
func TestStagedNoParameterOnTheWire(t *testing.T) {
	h, r := newStagedHost(t)
	secret := "S3cr3t-'quoted'-$(whoami)"
	params := map[string]string{"password": secret}
	enc, _ := powershell.EncodeParams(params)
	if _, err := r.Run(context.Background(), "probe", params, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background(), "facts", params, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range h.lines {
		if strings.Contains(c, secret) || strings.Contains(c, enc) || len("cmd.exe /c "+c) > 8191 {
			t.Errorf("command line carries data or is too long (%d chars)", len(c))
		}
	}
	for _, b := range h.blobs {
		if bytes.Contains(b, []byte(enc)) || bytes.Contains(b, []byte("S3cr3t")) || bytes.Contains(b, []byte("wincontainers")) {
			t.Error("an upload carries plaintext")
		}
	}
}

func TestStagedFailures(t *testing.T) {
	t.Run("host down", func(t *testing.T) {
		h, r := newStagedHost(t)
		h.down = 1
		_, err := r.Run(context.Background(), "probe", nil, nil)
		if !IsRetryable(err) || len(h.blobs) != 0 {
			t.Errorf("want a retryable error and no upload, got %v", err)
		}
	})
	t.Run("upload fails", func(t *testing.T) {
		h, r := newStagedHost(t)
		h.upload = func(string, []byte) ([]byte, error) {
			return nil, &TransportError{Op: "upload", Retryable: true, Err: errors.New("connection reset by peer")}
		}
		start := time.Now()
		_, err := r.Run(context.Background(), "probe", nil, nil)
		if !IsRetryable(err) || !strings.Contains(err.Error(), "connection reset") {
			t.Errorf("want the upload's retryable error, got %v", err)
		}
		if time.Since(start) > abandonGrace {
			t.Error("the waiting command was not cancelled")
		}
	})
	t.Run("upload failed after the file arrived", func(t *testing.T) {
		h, r := newStagedHost(t)
		h.storeThenFail, h.uncancellable = true, true
		o, err := r.Run(context.Background(), "probe", nil, nil)
		if err != nil || !strings.Contains(string(o.Result), "boot_id") {
			t.Errorf("the script ran, so its outcome is the answer: %+v %v", o, err)
		}
	})
	t.Run("upload failed, command cannot be stopped", func(t *testing.T) {
		defer func(g time.Duration) { abandonGrace = g }(abandonGrace)
		abandonGrace = 50 * time.Millisecond
		h, r := newStagedHost(t)
		h.uncancellable = true
		h.upload = func(string, []byte) ([]byte, error) {
			return nil, &TransportError{Op: "upload", Retryable: true, Err: errors.New("connection reset by peer")}
		}
		_, err := r.Run(context.Background(), "probe", nil, nil)
		if IsRetryable(err) || !strings.Contains(err.Error(), "could not be stopped") {
			t.Errorf("want a final error naming the running command, got %v", err)
		}
	})
	t.Run("upload changed", func(t *testing.T) {
		h, r := newStagedHost(t)
		h.upload = func(_ string, b []byte) ([]byte, error) { b[len(b)/2] ^= 1; return b, nil }
		_, err := r.Run(context.Background(), "probe", nil, nil)
		var se *powershell.ScriptError
		if !errors.As(err, &se) || se.ExitCode != 2 || !strings.Contains(err.Error(), "changed or truncated") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("powershell does not start", func(t *testing.T) {
		h, r := newStagedHost(t)
		h.noKey = true
		_, err := r.Run(context.Background(), "probe", nil, nil)
		var se *powershell.ScriptError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "failed to run") || len(h.blobs) != 0 {
			t.Errorf("got %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		h, r := newStagedHost(t)
		ctx, cancel := context.WithCancel(context.Background())
		h.upload = func(_ string, b []byte) ([]byte, error) { cancel(); return b, nil }
		_, err := r.Run(ctx, "probe", nil, nil)
		if !errors.Is(err, context.Canceled) || IsRetryable(err) {
			t.Errorf("got %v", err)
		}
	})
}

func TestStagedReboot(t *testing.T) {
	h, r := newStagedHost(t)
	c := &fakeClock{now: time.Unix(0, 0)}
	var events []string
	if err := RebootAndWait(context.Background(), r, rebootOpts(c, &events)); err != nil {
		t.Fatal(err)
	}
	if h.bootID != 2 {
		t.Errorf("boot %d", h.bootID)
	}
}

func TestStagedUploader(t *testing.T) {
	h, r := newStagedHost(t)
	u := StagedUploader{Runner: r, Uploader: h}
	content := bytes.Repeat([]byte("engine-archive-bytes"), 500_000) // 10 MB: two progress events
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	dest := `C:\ProgramData\wincontainers\downloads\docker.zip`
	var events []powershell.Progress
	if err := u.Upload(context.Background(), bytes.NewReader(content), int64(len(content)), want, dest,
		func(p powershell.Progress) { events = append(events, p) }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h.disk[dest], content) || len(events) != 2 || *events[1].Percent < 80 {
		t.Errorf("uploaded %d bytes, events %+v", len(h.disk[dest]), events)
	}
	if _, ok := h.disk[dest+PartialSuffix]; ok {
		t.Error("the partial file was left")
	}
	// A source that is not what the hash says fails on both sides; nothing appears at the target.
	err := u.Upload(context.Background(), bytes.NewReader(content[1:]), int64(len(content)), want, `C:\x.zip`, nil)
	if err == nil || !strings.Contains(err.Error(), "the local source read") {
		t.Errorf("short source: %v", err)
	}
	if _, ok := h.disk[`C:\x.zip`]; ok || len(h.disk) != 1 {
		t.Errorf("disk after a failed upload: %d files", len(h.disk))
	}
	// Changed in transit: the host's check fails.
	h.upload = func(dst string, b []byte) ([]byte, error) {
		if strings.HasSuffix(dst, PartialSuffix) {
			b[0] ^= 1
		}
		return b, nil
	}
	err = u.Upload(context.Background(), bytes.NewReader(content), int64(len(content)), want, `C:\y.zip`, nil)
	var se *powershell.ScriptError
	if !errors.As(err, &se) || se.Code != "checksum_mismatch" {
		t.Errorf("changed upload: %v", err)
	}
	if err := u.Upload(context.Background(), bytes.NewReader(content), 1, "abc", `C:\z`, nil); err == nil || len(h.lines) != 3 {
		t.Errorf("a bad hash must fail before anything is sent: %v", err)
	}
}

func TestKeyWriter(t *testing.T) {
	key := bytes.Repeat([]byte{7}, powershell.StagedKeySize)
	line := powershell.KeyPrefix + base64.StdEncoding.EncodeToString(key) + "\r\n"
	var out bytes.Buffer
	w := newKeyWriter(&out)
	stream := "noise before\r\n" + line + "##wincontainers:result {}\r\npartial"
	for i := 0; i < len(stream); i += 7 { // arbitrary chunking
		_, _ = w.Write([]byte(stream[i:min(i+7, len(stream))]))
	}
	w.flush()
	k := <-w.keys
	if k.err != nil || !bytes.Equal(k.key, key) || out.String() != "noise before\r\n##wincontainers:result {}\r\npartial" {
		t.Errorf("key %v %v, out %q", k.key, k.err, out.String())
	}
	w2 := newKeyWriter(io.Discard)
	_, _ = w2.Write([]byte(powershell.KeyPrefix + "AAAA\n"))
	if k := <-w2.keys; k.err == nil {
		t.Error("a short key was accepted")
	}
	var out3 bytes.Buffer
	w3 := newKeyWriter(&out3)
	w3.detach()
	_, _ = w3.Write([]byte("late\n"))
	if out3.Len() != 0 {
		t.Error("a detached writer passed output on")
	}
}

// A staged file that a restart left unread is deleted by the next staged command's bootstrap, and only
// carried until a command ends normally.
func TestStagedStaleFileDeletedByTheNextRun(t *testing.T) {
	s, r := newStagedHost(t)
	s.dropAfterUpload = true
	var staged []string
	r.OnStaged = func(p string) { staged = append(staged, p) }
	if _, err := r.Run(context.Background(), "probe", nil, nil); !IsRetryable(err) {
		t.Fatalf("want the reset connection's retryable error, got %v", err)
	}
	s.mu.Lock()
	_, left := s.disk[staged[0]]
	s.mu.Unlock()
	if !left {
		t.Fatal("the double did not leave the file")
	}
	s.dropAfterUpload = false
	if _, err := r.Run(context.Background(), "probe", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background(), "probe", nil, nil); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.disk) != 0 {
		t.Errorf("files left on the host: %v", len(s.disk))
	}
	stale := func(line string) string {
		text, _ := powershell.DecodeCommand(line[strings.LastIndex(line, " ")+1:])
		return stagedPrelude.FindStringSubmatch(text)[3]
	}
	if got := stale(s.lines[1]); got != "'"+staged[0]+"'" {
		t.Errorf("the second command deletes %s, want %s", got, staged[0])
	}
	if got := stale(s.lines[2]); got != "" {
		t.Errorf("the third command still carries %s", got)
	}
}
