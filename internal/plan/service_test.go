package plan

import (
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// TestServiceStepReason: a stopped engine's plan says why it stopped, from the engine's own event log,
// and what the catalogue knows of that error.
func TestServiceStepReason(t *testing.T) {
	const hns = "failed to start daemon: Error initializing network controller: error creating default network: " +
		"failed during hnsCallRawResponse: hnsCall failed in Win32: {Application Error}\r\nThe exception %s (0x (0x23e)"
	cases := []struct {
		name       string
		svc        facts.Service
		installing bool
		want       []string // substrings of the reason; nil = no step
		not        []string
	}{
		{"running", facts.Service{Name: "docker", State: "Running", StartType: "Automatic"}, false, nil, nil},
		{"stopped, no error", facts.Service{Name: "docker", State: "Stopped", StartType: "Automatic"}, false,
			[]string{"the docker service is Stopped (start type Automatic)"}, []string{"last error"}},
		{"HNS not ready at boot", facts.Service{Name: "docker", State: "Stopped", StartType: "Automatic", LastError: hns}, false,
			[]string{"the docker service is Stopped", "its last error since the boot: failed to start daemon", "{Application Error} The exception",
				"Host Network Service was not ready", "Start-Service docker"}, []string{"\r\n"}},
		{"unknown error", facts.Service{Name: "containerd", State: "Stopped", StartType: "Manual", LastError: "something new"}, false,
			[]string{"its last error since the boot: something new"}, []string{"cause:"}},
		{"installing", facts.Service{Name: "docker", State: "Stopped", StartType: "Automatic", LastError: hns}, true,
			[]string{"start the engine after installing it"}, []string{"last error"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := serviceStep(facts.Facts{Engine: facts.Engine{Service: c.svc}}, spec.Resolved{EngineType: "docker"}, c.installing)
			if c.want == nil {
				if st != nil {
					t.Fatalf("planned %q for a running engine", st.Reason)
				}
				return
			}
			if st == nil {
				t.Fatal("no start-service step")
			}
			for _, w := range c.want {
				if !strings.Contains(st.Reason, w) {
					t.Errorf("reason %q lacks %q", st.Reason, w)
				}
			}
			for _, n := range c.not {
				if strings.Contains(st.Reason, n) {
					t.Errorf("reason %q has %q", st.Reason, n)
				}
			}
		})
	}
}
