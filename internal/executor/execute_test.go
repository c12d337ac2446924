package executor

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/plan/plantest"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// fakeHost applies steps to in-memory facts the way the scripts change a real host. It can fail a step
// once (a dropped connection), reboot by itself after a step (an unplanned reboot), or never finish
// installing a feature (a broken host).
type fakeHost struct {
	t          *testing.T
	f          facts.Facts
	failOnce   map[plan.StepKind]error
	rebootNow  plan.StepKind // after this step ran, the host reboots by itself
	stuck      bool          // features never leave the pending state
	factsReads int
	ran        []plan.StepKind
	reboots    int
}

func (h *fakeHost) Facts(context.Context) (facts.Facts, error) {
	h.factsReads++
	return plantest.CloneFacts(h.f), nil
}

func (h *fakeHost) RunStep(_ context.Context, s plan.Step, progress func(Event)) (StepOutcome, error) {
	if err, ok := h.failOnce[s.Kind]; ok {
		delete(h.failOnce, s.Kind)
		return StepOutcome{}, err
	}
	progress(Event{Kind: EventProgress, Step: s.Kind, Message: "working"})
	h.f = plantest.ApplyStep(h.t, h.f, s)
	h.ran = append(h.ran, s.Kind)
	if s.Kind == h.rebootNow {
		h.rebootNow = ""
		h.doReboot()
	}
	return StepOutcome{RebootRequired: s.Kind == plan.StepFeatures}, nil
}

func (h *fakeHost) Reboot(context.Context) error {
	h.reboots++
	h.doReboot()
	return nil
}

func (h *fakeHost) doReboot() {
	if h.stuck {
		return
	}
	h.f = plantest.ApplyStep(h.t, h.f, plan.Step{Kind: plan.StepReboot})
}

func TestApplyFromBare(t *testing.T) {
	for _, c := range []struct {
		release string
		spec    spec.Spec
	}{
		{"2022", spec.Spec{Mode: "process"}},
		{"2019", spec.Spec{Mode: "hyperv"}},
		{"2022", spec.Spec{Mode: "lcow"}},
		{"win11-24h2", spec.Spec{Mode: "hyperv"}},
		{"2016", spec.Spec{Mode: "hyperv"}},
	} {
		t.Run(c.release+"/"+c.spec.Mode, func(t *testing.T) {
			h := &fakeHost{t: t, f: plantest.Bare(t, c.release)}
			var events []Event
			want := plantest.Resolve(t, c.spec)
			res, err := Apply(context.Background(), h, want, Options{Progress: func(e Event) { events = append(events, e) }})
			if err != nil {
				t.Fatal(err)
			}
			if res.Reboots != 1 || h.reboots != 1 {
				t.Errorf("reboots %d, want exactly 1 from bare", res.Reboots)
			}
			// One facts read before, one after the reboot, one to confirm convergence.
			if res.FactsReads != 3 {
				t.Errorf("facts reads %d, want 3", res.FactsReads)
			}
			if dup := firstDuplicate(work(res.StepsRun)); dup != "" {
				t.Errorf("step %s repeated: %v", dup, res.StepsRun)
			}
			if !res.Plan.Empty() || events[len(events)-1].Kind != EventConverged {
				t.Errorf("not converged: %v", res.Plan.Kinds())
			}
			// A second apply on the converged host is one round trip and changes nothing.
			before := len(h.ran)
			res2, err := Apply(context.Background(), h, want, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res2.FactsReads != 1 || len(h.ran) != before || res2.Reboots != 0 {
				t.Errorf("no-op apply: %d facts reads, %d new steps, %d reboots", res2.FactsReads, len(h.ran)-before, res2.Reboots)
			}
		})
	}
}

func TestApplyResumesAfterInterruption(t *testing.T) {
	for _, failing := range []plan.StepKind{plan.StepFeatures, plan.StepEngine, plan.StepDaemonConfig, plan.StepVerify} {
		t.Run(string(failing), func(t *testing.T) {
			reset := errors.New("read tcp 127.0.0.1:5986: connection reset by peer")
			h := &fakeHost{t: t, f: plantest.Bare(t, "2019"), failOnce: map[plan.StepKind]error{failing: reset}}
			want := plantest.Resolve(t, spec.Spec{Mode: "hyperv"})
			_, err := Apply(context.Background(), h, want, Options{})
			var se *StepError
			if !errors.As(err, &se) || se.Step.Kind != failing || !errors.Is(err, reset) || !strings.Contains(err.Error(), "resumes") {
				t.Fatalf("want a StepError for %s wrapping the reset, got %v", failing, err)
			}
			ranBefore := slices.Clone(h.ran)
			if _, err := Apply(context.Background(), h, want, Options{}); err != nil {
				t.Fatalf("second apply: %v", err)
			}
			// Completed steps are not repeated by the resuming apply (verify always re-runs after a change).
			for _, k := range ranBefore {
				if k != plan.StepVerify && slices.Contains(h.ran[len(ranBefore):], k) {
					t.Errorf("%s ran again after the interruption: first %v, then %v", k, ranBefore, h.ran[len(ranBefore):])
				}
			}
			if h.reboots > 1 {
				t.Errorf("%d reboots", h.reboots)
			}
		})
	}
}

func TestApplySurvivesUnplannedReboot(t *testing.T) {
	h := &fakeHost{t: t, f: plantest.Bare(t, "2022"), rebootNow: plan.StepEngine}
	res, err := Apply(context.Background(), h, plantest.Resolve(t, spec.Spec{Mode: "hyperv"}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Plan.Empty() {
		t.Errorf("not converged: %v", res.Plan.Kinds())
	}
}

func TestApplyRefusesBeforeAnyChange(t *testing.T) {
	h := &fakeHost{t: t, f: plantest.Bare(t, "2016")}
	_, err := Apply(context.Background(), h, plantest.Resolve(t, spec.Spec{Mode: "lcow"}), Options{})
	var re *plan.RefusalError
	if !errors.As(err, &re) {
		t.Fatalf("want refusal, got %v", err)
	}
	if len(h.ran) != 0 || h.reboots != 0 || h.factsReads != 1 {
		t.Errorf("a refusal must change nothing: ran %v, %d reboots, %d facts reads", h.ran, h.reboots, h.factsReads)
	}
}

func TestApplyStopsOnAHostThatNeverFinishes(t *testing.T) {
	h := &fakeHost{t: t, f: plantest.Bare(t, "2022"), stuck: true}
	_, err := Apply(context.Background(), h, plantest.Resolve(t, spec.Spec{Mode: "process"}), Options{})
	if !errors.Is(err, ErrNotConverging) || !strings.Contains(err.Error(), "reboot number 3") {
		t.Fatalf("want ErrNotConverging over the reboot limit, got %v", err)
	}
	if h.reboots != 2 {
		t.Errorf("%d reboots, want the limit of 2", h.reboots)
	}
}

func TestApplyHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h := &fakeHost{t: t, f: plantest.Bare(t, "2022")}
	if _, err := Apply(ctx, h, plantest.Resolve(t, spec.Spec{Mode: "process"}), Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func firstDuplicate(ks []plan.StepKind) plan.StepKind {
	seen := map[plan.StepKind]bool{}
	for _, k := range ks {
		if seen[k] {
			return k
		}
		seen[k] = true
	}
	return ""
}

// With restarts forbidden, the apply does the work before the restart, stops there with advice, and
// the next apply (after the owner restarted the host) continues without repeating it.
func TestApplyWithoutReboots(t *testing.T) {
	h := &fakeHost{t: t, f: plantest.Bare(t, "2022")}
	want := plantest.Resolve(t, spec.Spec{Mode: "process"})
	res, err := Apply(context.Background(), h, want, Options{MaxReboots: -1})
	if !errors.Is(err, ErrRebootNotAllowed) || !strings.Contains(err.Error(), "restart it yourself") {
		t.Fatalf("want ErrRebootNotAllowed with advice, got %v", err)
	}
	if h.reboots != 0 || !slices.Equal(res.StepsRun, []plan.StepKind{plan.StepFeatures}) {
		t.Fatalf("reboots %d, steps %v: want the features step and no restart", h.reboots, res.StepsRun)
	}
	h.doReboot() // the owner restarts the host
	res, err = Apply(context.Background(), h, want, Options{MaxReboots: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reboots != 0 || slices.Contains(res.StepsRun, plan.StepFeatures) {
		t.Errorf("second apply: %d reboots, steps %v", res.Reboots, res.StepsRun)
	}
}
