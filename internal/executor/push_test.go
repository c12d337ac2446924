package executor

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/plan/plantest"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/steps"
)

// pushHost records the scripts run and the files uploaded; files it holds make finish-upload (run
// without an upload) succeed, as on a host where an earlier apply pushed them.
type pushHost struct {
	scripts []string
	params  steps.Params // the step script's parameters
	held    map[string]string
	pushed  map[string]int64
}

func (h *pushHost) Run(_ context.Context, script string, params any, _ func(powershell.Progress)) (powershell.Outcome, error) {
	h.scripts = append(h.scripts, script)
	if u, ok := params.(steps.FinishUpload); ok {
		if h.held[u.Path] == u.SHA256 {
			return powershell.Outcome{}, nil
		}
		return powershell.Outcome{}, &powershell.ScriptError{Script: script, ExitCode: 1, Code: "upload_missing", Message: "no uploaded file"}
	}
	h.params, _ = params.(steps.Params)
	return powershell.Outcome{Result: json.RawMessage(`{}`)}, nil
}

func (h *pushHost) Upload(_ context.Context, src io.Reader, _ int64, sha, dest string, _ func(powershell.Progress)) error {
	n, err := io.Copy(io.Discard, src)
	if err != nil {
		return err
	}
	h.pushed[dest] = n
	h.held[dest] = sha
	return nil
}

// plannedStep is the step of that kind in the plan for a bare 2022 host.
func plannedStep(t *testing.T, want spec.Resolved, kind plan.StepKind) plan.Step {
	t.Helper()
	pl, err := plan.Build(plantest.Bare(t, "2022"), want)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range pl.Steps {
		if s.Kind == kind {
			return s
		}
	}
	t.Fatalf("no %s step in %v", kind, pl.Kinds())
	return plan.Step{}
}

// pushDir is where the planner sends pushed archives on the host.
const pushDir = `C:\ProgramData\wincontainers\downloads`

func TestPushedArchivesParams(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctrd, nerd, cni, lcow := file("c.tgz", "containerd bytes"), file("n.tgz", "nerdctl"), file("cni.zip", "cni"), file("release.zip", "linuxkit")
	want, d := spec.Validate(spec.Spec{Mode: "lcow", OSVersion: "2022", Engine: spec.Engine{Archive: ctrd, NerdctlArchive: nerd, CNIArchive: cni},
		LCOW: &spec.LCOW{Archive: lcow}}, compat.D(2026, 11, 22))
	if d.HasErrors() {
		t.Fatal(d)
	}
	planned := func(want spec.Resolved, kind plan.StepKind) plan.Step { return plannedStep(t, want, kind) }
	p, ok := planned(want, plan.StepEngine).Params.(steps.InstallContainerd)
	if !ok {
		t.Fatalf("containerd params %T", planned(want, plan.StepEngine).Params)
	}
	v := compat.DefaultContainerdVersion
	if p.Push == nil || p.Push.File != ctrd || p.ArchivePath != pushDir+`\containerd-`+v+`-windows-amd64.tar.gz` || p.ChecksumURL != "" {
		t.Errorf("containerd: push %+v to %v, checksum_url %q", p.Push, p.ArchivePath, p.ChecksumURL)
	}
	n, c := p.Nerdctl, p.CNI
	if n.Push == nil || n.Push.File != nerd || !strings.HasPrefix(n.ArchivePath, pushDir+`\nerdctl-`) || n.ChecksumURL != "" {
		t.Errorf("nerdctl: %+v", n)
	}
	if c.Push == nil || c.Push.File != cni || !strings.HasSuffix(c.ArchivePath, ".zip") || c.Push.Setting != spec.PathCNIArchive {
		t.Errorf("cni: %+v", c)
	}
	// Only the archives given are pushed: the CNI plugins download as before.
	partial := want
	partial.CNIArchive = ""
	if c := planned(partial, plan.StepEngine).Params.(steps.InstallContainerd).CNI; c.Push != nil || c.ArchivePath != "" { //nolint:forcetypeassert // checked above
		t.Errorf("cni not given but pushed: %+v", c)
	}
	// What travels to the host: no trace of the controller's paths.
	if b, _ := json.Marshal(p); strings.Contains(string(b), dir) || !strings.Contains(string(b), `"archive_path":"C:`) {
		t.Errorf("the script's parameters %s", b)
	}

	h := &pushHost{held: map[string]string{}, pushed: map[string]int64{}}
	rh := ScriptConn{Runner: h, Uploader: h}
	step := plan.Step{Kind: plan.StepEngine, Params: p}
	if _, err := rh.RunStep(context.Background(), step, nil); err != nil {
		t.Fatal(err)
	}
	if len(h.pushed) != 3 || h.pushed[p.ArchivePath] != int64(len("containerd bytes")) {
		t.Errorf("pushed %v", h.pushed)
	}
	if got := h.scripts[len(h.scripts)-1]; got != "install-containerd" {
		t.Errorf("ran %s", got)
	}
	sum, _, _ := spec.FileSHA256(nerd)
	if got, _ := h.params.(steps.InstallContainerd); got.Nerdctl.SHA256 != sum {
		t.Errorf("the script got %+v", h.params)
	}
	if p.Push.File != ctrd || p.Nerdctl.SHA256 != "" || step.Params.(steps.InstallContainerd).Nerdctl.SHA256 != "" { //nolint:forcetypeassert // the step above
		t.Error("the step's own parameters were changed")
	}
	// A second run finds every file on the host: nothing is pushed again.
	h.pushed = map[string]int64{}
	if _, err := rh.RunStep(context.Background(), step, nil); err != nil || len(h.pushed) != 0 {
		t.Errorf("re-run pushed %v: %v", h.pushed, err)
	}

	// The LCOW step pushes lcow.archive the same way.
	ls := planned(want, plan.StepLCOWFiles)
	lp, _ := ls.Params.(steps.InstallLCOW)
	if lp.Push == nil || lp.Push.File != lcow || lp.ArchivePath != pushDir+`\lcow-`+compat.DefaultLinuxKitRelease+".zip" {
		t.Fatalf("lcow step %+v", ls)
	}

	// A pinned archive that is not the file: nothing is pushed, the error names both settings.
	pinned := p
	pinned.SHA256 = strings.Repeat("0", 64)
	h.held, h.pushed = map[string]string{}, map[string]int64{}
	_, err := rh.RunStep(context.Background(), plan.Step{Kind: plan.StepEngine, Params: pinned}, nil)
	if err == nil || !strings.Contains(err.Error(), "engine.archive "+ctrd) || !strings.Contains(err.Error(), "engine.sha256 pins") || len(h.pushed) != 0 {
		t.Errorf("pinned mismatch: pushed %v: %v", h.pushed, err)
	}
	// Without an uploader, the error names the setting.
	_, err = ScriptConn{Runner: h}.RunStep(context.Background(), ls, nil)
	if err == nil || !strings.Contains(err.Error(), "lcow.archive needs a transport that can push files") {
		t.Errorf("no uploader: %v", err)
	}

	// Unpinned pushed archives are recorded for trust on first use, keyed by the controller's path.
	res := Result{StepLog: StepLog{Records: []StepRecord{
		{Kind: plan.StepEngine, Params: p, Result: json.RawMessage(`{"archives": {"containerd": {"sha256": "aa", "source": "pinned"},
			"nerdctl": {"sha256": "bb", "source": "pinned"}, "cni": {"sha256": "cc", "source": "pinned"}}}`)},
		{Kind: plan.StepLCOWFiles, Params: ls.Params, Result: json.RawMessage(`{"archive_sha256": "dd", "sha256_source": "pinned"}`)},
	}}}
	got := map[string]string{}
	for _, o := range res.Observed() {
		if !o.Pushed {
			t.Errorf("not marked pushed: %+v", o)
		}
		got[o.What+" "+o.URL] = o.SHA256
	}
	wantObs := map[string]string{"containerd " + ctrd: "aa", "nerdctl " + nerd: "bb", "cni " + cni: "cc", "lcow " + lcow: "dd"}
	if len(got) != len(wantObs) {
		t.Fatalf("observed %v, want %v", got, wantObs)
	}
	for k, v := range wantObs {
		if got[k] != v {
			t.Errorf("observed %v, want %v", got, wantObs)
		}
	}
}

// A pushed compose binary names the compose settings, not the engine's.
func TestPushedComposeNamesItsSettings(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "docker-compose.exe")
	if err := os.WriteFile(bin, []byte("compose"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := plantest.Resolve(t, spec.Spec{Mode: "process", OSVersion: "2022", Compose: &spec.Compose{Enabled: true, Archive: bin}})
	s := plannedStep(t, want, plan.StepCompose)
	p, ok := s.Params.(steps.InstallCompose)
	if !ok || p.Push == nil || p.ChecksumURL != "" {
		t.Fatalf("compose step %+v", s)
	}
	// The file changed after validation checked it against the pin.
	p.SHA256 = strings.Repeat("1", 64)
	s.Params = p
	h := &pushHost{held: map[string]string{}, pushed: map[string]int64{}}
	_, err := ScriptConn{Runner: h, Uploader: h}.RunStep(context.Background(), s, nil)
	if err == nil || !strings.Contains(err.Error(), "compose.archive "+bin) || !strings.Contains(err.Error(), "compose.sha256 pins") {
		t.Errorf("pinned compose mismatch: %v", err)
	}
}
