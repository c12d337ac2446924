package machine

import (
	"fmt"
	"slices"
	"strings"
)

// The registry: HKEY_LOCAL_MACHINE's keys and values with their kinds. Other hives are not modelled.
// Key paths are written without the hive ("SOFTWARE\wincontainers") or with it in any of the forms
// scripts use ("HKLM:\SOFTWARE\...", "HKEY_LOCAL_MACHINE\SOFTWARE\..."); they compare
// case-insensitively and keep the case they were created with.
//
// Some keys and values stand for state the machine model keeps elsewhere, and stay in step with it:
// Component Based Servicing\RebootPending is PendingReboot, the Application event log's source keys are
// the engines' event sources (engine.go), SOFTWARE\wincontainers holds Registry/SetRegistry's values, and
// the Session Manager environment's Path is MachinePath.

// Registry value kinds, named as Microsoft.Win32.RegistryValueKind names them.
const (
	RegString       = "String"       // REG_SZ: string
	RegExpandString = "ExpandString" // REG_EXPAND_SZ: string
	RegDWord        = "DWord"        // REG_DWORD: uint32
	RegQWord        = "QWord"        // REG_QWORD: uint64
	RegMultiString  = "MultiString"  // REG_MULTI_SZ: []string
	RegBinary       = "Binary"       // REG_BINARY: []byte
)

// Keys the machine model itself reads or keeps.
const (
	HKLM              = `HKEY_LOCAL_MACHINE`
	CurrentVersionKey = `SOFTWARE\Microsoft\Windows NT\CurrentVersion`
	EnvironmentKey    = `SYSTEM\CurrentControlSet\Control\Session Manager\Environment`
	RebootPendingKey  = `SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending`
	MarkerKey         = `SOFTWARE\wincontainers`
)

// RegValue is a registry value. Data is a string (String, ExpandString), uint32 (DWord), uint64
// (QWord), []string (MultiString) or []byte (Binary).
type RegValue struct {
	Name string
	Kind string
	Data any
}

type regKey struct {
	path   string // without the hive, as created
	values map[string]RegValue
	order  []string // value names (lower-cased) in the order they were set
}

type registryState struct {
	keys map[string]*regKey // lower-cased path without the hive
	// sources are the event log source keys that mirror m.eventSources (lower-cased names).
	sources map[string]bool
}

func newRegistryState() registryState {
	return registryState{keys: map[string]*regKey{"": {path: "", values: map[string]RegValue{}}}, sources: map[string]bool{}}
}

// RegPath makes a key path canonical: without the hive, backslash-separated, no empty parts. A path
// may name HKEY_LOCAL_MACHINE in any of the forms scripts use, or no hive at all; another hive is an
// error.
func RegPath(p string) (string, error) {
	p = strings.ReplaceAll(p, "/", `\`)
	lower := strings.ToLower(p)
	for _, prefix := range []string{`microsoft.powershell.core\registry::hkey_local_machine`, `registry::hkey_local_machine`,
		`hkey_local_machine`, `hklm:`, `hklm`} {
		if lower == prefix || strings.HasPrefix(lower, prefix+`\`) {
			p = p[len(prefix):]
			break
		}
	}
	first := strings.ToLower(strings.SplitN(strings.TrimLeft(p, `\`), `\`, 2)[0])
	if strings.Contains(first, ":") || strings.HasPrefix(first, "hkey_") || first == "hkcu" || first == "hku" || first == "hkcr" || first == "hkcc" {
		return "", fmt.Errorf("winsim models the HKEY_LOCAL_MACHINE hive only, not %q", p)
	}
	var parts []string
	for _, s := range strings.Split(p, `\`) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, `\`), nil
}

func regParent(key string) string {
	if i := strings.LastIndexByte(key, '\\'); i >= 0 {
		return key[:i]
	}
	return ""
}

// syncRegistryLocked brings the mirrored keys in step with the machine's state before a registry read
// or write: the event sources engine.go added or removed.
func (m *Machine) syncRegistryLocked() {
	app := strings.ToLower(eventLogKey)
	for name := range m.eventSources {
		k := app + `\` + strings.ToLower(name)
		if _, ok := m.reg.keys[k]; !ok {
			m.createKeyLocked(eventLogKey + `\` + name)
		}
		m.reg.sources[strings.ToLower(name)] = true
	}
	for name := range m.reg.sources {
		if !m.eventSources[name] {
			m.deleteKeyLocked(app + `\` + name)
			delete(m.reg.sources, name)
		}
	}
}

// syncBackLocked carries a registry write back to the machine's state: event source keys created or
// deleted through the registry.
func (m *Machine) syncBackLocked() {
	app := strings.ToLower(eventLogKey)
	for name := range m.reg.sources {
		if _, ok := m.reg.keys[app+`\`+name]; !ok {
			delete(m.eventSources, name)
			delete(m.reg.sources, name)
		}
	}
	for k, key := range m.reg.keys {
		if regParent(k) == app {
			name := strings.ToLower(key.path[strings.LastIndexByte(key.path, '\\')+1:])
			if m.reg.sources[name] {
				continue
			}
			if _, stock := stockEventSources()[name]; !stock {
				m.eventSources[name] = true
				m.reg.sources[name] = true
			}
		}
	}
}

// stockEventSources are Application log sources of a fresh installation (inferred: a few of the
// sources every Windows Server has); they are not engine sources.
func stockEventSources() map[string]string {
	return map[string]string{"application error": "Application Error", "msiinstaller": "MsiInstaller",
		"windows error reporting": "Windows Error Reporting"}
}

func (m *Machine) createKeyLocked(path string) bool {
	k := strings.ToLower(path)
	if _, ok := m.reg.keys[k]; ok {
		return false
	}
	if path != "" {
		m.createKeyLocked(regParent(path))
	}
	m.reg.keys[k] = &regKey{path: path, values: map[string]RegValue{}}
	return true
}

func (m *Machine) deleteKeyLocked(k string) bool {
	if _, ok := m.reg.keys[k]; !ok || k == "" {
		return false
	}
	for kk := range m.reg.keys {
		if kk == k || strings.HasPrefix(kk, k+`\`) {
			delete(m.reg.keys, kk)
		}
	}
	return true
}

// RegKeyExists reports whether a key exists.
func (m *Machine) RegKeyExists(path string) bool {
	p, err := RegPath(path)
	if err != nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncRegistryLocked()
	_, ok := m.reg.keys[strings.ToLower(p)]
	return ok
}

// RegKeyName is a key's path as created (without the hive), or false when it does not exist.
func (m *Machine) RegKeyName(path string) (string, bool) {
	p, err := RegPath(path)
	if err != nil {
		return "", false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncRegistryLocked()
	k, ok := m.reg.keys[strings.ToLower(p)]
	if !ok {
		return "", false
	}
	return k.path, true
}

// RegCreateKey creates a key and the keys above it; it reports whether the key is new.
func (m *Machine) RegCreateKey(path string) (bool, error) {
	p, err := RegPath(path)
	if err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncRegistryLocked()
	created := m.createKeyLocked(p)
	m.syncBackLocked()
	return created, nil
}

// RegDeleteKey deletes a key with its subkeys and values (RegistryKey.DeleteSubKeyTree); it reports
// whether the key existed.
func (m *Machine) RegDeleteKey(path string) (bool, error) {
	p, err := RegPath(path)
	if err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncRegistryLocked()
	ok := m.deleteKeyLocked(strings.ToLower(p))
	m.syncBackLocked()
	return ok, nil
}

// RegSubKeys lists a key's subkey names (as created, sorted ignoring case); false when the key does not exist.
func (m *Machine) RegSubKeys(path string) ([]string, bool) {
	p, err := RegPath(path)
	if err != nil {
		return nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncRegistryLocked()
	k := strings.ToLower(p)
	if _, ok := m.reg.keys[k]; !ok {
		return nil, false
	}
	var out []string
	for kk, key := range m.reg.keys {
		if kk != "" && regParent(kk) == k {
			out = append(out, key.path[strings.LastIndexByte(key.path, '\\')+1:])
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out, true
}

// RegValues lists a key's values in the order they were set; false when the key does not exist.
func (m *Machine) RegValues(path string) ([]RegValue, bool) {
	p, err := RegPath(path)
	if err != nil {
		return nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncRegistryLocked()
	key, ok := m.reg.keys[strings.ToLower(p)]
	if !ok {
		return nil, false
	}
	out := make([]RegValue, 0, len(key.order))
	for _, n := range key.order {
		out = append(out, cloneValue(key.values[n]))
	}
	return out, true
}

// RegGetValue returns one value; keyOK reports whether the key exists, ok whether the value does.
func (m *Machine) RegGetValue(path, name string) (v RegValue, keyOK, ok bool) {
	p, err := RegPath(path)
	if err != nil {
		return RegValue{}, false, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncRegistryLocked()
	key, keyOK := m.reg.keys[strings.ToLower(p)]
	if !keyOK {
		return RegValue{}, false, false
	}
	v, ok = key.values[strings.ToLower(name)]
	return cloneValue(v), true, ok
}

// RegSetValue sets a value (creating or replacing it, kind included) in a key that exists.
func (m *Machine) RegSetValue(path string, v RegValue) error {
	p, err := RegPath(path)
	if err != nil {
		return err
	}
	if err := checkKind(v); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncRegistryLocked()
	key, ok := m.reg.keys[strings.ToLower(p)]
	if !ok {
		return &FSError{Op: "set value", Path: HKLM + `\` + p, Err: ErrNotExist}
	}
	setValueLocked(key, cloneValue(v))
	return nil
}

// RegDeleteValue deletes a value; it reports whether it existed.
func (m *Machine) RegDeleteValue(path, name string) bool {
	p, err := RegPath(path)
	if err != nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncRegistryLocked()
	key, ok := m.reg.keys[strings.ToLower(p)]
	if !ok {
		return false
	}
	return deleteValueLocked(key, name)
}

func setValueLocked(key *regKey, v RegValue) {
	n := strings.ToLower(v.Name)
	if _, ok := key.values[n]; !ok {
		key.order = append(key.order, n)
	}
	key.values[n] = v
}

func deleteValueLocked(key *regKey, name string) bool {
	n := strings.ToLower(name)
	if _, ok := key.values[n]; !ok {
		return false
	}
	delete(key.values, n)
	key.order = slices.DeleteFunc(key.order, func(s string) bool { return s == n })
	return true
}

// setLocked sets a value, creating its key.
func (m *Machine) setLocked(path string, v RegValue) {
	m.createKeyLocked(path)
	setValueLocked(m.reg.keys[strings.ToLower(path)], v)
}

// getLocked is a value, or the zero RegValue when it or its key does not exist.
func (m *Machine) getLocked(path, name string) RegValue {
	key, ok := m.reg.keys[strings.ToLower(path)]
	if !ok {
		return RegValue{}
	}
	return key.values[strings.ToLower(name)]
}

func checkKind(v RegValue) error {
	ok := false
	switch v.Kind {
	case RegString, RegExpandString:
		_, ok = v.Data.(string)
	case RegDWord:
		_, ok = v.Data.(uint32)
	case RegQWord:
		_, ok = v.Data.(uint64)
	case RegMultiString:
		_, ok = v.Data.([]string)
	case RegBinary:
		_, ok = v.Data.([]byte)
	}
	if !ok {
		return fmt.Errorf("registry value %q: kind %q cannot hold a %T", v.Name, v.Kind, v.Data)
	}
	return nil
}

func cloneValue(v RegValue) RegValue {
	switch d := v.Data.(type) {
	case []string:
		v.Data = slices.Clone(d)
	case []byte:
		v.Data = slices.Clone(d)
	}
	return v
}
