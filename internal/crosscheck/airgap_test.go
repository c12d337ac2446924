package crosscheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/plan"
	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/runner"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winrm"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/winsimtest"
)

// Air-gapped hosts: every archive a host would download (containerd, nerdctl, the Windows CNI plugins,
// the LinuxKit LCOW release) is pushed from the controller instead, and the host, which cannot reach
// anything (winsim --offline), attempts no download at all.

// offlineArchives are the controller's copies of the artifacts a containerd/LCOW host needs, written
// from winsim's synthetic internet (the bytes the host would have downloaded).
type offlineArchives struct {
	containerd, nerdctl, cni, lcow string
	sha                            map[string]string // local path -> SHA-256
	bytes                          int64
}

func writeOfflineArchives(t testing.TB) offlineArchives {
	t.Helper()
	dir := t.TempDir()
	a := offlineArchives{sha: map[string]string{}}
	nerd, _ := compat.NerdctlURLs(compat.DefaultNerdctlVersion)
	for _, x := range []struct {
		url string
		out *string
	}{
		{compat.ContainerdURL(compat.DefaultContainerdVersion), &a.containerd},
		{nerd, &a.nerdctl},
		{compat.CNIURL(compat.DefaultCNIVersion), &a.cni},
		{compat.LinuxKitURL(compat.DefaultLinuxKitRelease), &a.lcow},
	} {
		art, err := sharedInternet().Lookup(x.url)
		if err != nil {
			t.Fatal(err)
		}
		name := x.url[strings.LastIndexByte(x.url, '/')+1:]
		if name == "release.zip" {
			name = "lcow-release.zip"
		}
		*x.out = filepath.Join(dir, name)
		if err := art.Save(*x.out); err != nil {
			t.Fatal(err)
		}
		sum, n, err := spec.FileSHA256(*x.out)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := sharedInternet().SHA256(art); want != sum {
			t.Fatalf("%s: the controller's copy has SHA-256 %s, the published artifact %s", x.url, sum, want)
		}
		a.sha[*x.out] = sum
		a.bytes += n
	}
	return a
}

const airgapPassword = "Air-G@pped-$ecret"

// offlineHost serves an air-gapped winsim host and opens the connection both front doors use.
func offlineHost(t *testing.T, profile string) (*winsim.Sim, *hostconn.Conn) {
	t.Helper()
	h := winsimtest.Start(t, winsim.Options{Profile: profile, Virtualization: "exposed", Offline: true, User: "Administrator",
		Password: airgapPassword, HTTPS: true, StateDir: t.TempDir(), RebootTime: 50 * time.Millisecond, Internet: sharedInternet()})
	return h.Sim, connect(t, h, airgapPassword, hostconn.Config{
		WinRM:         winrm.Options{OperationTimeout: 5 * time.Second},
		Reboot:        runner.RebootOptions{DelaySeconds: -1, PollInterval: 20 * time.Millisecond, ReadyProbes: 1, ProbeTimeout: 2 * time.Second, Timeout: 10 * time.Second},
		RetryAttempts: 3, RetryBackoff: 25 * time.Millisecond,
	})
}

// hostHashes are the hashes the host verified, from the install steps' results: containerd's three
// archives and the LCOW release, each with its source ("pinned": checked against the given hash).
func hostHashes(t *testing.T, res executor.Result) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, rec := range res.Records {
		var doc struct {
			SHA256   string `json:"archive_sha256"`
			Source   string `json:"sha256_source"`
			Archives map[string]struct {
				SHA256 string `json:"sha256"`
				Source string `json:"source"`
			} `json:"archives"`
		}
		if err := json.Unmarshal(rec.Result, &doc); err != nil {
			continue
		}
		for name, a := range doc.Archives {
			out[name] = [2]string{a.SHA256, a.Source}
		}
		if rec.Kind == plan.StepLCOWFiles {
			out["lcow"] = [2]string{doc.SHA256, doc.Source}
		}
	}
	return out
}

func noDownloads(t *testing.T, sim *winsim.Sim) {
	t.Helper()
	if d := sim.Machine.DownloadsAttempted(); len(d) > 0 {
		t.Errorf("the offline host attempted %d download(s): %v", len(d), d)
	}
}

// An offline Windows Server 2022 host becomes a verified LCOW host (containerd, the default for
// lcow) with every archive pushed: nothing downloaded, each hash verified on the host, the unpinned
// ones recorded for trust on first use; a second apply pushes nothing.
func TestAirGappedLCOW(t *testing.T) {
	t.Parallel()
	a := writeOfflineArchives(t)
	sim, c := offlineHost(t, "ws2022")
	want := resolve(t, spec.Spec{Mode: "lcow", OSVersion: "2022",
		Engine: spec.Engine{Archive: a.containerd, NerdctlArchive: a.nerdctl, CNIArchive: a.cni},
		LCOW:   &spec.LCOW{Archive: a.lcow, SHA256: a.sha[a.lcow]}})
	var pushes []string
	res, err := executor.Apply(context.Background(), c, want, executor.Options{Progress: func(e executor.Event) {
		if e.Kind == executor.EventProgress && strings.Contains(e.Message, "archive: pushing ") {
			pushes = append(pushes, e.Message)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	noDownloads(t, sim)
	st := sim.Snapshot()
	if st.Engine.Type != "containerd" || st.Services["containerd"].State != "Running" || len(st.LCOWBootFiles) != 2 || st.Verified == "" || st.Reboots != 1 {
		t.Errorf("engine %v, containerd %v, boot files %v, verified %q, reboots %d", st.Engine, st.Services["containerd"], st.LCOWBootFiles, st.Verified, st.Reboots)
	}
	if len(pushes) != 4 {
		t.Errorf("%d pushes announced, want 4: %v", len(pushes), pushes)
	}
	// The host verified each archive against the hash the controller computed.
	got := hostHashes(t, res)
	for name, local := range map[string]string{"containerd": a.containerd, "nerdctl": a.nerdctl, "cni": a.cni, "lcow": a.lcow} {
		if got[name] != [2]string{a.sha[local], "pinned"} {
			t.Errorf("%s: the host verified %v, the controller's file has %s", name, got[name], a.sha[local])
		}
	}
	// Pinned (lcow.sha256): nothing to record. Unpinned pushed archives: trust on first use, by path.
	obs := map[string]string{}
	for _, o := range res.Observed() {
		if !o.Pushed {
			t.Errorf("observed a download: %+v", o)
		}
		obs[o.URL] = o.SHA256
	}
	if len(obs) != 3 || obs[a.containerd] != a.sha[a.containerd] || obs[a.nerdctl] != a.sha[a.nerdctl] || obs[a.cni] != a.sha[a.cni] {
		t.Errorf("observed %v", obs)
	}
	if st.Requests.BytesIn < a.bytes {
		t.Errorf("%d bytes reached the host for %d bytes of archives", st.Requests.BytesIn, a.bytes)
	}
	t.Logf("offline lcow converge on ws2022: %d archive bytes pushed; %d WS-Man requests (%v), %d bytes in, %d bytes out; %d steps, %d reboot(s)",
		a.bytes, st.Requests.Total, st.Requests.ByAction, st.Requests.BytesIn, st.Requests.BytesOut, len(res.StepsRun), res.Reboots)

	// Converged: the next apply is one facts read, nothing pushed.
	before := sim.Snapshot().Requests
	res2, err := executor.Apply(context.Background(), c, want, executor.Options{})
	if err != nil || len(res2.StepsRun) != 0 {
		t.Fatalf("second apply ran %v: %v", res2.StepsRun, err)
	}
	after := sim.Snapshot().Requests
	if after.BytesIn-before.BytesIn > 64<<10 {
		t.Errorf("the no-op apply sent %d bytes", after.BytesIn-before.BytesIn)
	}
	t.Logf("no-op re-run: %d WS-Man requests, %d bytes in", after.Total-before.Total, after.BytesIn-before.BytesIn)
	noDownloads(t, sim)
}

// Process isolation with containerd on an offline Windows Server 2025 host. The first apply fails after
// the archives arrived (containerd crashes at its start); before the next one the engine's binary is
// deleted, so install-containerd runs again: it finds the archives on the host and they are not pushed
// again.
func TestAirGappedContainerdResumesWithoutPushingAgain(t *testing.T) {
	t.Parallel()
	a := writeOfflineArchives(t)
	sim, c := offlineHost(t, "ws2025")
	want := resolve(t, spec.Spec{Mode: "process", OSVersion: "2025",
		Engine: spec.Engine{Type: "containerd", Archive: a.containerd, SHA256: a.sha[a.containerd], NerdctlArchive: a.nerdctl, CNIArchive: a.cni}})
	if err := sim.Inject(winsim.Fault{Kind: "crash_service", Action: "containerd"}); err != nil {
		t.Fatal(err)
	}
	_, err := executor.Apply(context.Background(), c, want, executor.Options{})
	if se, code := stepCode(t, err); se.Step.Kind != plan.StepService || code != "engine_start_failed" {
		t.Fatalf("step %s code %s: %v", se.Step.Kind, code, err)
	}
	first := sim.Snapshot()
	if first.Requests.BytesIn < a.bytes-a.sizeOf(t, a.lcow) {
		t.Fatalf("only %d bytes reached the host before the failure", first.Requests.BytesIn)
	}
	if err := sim.Inject(winsim.Fault{Kind: "crash_service", Action: ""}); err != nil {
		t.Fatal(err)
	}
	if !sim.Machine.RemoveFile(machine.Containerd) {
		t.Fatal("containerd.exe was not installed by the first apply")
	}
	var skipped int
	res, err := executor.Apply(context.Background(), c, want, executor.Options{Progress: func(e executor.Event) {
		if strings.Contains(e.Message, "not pushed again") {
			skipped++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	noDownloads(t, sim)
	st := sim.Snapshot()
	if st.Engine.Type != "containerd" || st.Engine.Version != compat.DefaultContainerdVersion || st.Services["containerd"].State != "Running" || st.Verified == "" {
		t.Errorf("engine %v, containerd %v, verified %q", st.Engine, st.Services["containerd"], st.Verified)
	}
	if sent := st.Requests.BytesIn - first.Requests.BytesIn; skipped != 3 || sent > 1<<20 {
		t.Errorf("the resumed apply sent %d bytes and skipped %d of 3 pushes", sent, skipped)
	}
	// engine.sha256 pins the containerd tarball: only nerdctl and the CNI zip are trusted on first use.
	var what []string
	for _, o := range res.Observed() {
		what = append(what, o.What)
	}
	if strings.Join(what, ",") != "nerdctl,cni" {
		t.Errorf("observed %v", what)
	}
	if got := hostHashes(t, res); got["containerd"] != [2]string{a.sha[a.containerd], "pinned"} {
		t.Errorf("the host verified containerd as %v", got["containerd"])
	}
}

func (a offlineArchives) sizeOf(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// cuttingUploader sends only the first half of files whose destination contains cut: a transfer cut
// short, with the size and hash of the whole file announced.
type cuttingUploader struct {
	runner.Uploader
	cut string
}

func (u cuttingUploader) Upload(ctx context.Context, src io.Reader, size int64, sum, dest string, p func(powershell.Progress)) error {
	if strings.Contains(dest, u.cut) {
		src = io.LimitReader(src, size/2)
	}
	return u.Uploader.Upload(ctx, src, size, sum, dest, p) //nolint:wrapcheck // the test passes the transport's error through
}

// A pushed archive that does not arrive whole fails with a hash error on the host, and leaves nothing
// installed and nothing at its destination; a controller file changed after it was pinned fails
// before anything is pushed.
func TestAirGappedCorruptedPush(t *testing.T) {
	t.Parallel()
	a := writeOfflineArchives(t)

	t.Run("truncated in transit", func(t *testing.T) {
		t.Parallel()
		sim, c := offlineHost(t, "ws2025")
		want := resolve(t, spec.Spec{Mode: "process", Engine: spec.Engine{Type: "containerd", Archive: a.containerd, NerdctlArchive: a.nerdctl, CNIArchive: a.cni}})
		h := c.ScriptConn
		h.Uploader = cuttingUploader{Uploader: h.Uploader, cut: "windows-container-networking"}
		_, err := executor.Apply(context.Background(), h, want, executor.Options{})
		se, code := stepCode(t, err)
		if se.Step.Kind != plan.StepEngine || code != "checksum_mismatch" || !strings.Contains(err.Error(), "engine.cni_archive") ||
			!strings.Contains(err.Error(), a.sha[a.cni]) {
			t.Fatalf("step %s code %s: %v", se.Step.Kind, code, err)
		}
		noDownloads(t, sim)
		m := sim.Machine
		dest := machine.Downloads + `\windows-container-networking-cni-amd64-v` + compat.DefaultCNIVersion + ".zip"
		for _, p := range []string{dest, dest + runner.PartialSuffix, machine.Containerd, machine.Nerdctl, machine.CNIPlugin, machine.CNIConfig} {
			if _, ok := m.File(p); ok {
				t.Errorf("%s exists after the failed push", p)
			}
		}
		if st := sim.Snapshot(); st.Engine.Type != "" || st.Services["containerd"].Name != "" || len(st.HNSNetworks) > 0 {
			t.Errorf("half installed: engine %v, service %v, networks %v", st.Engine, st.Services["containerd"], st.HNSNetworks)
		}
		// The next apply, over a sound transport, pushes the CNI zip again and converges.
		if _, err := executor.Apply(context.Background(), c, want, executor.Options{}); err != nil {
			t.Fatal(err)
		}
		noDownloads(t, sim)
	})

	t.Run("changed after pinning", func(t *testing.T) {
		t.Parallel()
		local := filepath.Join(t.TempDir(), "release.zip")
		b, err := os.ReadFile(a.lcow)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(local, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s := spec.Spec{Mode: "lcow", OSVersion: "2022", Engine: spec.Engine{Archive: a.containerd, NerdctlArchive: a.nerdctl, CNIArchive: a.cni},
			LCOW: &spec.LCOW{Archive: local, SHA256: a.sha[a.lcow]}}
		want := resolve(t, s) // planned with the good file
		if err := os.WriteFile(local, b[:len(b)/3], 0o600); err != nil {
			t.Fatal(err)
		}
		// Planning again now fails at plan time ...
		if _, d := spec.Validate(s, compat.D(2026, 11, 22)); !strings.Contains(fmt.Sprint(d.Errors()), "is not the file lcow.sha256 pins") {
			t.Errorf("plan-time check: %v", d.Errors())
		}
		// ... and an apply planned before the change stops before pushing the boot files.
		sim, c := offlineHost(t, "ws2022")
		before := -1
		_, err = executor.Apply(context.Background(), c, want, executor.Options{Progress: func(e executor.Event) {
			if e.Kind == executor.EventStepStart && e.Step == plan.StepLCOWFiles {
				before = int(sim.Snapshot().Requests.BytesIn)
			}
		}})
		var se *executor.StepError
		if !errors.As(err, &se) || se.Step.Kind != plan.StepLCOWFiles || !strings.Contains(err.Error(), "lcow.sha256 pins "+a.sha[a.lcow]) ||
			!strings.Contains(err.Error(), "nothing was pushed") {
			t.Fatalf("%v", err)
		}
		st := sim.Snapshot()
		if len(st.LCOWBootFiles) != 0 || st.Requests.BytesIn-int64(before) > 64<<10 {
			t.Errorf("boot files %v, %d bytes sent for the LCOW step", st.LCOWBootFiles, st.Requests.BytesIn-int64(before))
		}
		if _, ok := sim.Machine.File(machine.Downloads + `\lcow-` + compat.DefaultLinuxKitRelease + ".zip"); ok {
			t.Error("the changed archive reached the host")
		}
		noDownloads(t, sim)
	})
}
