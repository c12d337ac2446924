package pshost

import (
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Get-WinEvent on the Application log (MicrosoftDocs/PowerShell-Docs reference/5.1/
// Microsoft.PowerShell.Diagnostics/Get-WinEvent.md): -LogName, -ProviderName, -FilterHashtable with the
// keys LogName, ProviderName, Level, StartTime and EndTime, -MaxEvents, -Oldest. Events come newest
// first ("By default, events are returned in newest-first order", -Oldest). winsim's event log keeps a
// source, a time and a message: every entry is an Error (Level 2), the level the engines log their
// failures at; event IDs are not modelled (an ID filter is refused). When nothing matches, 5.1 writes
// the non-terminating error "No events were found that match the specified selection criteria."
// (NoMatchingEventsFound; inferred: the text and id as 5.1 shows them).

const winEventClass = "Microsoft.PowerShell.Commands.GetWinEventCommand"

func (h *host) eventCmdlets() []*engine.Cmdlet {
	return []*engine.Cmdlet{{Name: "Get-WinEvent", Module: "Microsoft.PowerShell.Diagnostics", Params: []engine.Param{
		{Name: "LogName", Type: "string[]", Position: 0, Set: "GetLogSet"},
		{Name: "ProviderName", Type: "string[]", Position: -1, Set: "GetProviderSet"},
		{Name: "FilterHashtable", Type: "hashtable", Position: -1, Set: "HashQuerySet"},
		{Name: "MaxEvents", Type: "int64", Position: -1},
		{Name: "Oldest", Type: "switch", Position: -1},
		{Name: "ComputerName", Aliases: []string{"Cn"}, Type: "string", Position: -1},
		{Name: "FilterXPath", Type: "string", Position: -1}, {Name: "FilterXml", Type: "object", Position: -1},
		{Name: "ListLog", Type: "string[]", Position: -1}, {Name: "ListProvider", Type: "string[]", Position: -1},
		{Name: "Path", Type: "string[]", Position: -1},
	}, Process: h.getWinEvent}}
}

// eventQuery is what selects events.
type eventQuery struct {
	logs, providers []string
	levels          []int64
	start, end      time.Time
}

func (h *host) eventQueryOf(c *engine.Call) (eventQuery, error) {
	var q eventQuery
	if err := refuseBound(c, "Get-WinEvent", "ComputerName", "FilterXPath", "FilterXml", "ListLog", "ListProvider", "Path"); err != nil {
		return q, err
	}
	q.logs = strs(c, "LogName")
	q.providers = strs(c, "ProviderName")
	filter, keys, err := hashtable(c, "FilterHashtable")
	if err != nil {
		return q, err
	}
	for _, k := range keys {
		v := filter[strings.ToUpper(k)]
		switch strings.ToLower(k) {
		case "logname":
			q.logs = toStrings(v)
		case "providername":
			q.providers = toStrings(v)
		case "level":
			for _, s := range toStrings(v) {
				n, err := value.ToInt64(s)
				if err != nil {
					return q, err //nolint:wrapcheck // PowerShell's conversion error
				}
				q.levels = append(q.levels, n)
			}
		case "starttime":
			if q.start, err = dateTime(v); err != nil {
				return q, err
			}
		case "endtime":
			if q.end, err = dateTime(v); err != nil {
				return q, err
			}
		default:
			return q, notModelled("Get-WinEvent -FilterHashtable key %s", k)
		}
	}
	for _, l := range q.logs {
		if !strings.EqualFold(l, "Application") {
			return q, notModelled("the event log %s (winsim keeps the Application log only)", l)
		}
	}
	return q, nil
}

func (q eventQuery) matches(e machine.Event) bool {
	if len(q.providers) > 0 {
		ok := false
		for _, p := range q.providers {
			ok = ok || wildMatch(e.Source, p)
		}
		if !ok {
			return false
		}
	}
	if len(q.levels) > 0 {
		ok := false
		for _, l := range q.levels {
			ok = ok || l == 2
		}
		if !ok {
			return false
		}
	}
	if !q.start.IsZero() && e.Time.Before(q.start) {
		return false
	}
	return q.end.IsZero() || !e.Time.After(q.end)
}

func (h *host) getWinEvent(c *engine.Call) error {
	q, err := h.eventQueryOf(c)
	if err != nil {
		return err
	}
	all := h.m.AllEvents()
	var picked []*object
	for i := len(all) - 1; i >= 0; i-- {
		if q.matches(all[i]) {
			picked = append(picked, h.eventRecord(all[i], int64(i+1)))
		}
	}
	if has(c, "MaxEvents") {
		n, err := value.ToInt64(c.Bound["MaxEvents"])
		if err != nil {
			return err //nolint:wrapcheck // PowerShell's conversion error
		}
		if n < int64(len(picked)) && n >= 0 {
			picked = picked[:n]
		}
	}
	if flag(c, "Oldest") {
		for i, j := 0, len(picked)-1; i < j; i, j = i+1, j-1 {
			picked[i], picked[j] = picked[j], picked[i]
		}
	}
	if len(picked) == 0 {
		return c.Err(newError("System.Exception", "No events were found that match the specified selection criteria.",
			"NoMatchingEventsFound", winEventClass, "ObjectNotFound", nil)) //nolint:wrapcheck // the engine's ErrorAction decision
	}
	for _, o := range picked {
		c.Out(o)
	}
	return nil
}

// eventRecord is System.Diagnostics.Eventing.Reader.EventLogRecord.
func (h *host) eventRecord(e machine.Event, recordID int64) *object {
	info := h.w.OS()
	o := newObject("System.Diagnostics.Eventing.Reader.EventLogRecord", "System.Diagnostics.Eventing.Reader.EventRecord", "System.Object")
	o.set("Message", e.Message).
		set("Id", int32(1)). // inferred: winsim keeps no event IDs
		set("Level", uint8(2)).
		set("LevelDisplayName", "Error").
		set("LogName", "Application").
		set("ProviderName", e.Source).
		set("TimeCreated", localTime(e.Time, info.UTCOffset)).
		set("MachineName", info.ComputerName).
		set("RecordId", recordID).
		set("ContainerLog", "Application")
	o.str = func() string { return "System.Diagnostics.Eventing.Reader.EventLogRecord" }
	return o
}
