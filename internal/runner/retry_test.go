package runner

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
)

type flaky struct {
	fails int
	calls int
	err   error
}

func (f *flaky) Run(context.Context, string, any, func(powershell.Progress)) (powershell.Outcome, error) {
	f.calls++
	if f.calls <= f.fails {
		return powershell.Outcome{}, f.err
	}
	return powershell.Outcome{ExitCode: 0}, nil
}

func TestRetrying(t *testing.T) {
	lib := powershell.MustLoad()
	if !lib.Idempotent("probe") || !lib.Idempotent("facts") || !lib.Idempotent("receive-file") || lib.Idempotent("restart") {
		t.Fatal("idempotency markers: probe, facts and receive-file are idempotent, restart is not")
	}
	reset := &TransportError{Op: "post", Retryable: true, Err: errors.New("connection reset by peer")}
	var slept []time.Duration
	sleep := func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }

	f := &flaky{fails: 2, err: reset}
	r := &Retrying{Runner: f, Idempotent: lib.Idempotent, Sleep: sleep}
	if _, err := r.Run(context.Background(), "probe", nil, nil); err != nil || f.calls != 3 || len(slept) != 2 || slept[1] != 2*slept[0] {
		t.Errorf("idempotent retried: %v calls=%d slept=%v", err, f.calls, slept)
	}
	f = &flaky{fails: 1, err: reset}
	r.Runner = f
	if _, err := r.Run(context.Background(), "restart", nil, nil); err == nil || f.calls != 1 {
		t.Errorf("restart must not be retried: calls=%d", f.calls)
	}
	f = &flaky{fails: 9, err: reset}
	r.Runner = f
	_, err := r.Run(context.Background(), "facts", nil, nil)
	if err == nil || f.calls != 4 || !strings.Contains(err.Error(), "after 4 attempts") {
		t.Errorf("gives up after 4 attempts: %v calls=%d", err, f.calls)
	}
	f = &flaky{fails: 1, err: &TransportError{Op: "post", Retryable: false, Err: errors.New("HTTP 401")}}
	r.Runner = f
	if _, err := r.Run(context.Background(), "probe", nil, nil); err == nil || f.calls != 1 {
		t.Errorf("a non-retryable error is not retried: calls=%d", f.calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = &Retrying{Runner: &flaky{fails: 9, err: reset}, Idempotent: lib.Idempotent}
	if _, err := r.Run(ctx, "probe", nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancel during backoff: %v", err)
	}
}
