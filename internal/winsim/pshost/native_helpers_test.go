package pshost

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// testHost is a machine with its Windows state and this part of the PowerShell host.
type testHost struct {
	t *testing.T
	m *machine.Machine
	w *machine.Windows
	h *host
}

func newTestHost(t *testing.T, cfg machine.Config) *testHost {
	t.Helper()
	if cfg.Build == 0 {
		cfg.Build = 20348
	}
	m := machine.New(cfg)
	boot := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	w := machine.NewWindows(m, machine.OSInfo{Caption: "Microsoft Windows Server 2022 Datacenter", BuildNumber: cfg.Build,
		ComputerName: "WINSIM-TEST", Client: cfg.Client, BootTime: func() time.Time { return boot }})
	return &testHost{t: t, m: m, w: w, h: &host{m: m, w: w, enums: newEnumTypes()}}
}

// withContainers installs the Containers feature and boots.
func (th *testHost) withContainers() *testHost {
	th.t.Helper()
	if _, err := th.m.InstallFeature("Containers"); err != nil {
		th.t.Fatal(err)
	}
	th.m.Boot()
	return th
}

// withDocker installs Docker 29.2.1 (registered, Automatic) and starts it.
func (th *testHost) withDocker(start bool) *testHost {
	th.t.Helper()
	for _, err := range []error{th.m.InstallEngine("docker", "29.2.1"), th.m.RegisterService("docker")} {
		if err != nil {
			th.t.Fatal(err)
		}
	}
	if start {
		if err := th.m.StartService("docker"); err != nil {
			th.t.Fatal(err)
		}
	}
	return th
}

// callResult is what one cmdlet call produced.
type callResult struct {
	out  []any
	errs []*engine.ErrorRecord
	err  error
}

func (r callResult) errText() string {
	var parts []string
	for _, e := range r.errs {
		parts = append(parts, e.FullyQualifiedErrorId+": "+e.Exception.Message)
	}
	if r.err != nil {
		parts = append(parts, "terminating: "+r.err.Error())
	}
	return strings.Join(parts, " | ")
}

// call runs a cmdlet of this host the way the engine would with ErrorAction Continue: Begin, Process
// once (with the given pipeline inputs, or once without), End.
func (th *testHost) call(name string, bound map[string]any, inputs ...any) callResult {
	th.t.Helper()
	var c *engine.Cmdlet
	for _, x := range th.h.cmdlets() {
		if strings.EqualFold(x.Name, name) {
			c = x
		}
	}
	if c == nil {
		th.t.Fatalf("no cmdlet %s", name)
	}
	var r callResult
	if bound == nil {
		bound = map[string]any{}
	}
	call := &engine.Call{Bound: bound, Out: func(v any) { r.out = append(r.out, v) },
		Err: func(rec *engine.ErrorRecord) error { r.errs = append(r.errs, rec); return nil }}
	step := func(fn func(*engine.Call) error) bool {
		if fn == nil || r.err != nil {
			return r.err == nil
		}
		r.err = fn(call)
		return r.err == nil
	}
	if !step(c.Begin) {
		return r
	}
	if len(inputs) == 0 {
		step(c.Process)
	}
	for _, in := range inputs {
		call.Input, call.HasInput = in, true
		if !step(c.Process) {
			return r
		}
	}
	step(c.End)
	return r
}

// run runs a native program by path.
func (th *testHost) run(path string, args ...string) engine.NativeResult {
	th.t.Helper()
	n := &natives{h: th.h}
	return n.Run(context.Background(), path, args, nil)
}

// prop reads a property of an output object as a string.
func prop(t *testing.T, v any, name string) string {
	t.Helper()
	o, ok := v.(value.Object)
	if !ok {
		t.Fatalf("%T is not an object", v)
	}
	p, ok := o.Property(name)
	if !ok {
		t.Fatalf("%s has no property %s", o.TypeName(), name)
	}
	return value.ToString(p)
}
