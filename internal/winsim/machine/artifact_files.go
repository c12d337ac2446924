package machine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// What the archives of the internet (internet.go) hold. winsim's downloads are synthetic byte streams,
// so an archive's entries come from knowing which artifact it is: the URL it was downloaded from, or,
// for an archive pushed from the controller (received by size and hash only), the publisher's file
// name it carries, confirmed by its SHA-256. The entries are the files of the real archives, with the
// hashes InstallEngine and InstallTool give the same binaries (so a script-run install and winsim's
// native one agree).

// ArtifactFile is one entry of an archive: its path inside the archive (backslashes) and the file it
// extracts to.
type ArtifactFile struct {
	Name string
	File File
}

// ArchiveError is an archive that cannot be read: missing, cut short, or not an archive winsim knows
// (its bytes are nobody's release).
type ArchiveError struct {
	Path   string
	Reason string // "missing", "truncated", "unrecognized"
}

func (e *ArchiveError) Error() string { return fmt.Sprintf("archive %s: %s", e.Path, e.Reason) }

// pushedNames maps the file names the publishers (and the planner's pushed archives) use to the URL
// the artifact has on the internet.
func pushedNames() []struct {
	re  *regexp.Regexp
	url func(m []string) string
} {
	return []struct {
		re  *regexp.Regexp
		url func(m []string) string
	}{
		{regexp.MustCompile(`^docker-(\d+\.\d+\.\d+)\.zip$`), func(m []string) string {
			return "https://download.docker.com/win/static/stable/x86_64/docker-" + m[1] + ".zip"
		}},
		{regexp.MustCompile(`^containerd-(\d+\.\d+\.\d+)-windows-amd64\.tar\.gz$`), func(m []string) string {
			return "https://github.com/containerd/containerd/releases/download/v" + m[1] + "/" + m[0]
		}},
		{regexp.MustCompile(`^nerdctl-(\d+\.\d+\.\d+)-windows-amd64\.tar\.gz$`), func(m []string) string {
			return "https://github.com/containerd/nerdctl/releases/download/v" + m[1] + "/" + m[0]
		}},
		{regexp.MustCompile(`^windows-container-networking-cni-amd64-v(\d+\.\d+\.\d+)\.zip$`), func(m []string) string {
			return "https://github.com/microsoft/windows-container-networking/releases/download/v" + m[1] + "/" + m[0]
		}},
		{regexp.MustCompile(`^docker-compose-(\d+\.\d+\.\d+)-windows-x86_64\.exe$`), func(m []string) string {
			return "https://github.com/docker/compose/releases/download/v" + m[1] + "/docker-compose-windows-x86_64.exe"
		}},
		{regexp.MustCompile(`^lcow-([A-Za-z0-9.\-]+)\.zip$`), func(m []string) string {
			return "https://github.com/linuxkit/lcow/releases/download/" + m[1] + "/release.zip"
		}},
	}
}

// ArtifactFiles lists what the archive at path holds.
func (m *Machine) ArtifactFiles(path string) ([]ArtifactFile, error) {
	f, ok := m.File(path)
	if !ok {
		return nil, &ArchiveError{Path: path, Reason: "missing"}
	}
	if f.Truncated {
		return nil, &ArchiveError{Path: path, Reason: "truncated"}
	}
	a, ok := m.identify(path, f)
	if !ok {
		return nil, &ArchiveError{Path: path, Reason: "unrecognized"}
	}
	return archiveEntries(a, f.SHA256), nil
}

// identify finds the artifact a file is.
func (m *Machine) identify(path string, f File) (Artifact, bool) {
	if f.Origin != "" {
		a, err := m.Artifact(f.Origin)
		return a, err == nil && a.Kind != "checksums"
	}
	name := path[strings.LastIndexAny(path, `\/`)+1:]
	for _, p := range pushedNames() {
		sub := p.re.FindStringSubmatch(strings.ToLower(name))
		if sub == nil {
			continue
		}
		a, err := m.Artifact(p.url(sub))
		if err != nil {
			return Artifact{}, false
		}
		sum, err := m.Internet().SHA256(a)
		return a, err == nil && sum == f.SHA256
	}
	return Artifact{}, false
}

// IdentifyProgram returns a program file as the release binary it is: a single-file download (Docker
// Compose's docker-compose-windows-x86_64.exe) keeps its origin when copied, and one pushed from the
// controller under its published name is recognised by that name and its SHA-256. ok is false for a
// file winsim cannot place.
func (m *Machine) IdentifyProgram(path string, f File) (File, bool) {
	if f.Version != "" {
		return f, true
	}
	a, ok := m.identify(path, f)
	if !ok || a.Kind != "compose" {
		return f, false
	}
	f.Origin, f.Version = a.URL, a.Version
	return f, true
}

// archiveEntries are the files of each kind of release archive (inferred from the published archives:
// the Docker zip holds docker\docker.exe and docker\dockerd.exe; containerd's tarball bin\ with the
// daemon, ctr and the runhcs shim; nerdctl's tarball nerdctl.exe; the Windows CNI zip the nat, sdnbridge
// and sdnoverlay plugins; linuxkit/lcow's release.zip the kernel and initrd.img).
func archiveEntries(a Artifact, archiveSHA string) []ArtifactFile {
	exe := func(name, installed string, size int64) ArtifactFile {
		return ArtifactFile{Name: name, File: File{Size: size, SHA256: syntheticHash(installed + "@" + a.Version), Version: a.Version, Origin: a.URL}}
	}
	switch a.Kind {
	case "docker":
		return []ArtifactFile{exe(`docker\docker.exe`, DockerCLI, 50<<20), exe(`docker\dockerd.exe`, Dockerd, 50<<20)}
	case "containerd":
		return []ArtifactFile{exe(`bin\containerd.exe`, Containerd, 50<<20), exe(`bin\ctr.exe`, ContainerdDir+`\bin\ctr.exe`, 50<<20),
			exe(`bin\containerd-shim-runhcs-v1.exe`, ContainerdDir+`\bin\containerd-shim-runhcs-v1.exe`, 50<<20)}
	case "nerdctl":
		return []ArtifactFile{exe(`nerdctl.exe`, Nerdctl, 30<<20)}
	case "cni":
		dir := ContainerdDir + `\cni\bin\`
		return []ArtifactFile{exe(`nat.exe`, CNIPlugin, 30<<20), exe(`sdnbridge.exe`, dir+"sdnbridge.exe", 30<<20),
			exe(`sdnoverlay.exe`, dir+"sdnoverlay.exe", 30<<20)}
	case "lcow":
		// The boot files' hashes derive from the archive's, as winsim's native install-lcow has them.
		var out []ArtifactFile
		for _, n := range []string{"kernel", "initrd.img"} {
			h := sha256.Sum256([]byte(archiveSHA + "/" + n))
			out = append(out, ArtifactFile{Name: n, File: File{Size: 8 << 20, SHA256: hex.EncodeToString(h[:]), Origin: a.URL}})
		}
		return out
	}
	return nil
}
