package pshost

import (
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

func TestGetWinEvent(t *testing.T) {
	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Second); return now }
	th := newTestHost(t, machine.Config{Clock: clock}).withDocker(false)
	filter := func(extra map[string]any) map[string]any {
		h := value.NewHashtable()
		h.Set("LogName", "Application")
		h.Set("ProviderName", "docker")
		for k, v := range extra {
			h.Set(k, v)
		}
		return map[string]any{"FilterHashtable": h}
	}
	r := th.call("Get-WinEvent", filter(nil))
	if len(r.errs) != 1 || r.errs[0].Exception.Message != "No events were found that match the specified selection criteria." ||
		r.errs[0].FullyQualifiedErrorId != "NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand" {
		t.Fatalf("%s", r.errText())
	}
	_ = th.m.StartService("docker") // fails: no Containers feature
	_ = th.m.InstallEngine("docker", "22.0.0")
	_ = th.m.StartService("docker")
	bound := filter(map[string]any{"Level": int32(2), "StartTime": value.FromTime(now.Add(-time.Hour), value.UTC)})
	bound["MaxEvents"] = int64(1)
	r = th.call("Get-WinEvent", bound)
	if len(r.out) != 1 || len(r.errs) != 0 {
		t.Fatalf("%+v", r)
	}
	all := th.m.AllEvents()
	if got := prop(t, r.out[0], "Message"); got != all[len(all)-1].Message {
		t.Fatalf("not the newest: %q", got)
	}
	if r := th.call("Get-WinEvent", filter(map[string]any{"Level": int32(4)})); len(r.out) != 0 || len(r.errs) != 1 {
		t.Fatalf("no Information events: %+v", r)
	}
	if r := th.call("Get-WinEvent", filter(map[string]any{"StartTime": value.FromTime(now.Add(time.Hour), value.UTC)})); len(r.out) != 0 {
		t.Fatalf("StartTime: %+v", r)
	}
	if r := th.call("Get-WinEvent", filter(map[string]any{"ID": int32(1)})); r.err == nil {
		t.Fatal("an ID filter is not modelled")
	}
}
