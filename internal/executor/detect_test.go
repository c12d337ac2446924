package executor

import (
	"context"
	"errors"
	"testing"

	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/plan/plantest"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// A host converged to a mode is detected as that mode, and planning the detected spec finds nothing
// to do, so an import followed by a plan with the same configuration shows no changes.
func TestDetectRoundTrip(t *testing.T) {
	for _, c := range []struct {
		release string
		spec    spec.Spec
	}{
		{"2022", spec.Spec{Mode: "process"}},
		{"2022", spec.Spec{Mode: "process", Engine: spec.Engine{Type: "containerd"}}},
		{"2019", spec.Spec{Mode: "hyperv"}},
		{"2022", spec.Spec{Mode: "lcow"}},
		{"win11-24h2", spec.Spec{Mode: "hyperv"}},
	} {
		t.Run(c.release+"/"+c.spec.Mode+"/"+c.spec.Engine.Type, func(t *testing.T) {
			h := &fakeHost{t: t, f: plantest.Bare(t, c.release)}
			want := plantest.Resolve(t, c.spec)
			if _, err := Apply(context.Background(), h, want, Options{}); err != nil {
				t.Fatal(err)
			}
			got, err := plan.Detect(h.f)
			if err != nil {
				t.Fatal(err)
			}
			if got.Mode != c.spec.Mode || got.Engine.Type != string(want.EngineType) || got.Engine.Version != want.EngineVersion.String() {
				t.Fatalf("detected %+v, want mode %s engine %s %s", got, c.spec.Mode, want.EngineType, want.EngineVersion)
			}
		})
	}
	if _, err := plan.Detect(plantest.Bare(t, "2022")); !errors.Is(err, plan.ErrNothingToAdopt) {
		t.Errorf("bare host: %v, want ErrNothingToAdopt", err)
	}
}
