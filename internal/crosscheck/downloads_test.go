package crosscheck

import (
	"context"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/spec"
	"github.com/wincontainers/wincontainers/internal/winsim"
	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// Every archive the scripts download is verified before it is used: against the user's pinned
// SHA-256, or the publisher's checksum file, and where neither exists its hash is reported as observed
// (trust on first use) so the front doors record it and flag a later change. Each case replaces the
// artifact at its real URL with different bytes (a tampered mirror or release) on an internet of its
// own; the checksum files keep the publisher's hash of the genuine artifact.
func TestEveryDownloadIsVerified(t *testing.T) {
	genuine := machine.NewInternet()
	sha := func(kind, url string) string {
		a, err := genuine.Lookup(url)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind != kind {
			t.Fatalf("%s is a %s artifact, want %s", url, a.Kind, kind)
		}
		s, err := genuine.SHA256(a)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	dockerURL := compat.DockerURL(compat.DefaultDockerVersion)
	containerdURL := compat.ContainerdURL(compat.DefaultContainerdVersion)
	nerdctlURL, _ := compat.NerdctlURLs(compat.DefaultNerdctlVersion)
	cniURL := compat.CNIURL(compat.DefaultCNIVersion)
	lcowURL := compat.LinuxKitURL(compat.DefaultLinuxKitRelease)
	containerd := spec.Engine{Type: "containerd"}
	cases := []struct {
		what, kind, url string
		spec            spec.Spec
		// verified: the tampered download must fail the step; otherwise it must be reported as observed.
		verified bool
		by       string
	}{
		{"docker", "docker", dockerURL, spec.Spec{Mode: "process", Engine: spec.Engine{Version: compat.DefaultDockerVersion, SHA256: sha("docker", dockerURL)}}, true, "pinned engine.sha256"},
		{"docker", "docker", dockerURL, spec.Spec{Mode: "process"}, false, "trust on first use (Docker publishes no checksum)"},
		{"containerd", "containerd", containerdURL, spec.Spec{Mode: "process", Engine: containerd}, true, "the published .sha256sum"},
		{"nerdctl", "nerdctl", nerdctlURL, spec.Spec{Mode: "process", Engine: containerd}, true, "the published SHA256SUMS"},
		{"cni", "cni", cniURL, spec.Spec{Mode: "process", Engine: containerd}, false, "trust on first use (no checksum published)"},
		{"lcow", "lcow", lcowURL, spec.Spec{Mode: "lcow", LCOW: &spec.LCOW{SHA256: sha("lcow", lcowURL)}}, true, "pinned lcow.sha256"},
		{"lcow", "lcow", lcowURL, spec.Spec{Mode: "lcow"}, false, "trust on first use (no checksum published)"},
	}
	for _, c := range cases {
		t.Run(c.what+"/"+c.by, func(t *testing.T) {
			t.Parallel()
			net := machine.NewInternet()
			genuineArtifact, err := net.Lookup(c.url)
			if err != nil {
				t.Fatal(err)
			}
			tampered := genuineArtifact
			tampered.Size += 4096 // different bytes at the same URL
			net.Publish(tampered)
			tamperedSHA, err := net.SHA256(tampered)
			if err != nil {
				t.Fatal(err)
			}
			if tamperedSHA == sha(c.kind, c.url) {
				t.Fatal("the tampered artifact hashes like the genuine one: the test cannot tell them apart")
			}
			_, r := startHost(t, winsim.Options{Profile: "ws2022", Virtualization: "exposed", RebootTime: 50 * time.Millisecond, Internet: net})
			want, d := spec.Validate(c.spec, compat.D(2026, 11, 22))
			if d.HasErrors() {
				t.Fatal(d.Err())
			}
			res, err := executor.Apply(context.Background(), hostOf(r), want, executor.Options{})
			if c.verified {
				_, code := stepCode(t, err)
				if code != "checksum_mismatch" {
					t.Fatalf("a tampered %s was not refused (code %q): %v", c.what, code, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range res.Observed() {
				if o.What == c.what && o.URL == c.url && o.SHA256 == tamperedSHA {
					return
				}
			}
			t.Fatalf("the unverifiable %s was not reported as observed with the hash it had: %+v", c.what, res.Observed())
		})
	}
}
