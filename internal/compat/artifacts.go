package compat

import "fmt"

// Companion tools of a containerd host, used when the user pins none.
//
//   - nerdctl 2.1.2: a published nerdctl release with a SHA256SUMS file beside its archives (nerdctl
//     release assets; not in docs/knowledge/windows.md, which names 0.21.0 as Microsoft's script default [WC-CTRD]).
//   - Windows CNI plugins (microsoft/windows-container-networking) 0.3.0, Microsoft's script default
//     [WC-CTRD]. No checksum file is published for that zip (not found ≠ absent), so its hash is observed
//     and reported unless pinned.
const (
	DefaultNerdctlVersion = "2.1.2"
	DefaultCNIVersion     = "0.3.0"
	// DefaultNATSubnet is the HNS NAT network containerd's CNI configuration uses. containers-toolkit
	// derives it from the host's gateway [CTK]; a fixed private range is predictable instead.
	DefaultNATSubnet  = "172.28.0.0/16"
	DefaultNATGateway = "172.28.0.1"
)

// Download locations of the artifacts wincontainers installs (docs/knowledge/windows.md#installing-docker, #installing-containerd, #how-lcow-was-enabled).

// DockerURL is the Moby static zip for a version [DOCS-BIN][GHA-14572]. No checksum is published.
func DockerURL(version string) string {
	return fmt.Sprintf("https://download.docker.com/win/static/stable/x86_64/docker-%s.zip", version)
}

// ContainerdURL is containerd's Windows release tarball; ContainerdURL(v)+".sha256sum" is its
// published checksum [HCS-README][P-SCOOPCTRD].
func ContainerdURL(version string) string {
	return fmt.Sprintf("https://github.com/containerd/containerd/releases/download/v%s/containerd-%s-windows-amd64.tar.gz", version, version)
}

// NerdctlURLs are nerdctl's Windows archive and the release's SHA256SUMS.
func NerdctlURLs(version string) (archive, checksums string) {
	base := "https://github.com/containerd/nerdctl/releases/download/v" + version + "/"
	return base + "nerdctl-" + version + "-windows-amd64.tar.gz", base + "SHA256SUMS"
}

// CNIURL is the Windows CNI plugins zip [WC-CTRD].
func CNIURL(version string) string {
	return fmt.Sprintf("https://github.com/microsoft/windows-container-networking/releases/download/v%s/windows-container-networking-cni-amd64-v%s.zip", version, version)
}

// LinuxKitURL is a linuxkit/lcow release's release.zip holding kernel and initrd.img [LK-README].
func LinuxKitURL(release string) string {
	return "https://github.com/linuxkit/lcow/releases/download/" + release + "/release.zip"
}
