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

// fileKey is the key of a path in m.files: the clean path, lower-cased (the raw path lower-cased when
// it is not a clean absolute path, as before folders were modelled).
func fileKey(path string) string {
	if clean, err := CleanPath(path); err == nil {
		return strings.ToLower(clean)
	}
	return strings.ToLower(path)
}

// WriteFile stores a file with its content (small text files: configuration, checksums). Its folders
// are created as needed (the fs.go rule).
func (m *Machine) WriteFile(path string, content []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writeLocked(path, content)
}

func (m *Machine) writeLocked(path string, content []byte) {
	sum := sha256.Sum256(content)
	m.storeLocked(path, File{Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), Content: append([]byte(nil), content...)})
}

func (m *Machine) storeLocked(path string, f File) {
	if clean, err := CleanPath(path); err == nil {
		if old, ok := m.fs.names[strings.ToLower(clean)]; ok {
			clean = old
		}
		m.putLocked(clean, f)
		return
	}
	m.files[strings.ToLower(path)] = f
}

// PutFile stores a file known by size and hash (a received upload, an extracted binary); its folders
// are created as needed.
func (m *Machine) PutFile(path string, f File) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.storeLocked(path, f)
}

// File returns a file; paths compare case-insensitively, as on NTFS.
func (m *Machine) File(path string) (File, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[fileKey(path)]
	return f, ok
}

// RemoveFile deletes a file and reports whether it existed; its folder stays.
func (m *Machine) RemoveFile(path string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := fileKey(path)
	_, ok := m.files[key]
	m.adoptLocked()
	m.dropFileLocked(key)
	return ok
}

// RemoveTree deletes dir with every file and folder under it and returns how many files there were.
func (m *Machine) RemoveTree(dir string) int {
	n, _ := m.Remove(dir, true)
	return n
}

// Paths lists the files under dir (original case is not kept: paths are reported lower-cased).
func (m *Machine) Paths(dir string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	prefix := fileKey(dir)
	var out []string
	for _, k := range sortedKeys(m.files) {
		if under(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

// MachinePath returns the machine PATH entries as a new process sees them: the Session Manager
// environment's Path value, expanded, split at semicolons, empty entries dropped.
func (m *Machine) MachinePath() []string {
	env := m.SystemEnvironment()
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.getLocked(EnvironmentKey, "Path")
	raw, _ := v.Data.(string)
	if v.Kind == RegExpandString {
		raw = ExpandEnv(raw, env)
	}
	return splitPath(raw)
}

func splitPath(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// AddToPath appends dir to the machine PATH unless it is there (case-insensitively, ignoring a trailing
// backslash, compared with the expanded entries), keeping the value REG_EXPAND_SZ and its other
// entries unexpanded, as the library's Add-WcMachinePath does.
func (m *Machine) AddToPath(dir string) bool {
	for _, p := range m.MachinePath() {
		if samePath(p, dir) {
			return false
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.getLocked(EnvironmentKey, "Path")
	entries := splitPath(asString(v.Data))
	m.setLocked(EnvironmentKey, RegValue{Name: "Path", Kind: pathKind(v), Data: strings.Join(append(entries, strings.TrimRight(dir, `\`)), ";")})
	return true
}

// RemoveFromPath removes dir from the machine PATH (entries compared expanded).
func (m *Machine) RemoveFromPath(dir string) bool {
	env := m.SystemEnvironment()
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.getLocked(EnvironmentKey, "Path")
	var keep []string
	removed := false
	for _, p := range splitPath(asString(v.Data)) {
		if samePath(ExpandEnv(p, env), dir) {
			removed = true
			continue
		}
		keep = append(keep, p)
	}
	if removed {
		m.setLocked(EnvironmentKey, RegValue{Name: "Path", Kind: pathKind(v), Data: strings.Join(keep, ";")})
	}
	return removed
}

func pathKind(v RegValue) string {
	if v.Kind == "" {
		return RegExpandString
	}
	return v.Kind
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

func samePath(a, b string) bool {
	return strings.EqualFold(strings.TrimRight(strings.TrimSpace(a), `\`), strings.TrimRight(strings.TrimSpace(b), `\`))
}

// Registry returns a value under HKLM:\SOFTWARE\wincontainers ("" when it is not set).
func (m *Machine) Registry(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.getLocked(MarkerKey, name)
	if s, ok := v.Data.(string); ok {
		return s
	}
	return ""
}

// SetRegistry sets (or, with "", removes) a REG_SZ value under HKLM:\SOFTWARE\wincontainers, creating
// the key.
func (m *Machine) SetRegistry(name, value string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if value == "" {
		if key, ok := m.reg.keys[strings.ToLower(MarkerKey)]; ok {
			deleteValueLocked(key, name)
		}
		return
	}
	m.setLocked(MarkerKey, RegValue{Name: name, Kind: RegString, Data: value})
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
