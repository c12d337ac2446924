package azure

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/wincontainers/wincontainers/internal/azure/azurefake"
	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
)

// One script through Run Command: a unique name per run, the parameters only as a protected
// parameter, synchronous execution, the instance view read, the run command deleted.
func TestRunCommandRunsProbe(t *testing.T) {
	v := newFakeVM(t, winsim.Options{Profile: "ws2022"})
	var bodies []armcompute.VirtualMachineRunCommand
	v.Seen = func(rc armcompute.VirtualMachineRunCommand) { bodies = append(bodies, rc) }
	r := v.runner(t)
	r.MaxInlineScript = 0
	for range 2 {
		p, err := runner.Probe(context.Background(), r)
		if err != nil || p.BootID != v.Sim.Host.BootID() {
			t.Fatalf("probe %+v: %v", p, err)
		}
	}
	if len(v.Created) != 2 || v.Created[0] == v.Created[1] || !strings.HasPrefix(v.Created[0], "wincontainers-probe-") {
		t.Errorf("names %v: want two unique wincontainers-probe-* names", v.Created)
	}
	if strings.Join(v.Deleted, ",") != strings.Join(v.Created, ",") || len(v.Commands) != 0 {
		t.Errorf("created %v, deleted %v", v.Created, v.Deleted)
	}
	pr := bodies[0].Properties
	if deref(bodies[0].Location) != "westeurope" || *pr.AsyncExecution || *pr.TreatFailureAsDeploymentFailure || *pr.TimeoutInSeconds != 3600 ||
		azurefake.Param(pr.ProtectedParameters, "WcParams") == "" || len(pr.Parameters) != 0 || !strings.Contains(deref(pr.Source.Script), "# wincontainers:script probe/") {
		t.Errorf("run command body: %+v", pr)
	}
}

// Secrets go as a protected parameter and never appear in the script text or the plain parameters;
// a large script is staged in chunks, each a run command of its own, and checked by SHA-256.
func TestRunCommandSecretsAndChunking(t *testing.T) {
	v := newFakeVM(t, winsim.Options{Profile: "ws2022"})
	const secret = "Sup3r-Secret-Registry-Token"
	var texts []string
	v.Seen = func(rc armcompute.VirtualMachineRunCommand) {
		texts = append(texts, deref(rc.Properties.Source.Script))
		for _, p := range rc.Properties.Parameters {
			texts = append(texts, deref(p.Value))
		}
	}
	r := v.runner(t)
	r.MaxInlineScript, r.ChunkSize = 0, 2000
	o, err := r.Run(context.Background(), "write-manifest", map[string]any{"manifest": map[string]any{"schema": 1, "tool_version": "0.4.0",
		"built_by": "terraform", "container_mode": "process", "engine": map[string]any{"type": "docker", "version": "27.3.1"},
		"spec_hash": secret, "os": map[string]any{"build": 20348, "ubr": 1}, "images": []string{}, "generalized": false, "verified_at": ""}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(o.Result), secret) {
		t.Errorf("result %s", o.Result)
	}
	for _, s := range texts {
		if strings.Contains(s, secret) || strings.Contains(s, "U3VwM3ItU2VjcmV0") {
			t.Fatalf("the parameter reached a script text or a plain parameter")
		}
	}
	s, _ := v.Lib.Script("write-manifest")
	if want := (len(s.Body)+1999)/2000 + 1; len(v.Created) != want {
		t.Errorf("%d run commands for a %d-byte script in 2000-byte chunks, want %d", len(v.Created), len(s.Body), want)
	}
	for _, tx := range texts {
		if len(tx) > defaultMaxInlineScript {
			t.Errorf("a %d-byte script text was sent inline", len(tx))
		}
	}
	if len(v.Staged) != 0 {
		t.Errorf("the staged file was not removed")
	}
}

// Exit codes map as over WinRM: a failing script is a *powershell.ScriptError with its code and
// message, exit 3010 is success with a reboot required.
func TestRunCommandExitCodes(t *testing.T) {
	v := newFakeVM(t, winsim.Options{Profile: "ws2022"})
	r := v.runner(t)
	_, err := r.Run(context.Background(), "start-service", map[string]any{"service": "docker"}, nil)
	var se *powershell.ScriptError
	if !errors.As(err, &se) || se.ExitCode == 0 || se.Code == "" {
		t.Fatalf("want a script error, got %v", err)
	}
	o, err := r.Run(context.Background(), "install-features", map[string]any{"features": []string{"Containers"}}, nil)
	if err != nil || !o.RebootRequired || o.ExitCode != powershell.ExitRebootRequired {
		t.Fatalf("install-features: %+v %v", o, err)
	}
}

// Only the last 4 KB of output survive: long results come back whole (compressed by the wrapper), a
// cut result line is a clear error, and the first, partial line of a cut output is not misread.
func TestRunCommandOutputTail(t *testing.T) {
	v := newFakeVM(t, winsim.Options{Profile: "ws2022"})
	r := v.runner(t)
	f, err := executor.ScriptConn{Runner: r}.Facts(context.Background())
	if err != nil || f.OS.Build != 20348 {
		t.Fatalf("facts through Run Command: %v", err)
	}
	noise := strings.Repeat("##wincontainers:progress {\"step\":\"x\",\"message\":\"padding\"}\r\n", 120)
	v.MutateOutput = func(_, out string) string { return noise + out }
	var progress int
	if _, err := r.Run(context.Background(), "probe", nil, func(powershell.Progress) { progress++ }); err != nil || progress == 0 {
		t.Fatalf("a result after 4 KB of progress: %v (progress %d)", err, progress)
	}
	v.MutateOutput = func(_, out string) string { return out + strings.Repeat("x", 5000) + "\r\n" }
	_, err = r.Run(context.Background(), "probe", nil, nil)
	if !errors.Is(err, ErrOutputCut) || !strings.Contains(err.Error(), "4096") {
		t.Fatalf("want ErrOutputCut, got %v", err)
	}
}

// Azure failures are transport errors: a refused PUT that ran nothing is retryable, a run command that
// failed after it was accepted is not (the script may have run), and both delete what they created.
func TestRunCommandFailures(t *testing.T) {
	v := newFakeVM(t, winsim.Options{Profile: "ws2022"})
	r := v.runner(t)
	v.RefuseCreate = func(string) (int, string) { return http.StatusTooManyRequests, "TooManyRequests" }
	_, err := r.Run(context.Background(), "probe", nil, nil)
	var re *azcore.ResponseError
	if !runner.IsRetryable(err) || !errors.As(err, &re) || re.ErrorCode != "TooManyRequests" {
		t.Fatalf("refused: %v", err)
	}
	v.RefuseCreate = func(string) (int, string) { return http.StatusForbidden, "AuthorizationFailed" }
	if _, err = r.Run(context.Background(), "probe", nil, nil); runner.IsRetryable(err) || !strings.Contains(err.Error(), "AuthorizationFailed") {
		t.Fatalf("forbidden: %v", err)
	}
	v.RefuseCreate = nil
	v.FailCreate = func(string) bool { return true }
	_, err = r.Run(context.Background(), "probe", nil, nil)
	var te *runner.TransportError
	if !errors.As(err, &te) || te.Retryable || !strings.Contains(err.Error(), "VMExtensionProvisioningError") {
		t.Fatalf("failed LRO: %v", err)
	}
	if len(v.Deleted) != 1 || v.Deleted[0] != v.Created[0] {
		t.Errorf("created %v, deleted %v", v.Created, v.Deleted)
	}
}

// Reboot: BeginRestart (a long-running operation), then the VM agent Ready and a new boot id.
func TestRunCommandReboot(t *testing.T) {
	v := newFakeVM(t, winsim.Options{Profile: "ws2022"})
	r := v.runner(t)
	r.RebootOptions = runner.RebootOptions{Timeout: 20 * time.Second, PollInterval: 20 * time.Millisecond}
	before := v.Sim.Host.BootID()
	if err := r.Reboot(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v.Sim.Host.BootID() == before || v.Restarts != 1 || v.Sim.Snapshot().Reboots != 1 {
		t.Errorf("restarts %d, boot %s -> %s", v.Restarts, before, v.Sim.Host.BootID())
	}
	v.FailRestart = true
	err := r.Reboot(context.Background())
	if err == nil || !strings.Contains(err.Error(), "OperationNotAllowed") || runner.IsRetryable(err) {
		t.Fatalf("failed restart LRO: %v", err)
	}
}

// A plan with a reboot in the middle converges a simulated VM through Run Command alone.
func TestRunCommandPlanConverges(t *testing.T) {
	v := newFakeVM(t, winsim.Options{Profile: "ws2022"})
	r := v.runner(t)
	r.RebootOptions = runner.RebootOptions{Timeout: 20 * time.Second, PollInterval: 20 * time.Millisecond}
	want, d := spec.Validate(spec.Spec{Mode: "process"}, compat.D(2026, 11, 22))
	if d.HasErrors() {
		t.Fatal(d)
	}
	res, err := executor.Apply(context.Background(), executor.ScriptConn{Runner: r, Rebooter: r}, want, executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reboots != 1 || v.Restarts != 1 || len(res.StepsRun) < 3 {
		t.Errorf("steps %v, reboots %d, restarts through the API %d", res.StepsRun, res.Reboots, v.Restarts)
	}
	if len(v.Commands) != 0 || len(v.Deleted) != len(v.Created) {
		t.Errorf("%d run commands left behind", len(v.Commands))
	}
	b, _ := json.Marshal(res.Facts.Engine)
	t.Logf("converged in %d run commands: %v; engine %s", len(v.Created), res.StepsRun, b)
	// Again: nothing to do.
	if res, err = executor.Apply(context.Background(), executor.ScriptConn{Runner: r, Rebooter: r}, want, executor.Options{}); err != nil || len(res.StepsRun) != 0 {
		t.Errorf("second apply: %v %v", res.StepsRun, err)
	}
}
