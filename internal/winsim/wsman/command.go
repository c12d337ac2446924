package wsman

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// command is one running process: stdin is a pipe fed by Send, stdout and stderr are queues of the
// chunks the process wrote (one rsp:Stream each, as Windows sends them), drained by Receive.
type command struct {
	id     string
	cancel context.CancelFunc
	stdinR *io.PipeReader
	stdinP *io.PipeWriter

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced whenever output or state changes
	stdout     [][]byte
	stderr     [][]byte
	done       bool
	exit       uint32
	stdinEnded bool

	// gone is closed when the command's shell goes (Delete, idle timeout, a restart): a Receive parked on
	// it stops waiting at once, whether or not the process heeds its cancellation.
	gone     chan struct{}
	goneOnce sync.Once
}

func newCommand(id string, cancel context.CancelFunc) *command {
	r, w := io.Pipe()
	// Stopping the process also ends its stdin: a process blocked reading it (powershell.exe in
	// [Console]::In.ReadLine()) is not left waiting for input that can no longer come.
	stop := func() {
		cancel()
		_ = r.CloseWithError(errors.New("the process was stopped"))
	}
	return &command{id: id, cancel: stop, stdinR: r, stdinP: w, changed: make(chan struct{}), gone: make(chan struct{})}
}

// abandon ends the command with its shell: the process is told to stop and parked Receives wake.
func (c *command) abandon() {
	c.cancel()
	c.goneOnce.Do(func() { close(c.gone) })
}

// abandoned reports whether the command's shell is gone.
func (c *command) abandoned() bool {
	select {
	case <-c.gone:
		return true
	default:
		return false
	}
}

func (c *command) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

type streamWriter struct {
	c      *command
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b := append([]byte(nil), p...)
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	if w.stderr {
		w.c.stderr = append(w.c.stderr, b)
	} else {
		w.c.stdout = append(w.c.stdout, b)
	}
	w.c.notify()
	return len(p), nil
}

func (c *command) stdoutW() io.Writer { return streamWriter{c: c} }
func (c *command) stderrW() io.Writer { return streamWriter{c: c, stderr: true} }

func (c *command) finish(code uint32) {
	_ = c.stdinR.CloseWithError(errors.New("the process has exited"))
	c.mu.Lock()
	c.done, c.exit = true, code
	c.notify()
	c.mu.Unlock()
}

var errPipeEnded = errors.New("the pipe is being closed")

// writeStdin feeds the process. Input after the process exited is refused, as Windows does ("The pipe
// is being closed."); input the process never reads is discarded when it exits.
func (c *command) writeStdin(p []byte, end bool) error {
	c.mu.Lock()
	if c.done || c.stdinEnded {
		c.mu.Unlock()
		return errPipeEnded
	}
	c.mu.Unlock()
	if len(p) > 0 {
		if _, err := c.stdinP.Write(p); err != nil {
			return errPipeEnded
		}
	}
	if end {
		c.mu.Lock()
		c.stdinEnded = true
		c.mu.Unlock()
		_ = c.stdinP.Close()
	}
	return nil
}

// streamMarkup is the envelope text each chunk adds besides its base64: the rsp:Stream element around it,
// with the command id.
const streamMarkup = len(`<rsp:Stream Name="stdout" CommandId=""></rsp:Stream>`)

// take waits until output exists or the command is done, or until timeout; it returns at most budget
// bytes of output, counting each chunk's rsp:Stream markup against it too (a process writing many short
// lines gets one element per write). ok is false on timeout, or when the shell went, with nothing to
// say. done is true only when
// every chunk has been returned and the process has exited.
func (c *command) take(ctx context.Context, timeout time.Duration, budget int) (out, errOut [][]byte, done bool, code uint32, ok bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	// The budget is in raw bytes (3/4 of the envelope room, for base64); so is the markup, plus base64's
	// padding of up to 2 bytes per chunk.
	overhead := (streamMarkup+len(c.id))*3/4 + 2
	for {
		c.mu.Lock()
		if len(c.stdout) > 0 || len(c.stderr) > 0 || c.done {
			used := 0
			out, c.stdout, used = takeChunks(c.stdout, budget, overhead)
			errOut, c.stderr, _ = takeChunks(c.stderr, budget-used, overhead)
			done = c.done && len(c.stdout) == 0 && len(c.stderr) == 0
			code = c.exit
			c.mu.Unlock()
			return out, errOut, done, code, true
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return nil, nil, false, 0, false
		case <-c.gone:
			return nil, nil, false, 0, false
		case <-ctx.Done():
			return nil, nil, false, 0, false
		}
	}
}

// takeChunks removes whole chunks up to budget bytes, each costing its length plus overhead, splitting
// one chunk if it alone is larger.
func takeChunks(q [][]byte, budget, overhead int) (taken, rest [][]byte, used int) {
	for len(q) > 0 && budget-used > overhead {
		c := q[0]
		if len(c)+overhead > budget-used {
			if len(taken) > 0 {
				break
			}
			n := budget - used - overhead
			taken = append(taken, c[:n])
			q[0] = c[n:]
			return taken, q, used + n + overhead
		}
		taken = append(taken, c)
		used += len(c) + overhead
		q = q[1:]
	}
	return taken, q, used
}

var isoDuration = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseDuration reads xs:duration values such as PT60S, PT60.000S, PT30M, PT30M0S and P0DT0H0M1S.
func parseDuration(s string, def time.Duration) time.Duration {
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" {
		return def
	}
	var d time.Duration
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute}
	for i, u := range units {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			d += time.Duration(n) * u
		}
	}
	if m[5] != "" {
		f, _ := strconv.ParseFloat(m[5], 64)
		d += time.Duration(f * float64(time.Second))
	}
	if d <= 0 {
		return def
	}
	return d
}
