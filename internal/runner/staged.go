package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/steps"
)

// Starter runs one command line on the host without stdin, streaming stdout and stderr, and returns
// the process exit code. Packer's communicator is one (its WinRM Start ignores stdin).
type Starter interface {
	Start(ctx context.Context, commandLine string, stdout, stderr io.Writer) (exitCode int, err error)
}

// FileUploader writes a file on the host from r (size bytes, or -1 when unknown), replacing one there.
type FileUploader interface {
	UploadFile(ctx context.Context, dst string, r io.Reader, size int64) error
}

// StagedRunner implements Runner over a transport that can start commands and upload files but not
// send stdin: each script is framed as for stdin, encrypted with a one-time key the host prints, and
// uploaded to a fresh path, which the staged bootstrap reads and deletes before running it (see
// internal/powershell/staged.go). Neither script text nor parameters are ever on a command line, the
// upload's included. Scripts that read a data stream on stdin (receive-file) cannot run this way: use
// StagedUploader for uploads.
type StagedRunner struct {
	Starter  Starter
	Uploader FileUploader
	Library  *powershell.Library
	// Wait is how long the host waits for the staged file (default powershell.DefaultStagedWait).
	Wait time.Duration
	// OnStaged, when set, is told each staged path after the upload (tests use it).
	OnStaged func(path string)

	// stale are staged paths whose bootstrap may not have read and deleted them: the upload finished but
	// the command did not end normally (a restart reset the connection, the run was abandoned). The next
	// command lines carry them, and their bootstrap deletes them.
	mu    sync.Mutex
	stale []string
}

// takeStale returns up to powershell.MaxStale stale paths for the next command line.
func (r *StagedRunner) takeStale() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.stale[:min(len(r.stale), powershell.MaxStale)]...)
}

// settleStale records what a run did: the paths its bootstrap deleted (it ran, so its Remove-Item
// lines did) leave the list; its own path joins it when the file may be left on the host.
func (r *StagedRunner) settleStale(deleted []string, left string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(deleted) > 0 {
		r.stale = slices.DeleteFunc(r.stale, func(p string) bool { return slices.Contains(deleted, p) })
	}
	if left != "" {
		r.stale = append(r.stale, left)
	}
}

var _ Runner = (*StagedRunner)(nil)

// abandonGrace is how long a failed run waits for the remote command to end once it was cancelled;
// after that the command is left to time out on the host (a transport that cannot cancel, such as
// Packer's plugin RPC, keeps it running until the host gives up waiting for the file). A variable so
// tests can shorten it.
var abandonGrace = 5 * time.Second

type startResult struct {
	code int
	err  error
}

// Run implements Runner.
func (r *StagedRunner) Run(ctx context.Context, script string, params any, onProgress func(powershell.Progress)) (powershell.Outcome, error) {
	s, err := r.Library.Script(script)
	if err != nil {
		return powershell.Outcome{}, err
	}
	frame, err := powershell.Stdin(s, params)
	if err != nil {
		return powershell.Outcome{}, err
	}
	path, err := powershell.NewStagedPath()
	if err != nil {
		return powershell.Outcome{}, err
	}
	stale := r.takeStale()
	line, err := powershell.StagedCommandLine(r.Library, path, r.Wait, stale...)
	if err != nil {
		return powershell.Outcome{}, err
	}
	uploaded := false
	// A command that ended normally ran the bootstrap's first lines, which delete the stale paths, and
	// read and deleted its own file (or timed out with none); any other end may leave its file.
	defer func() {
		if uploaded {
			r.settleStale(nil, path)
		}
	}()
	ended := func() {
		uploaded = false
		r.settleStale(stale, "")
	}
	out := powershell.NewOutputParser(onProgress)
	stdout := newKeyWriter(out)
	stderr := &detachableBuffer{}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan startResult, 1)
	go func() {
		code, err := r.Starter.Start(runCtx, line, stdout, stderr)
		done <- startResult{code, err}
	}()
	abandon := func(err error) (powershell.Outcome, error) {
		cancel()
		select {
		case <-done:
		case <-time.After(abandonGrace):
		}
		stdout.detach()
		stderr.detach()
		return powershell.Outcome{}, err
	}

	var res startResult
	select {
	case key := <-stdout.keys:
		if key.err != nil {
			return abandon(&TransportError{Op: "running script " + script, Err: key.err})
		}
		blob, err := powershell.SealStaged(key.key, frame)
		if err != nil {
			return abandon(&TransportError{Op: "running script " + script, Err: err})
		}
		uploaded = true // a failed upload may still have written the file (winrmcp's restore before its cleanup)
		if err := r.Uploader.UploadFile(runCtx, path, bytes.NewReader(blob), int64(len(blob))); err != nil {
			o, err := r.uploadFailed(script, asTransportError("staging script "+script, err), cancel, done, stdout, stderr, out)
			var te *TransportError
			if !errors.As(err, &te) {
				ended()
			}
			return o, err
		}
		if r.OnStaged != nil {
			r.OnStaged(path)
		}
		select {
		case res = <-done:
		case <-ctx.Done():
			return abandon(&TransportError{Op: "running script " + script, Err: ctx.Err()})
		}
	case res = <-done:
		// The command ended before it asked for the script: PowerShell did not start, or the connection
		// failed. Interpret says which from the exit code and stderr.
	case <-ctx.Done():
		return abandon(&TransportError{Op: "running script " + script, Err: ctx.Err()})
	}
	if res.err != nil {
		return powershell.Outcome{}, asTransportError("running script "+script, res.err)
	}
	ended()
	stdout.flush()
	return powershell.Interpret(script, res.code, out, stderr.String())
}

// uploadFailed ends a run whose upload failed. The file may have arrived all the same (winrmcp fails
// after its restore when only its cleanup command fails), so the command is cancelled and given a grace
// period: if it ends on its own, the script ran (or the bootstrap gave up) and that outcome is the
// answer; if it ends from the cancellation, the upload's error is. If it is still running after the
// grace (Packer's plugin RPC cannot cancel it), the script may yet run on the host, so the error is not
// retryable: a retry could run it twice at once.
func (r *StagedRunner) uploadFailed(script string, err error, cancel func(), done <-chan startResult, stdout *keyWriter, stderr *detachableBuffer,
	out *powershell.OutputParser) (powershell.Outcome, error) {
	cancel()
	select {
	case res := <-done:
		if res.err != nil {
			return powershell.Outcome{}, err
		}
		stdout.flush()
		return powershell.Interpret(script, res.code, out, stderr.String())
	case <-time.After(abandonGrace):
		stdout.detach()
		stderr.detach()
		return powershell.Outcome{}, &TransportError{Op: "staging script " + script, Retryable: false,
			Err: fmt.Errorf("%w; the command on the host could not be stopped, and runs the script if the file arrived", err)}
	}
}

func asTransportError(op string, err error) error {
	var te *TransportError
	if errors.As(err, &te) {
		return err
	}
	return &TransportError{Op: op, Retryable: false, Err: err}
}

type stagedKey struct {
	key []byte
	err error
}

// keyWriter passes a command's stdout to the output parser, except the staged bootstrap's key line,
// which it takes out and delivers on keys (so the key is never logged as output). After detach it
// discards everything: a command left running must not call the caller's progress callback.
type keyWriter struct {
	mu       sync.Mutex
	dst      io.Writer
	pending  []byte
	found    bool
	detached bool
	keys     chan stagedKey
}

func newKeyWriter(dst io.Writer) *keyWriter {
	return &keyWriter{dst: dst, keys: make(chan stagedKey, 1)}
}

// maxPendingLine bounds what is held back while looking for the key line.
const maxPendingLine = 4096

func (w *keyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.detached:
		return len(p), nil
	case w.found:
		_, _ = w.dst.Write(p)
		return len(p), nil
	}
	w.pending = append(w.pending, p...)
	for {
		i := bytes.IndexByte(w.pending, '\n')
		if i < 0 {
			if len(w.pending) > maxPendingLine {
				_, _ = w.dst.Write(w.pending)
				w.pending = w.pending[:0]
			}
			return len(p), nil
		}
		line := w.pending[:i+1]
		if text, ok := strings.CutPrefix(strings.TrimRight(string(line), "\r\n"), powershell.KeyPrefix); ok {
			w.found = true
			k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
			if err == nil && len(k) != powershell.StagedKeySize {
				err = fmt.Errorf("%d bytes", len(k))
			}
			if err != nil {
				err = fmt.Errorf("the host's staged-script key line is malformed: %w", err)
			}
			w.keys <- stagedKey{k, err}
			if rest := w.pending[i+1:]; len(rest) > 0 {
				_, _ = w.dst.Write(rest)
			}
			w.pending = nil
			return len(p), nil
		}
		_, _ = w.dst.Write(line)
		w.pending = w.pending[i+1:]
	}
}

// flush passes on a last line without a newline.
func (w *keyWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.detached && len(w.pending) > 0 {
		_, _ = w.dst.Write(w.pending)
		w.pending = nil
	}
}

func (w *keyWriter) detach() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.detached = true
}

// detachableBuffer collects stderr; after detach it discards.
type detachableBuffer struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	detached bool
}

func (b *detachableBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.detached {
		b.buf.Write(p)
	}
	return len(p), nil
}

func (b *detachableBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *detachableBuffer) detach() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.detached = true
}

// StagedUploader implements Uploader over a FileUploader: the file goes to dest+".wincontainers-partial"
// through the transport's own upload, then the finish-upload script checks its size and SHA-256 on the
// host and moves it into place, or deletes it and fails; the local side checks the same hash of what it
// actually read. A short or changed upload never appears at dest.
type StagedUploader struct {
	// Runner runs finish-upload (a StagedRunner, possibly wrapped in Retrying).
	Runner   Runner
	Uploader FileUploader
}

var _ Uploader = StagedUploader{}

// PartialSuffix is appended to the target path for the upload before finish-upload moves it.
const PartialSuffix = ".wincontainers-partial"

// progressEvery is how often (bytes) the upload reports progress, as receive-file does.
const progressEvery = 4 << 20

// Upload implements Uploader.
func (u StagedUploader) Upload(ctx context.Context, src io.Reader, size int64, sha256Hex, dest string, onProgress func(powershell.Progress)) error {
	want := strings.ToLower(sha256Hex)
	if _, err := hex.DecodeString(want); err != nil || len(want) != 64 {
		return fmt.Errorf("upload %s: a SHA-256 of 64 hex characters is required, got %q", dest, sha256Hex)
	}
	hr := &hashingReader{r: src, h: sha256.New(), size: size, onProgress: onProgress}
	if err := u.Uploader.UploadFile(ctx, dest+PartialSuffix, hr, size); err != nil {
		return fmt.Errorf("upload %s: %w", dest, err)
	}
	_, err := u.Runner.Run(ctx, "finish-upload", steps.FinishUpload{Path: dest, SHA256: want, Size: size}, onProgress)
	if got := hex.EncodeToString(hr.h.Sum(nil)); got != want || (size > 0 && hr.n != size) {
		local := fmt.Sprintf("upload %s: the local source read %d bytes with SHA-256 %s, expected %d bytes with %s", dest, hr.n, got, size, want)
		if err != nil {
			return fmt.Errorf("%s; on the host: %w", local, err)
		}
		return errors.New(local)
	}
	if err != nil {
		return fmt.Errorf("upload %s: %w", dest, err)
	}
	return nil
}

type hashingReader struct {
	r          io.Reader
	h          hash.Hash
	n, size    int64
	next       int64
	onProgress func(powershell.Progress)
}

func (r *hashingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		_, _ = r.h.Write(p[:n])
		r.n += int64(n)
		if r.onProgress != nil && r.size > 0 && r.n >= r.next+progressEvery {
			r.next = r.n - r.n%progressEvery
			pct := int(100 * r.n / r.size)
			r.onProgress(powershell.Progress{Step: "upload", Message: fmt.Sprintf("%d of %d bytes", r.n, r.size), Percent: &pct})
		}
	}
	return n, err //nolint:wrapcheck // a Reader passes its source's errors (io.EOF) through unchanged
}
