package crosscheck

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// TestRestartWithoutAnswers: a host that answers nothing while it restarts (winsim --while-down drop, a
// machine that is off: docs/knowledge/winrm.md#restart-model) instead of resetting connections. A request sent then times out
// on the client's own deadline, not with a reset; the restart wait's probes are bounded by their
// timeout, so the apply still converges with its one restart, soon after the host is back.
func TestRestartWithoutAnswers(t *testing.T) {
	h := winsimtest.Start(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed", User: "Administrator", Password: faultPassword,
		HTTPS: true, StateDir: t.TempDir(), RebootTime: 1500 * time.Millisecond, WhileDown: "drop", Internet: sharedInternet()})
	c := connect(t, h, faultPassword, hostconn.Config{
		WinRM:         winrm.Options{OperationTimeout: 2 * time.Second},
		Reboot:        runner.RebootOptions{DelaySeconds: -1, PollInterval: 100 * time.Millisecond, ReadyProbes: 1, ProbeTimeout: 300 * time.Millisecond, Timeout: 20 * time.Second},
		RetryAttempts: 5, RetryBackoff: 25 * time.Millisecond,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// A request while the host is down: no answer, so the caller's deadline ends it.
	h.Sim.Host.Reboot(0)
	waitDown(t, h.Sim)
	probe, err := winrm.New(winrm.Options{Host: h.Addr, Port: h.Port, CACert: h.CA, User: "Administrator", Password: faultPassword, OperationTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	pctx, pcancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start := time.Now()
	_, perr := probe.Exec(pctx, "hostname", nil, &strings.Builder{}, &strings.Builder{})
	pcancel()
	took := time.Since(start)
	if took > time.Second {
		t.Errorf("the request's 300 ms deadline ended it after %s: the transport did not honour its context", took)
	}
	var ne net.Error
	timedOut := perr != nil && (errors.Is(perr, context.DeadlineExceeded) || errors.As(perr, &ne) && ne.Timeout() ||
		strings.Contains(perr.Error(), "deadline") || strings.Contains(perr.Error(), "timeout"))
	if !timedOut || strings.Contains(perr.Error(), "reset") {
		t.Errorf("a request to a host that is off: want a timeout, got %v after %s", perr, took)
	}
	waitUp(t, h.Sim)

	want := resolve(t, spec.Spec{Mode: "process"})
	start = time.Now()
	res, err := executor.Apply(ctx, c, want, executor.Options{})
	if err != nil {
		t.Fatalf("apply across a silent restart: %v", err)
	}
	st := h.Sim.Snapshot()
	assertConverged(t, st, want, res)
	if st.Reboots != 2 {
		t.Errorf("%d restarts, want the test's and the features' one", st.Reboots)
	}
	t.Logf("bare to verified across a silent 1.5 s restart: %s", time.Since(start).Round(10*time.Millisecond))
}
