package machine

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

func syntheticHash(s string) string {
	sum := sha256.Sum256([]byte("winsim-file:" + s))
	return hex.EncodeToString(sum[:])
}

// WriteFile stores a file with its content (small text files: configuration, checksums).
func (m *Machine) WriteFile(path string, content []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writeLocked(path, content)
}

func (m *Machine) writeLocked(path string, content []byte) {
	sum := sha256.Sum256(content)
	m.files[strings.ToLower(path)] = File{Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), Content: append([]byte(nil), content...)}
}

// PutFile stores a file known by size and hash (a received upload, an extracted binary).
func (m *Machine) PutFile(path string, f File) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[strings.ToLower(path)] = f
}

// File returns a file; paths compare case-insensitively, as on NTFS.
func (m *Machine) File(path string) (File, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[strings.ToLower(path)]
	return f, ok
}

// RemoveFile deletes a file and reports whether it existed.
func (m *Machine) RemoveFile(path string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.files[strings.ToLower(path)]
	delete(m.files, strings.ToLower(path))
	return ok
}

// RemoveTree deletes every file under dir and returns how many there were.
func (m *Machine) RemoveTree(dir string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	prefix := strings.ToLower(strings.TrimRight(dir, `\`)) + `\`
	n := 0
	for k := range m.files {
		if strings.HasPrefix(k, prefix) {
			delete(m.files, k)
			n++
		}
	}
	return n
}

// Paths lists the files under dir (original case is not kept: paths are reported lower-cased).
func (m *Machine) Paths(dir string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	prefix := strings.ToLower(strings.TrimRight(dir, `\`)) + `\`
	var out []string
	for _, k := range sortedKeys(m.files) {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

// MachinePath returns the machine PATH entries.
func (m *Machine) MachinePath() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.machinePath...)
}

// AddToPath appends dir to the machine PATH unless it is there (case-insensitively, ignoring a trailing
// backslash), as [Environment]::SetEnvironmentVariable('Path', ..., 'Machine') would after the check.
func (m *Machine) AddToPath(dir string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.machinePath {
		if samePath(p, dir) {
			return false
		}
	}
	m.machinePath = append(m.machinePath, dir)
	return true
}

// RemoveFromPath removes dir from the machine PATH.
func (m *Machine) RemoveFromPath(dir string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.machinePath[:0]
	removed := false
	for _, p := range m.machinePath {
		if samePath(p, dir) {
			removed = true
			continue
		}
		out = append(out, p)
	}
	m.machinePath = out
	return removed
}

func samePath(a, b string) bool {
	return strings.EqualFold(strings.TrimRight(a, `\`), strings.TrimRight(b, `\`))
}

// Registry returns a value under HKLM:\SOFTWARE\wincontainers.
func (m *Machine) Registry(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.registry[name]
}

// SetRegistry sets (or, with "", removes) a value under HKLM:\SOFTWARE\wincontainers.
func (m *Machine) SetRegistry(name, value string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if value == "" {
		delete(m.registry, name)
		return
	}
	m.registry[name] = value
}

// Services returns a copy of every service.
func (m *Machine) Services() map[string]Service {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]Service{}
	for k, s := range m.services {
		out[k] = *s
	}
	return out
}

// Service returns one service.
func (m *Machine) Service(name string) (Service, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.services[strings.ToLower(name)]
	if !ok {
		return Service{}, false
	}
	return *s, true
}

// Events returns the Application event log entries of a source, oldest first.
func (m *Machine) Events(source string) []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Event
	for _, e := range m.events {
		if strings.EqualFold(e.Source, source) {
			out = append(out, e)
		}
	}
	return out
}

// LastError is what the facts script reads for a stopped engine: the newest Application event log entry of
// source since the last boot ("" when there is none).
func (m *Machine) LastError(source string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.events) - 1; i >= 0; i-- {
		e := m.events[i]
		if e.Time.Before(m.bootedAt) {
			break
		}
		if strings.EqualFold(e.Source, source) {
			return e.Message
		}
	}
	return ""
}

func (m *Machine) logLocked(source, msg string) {
	m.events = append(m.events, Event{Source: source, Time: m.cfg.Clock().UTC(), Message: msg})
	if len(m.events) > 200 {
		m.events = m.events[len(m.events)-200:]
	}
}
