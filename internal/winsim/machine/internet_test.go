package machine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

const (
	dockerURL     = "https://download.docker.com/win/static/stable/x86_64/docker-29.2.1.zip"
	containerdURL = "https://github.com/containerd/containerd/releases/download/v1.7.22/containerd-1.7.22-windows-amd64.tar.gz"
	nerdctlBase   = "https://github.com/containerd/nerdctl/releases/download/v2.0.0/"
	cniURL        = "https://github.com/microsoft/windows-container-networking/releases/download/v0.3.1/windows-container-networking-cni-amd64-v0.3.1.zip"
	lcowURL       = "https://github.com/linuxkit/lcow/releases/download/v4.14.35-v0.3.9/release.zip"
)

// prefix returns an artifact's first 64 KiB.
func prefix(t *testing.T, a Artifact) []byte {
	t.Helper()
	b, err := io.ReadAll(io.LimitReader(a.Open(), 1<<16))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lookup(t *testing.T, n *Internet, url string) Artifact {
	t.Helper()
	a, err := n.Lookup(url)
	checkErr(t, err, "")
	return a
}

func sha(t *testing.T, n *Internet, a Artifact) string {
	t.Helper()
	s, err := n.SHA256(a)
	checkErr(t, err, "")
	return s
}

func TestDockerArtifactDeterministic(t *testing.T) {
	a := lookup(t, testNet, dockerURL)
	if b := lookup(t, testNet, dockerURL); a != b {
		t.Fatalf("two lookups differ: %+v, %+v", a, b)
	}
	const mib = 1 << 20
	if a.Kind != "docker" || a.Version != "29.2.1" || a.URL != dockerURL || a.Text != "" || a.Size < 30*mib || a.Size > 50*mib {
		t.Fatalf("artifact %+v", a)
	}
	first := sha(t, testNet, a)
	if second := sha(t, testNet, a); first != second {
		t.Fatalf("SHA256 changed: %s, %s", first, second)
	}
	h := sha256.New()
	n, err := io.Copy(h, a.Open())
	if err != nil {
		t.Fatal(err)
	}
	if n != a.Size {
		t.Fatalf("Open gave %d bytes, Size is %d", n, a.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != first {
		t.Fatalf("sha256 of Open() %s, SHA256() %s", got, first)
	}
	// Two readers give the same bytes; another URL gives other bytes.
	if !bytes.Equal(prefix(t, a), prefix(t, a)) {
		t.Fatal("Open is not deterministic")
	}
	other := lookup(t, testNet, strings.Replace(dockerURL, "29.2.1", "28.5.2", 1))
	if other.Version != "28.5.2" || bytes.Equal(prefix(t, a), prefix(t, other)) {
		t.Fatalf("another version %+v has the same bytes", other)
	}
}

func TestLookup(t *testing.T) {
	const notFound = "The remote server returned an error: (404) Not Found."
	cases := []struct {
		url     string
		kind    string
		version string
		want    string
	}{
		{url: dockerURL, kind: "docker", version: "29.2.1"},
		{url: strings.Replace(dockerURL, "29.2.1", "17.06.0", 1), kind: "docker", version: "17.06.0"},
		{url: strings.Replace(dockerURL, "29.2.1", "99.0.0", 1), want: notFound},
		{url: strings.Replace(dockerURL, "29.2.1", "16.0.0", 1), want: notFound},
		{url: strings.Replace(dockerURL, "29.2.1", "29.2", 1), want: notFound},
		{url: "https://download.docker.com/win/static/stable/x86_64/", want: notFound},
		{url: containerdURL, kind: "containerd", version: "1.7.22"},
		{url: strings.Replace(containerdURL, "containerd-1.7.22", "containerd-1.7.21", 1), want: notFound},
		{url: strings.ReplaceAll(containerdURL, "1.7.22", "3.0.0"), want: notFound},
		{url: nerdctlBase + "nerdctl-2.0.0-windows-amd64.tar.gz", kind: "nerdctl", version: "2.0.0"},
		{url: nerdctlBase + "nerdctl-1.7.7-windows-amd64.tar.gz", want: notFound},
		{url: cniURL, kind: "cni", version: "0.3.1"},
		{url: lcowURL, kind: "lcow", version: "v4.14.35-v0.3.9"},
		{url: "https://github.com/linuxkit/lcow/releases/download/4.14.29-0aea33bc/release.zip", kind: "lcow", version: "4.14.29-0aea33bc"},
		{url: "https://github.com/linuxkit/lcow/releases/download/v4.19.34/release.zip", want: notFound},
		{url: "https://github.com/example/other/releases/download/v1.0.0/x.zip", want: notFound},
		{url: "https://example.invalid/docker.zip", want: "The remote name could not be resolved: 'example.invalid'"},
		{url: "https://example.invalid:8443/docker.zip", want: "The remote name could not be resolved: 'example.invalid'"},
		{url: "not a url", want: "Invalid URI: The format of the URI could not be determined."},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			a, err := testNet.Lookup(c.url)
			if !checkErr(t, err, c.want) {
				var de *DownloadError
				if !errors.As(err, &de) {
					t.Fatalf("error %T is not a *DownloadError", err)
				}
				return
			}
			if a.URL != c.url || a.Kind != c.kind || a.Version != c.version || a.Size < 1<<20 {
				t.Fatalf("artifact %+v, want kind %q version %q", a, c.kind, c.version)
			}
		})
	}
}

func TestChecksumFiles(t *testing.T) {
	cases := []struct {
		name    string
		url     string
		tarball string
		lines   int
	}{
		{"containerd sha256sum", containerdURL + ".sha256sum", containerdURL, 1},
		{"nerdctl SHA256SUMS", nerdctlBase + "SHA256SUMS", nerdctlBase + "nerdctl-2.0.0-windows-amd64.tar.gz", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sums := lookup(t, testNet, c.url)
			if sums.Kind != "checksums" || sums.Text == "" {
				t.Fatalf("checksum artifact %+v", sums)
			}
			got, err := io.ReadAll(sums.Open())
			if err != nil || string(got) != sums.Text {
				t.Fatalf("Open() = %q, %v; want the text", got, err)
			}
			tar := lookup(t, testNet, c.tarball)
			line := sha(t, testNet, tar) + "  " + base(c.tarball) + "\n"
			if !strings.Contains(sums.Text, line) {
				t.Fatalf("%s:\n%s\ndoes not contain %q", c.url, sums.Text, line)
			}
			if n := strings.Count(sums.Text, "\n"); n != c.lines {
				t.Fatalf("%d lines, want %d:\n%s", n, c.lines, sums.Text)
			}
		})
	}
}

func TestDownload(t *testing.T) {
	const forcibly = "Unable to read data from the transport connection: An existing connection was forcibly closed by the remote host."
	dest := Downloads + `\artifact`
	cases := []struct {
		name    string
		offline bool
		fail    []string // FailDownloads calls, in order
		url     string
		want    string
	}{
		{name: "docker", url: dockerURL},
		{name: "checksum file", url: containerdURL + ".sha256sum"},
		{name: "offline", offline: true, url: dockerURL, want: "The remote name could not be resolved: 'download.docker.com'"},
		{name: "offline github", offline: true, url: cniURL, want: "The remote name could not be resolved: 'github.com'"},
		{name: "fail docker", fail: []string{"docker-"}, url: dockerURL, want: forcibly},
		{name: "fail docker, cni unaffected", fail: []string{"docker-"}, url: cniURL},
		{name: "fail two", fail: []string{"docker-", "windows-container-networking"}, url: cniURL, want: forcibly},
		{name: "fail cleared", fail: []string{"docker-", ""}, url: dockerURL},
		{name: "fail applies before lookup", fail: []string{"example"}, url: "https://example.invalid/x", want: forcibly},
		{name: "404", url: strings.Replace(dockerURL, "29.2.1", "99.0.0", 1), want: "(404) Not Found."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(Config{Build: 20348, Offline: c.offline})
			for _, f := range c.fail {
				m.FailDownloads(f)
			}
			f, err := m.Download(c.url, dest)
			stored, ok := m.File(dest)
			if !checkErr(t, err, c.want) {
				var de *DownloadError
				if !errors.As(err, &de) {
					t.Fatalf("error %T is not a *DownloadError", err)
				}
				if ok {
					t.Fatalf("a failed download left %+v", stored)
				}
				return
			}
			a, err := m.Artifact(c.url)
			checkErr(t, err, "")
			want := File{Size: a.Size, SHA256: sha(t, testNet, a), Origin: c.url, Version: a.Version}
			if a.Text != "" {
				want.Size, want.Content = int64(len(a.Text)), []byte(a.Text)
				sum := sha256.Sum256([]byte(a.Text))
				if want.SHA256 != hex.EncodeToString(sum[:]) {
					t.Fatalf("checksum file hash %s is not the hash of its text", want.SHA256)
				}
			}
			for _, got := range []File{f, stored} {
				if got.Size != want.Size || got.SHA256 != want.SHA256 || got.Origin != want.Origin || got.Version != want.Version || !bytes.Equal(got.Content, want.Content) {
					t.Fatalf("downloaded %+v, want %+v", got, want)
				}
			}
			if !ok {
				t.Fatal("the download is not on the disk")
			}
		})
	}
}

func TestPublish(t *testing.T) {
	n := NewInternet()
	const mirror = "https://mirror.example.invalid/docker-29.2.1.zip"
	if _, err := n.Lookup(mirror); err == nil {
		t.Fatal("the mirror resolves before it is published")
	}
	cases := []struct {
		name string
		art  Artifact
	}{
		{"override docker", Artifact{URL: dockerURL, Kind: "docker", Version: "29.2.1", Text: "tampered"}},
		{"override again", Artifact{URL: dockerURL, Kind: "docker", Version: "29.2.1", Text: "tampered twice"}},
		{"new host", Artifact{URL: mirror, Kind: "docker", Version: "29.2.1", Size: 4096}},
	}
	m := newMachine(Config{Build: 20348})
	m.UseInternet(n)
	if m.Internet() != n {
		t.Fatal("UseInternet did not replace the internet")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n.Publish(c.art)
			if got := lookup(t, n, c.art.URL); got != c.art {
				t.Fatalf("Lookup = %+v, want %+v", got, c.art)
			}
			body, err := io.ReadAll(c.art.Open())
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(body)
			f, err := m.Download(c.art.URL, `C:\x`)
			checkErr(t, err, "")
			if f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(body)) {
				t.Fatalf("download %+v, want sha %x size %d", f, sum, len(body))
			}
		})
	}
	// The shared internet is untouched.
	if a := lookup(t, testNet, dockerURL); a.Text != "" {
		t.Fatalf("publishing on one internet changed another: %+v", a)
	}
}
