// Package comm runs wincontainers' library scripts through the packer.Communicator Packer hands a
// provisioner: the WinRM (or other) connection Packer already made, with its credentials and proxies.
//
// Over Packer's SSH communicator, which carries stdin, scripts go as over our own transports (Exec,
// Options.Stdin): the bootstrap as the command line and the script on stdin. Packer's WinRM
// communicator cannot carry that channel as it is: its Start ignores
// RemoteCmd.Stdin (packer-plugin-sdk v0.6.10 calls RunWithContext(ctx, rc.Command, rc.Stdout,
// rc.Stderr)) and logs every command line at INFO. So scripts go through runner.StagedRunner: the
// command line is a fixed bootstrap with a generated file name, and the script with its parameters is
// uploaded with the communicator's Upload, encrypted with a one-time key the host prints (Upload is
// winrmcp, which writes files with `echo <base64> >> file` command lines; internal/powershell/staged.go
// explains the channel). Uploads of engine archives use Upload too, verified by finish-upload.
//
// Config hands all of it to internal/hostconn, which assembles it as it assembles every connection.
package comm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
)

// Adapter is a runner.Starter and runner.FileUploader over a Packer communicator.
type Adapter struct {
	Comm packersdk.Communicator
}

var (
	_ runner.Starter      = Adapter{}
	_ runner.FileUploader = Adapter{}
	_ runner.Exec         = Adapter{}
)

// ErrDisconnected is the cause of a command that ended because the remote side disconnected
// (packersdk.CmdDisconnect).
var ErrDisconnected = errors.New("the remote side disconnected (the machine may be restarting)")

// Start implements runner.Starter: RemoteCmd{Command, Stdout, Stderr} (no stdin: the WinRM
// communicator would ignore it), Start, then Wait. Start errors and CmdDisconnect are retryable
// transport errors. Through Packer's plugin RPC the context does not reach the communicator, so a
// cancelled run returns at once and leaves the command to end on the host.
func (a Adapter) Start(ctx context.Context, commandLine string, stdout, stderr io.Writer) (int, error) {
	return a.run(ctx, &packersdk.RemoteCmd{Command: commandLine, Stdout: stdout, Stderr: stderr})
}

// Exec implements runner.Exec for communicators that carry stdin (Packer's SSH communicator does, and
// Packer's plugin RPC streams RemoteCmd.Stdin to it): the script goes on stdin as over our own
// transports, so nothing is staged. A nil stdin sends none.
func (a Adapter) Exec(ctx context.Context, commandLine string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	return a.run(ctx, &packersdk.RemoteCmd{Command: commandLine, Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

func (a Adapter) run(ctx context.Context, cmd *packersdk.RemoteCmd) (int, error) {
	const op = "packer communicator: running a command"
	if err := ctx.Err(); err != nil {
		return 1, &runner.TransportError{Op: op, Err: err}
	}
	if err := a.Comm.Start(ctx, cmd); err != nil {
		// No Wait: after a failed Start, Packer's RPC client never learns an exit status.
		if ctx.Err() != nil {
			return 1, &runner.TransportError{Op: op, Err: fmt.Errorf("%w (%w)", ctx.Err(), err)}
		}
		return 1, &runner.TransportError{Op: op, Retryable: true, Err: err}
	}
	exited := make(chan int, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case code := <-exited:
		if code == packersdk.CmdDisconnect {
			return code, &runner.TransportError{Op: op, Retryable: true, Err: ErrDisconnected}
		}
		return code, nil
	case <-ctx.Done():
		return 1, &runner.TransportError{Op: op, Err: ctx.Err()}
	}
}

// UploadFile implements runner.FileUploader with the communicator's Upload. The upload stops at the
// next read once ctx ends (Upload itself takes no context). Errors of a dropped connection are
// retryable.
func (a Adapter) UploadFile(ctx context.Context, dst string, r io.Reader, size int64) error {
	op := "packer communicator: uploading " + dst
	if err := ctx.Err(); err != nil {
		return &runner.TransportError{Op: op, Err: err}
	}
	var fi os.FileInfo = fileInfo{name: path.Base(strings.ReplaceAll(dst, `\`, "/")), size: size}
	if err := a.Comm.Upload(dst, ctxReader{ctx, r}, &fi); err != nil {
		if ctx.Err() != nil {
			return &runner.TransportError{Op: op, Err: fmt.Errorf("%w (%w)", ctx.Err(), err)}
		}
		return &runner.TransportError{Op: op, Retryable: connectionDropped(err), Err: err}
	}
	return nil
}

// connectionDropped recognises a connection that failed under the upload. winrmcp and Packer's RPC
// flatten errors to text, so the text is all there is.
func connectionDropped(err error) bool {
	msg := err.Error()
	for _, s := range []string{"connection refused", "connection reset", "EOF", "i/o timeout", "no route to host",
		"broken pipe", "use of closed network connection", "Couldn't create shell"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

type ctxReader struct {
	ctx context.Context //nolint:containedctx // the reader is the only way to stop an Upload that takes no context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err //nolint:wrapcheck // the caller matches context errors
	}
	return c.r.Read(p) //nolint:wrapcheck // a Reader passes its source's errors (io.EOF) through unchanged
}

// fileInfo tells communicators that want one (SSH's scp) the upload's name and size.
type fileInfo struct {
	name string
	size int64
}

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return f.size }
func (f fileInfo) Mode() fs.FileMode  { return 0o644 }
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return false }
func (f fileInfo) Sys() any           { return nil }

// Options tune Open. The zero value is what the provisioner uses.
type Options struct {
	// RetryAttempts is how many times an idempotent script is tried over a failing transport (default
	// 4); RetryBackoff the first pause (default 1s, doubling).
	RetryAttempts int
	RetryBackoff  time.Duration
	// Wait is how long the host waits for a staged script (default 5m).
	Wait time.Duration
	// Stdin sends scripts and uploads on the command's stdin instead of staging them: for communicators
	// that carry stdin (Packer's SSH communicator), not WinRM's.
	Stdin bool
}

// NewRunner returns the script runner over a communicator, without retries.
func NewRunner(c packersdk.Communicator, lib *powershell.Library, wait time.Duration) *runner.StagedRunner {
	a := Adapter{Comm: c}
	return &runner.StagedRunner{Starter: a, Uploader: a, Library: lib, Wait: wait}
}

// Config is the connection to the machine behind a Packer communicator, for hostconn, which assembles
// it: scripts through the staged channel, or on stdin with o.Stdin (idempotent ones retried after
// transport failures), restart-and-wait by boot id with reboot's options, and uploads verified by
// finish-upload.
func Config(c packersdk.Communicator, reboot runner.RebootOptions, o Options) (hostconn.Config, error) {
	if c == nil {
		return hostconn.Config{}, errors.New("no communicator (the source has communicator = \"none\"): give the wincontainers provisioner a winrm block so that it connects itself, or give the source a communicator (\"winrm\" or \"ssh\")")
	}
	a := Adapter{Comm: c}
	cm := &hostconn.Communicator{Starter: a, Uploader: a, Wait: o.Wait}
	if o.Stdin {
		cm = &hostconn.Communicator{Exec: a}
	}
	return hostconn.Config{Communicator: cm, Reboot: reboot, RetryAttempts: o.RetryAttempts, RetryBackoff: o.RetryBackoff}, nil
}

// Open opens the executor's connection to the machine behind a Packer communicator (Config's
// connection).
func Open(c packersdk.Communicator, reboot runner.RebootOptions) (executor.ScriptConn, error) {
	return OpenWithOptions(c, reboot, Options{})
}

// OpenWithOptions is Open with retry and staging settings.
func OpenWithOptions(c packersdk.Communicator, reboot runner.RebootOptions, o Options) (executor.ScriptConn, error) {
	cfg, err := Config(c, reboot, o)
	if err != nil {
		return executor.ScriptConn{}, err
	}
	conn, err := hostconn.Open(cfg)
	if err != nil {
		return executor.ScriptConn{}, err //nolint:wrapcheck // hostconn names the connection
	}
	return conn.ScriptConn, nil
}
