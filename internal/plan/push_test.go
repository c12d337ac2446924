package plan

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// pushHost records the scripts run and the files uploaded; files it holds make finish-upload (run
// without an upload) succeed, as on a host where an earlier apply pushed them.
type pushHost struct {
	scripts []string
	params  map[string]any // the step script's parameters
	held    map[string]string
	pushed  map[string]int64
}

func (h *pushHost) Run(_ context.Context, script string, params any, _ func(powershell.Progress)) (powershell.Outcome, error) {
	h.scripts = append(h.scripts, script)
	p, _ := params.(map[string]any)
	if script == "finish-upload" {
		if h.held[p["path"].(string)] == p["sha256"] {
			return powershell.Outcome{}, nil
		}
		return powershell.Outcome{}, &powershell.ScriptError{Script: script, ExitCode: 1, Code: "upload_missing", Message: "no uploaded file"}
	}
	h.params = p
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
	p := EngineParams(want, "")
	v := compat.DefaultContainerdVersion
	if p[ParamPush] != ctrd || p["archive_path"] != PushDir+`\containerd-`+v+`-windows-amd64.tar.gz` || p["checksum_url"] != "" {
		t.Errorf("containerd: push %v to %v, checksum_url %q", p[ParamPush], p["archive_path"], p["checksum_url"])
	}
	n, c := p["nerdctl"].(map[string]any), p["cni"].(map[string]any)
	if n[ParamPush] != nerd || !strings.HasPrefix(n["archive_path"].(string), PushDir+`\nerdctl-`) || n["checksum_url"] != "" {
		t.Errorf("nerdctl: %v", n)
	}
	if c[ParamPush] != cni || !strings.HasSuffix(c["archive_path"].(string), ".zip") {
		t.Errorf("cni: %v", c)
	}
	// Only the archives given are pushed: the CNI plugins download as before.
	partial := want
	partial.CNIArchive = ""
	if c := EngineParams(partial, "")["cni"].(map[string]any); c[ParamPush] != nil || c["archive_path"] != nil {
		t.Errorf("cni not given but pushed: %v", c)
	}

	h := &pushHost{held: map[string]string{}, pushed: map[string]int64{}}
	rh := RunnerHost{Runner: h, Uploader: h}
	step := Step{Kind: StepEngine, Params: p}
	if _, err := rh.RunStep(context.Background(), step, nil); err != nil {
		t.Fatal(err)
	}
	if len(h.pushed) != 3 || h.pushed[p["archive_path"].(string)] != int64(len("containerd bytes")) {
		t.Errorf("pushed %v", h.pushed)
	}
	sum, _, _ := spec.FileSHA256(nerd)
	hn := h.params["nerdctl"].(map[string]any)
	if _, leaked := h.params[ParamPush]; leaked || hn[ParamPush] != nil || hn["sha256"] != sum {
		t.Errorf("the script got %v", h.params)
	}
	if p[ParamPush] != ctrd || n["sha256"] != "" {
		t.Error("the step's own parameters were changed")
	}
	// A second run finds every file on the host: nothing is pushed again.
	h.pushed = map[string]int64{}
	if _, err := rh.RunStep(context.Background(), step, nil); err != nil || len(h.pushed) != 0 {
		t.Errorf("re-run pushed %v: %v", h.pushed, err)
	}

	// The LCOW step pushes lcow.archive the same way.
	ls := lcowStep(bare(t, "2022"), want)
	if ls == nil || ls.Params[ParamPush] != lcow || ls.Params["archive_path"] != PushDir+`\lcow-`+compat.DefaultLinuxKitRelease+".zip" {
		t.Fatalf("lcow step %+v", ls)
	}

	// A pinned archive that is not the file: nothing is pushed, the error names both settings.
	pinned := cloneParams(p)
	pinned["sha256"] = strings.Repeat("0", 64)
	h.held, h.pushed = map[string]string{}, map[string]int64{}
	_, err := rh.RunStep(context.Background(), Step{Kind: StepEngine, Params: pinned}, nil)
	if err == nil || !strings.Contains(err.Error(), "engine.sha256 pins") || len(h.pushed) != 0 {
		t.Errorf("pinned mismatch: pushed %v: %v", h.pushed, err)
	}
	// Without an uploader, the error names the setting.
	_, err = RunnerHost{Runner: h}.RunStep(context.Background(), *ls, nil)
	if err == nil || !strings.Contains(err.Error(), "lcow.archive needs a transport that can push files") {
		t.Errorf("no uploader: %v", err)
	}

	// Unpinned pushed archives are recorded for trust on first use, keyed by the controller's path.
	res := Result{StepLog: StepLog{Records: []StepRecord{
		{Kind: StepEngine, Params: p, Result: json.RawMessage(`{"archives": {"containerd": {"sha256": "aa", "source": "pinned"},
			"nerdctl": {"sha256": "bb", "source": "pinned"}, "cni": {"sha256": "cc", "source": "pinned"}}}`)},
		{Kind: StepLCOWFiles, Params: ls.Params, Result: json.RawMessage(`{"archive_sha256": "dd", "sha256_source": "pinned"}`)},
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

func cloneParams(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
