package crosscheck

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// A restart asked for while another is already scheduled: shutdown.exe exits 1190 and writes "A system
// shutdown has already been scheduled.(1190)" to stderr. Through the real restart.ps1 (the engine), the
// script reads that as "already scheduled" and succeeds, and the host restarts when the scheduled one
// runs. A script that redirects shutdown.exe's stderr under the bootstrap's Stop dies on that line in
// Windows PowerShell 5.1 (issue 16, defect 3), and this test fails.
func TestRestartWhenOneIsScheduled(t *testing.T) {
	t.Parallel()
	sim, r := startSim(t, winsim.Options{Profile: "ws2022"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// An administrator scheduled a restart a moment ago.
	var out, errb bytes.Buffer
	cmd := "powershell.exe -NoProfile -NonInteractive -EncodedCommand " + powershell.EncodeCommand("shutdown.exe /r /t 2 /c 'maintenance'; exit $LASTEXITCODE")
	if code := sim.Host.Run(ctx, cmd, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("scheduling the first restart: exit %d: %s %s", code, out.String(), errb.String())
	}
	before := sim.Host.BootID()
	o, err := r.Run(ctx, "restart", map[string]any{"delay_seconds": 0, "reason": "wincontainers test"}, nil)
	if err != nil {
		t.Fatalf("restart while one is scheduled: %v", err)
	}
	if !strings.Contains(string(o.Result), `"already_scheduled":true`) {
		t.Errorf("restart result %s: want already_scheduled", o.Result)
	}
	for sim.Host.BootID() == before {
		select {
		case <-ctx.Done():
			t.Fatal("the scheduled restart never happened")
		case <-time.After(100 * time.Millisecond):
		}
	}
}
