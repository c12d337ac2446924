package machine

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// Faults are the machine-level failures a test (or the control API, POST /winsim/v1/faults) switches
// on. Each one fails the way the real host does, with Windows' or the engine's own text.
type Faults struct {
	// DiskFull makes every write to the disk fail with ERROR_DISK_FULL (Win32 112): downloads,
	// extracting archives, configuration files, feature payloads, image layers.
	DiskFull bool `json:"disk_full"`
	// HNSBroken is a stale or conflicting NAT that keeps the Host Network Service from creating the
	// engine's default nat network: dockerd exits at start with HNS's "The parameter is incorrect"
	// (moby#29207), and for containerd the CNI nat plugin fails with the same text when it creates the
	// network at the first container.
	HNSBroken bool `json:"hns_broken"`
	// HNSFirstBoot is the Host Network Service not being ready when the Automatic docker service starts
	// at the next boot (moby#50093, WS2022 with Docker 28.1.1, open): that one start fails with
	// hnsCall's 0x23e and the service stays Stopped; a start after the boot succeeds. It fires once, at
	// the next boot that starts docker, and then clears itself.
	HNSFirstBoot bool `json:"hns_first_boot"`
	// CrashServices lists engine services that stop right after they start (Start-Service returns, the
	// service is Stopped moments later, and the Service Control Manager logs it).
	CrashServices []string `json:"crash_services,omitempty"`
	// TruncateDownloads lists URL substrings whose downloads arrive cut short: the transfer ends early
	// without an error, so only a hash check or the archive's missing central directory shows it.
	TruncateDownloads []string `json:"truncate_downloads,omitempty"`
}

// Windows' texts for the faults.
const (
	// DiskFullText is the message of ERROR_DISK_FULL (112), as IOException and Win32 report it.
	DiskFullText = "There is not enough space on the disk."
	// HNSDefaultNetworkText is what dockerd logs when HNS refuses its default nat network.
	HNSDefaultNetworkText = "failed to start daemon: Error initializing network controller: Error creating default network: HNS failed with error : The parameter is incorrect."
	// HNSFirstBootText is dockerd's Application event log message for that start, as moby#50093 quotes
	// it: hcsshim formats Win32 error 574 (ERROR_UNHANDLED_EXCEPTION, 0x23e) with its "%s" insert and
	// line break left in.
	HNSFirstBootText = "failed to start daemon: Error initializing network controller: error creating default network: failed during hnsCallRawResponse: hnsCall failed in Win32: {Application Error}\r\nThe exception %s (0x (0x23e)"
	// TruncatedZipText is what Expand-Archive (System.IO.Compression) says of a zip cut short.
	TruncatedZipText = "End of Central Directory record could not be found."
)

// SetFaults replaces the machine's faults; the zero value clears them.
func (m *Machine) SetFaults(f Faults) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults = f
}

// CurrentFaults returns the faults switched on.
func (m *Machine) CurrentFaults() Faults {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.faults
}

// DiskError is a write that failed for lack of space.
type DiskError struct{}

func (DiskError) Error() string { return DiskFullText }

// CheckSpace returns a *DiskError when the disk is full: callers about to write call it first, so a
// failed write changes nothing (the scripts write through temporary files and renames).
func (m *Machine) CheckSpace() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.faults.DiskFull {
		return DiskError{}
	}
	return nil
}

// TryWriteFile is WriteFile that fails, leaving the old file, when the disk is full.
func (m *Machine) TryWriteFile(path string, content []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.faults.DiskFull {
		return DiskError{}
	}
	m.writeLocked(path, content)
	return nil
}

// truncatedLocked reports whether a download of rawURL arrives cut short.
func (m *Machine) truncatedLocked(rawURL string) bool {
	return slices.ContainsFunc(m.faults.TruncateDownloads, func(s string) bool { return s != "" && strings.Contains(rawURL, s) })
}

// truncate is what a download cut short leaves: half the bytes, another hash.
func truncate(f File) File {
	sum := sha256.Sum256([]byte("winsim-truncated:" + f.SHA256))
	f.Size /= 2
	f.SHA256 = hex.EncodeToString(sum[:])
	f.Truncated = true
	if f.Content != nil {
		f.Content = f.Content[:len(f.Content)/2]
	}
	return f
}
