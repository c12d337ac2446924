package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
)

// Retrying runs scripts through another Runner and retries transport failures with exponential backoff,
// but only for scripts that declare themselves idempotent: a reset connection may have cut the
// response of a script that did run, and only an idempotent one may safely run again.
type Retrying struct {
	Runner     Runner
	Idempotent func(script string) bool
	// Attempts is the total number of tries (default 4); Backoff the first pause (default 1s, doubling,
	// at most 30s).
	Attempts int
	Backoff  time.Duration
	Sleep    func(ctx context.Context, d time.Duration) error
}

var _ Runner = (*Retrying)(nil)

// Run implements Runner.
func (r *Retrying) Run(ctx context.Context, script string, params any, onProgress func(powershell.Progress)) (powershell.Outcome, error) {
	attempts, backoff, sleep := r.Attempts, r.Backoff, r.Sleep
	if attempts <= 0 {
		attempts = 4
	}
	if backoff <= 0 {
		backoff = time.Second
	}
	if sleep == nil {
		sleep = sleepCtx
	}
	canRetry := r.Idempotent != nil && r.Idempotent(script)
	var errs []error
	for i := 1; ; i++ {
		o, err := r.Runner.Run(ctx, script, params, onProgress)
		if err == nil || !canRetry || !IsRetryable(err) || i >= attempts {
			if err != nil && len(errs) > 0 {
				err = fmt.Errorf("%w (after %d attempts; earlier: %w)", err, i, errors.Join(errs...))
			}
			return o, err
		}
		errs = append(errs, err)
		if serr := sleep(ctx, backoff); serr != nil {
			return o, fmt.Errorf("retrying %s: %w", script, serr)
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}
