package machine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Artifact is a deterministic synthetic download: its bytes are a ChaCha8 stream seeded by the URL, so
// every winsim (and every test that pushes the same artifact from the controller) sees the same bytes
// and the same SHA-256, at a realistic size, without storing them.
type Artifact struct {
	URL  string
	Size int64
	// Kind is docker, containerd, nerdctl, cni, lcow or checksums.
	Kind    string
	Version string
	// Text is the content of small text artifacts (checksum files); Size is then len(Text).
	Text string
}

// Open returns the artifact's bytes.
func (a Artifact) Open() io.Reader {
	if a.Text != "" {
		return strings.NewReader(a.Text)
	}
	seed := sha256.Sum256([]byte("winsim-artifact:" + a.URL))
	return io.LimitReader(rand.NewChaCha8(seed), a.Size)
}

// Save writes the artifact's bytes to a file on the controller: what a user pushing it from an air-gapped
// controller would have downloaded there.
func (a Artifact) Save(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("saving %s: %w", a.URL, err)
	}
	if _, err := io.Copy(f, a.Open()); err != nil {
		_ = f.Close()
		return fmt.Errorf("saving %s to %s: %w", a.URL, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("saving %s to %s: %w", a.URL, path, err)
	}
	return nil
}

// Internet is the host's view of the internet: the release servers wincontainers downloads from, with
// synthetic artifacts and the checksum files their publishers publish. It may be shared by many
// machines (hashes are computed once).
type Internet struct {
	mu sync.Mutex
	// hashes caches by the whole artifact, not its URL: a replacement published at a URL (a tampered
	// mirror) has other bytes, while the publisher's checksum file still names the genuine artifact.
	hashes    map[Artifact]string
	published map[string]Artifact
}

// NewInternet returns the default internet.
func NewInternet() *Internet {
	return &Internet{hashes: map[Artifact]string{}, published: map[string]Artifact{}}
}

// Publish adds or replaces an artifact at a URL (a mirror, a tampered download).
func (n *Internet) Publish(a Artifact) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.published[a.URL] = a
}

// DownloadError is how Invoke-WebRequest fails on Windows PowerShell 5.1.
type DownloadError struct{ Message string }

func (e *DownloadError) Error() string { return e.Message }

var (
	dockerZip     = regexp.MustCompile(`^https://download\.docker\.com/win/static/stable/x86_64/docker-(\d+\.\d+\.\d+)\.zip$`)
	containerdTar = regexp.MustCompile(`^https://github\.com/containerd/containerd/releases/download/v(\d+\.\d+\.\d+)/containerd-(\d+\.\d+\.\d+)-windows-amd64\.tar\.gz(\.sha256sum)?$`)
	nerdctlURL    = regexp.MustCompile(`^https://github\.com/containerd/nerdctl/releases/download/v(\d+\.\d+\.\d+)/(nerdctl-(\d+\.\d+\.\d+)-windows-amd64\.tar\.gz|SHA256SUMS)$`)
	cniZip        = regexp.MustCompile(`^https://github\.com/microsoft/windows-container-networking/releases/download/v(\d+\.\d+\.\d+)/windows-container-networking-cni-amd64-v(\d+\.\d+\.\d+)\.zip$`)
	composeURL    = regexp.MustCompile(`^https://github\.com/docker/compose/releases/download/v(\d+\.\d+\.\d+)/(docker-compose-windows-x86_64\.exe(\.sha256)?|checksums\.txt)$`)
	lcowZip       = regexp.MustCompile(`^https://github\.com/linuxkit/lcow/releases/download/([A-Za-z0-9.\-]+)/release\.zip$`)
	lcowReleases  = []string{"v4.12.14-2a3a94cc", "v4.14.23-v0.3.6", "4.14.29-0aea33bc", "v4.14.35-v0.3.9"} // docs/knowledge/windows.md#how-lcow-was-enabled
)

// Lookup resolves a URL the way the host's internet would: the artifact, or the error Invoke-WebRequest
// reports.
func (n *Internet) Lookup(raw string) (Artifact, error) {
	n.mu.Lock()
	a, ok := n.published[raw]
	n.mu.Unlock()
	if ok {
		return a, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Artifact{}, &DownloadError{fmt.Sprintf("Invalid URI: The format of the URI could not be determined. (%q)", raw)}
	}
	notFound := &DownloadError{"The remote server returned an error: (404) Not Found."}
	switch u.Hostname() {
	case "download.docker.com":
		m := dockerZip.FindStringSubmatch(raw)
		if m == nil || !plausible(m[1], 17, 29) {
			return Artifact{}, notFound
		}
		return Artifact{URL: raw, Kind: "docker", Version: m[1], Size: sizeFor("docker", m[1])}, nil
	case "github.com":
		return n.github(raw, notFound)
	default:
		return Artifact{}, &DownloadError{fmt.Sprintf("The remote name could not be resolved: '%s'", u.Hostname())}
	}
}

func (n *Internet) github(raw string, notFound error) (Artifact, error) {
	if m := containerdTar.FindStringSubmatch(raw); m != nil && m[1] == m[2] && plausible(m[1], 1, 2) {
		if m[3] != "" {
			tar := strings.TrimSuffix(raw, ".sha256sum")
			sum, err := n.SHA256(Artifact{URL: tar, Kind: "containerd", Version: m[1], Size: sizeFor("containerd", m[1])})
			if err != nil {
				return Artifact{}, err
			}
			return Artifact{URL: raw, Kind: "checksums", Version: m[1], Text: sum + "  " + base(tar) + "\n"}, nil
		}
		return Artifact{URL: raw, Kind: "containerd", Version: m[1], Size: sizeFor("containerd", m[1])}, nil
	}
	if m := nerdctlURL.FindStringSubmatch(raw); m != nil && plausible(m[1], 0, 2) {
		tarURL := strings.TrimSuffix(raw, m[2]) + "nerdctl-" + m[1] + "-windows-amd64.tar.gz"
		tar := Artifact{URL: tarURL, Kind: "nerdctl", Version: m[1], Size: sizeFor("nerdctl", m[1])}
		if m[2] != "SHA256SUMS" {
			if m[3] != m[1] {
				return Artifact{}, notFound
			}
			return tar, nil
		}
		var b strings.Builder
		for _, name := range []string{"nerdctl-" + m[1] + "-linux-amd64.tar.gz", base(tarURL), "nerdctl-full-" + m[1] + "-linux-amd64.tar.gz"} {
			u := strings.TrimSuffix(raw, "SHA256SUMS") + name
			sum, err := n.SHA256(Artifact{URL: u, Kind: "nerdctl", Version: m[1], Size: sizeFor("nerdctl", m[1])})
			if err != nil {
				return Artifact{}, err
			}
			b.WriteString(sum + "  " + name + "\n")
		}
		return Artifact{URL: raw, Kind: "checksums", Version: m[1], Text: b.String()}, nil
	}
	if m := composeURL.FindStringSubmatch(raw); m != nil && composeReleased(m[1]) {
		return n.compose(raw, m[1], m[2])
	}
	if m := cniZip.FindStringSubmatch(raw); m != nil && m[1] == m[2] && plausible(m[1], 0, 1) {
		return Artifact{URL: raw, Kind: "cni", Version: m[1], Size: sizeFor("cni", m[1])}, nil
	}
	if m := lcowZip.FindStringSubmatch(raw); m != nil {
		for _, r := range lcowReleases {
			if r == m[1] {
				return Artifact{URL: raw, Kind: "lcow", Version: r, Size: sizeFor("lcow", r)}, nil
			}
		}
	}
	return Artifact{}, notFound
}

// compose serves a Docker Compose release (v2 and v5; there were no v3 or v4 releases): the Windows
// binary, its .sha256 and the release's checksums.txt, whose lines are "<sha256> *<asset>" (shasum -a
// 256 -b; docker/compose .github/workflows/ci.yml). The list here holds the Windows and one Linux asset.
func (n *Internet) compose(raw, version, file string) (Artifact, error) {
	base := strings.TrimSuffix(raw, file)
	exe := func(name string) Artifact {
		return Artifact{URL: base + name, Kind: "compose", Version: version, Size: sizeFor("compose", version)}
	}
	switch file {
	case "docker-compose-windows-x86_64.exe":
		return exe(file), nil
	case "docker-compose-windows-x86_64.exe.sha256", "checksums.txt":
		names := []string{"docker-compose-linux-x86_64", "docker-compose-windows-x86_64.exe"}
		if file != "checksums.txt" {
			names = names[1:]
		}
		var b strings.Builder
		for _, name := range names {
			sum, err := n.SHA256(exe(name))
			if err != nil {
				return Artifact{}, err
			}
			b.WriteString(sum + " *" + name + "\n")
		}
		return Artifact{URL: raw, Kind: "checksums", Version: version, Text: b.String()}, nil
	}
	return Artifact{}, &DownloadError{"The remote server returned an error: (404) Not Found."}
}

// composeReleased approximates Compose's release list up to 2026-08: v2.0.0 to v2.40.3 (the last v2),
// then v5.0.0 to v5.5.0 (Compose skipped 3 and 4).
func composeReleased(version string) bool {
	var a, b, c int
	if _, err := fmt.Sscanf(version, "%d.%d.%d", &a, &b, &c); err != nil {
		return false
	}
	switch a {
	case 2:
		return b < 40 && c <= 30 || b == 40 && c <= 3
	case 5:
		return b < 5 && c <= 4 || b == 5 && c == 0
	}
	return false
}

// SHA256 returns an artifact's hash, computed once.
func (n *Internet) SHA256(a Artifact) (string, error) {
	n.mu.Lock()
	if h, ok := n.hashes[a]; ok {
		n.mu.Unlock()
		return h, nil
	}
	n.mu.Unlock()
	h := sha256.New()
	if _, err := io.Copy(h, a.Open()); err != nil {
		return "", fmt.Errorf("hashing %s: %w", a.URL, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	n.mu.Lock()
	n.hashes[a] = sum
	n.mu.Unlock()
	return sum, nil
}

// sizeFor gives artifacts the sizes of their real counterparts (approximately, and stable).
func sizeFor(kind, version string) int64 {
	const mib = 1 << 20
	base := map[string]int64{"docker": 38 * mib, "containerd": 34 * mib, "nerdctl": 9 * mib, "cni": 5 * mib, "compose": 24 * mib, "lcow": 14 * mib}[kind]
	var jitter int64
	for _, c := range version {
		jitter = jitter*31 + int64(c)
	}
	if jitter < 0 {
		jitter = -jitter
	}
	return base + jitter%(3*mib)
}

// plausible approximates a publisher's release list: majors in range, minors up to 12 and patches up
// to 30 exist (Docker 17.03-29.x, containerd 1.x-2.x, nerdctl 0.x-2.x); anything else is a 404.
func plausible(version string, minMajor, maxMajor int) bool {
	var a, b, c int
	if _, err := fmt.Sscanf(version, "%d.%d.%d", &a, &b, &c); err != nil {
		return false
	}
	return a >= minMajor && a <= maxMajor && b <= 30 && c <= 30
}

func base(u string) string { return u[strings.LastIndexByte(u, '/')+1:] }

// Download fetches a URL onto the disk at path, as Invoke-WebRequest -OutFile does.
func (m *Machine) Download(rawURL, path string) (File, error) {
	m.mu.Lock()
	m.downloads = append(m.downloads, rawURL)
	offline, failures, full, short := m.cfg.Offline, m.failures, m.faults.DiskFull, m.truncatedLocked(rawURL)
	m.mu.Unlock()
	u, _ := url.Parse(rawURL)
	if offline && u != nil {
		return File{}, &DownloadError{fmt.Sprintf("The remote name could not be resolved: '%s'", u.Hostname())}
	}
	for _, f := range failures {
		if strings.Contains(rawURL, f) {
			return File{}, &DownloadError{"Unable to read data from the transport connection: An existing connection was forcibly closed by the remote host."}
		}
	}
	a, err := m.net.Lookup(rawURL)
	if err != nil {
		return File{}, err
	}
	sum, err := m.net.SHA256(a)
	if err != nil {
		return File{}, err
	}
	if full {
		return File{}, &DownloadError{DiskFullText}
	}
	f := File{Size: a.Size, SHA256: sum, Origin: a.URL, Version: a.Version}
	if a.Text != "" {
		f.Size, f.Content = int64(len(a.Text)), []byte(a.Text)
	}
	if short {
		f = truncate(f)
	}
	m.PutFile(path, f)
	return f, nil
}

// DownloadsAttempted lists every URL the host tried to download since it was created, in order,
// whether or not the download succeeded (an offline host's attempts all fail).
func (m *Machine) DownloadsAttempted() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.downloads)
}

// Artifact returns what a URL holds on this machine's internet (for files pushed from the controller,
// whose origin is known by hash).
func (m *Machine) Artifact(rawURL string) (Artifact, error) { return m.net.Lookup(rawURL) }

// FailDownloads makes downloads whose URL contains s fail (the fail_download fault); "" clears.
func (m *Machine) FailDownloads(s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s == "" {
		m.failures = nil
		return
	}
	m.failures = append(m.failures, s)
}

// UseInternet replaces the machine's internet (to share computed hashes between machines).
func (m *Machine) UseInternet(n *Internet) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.net = n
}

// Internet returns the machine's internet.
func (m *Machine) Internet() *Internet {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.net
}
