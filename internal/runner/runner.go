// Package runner is the seam between what wincontainers does to a host and how it reaches it: one
// small interface to run a library script with parameters and get its parsed result, plus optional
// capabilities (reboot-and-wait, upload) that transports provide their own way. WinRM implements it
// through ScriptRunner over an Exec (stdin); the Packer communicator, which cannot send stdin, through
// StagedRunner over a Starter and a FileUploader; Azure Run Command implements Runner directly.
package runner

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/wincontainers/wincontainers/internal/powershell"
)

// Runner runs one library script with parameters. It returns the interpreted outcome, a
// *powershell.ScriptError when the script ran and failed, or a transport error (see TransportError).
type Runner interface {
	Run(ctx context.Context, script string, params any, onProgress func(powershell.Progress)) (powershell.Outcome, error)
}

// Rebooter restarts the host and returns once it is back and ready.
type Rebooter interface {
	Reboot(ctx context.Context) error
}

// Exec runs one command line on the host with stdin, streaming stdout and stderr as they arrive, and
// returns the process exit code. Transports that have a command channel (WinRM, Packer's communicator)
// implement it.
type Exec interface {
	Exec(ctx context.Context, commandLine string, stdin io.Reader, stdout, stderr io.Writer) (exitCode int, err error)
}

// TransportError is a failure to reach the host or to complete the exchange, as opposed to a script
// that ran and failed. Retryable reports whether the failure may be transient (resets, refusals,
// timeouts), so idempotent steps can be retried.
type TransportError struct {
	Op        string
	Retryable bool
	Err       error
}

func (e *TransportError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// IsRetryable reports whether err is a transport error worth retrying.
func IsRetryable(err error) bool {
	var te *TransportError
	return errors.As(err, &te) && te.Retryable
}

// ScriptRunner implements Runner over an Exec: it sends the bootstrap as the command line and the
// framed script on stdin, so neither script text nor parameters are ever on the command line.
type ScriptRunner struct {
	Exec    Exec
	Library *powershell.Library
}

var _ Runner = (*ScriptRunner)(nil)

// Run implements Runner.
func (r *ScriptRunner) Run(ctx context.Context, script string, params any, onProgress func(powershell.Progress)) (powershell.Outcome, error) {
	return r.run(ctx, script, params, nil, onProgress)
}

// RunWithData runs a script and streams data after it on stdin (the script reads it; receive-file does).
func (r *ScriptRunner) RunWithData(ctx context.Context, script string, params any, data io.Reader, onProgress func(powershell.Progress)) (powershell.Outcome, error) {
	return r.run(ctx, script, params, data, onProgress)
}

func (r *ScriptRunner) run(ctx context.Context, script string, params any, data io.Reader, onProgress func(powershell.Progress)) (powershell.Outcome, error) {
	s, err := r.Library.Script(script)
	if err != nil {
		return powershell.Outcome{}, err
	}
	in, err := powershell.Stdin(s, params)
	if err != nil {
		return powershell.Outcome{}, err
	}
	var stdin io.Reader = bytes.NewReader(in)
	if data != nil {
		stdin = io.MultiReader(stdin, data)
	}
	out := powershell.NewOutputParser(onProgress)
	var stderr bytes.Buffer
	code, err := r.Exec.Exec(ctx, powershell.CommandLine(r.Library.Bootstrap()), stdin, out, &stderr)
	if err != nil {
		var te *TransportError
		if !errors.As(err, &te) {
			err = &TransportError{Op: "running script " + script, Retryable: false, Err: err}
		}
		return powershell.Outcome{}, err
	}
	return powershell.Interpret(script, code, out, stderr.String())
}
