package crosscheck

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

var update = flag.Bool("update", false, "rewrite docs/reliability.md's fault table from the fault matrix")

const faultPassword = "Fault-M@trix-$ecret"

// faultHost serves a winsim host and opens the connection both front doors use, with short timeouts.
func faultHost(t *testing.T, profile string) (*winsim.Sim, *hostconn.Conn) {
	t.Helper()
	h := winsimtest.Start(t, winsim.Options{Profile: profile, Virtualization: "exposed", User: "Administrator", Password: faultPassword,
		HTTPS: true, StateDir: t.TempDir(), RebootTime: 50 * time.Millisecond, Internet: sharedInternet()})
	return h.Sim, connect(t, h, faultPassword, hostconn.Config{
		WinRM:         winrm.Options{OperationTimeout: 2 * time.Second},
		Reboot:        runner.RebootOptions{DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1, ProbeTimeout: 2 * time.Second, Timeout: 2 * time.Second},
		RetryAttempts: 5, RetryBackoff: 25 * time.Millisecond,
	})
}

// connect opens the connection both front doors use (hostconn: the WinRM client, idempotent scripts
// retried with backoff, restart-and-wait by boot id, the streaming upload) to a served winsim host, as
// Administrator with password and trusting the host's CA; cfg gives the timeouts and retries. The
// connection is closed when the test ends.
func connect(t *testing.T, h *winsimtest.Server, password string, cfg hostconn.Config) *hostconn.Conn {
	t.Helper()
	cfg.WinRM.Host, cfg.WinRM.Port, cfg.WinRM.CACert = h.Addr, h.Port, h.CA
	cfg.WinRM.User, cfg.WinRM.Password = "Administrator", password
	c, err := hostconn.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// faultKind is one fault of issue 10 §1: how to inject it as a step starts, which steps it can hit, and
// what its error must say when the apply stops.
type faultKind struct {
	name   string
	inject []winsim.Fault
	// steps the fault applies to (nil: every step).
	steps []string
	// says: the error names the fault (any of these, case-insensitive).
	says []string
}

// The steps of a full apply, as the table's columns: "facts" is the first facts read, "reboot" the
// restart the features need.
var faultSteps = []string{"facts", string(plan.StepFeatures), "reboot", string(plan.StepEngine), string(plan.StepDaemonConfig),
	string(plan.StepService), string(plan.StepLCOWFiles), string(plan.StepVerify)}

var faultKinds = []faultKind{
	{name: "connection reset", inject: []winsim.Fault{{Kind: "reset_connections", Count: 2}}},
	{name: "unplanned reboot", inject: []winsim.Fault{{Kind: "reboot_now"}}},
	{name: "credentials rejected", inject: []winsim.Fault{{Kind: "reject_auth"}}, says: []string{"credentials", "401"}},
	{name: "truncated download", inject: []winsim.Fault{{Kind: "truncate_download", URLContains: "/"}},
		steps: []string{string(plan.StepEngine), string(plan.StepLCOWFiles)}, says: []string{machine.TruncatedZipText, "checksum", "sha-256"}},
	{name: "disk full", inject: []winsim.Fault{{Kind: "disk_full"}}, says: []string{machine.DiskFullText}},
	{name: "engine will not start (HNS)", inject: []winsim.Fault{{Kind: "hns_broken"}}, says: []string{"HNS failed with error"}},
	{name: "service stops after start", inject: []winsim.Fault{{Kind: "crash_service", Action: "docker"}, {Kind: "crash_service", Action: "containerd"}},
		says: []string{"terminated unexpectedly"}},
	{name: "host never comes back", inject: []winsim.Fault{{Kind: "stay_down"}, {Kind: "reboot_now"}}, says: []string{"did not come back", "connection", "EOF"}},
	{name: "latency spike (150 ms)", inject: []winsim.Fault{{Kind: "latency", Delay: "150ms"}}},
}

// faultScenario is a starting host and the apply that the fault interrupts.
type faultScenario struct {
	name    string
	profile string
	// before converges the host first (nil: a bare host).
	before *spec.Spec
	want   spec.Spec
}

var faultScenarios = []faultScenario{
	{name: "bare ws2022 to hyperv/docker", profile: "ws2022",
		want: spec.Spec{Mode: "hyperv", PullImages: true, Engine: spec.Engine{Type: "docker"}, Daemon: &spec.Daemon{RegistryMirrors: []string{"https://mirror.example.com"}}}},
	{name: "bare ws2022 to lcow/containerd", profile: "ws2022", want: spec.Spec{Mode: "lcow", PullImages: true}},
	{name: "docker 27.3.1 upgraded to 29.2.1 with a new mirror", profile: "ws2022",
		before: &spec.Spec{Mode: "hyperv", Engine: spec.Engine{Type: "docker", Version: "27.3.1"}},
		want:   spec.Spec{Mode: "hyperv", Engine: spec.Engine{Type: "docker", Version: "29.2.1"}, Daemon: &spec.Daemon{RegistryMirrors: []string{"https://mirror.example.com"}}}},
}

// Outcomes of one cell.
const (
	outRecovered = "recovered"  // the same apply converged
	outNextApply = "next apply" // a clear error; the next apply (fault gone) converged
)

type cellResult struct {
	fault, step, scenario, outcome string
}

// TestFaultMatrix injects every fault of issue 10 §1 as each step of a full apply starts (the facts read,
// features, the reboot, the engine download and install, daemon.json, the service start, the LCOW files,
// verification), in three starting states, through the same connection the front doors use. Each run
// must either converge in the same apply, or stop with an error that names the fault and after which
// the next apply (fault gone) converges. Whatever happens: an engine that ran before still runs (or its
// binaries and service are intact when the fault itself keeps engines from starting), daemon.json is
// valid JSON and keeps the user's keys, a failed apply leaves its plan pending and never records the
// new spec as verified, and the password is in no error. With -update it rewrites the table in
// docs/reliability.md; otherwise it fails if the table there differs.
//
// The whole matrix (about 160 runs, a minute and a half) runs with WINCONTAINERS_RELIABILITY=1 (make
// testreliability), which also checks the table; otherwise a slice runs: every fault at the engine
// install and daemon.json steps of the upgrade, and at the restart of a bare host.
func TestFaultMatrix(t *testing.T) {
	full := os.Getenv("WINCONTAINERS_RELIABILITY") != "" || *update
	slice := func(sc faultScenario, step string) bool {
		return sc.before != nil && (step == string(plan.StepEngine) || step == string(plan.StepDaemonConfig)) ||
			sc.before == nil && sc.want.Mode == "hyperv" && step == "reboot"
	}
	var mu sync.Mutex
	var results []cellResult
	t.Run("cells", func(t *testing.T) {
		for _, sc := range faultScenarios {
			for _, fk := range faultKinds {
				for _, step := range faultSteps {
					if fk.steps != nil && !slices.Contains(fk.steps, step) || !full && !slice(sc, step) {
						continue
					}
					t.Run(sc.name+"/"+fk.name+"/"+step, func(t *testing.T) {
						t.Parallel()
						out, ran := runFaultCell(t, sc, fk, step)
						if !ran {
							return
						}
						mu.Lock()
						results = append(results, cellResult{fk.name, step, sc.name, out})
						mu.Unlock()
					})
				}
			}
		}
	})
	if t.Failed() || !full {
		return
	}
	table := faultTable(results)
	checkReliabilityDoc(t, table)
}

// runFaultCell runs one cell; ran is false when the scenario's plan has no such step.
func runFaultCell(t *testing.T, sc faultScenario, fk faultKind, step string) (outcome string, ran bool) {
	sim, c := faultHost(t, sc.profile)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	userKey := false
	if sc.before != nil {
		if _, err := executor.Apply(ctx, c, resolve(t, *sc.before), executor.Options{}); err != nil {
			t.Fatalf("converging first: %v", err)
		}
		// A key the user keeps in daemon.json: no fault may lose it.
		st := sim.Snapshot()
		st.DaemonConfig["debug"] = true
		b, _ := json.Marshal(st.DaemonConfig)
		text := string(b)
		if err := sim.Machine.ApplyDrift(machine.Drift{SetDaemonConfig: &text}); err != nil {
			t.Fatal(err)
		}
		sim.Machine.StopService("docker")
		if err := sim.Machine.StartService("docker"); err != nil {
			t.Fatal(err)
		}
		userKey = true
	}
	before := sim.Snapshot()
	hadEngine := before.Engine.Type != "" && before.Services[before.Engine.Type].State == "Running"
	want := resolve(t, sc.want)

	injected := false
	inject := func() {
		if injected {
			return
		}
		injected = true
		for _, f := range fk.inject {
			if f.Kind == "crash_service" && f.Action != string(want.EngineType) {
				continue
			}
			if err := sim.Inject(f); err != nil {
				t.Error(err)
			}
			if f.Kind == "reboot_now" {
				waitDown(t, sim)
			}
		}
	}
	if step == "facts" {
		inject()
	}
	start := time.Now()
	res, err := executor.Apply(ctx, c, want, executor.Options{Progress: func(e executor.Event) {
		switch {
		case e.Kind == executor.EventStepStart && string(e.Step) == step,
			e.Kind == executor.EventReboot && step == "reboot":
			inject()
		}
	}})
	if !injected {
		return "", false // the plan has no such step here
	}
	elapsed := time.Since(start)
	if err := sim.Inject(winsim.Fault{Kind: "clear"}); err != nil {
		t.Fatal(err)
	}
	waitUp(t, sim)
	st := sim.Snapshot()

	// Nothing is lost, whatever happened.
	checkNothingLost(t, st, hadEngine, userKey, fk)
	if err != nil {
		outcome = outNextApply
		msg := err.Error()
		if strings.Contains(msg, faultPassword) {
			t.Errorf("the error shows the password: %v", err)
		}
		if len(fk.says) > 0 && !slices.ContainsFunc(fk.says, func(s string) bool { return strings.Contains(strings.ToLower(msg), strings.ToLower(s)) }) {
			t.Errorf("the error does not say what happened (want one of %q): %v", fk.says, err)
		}
		if st.Verified == plan.SpecHash(want) {
			t.Errorf("a failed apply recorded the new spec as verified")
		}
		if step != "facts" && res.Plan.Empty() {
			t.Errorf("a failed apply reports nothing pending")
		}
		if elapsed > 30*time.Second {
			t.Errorf("the error took %s", elapsed)
		}
		res, err = executor.Apply(ctx, c, want, executor.Options{})
		if err != nil {
			t.Fatalf("after %s at %s (%v), the next apply did not converge: %v", fk.name, step, outcome, err)
		}
	} else {
		outcome = outRecovered
	}
	st = sim.Snapshot()
	assertConverged(t, st, want, res)
	if userKey && st.DaemonConfig["debug"] != true {
		t.Errorf("the user's daemon.json key was lost: %v", st.DaemonConfig)
	}
	return outcome, true
}

// checkNothingLost holds after every faulted apply: no half-installed engine, a running engine still
// running (unless the fault keeps every engine from starting, and then its binaries and service are
// intact), daemon.json valid with the user's key.
func checkNothingLost(t *testing.T, st winsim.State, hadEngine, userKey bool, fk faultKind) {
	t.Helper()
	if st.DaemonConfigRaw != "" {
		t.Errorf("daemon.json is not valid JSON: %q", st.DaemonConfigRaw)
	}
	if userKey && st.DaemonConfig["debug"] != true {
		t.Errorf("the user's daemon.json key was lost: %v", st.DaemonConfig)
	}
	_, dockerd := st.Files[strings.ToLower(machine.Dockerd)]
	_, cli := st.Files[strings.ToLower(machine.DockerCLI)]
	if dockerd != cli {
		t.Errorf("half-installed docker: dockerd.exe %v, docker.exe %v", dockerd, cli)
	}
	if !hadEngine {
		return
	}
	svc, ok := st.Services["docker"]
	if !ok || !dockerd {
		t.Errorf("the engine that ran before is gone: service %v, dockerd.exe %v", ok, dockerd)
		return
	}
	engineFault := fk.name == "engine will not start (HNS)" || fk.name == "service stops after start"
	if svc.State != "Running" && !engineFault {
		t.Errorf("docker ran before the %s and is %s after it", fk.name, svc.State)
	}
}

func waitDown(t *testing.T, sim *winsim.Sim) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); sim.Host.Up(); {
		if time.Now().After(deadline) {
			t.Fatal("the host did not go down")
		}
		time.Sleep(time.Millisecond)
	}
}

func waitUp(t *testing.T, sim *winsim.Sim) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !sim.Host.Up(); {
		if time.Now().After(deadline) {
			t.Fatal("the host did not come back")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// faultTable renders the measured outcomes: one row per fault, one column per step; a cell is R (the
// same apply converged), N (a clear error, and the next apply converged), R/N when scenarios differ, or
// a dash where the fault cannot happen at that step.
func faultTable(results []cellResult) string {
	cell := map[[2]string]map[string]bool{}
	runs := map[string]int{}
	for _, r := range results {
		k := [2]string{r.fault, r.step}
		if cell[k] == nil {
			cell[k] = map[string]bool{}
		}
		cell[k][r.outcome] = true
		runs[r.fault]++
	}
	var b strings.Builder
	b.WriteString("| fault | " + strings.Join(faultSteps, " | ") + " | runs | survived | data lost |\n")
	b.WriteString("|---" + strings.Repeat("|:-:", len(faultSteps)) + "|--:|--:|--:|\n")
	for _, fk := range faultKinds {
		row := []string{fk.name}
		for _, s := range faultSteps {
			o := cell[[2]string{fk.name, s}]
			switch {
			case o == nil:
				row = append(row, "–")
			case o[outRecovered] && o[outNextApply]:
				row = append(row, "R/N")
			case o[outRecovered]:
				row = append(row, "R")
			default:
				row = append(row, "N")
			}
		}
		// A run that lost data or did not converge fails the test, so a written table has none.
		row = append(row, strconv.Itoa(runs[fk.name]), strconv.Itoa(runs[fk.name]), "0")
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	fmt.Fprintf(&b, "\n%d runs in %d starting states (%s).\n", len(results), len(faultScenarios), scenarioNames())
	return b.String()
}

func scenarioNames() string {
	n := make([]string, len(faultScenarios))
	for i, s := range faultScenarios {
		n[i] = s.name
	}
	return strings.Join(n, "; ")
}

const (
	tableBegin = "<!-- fault-table:begin (generated by TestFaultMatrix; go test ./internal/crosscheck -run TestFaultMatrix -update) -->\n"
	tableEnd   = "<!-- fault-table:end -->\n"
)

// checkReliabilityDoc compares (or with -update rewrites) the table between the markers in
// docs/reliability.md.
func checkReliabilityDoc(t *testing.T, table string) {
	t.Helper()
	path := filepath.Join("..", "..", "docs", "reliability.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i, j := strings.Index(text, tableBegin), strings.Index(text, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the fault-table markers", path)
	}
	have := text[i+len(tableBegin) : j]
	if have == table {
		return
	}
	if !*update {
		t.Fatalf("docs/reliability.md's fault table is stale; run go test ./internal/crosscheck -run TestFaultMatrix -update\nwant:\n%s", table)
	}
	text = text[:i+len(tableBegin)] + table + text[j:]
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
