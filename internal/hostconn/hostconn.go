// Package hostconn opens the connection both front doors use to reach a host over WinRM: a WinRM
// client, the script runner on top of it (retrying idempotent scripts after transport failures), the
// restart-and-wait by boot id, and the streaming upload, assembled as the executor's plan.Host.
package hostconn

import (
	"context"
	"fmt"
	"time"

	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/winrm"
)

// Config says how to reach one host.
type Config struct {
	WinRM  winrm.Options
	Reboot runner.RebootOptions
	// RetryAttempts is how many times an idempotent script is tried over a failing transport (default
	// 4); RetryBackoff the first pause (default 1s, doubling).
	RetryAttempts int
	RetryBackoff  time.Duration
}

// Conn is an open connection to one host. It is not safe for concurrent use: WinRM commands run one
// at a time in one remote shell.
type Conn struct {
	// Host is the executor's view of the host: facts, steps, reboots and uploads.
	Host   plan.RunnerHost
	client *winrm.Client
}

// Open builds the connection. It does not contact the host: the first script does.
func Open(c Config) (*Conn, error) {
	lib, err := powershell.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the script library: %w", err)
	}
	client, err := winrm.New(c.WinRM)
	if err != nil {
		return nil, err //nolint:wrapcheck // winrm's option errors name the setting and what to do
	}
	sr := &runner.ScriptRunner{Exec: client, Library: lib}
	retrying := &runner.Retrying{Runner: sr, Idempotent: lib.Idempotent, Attempts: c.RetryAttempts, Backoff: c.RetryBackoff}
	return &Conn{
		Host: plan.RunnerHost{
			Runner:   retrying,
			Rebooter: runner.ScriptRebooter{Runner: retrying, Options: c.Reboot},
			Uploader: sr,
		},
		client: client,
	}, nil
}

// Facts reads the host's facts in one script run.
func (c *Conn) Facts(ctx context.Context) (facts.Facts, error) {
	return c.Host.Facts(ctx) //nolint:wrapcheck // RunnerHost already says "facts: ..."
}

// Close deletes the remote shell. Closing twice is harmless.
func (c *Conn) Close() error {
	if err := c.client.Close(); err != nil {
		return fmt.Errorf("closing the WinRM shell: %w", err)
	}
	return nil
}
