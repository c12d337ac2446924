package machine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// The file system's folders and names. Files live in m.files (lower-cased path -> File), which the engine
// model writes directly; this file adds what a PowerShell provider needs on top of it: folders, the case
// a name was created with, and write times.
//
// The folder rule: a folder exists when it was created (MakeDir: New-Item, an archive's extraction, a
// receive), when a file was written into it through this package (every write records the file's parent
// folders, as the engines and installers that create files create their folders first), or when a file
// lies under it (files the engine model writes directly into m.files). Once seen, a folder stays until
// Remove deletes it: deleting the last file of a folder leaves the folder, as on NTFS. The system's own
// folders (C:\, C:\Windows, C:\Program Files, ...) exist from the start.
//
// Paths compare case-insensitively (NTFS as Windows configures it); a name keeps the case it was
// created with. Files the engine model writes directly have no recorded case and are listed with
// the case of their path constant's lower-cased key (not modelled: their original case).

// fsState is the file system beside m.files.
type fsState struct {
	dirs     map[string]string    // lower-cased path -> path as created
	names    map[string]string    // file: lower-cased path -> path as written
	modified map[string]time.Time // lower-cased path -> last write time (UTC)
	// exclusive counts the open handles that share nothing (a FileStream opened for writing with
	// FileShare.None), by lower-cased path: every process gets a sharing violation until they close.
	exclusive map[string]int
}

func newFSState() fsState {
	return fsState{dirs: map[string]string{}, names: map[string]string{}, modified: map[string]time.Time{}, exclusive: map[string]int{}}
}

// systemDirs exist on every installation (inferred: the folders of a fresh Windows Server install that
// the scripts and engines use).
func systemDirs() []string {
	return []string{`C:\`, `C:\Windows`, `C:\Windows\System32`, `C:\Windows\Temp`, `C:\Program Files`,
		`C:\Program Files (x86)`, `C:\ProgramData`, `C:\Users`}
}

// Errors of the file system operations; each comes wrapped in a *FSError naming the operation and path.
var (
	ErrNotExist = errors.New("the path does not exist")
	ErrExist    = errors.New("the path exists")
	ErrIsDir    = errors.New("the path is a folder")
	ErrNotDir   = errors.New("a file is in the way of a folder")
	ErrNotEmpty = errors.New("the folder is not empty")
	ErrNoParent = errors.New("the parent folder does not exist")
	ErrBadPath  = errors.New("not an absolute file system path")
)

// FSError is a failed file system operation.
type FSError struct {
	Op, Path string
	Err      error
}

func (e *FSError) Error() string { return fmt.Sprintf("%s %s: %v", e.Op, e.Path, e.Err) }
func (e *FSError) Unwrap() error { return e.Err }

// Entry is a file or folder as a directory listing shows it.
type Entry struct {
	// Path is the full path with the case the item was created with; Name its last element.
	Path, Name string
	Dir        bool
	File       File
	Modified   time.Time
}

// CleanPath makes an absolute Windows path canonical: separators are backslashes, "." and ".." are
// resolved, repeated and trailing separators go (except the root's), and the drive letter is upper
// case. It fails for a path that is not absolute on a drive (UNC paths and relative paths are not
// modelled).
func CleanPath(p string) (string, error) {
	p = strings.ReplaceAll(p, "/", `\`)
	if len(p) < 2 || p[1] != ':' || !isLetter(p[0]) || (len(p) > 2 && p[2] != '\\') {
		return "", &FSError{Op: "resolve", Path: p, Err: ErrBadPath}
	}
	var parts []string
	for _, s := range strings.Split(p[2:], `\`) {
		switch s {
		case "", ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, s)
		}
	}
	return strings.ToUpper(p[:1]) + `:\` + strings.Join(parts, `\`), nil
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// parentOf is the folder holding a clean path ("" for a root).
func parentOf(clean string) string {
	i := strings.LastIndexByte(clean, '\\')
	if i < 0 || len(clean) <= 3 {
		return ""
	}
	if i == 2 {
		return clean[:3]
	}
	return clean[:i]
}

func baseOf(clean string) string {
	if len(clean) <= 3 {
		return clean
	}
	return clean[strings.LastIndexByte(clean, '\\')+1:]
}

func under(key, dirKey string) bool {
	if strings.HasSuffix(dirKey, `\`) {
		return strings.HasPrefix(key, dirKey) && key != dirKey
	}
	return strings.HasPrefix(key, dirKey+`\`)
}

// recordParentsLocked makes every folder above a clean path exist.
func (m *Machine) recordParentsLocked(clean string) {
	for d := parentOf(clean); d != ""; d = parentOf(d) {
		k := strings.ToLower(d)
		if _, ok := m.fs.dirs[k]; ok {
			return
		}
		m.fs.dirs[k] = d
	}
}

// adoptLocked records the folders above files the engine model wrote directly, so that they outlive
// their files.
func (m *Machine) adoptLocked() {
	for k := range m.files {
		if _, ok := m.fs.names[k]; !ok {
			m.recordParentsLocked(k)
			m.fs.names[k] = k
		}
	}
}

func (m *Machine) isDirLocked(key string) bool {
	_, ok := m.fs.dirs[key]
	return ok
}

// putLocked stores a file written through this package: its case, its time and its folders.
func (m *Machine) putLocked(clean string, f File) {
	k := strings.ToLower(clean)
	m.files[k] = f
	m.fs.names[k] = clean
	m.fs.modified[k] = m.cfg.Clock().UTC()
	m.recordParentsLocked(clean)
}

func (m *Machine) dropFileLocked(key string) {
	delete(m.files, key)
	delete(m.fs.names, key)
	delete(m.fs.modified, key)
}

func (m *Machine) entryLocked(key string) (Entry, bool) {
	if f, ok := m.files[key]; ok {
		p := m.fs.names[key]
		if p == "" {
			p = key
		}
		return Entry{Path: p, Name: baseOf(p), File: f, Modified: m.modTimeLocked(key)}, true
	}
	if p, ok := m.fs.dirs[key]; ok {
		return Entry{Path: p, Name: baseOf(p), Dir: true, Modified: m.modTimeLocked(key)}, true
	}
	return Entry{}, false
}

// modTimeLocked is an item's last write time: when it was written through this package, else when the
// machine was created.
func (m *Machine) modTimeLocked(key string) time.Time {
	if t, ok := m.fs.modified[key]; ok {
		return t
	}
	return m.createdAt
}

// Stat returns the file or folder at path.
func (m *Machine) Stat(path string) (Entry, bool) {
	clean, err := CleanPath(path)
	if err != nil {
		return Entry{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.adoptLocked()
	return m.entryLocked(strings.ToLower(clean))
}

// List returns a folder's children: folders first, then files, each by name (ordinal, ignoring case),
// as the FileSystem provider lists them (inferred: FileSystemProvider enumerates directories, then files).
func (m *Machine) List(dir string) ([]Entry, error) {
	clean, err := CleanPath(dir)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.adoptLocked()
	key := strings.ToLower(clean)
	if !m.isDirLocked(key) {
		if _, ok := m.files[key]; ok {
			return nil, &FSError{Op: "list", Path: clean, Err: ErrNotDir}
		}
		return nil, &FSError{Op: "list", Path: clean, Err: ErrNotExist}
	}
	var dirs, files []Entry
	for k := range m.fs.dirs {
		if parentOf(k) == key {
			e, _ := m.entryLocked(k)
			dirs = append(dirs, e)
		}
	}
	for k := range m.files {
		if parentOf(k) == key {
			e, _ := m.entryLocked(k)
			files = append(files, e)
		}
	}
	byName := func(a, b Entry) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) }
	slices.SortFunc(dirs, byName)
	slices.SortFunc(files, byName)
	return append(dirs, files...), nil
}

// MakeDir creates a folder and the folders above it; a folder that exists is no error. It fails when a
// file is in the way.
func (m *Machine) MakeDir(path string) error {
	clean, err := CleanPath(path)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.adoptLocked()
	for d := clean; d != ""; d = parentOf(d) {
		if _, ok := m.files[strings.ToLower(d)]; ok {
			return &FSError{Op: "mkdir", Path: d, Err: ErrNotDir}
		}
	}
	key := strings.ToLower(clean)
	if !m.isDirLocked(key) {
		m.fs.dirs[key] = clean
		m.fs.modified[key] = m.cfg.Clock().UTC()
	}
	m.recordParentsLocked(clean)
	return nil
}

// CreateFile writes a file the way .NET's FileStream does with FileMode.Create: the folder must exist,
// a folder of that name is an error, an existing file is replaced. A full disk fails with *DiskError
// and changes nothing.
func (m *Machine) CreateFile(path string, f File) error {
	clean, err := CleanPath(path)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.adoptLocked()
	key := strings.ToLower(clean)
	if m.isDirLocked(key) {
		return &FSError{Op: "create", Path: clean, Err: ErrIsDir}
	}
	if p := parentOf(clean); p == "" || !m.isDirLocked(strings.ToLower(p)) {
		return &FSError{Op: "create", Path: clean, Err: ErrNoParent}
	}
	if m.faults.DiskFull {
		return DiskError{}
	}
	if old, ok := m.fs.names[key]; ok {
		clean = old // an overwritten file keeps its name's case
	}
	m.putLocked(clean, f)
	return nil
}

// Remove deletes a file, or a folder: an empty one, or with recursive everything under it. It reports
// how many files went.
func (m *Machine) Remove(path string, recursive bool) (int, error) {
	clean, err := CleanPath(path)
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.adoptLocked()
	key := strings.ToLower(clean)
	if _, ok := m.files[key]; ok {
		m.dropFileLocked(key)
		return 1, nil
	}
	if !m.isDirLocked(key) {
		return 0, &FSError{Op: "remove", Path: clean, Err: ErrNotExist}
	}
	var files, dirs []string
	for k := range m.files {
		if under(k, key) {
			files = append(files, k)
		}
	}
	for k := range m.fs.dirs {
		if under(k, key) {
			dirs = append(dirs, k)
		}
	}
	if !recursive && len(files)+len(dirs) > 0 {
		return 0, &FSError{Op: "remove", Path: clean, Err: ErrNotEmpty}
	}
	for _, k := range files {
		m.dropFileLocked(k)
	}
	for _, k := range dirs {
		delete(m.fs.dirs, k)
		delete(m.fs.modified, k)
	}
	if len(clean) > 3 { // a drive's root stays
		delete(m.fs.dirs, key)
		delete(m.fs.modified, key)
	}
	return len(files), nil
}

// Rename moves a file to another path on the volume (MoveFileEx without REPLACE_EXISTING: the target
// must not exist, its folder must).
func (m *Machine) Rename(src, dst string) error {
	cs, err := CleanPath(src)
	if err != nil {
		return err
	}
	cd, err := CleanPath(dst)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.adoptLocked()
	ks, kd := strings.ToLower(cs), strings.ToLower(cd)
	f, ok := m.files[ks]
	if !ok {
		if m.isDirLocked(ks) {
			return &FSError{Op: "move", Path: cs, Err: ErrIsDir}
		}
		return &FSError{Op: "move", Path: cs, Err: ErrNotExist}
	}
	if _, ok := m.files[kd]; ok || m.isDirLocked(kd) {
		if ks != kd {
			return &FSError{Op: "move", Path: cd, Err: ErrExist}
		}
	}
	if p := parentOf(cd); p == "" || !m.isDirLocked(strings.ToLower(p)) {
		return &FSError{Op: "move", Path: cd, Err: ErrNoParent}
	}
	t := m.modTimeLocked(ks) // a move keeps the file's write time
	m.dropFileLocked(ks)
	m.putLocked(cd, f)
	m.fs.modified[kd] = t
	return nil
}

// CopyFile copies a file over dst (replacing a file there); dst's folder must exist. A full disk fails
// with *DiskError.
func (m *Machine) CopyFile(src, dst string) error {
	cs, err := CleanPath(src)
	if err != nil {
		return err
	}
	m.mu.Lock()
	f, ok := m.files[strings.ToLower(cs)]
	m.mu.Unlock()
	if !ok {
		return &FSError{Op: "copy", Path: cs, Err: ErrNotExist}
	}
	f.Content = append([]byte(nil), f.Content...)
	// A release binary pushed under its published name stays that binary under its new name.
	if id, ok := m.IdentifyProgram(cs, f); ok {
		f = id
	}
	return m.CreateFile(dst, f)
}

// InUse reports whether a running program holds the file open: the executable of a running service.
// OpenExclusive records a handle on path that shares nothing with other handles (CreateFile with share
// mode 0, what .NET's File.Open and File.OpenWrite use for writing: FileShare.None), held by any process on
// the machine, until release is called (or the process ends and its caller releases it). While it is
// held, Exclusive and InUse report the file, and reads and writes from any other process fail with a
// sharing violation (ERROR_SHARING_VIOLATION, 32).
func (m *Machine) OpenExclusive(path string) (release func()) {
	clean, err := CleanPath(path)
	if err != nil {
		return func() {}
	}
	key := strings.ToLower(clean)
	m.mu.Lock()
	m.fs.exclusive[key]++
	m.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if m.fs.exclusive[key]--; m.fs.exclusive[key] <= 0 {
				delete(m.fs.exclusive, key)
			}
		})
	}
}

// Exclusive reports whether a handle that shares nothing is open on path (OpenExclusive).
func (m *Machine) Exclusive(path string) bool {
	clean, err := CleanPath(path)
	if err != nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fs.exclusive[strings.ToLower(clean)] > 0
}

// InUse reports whether replacing, moving, deleting or writing path fails with a sharing violation:
// Windows keeps a running image's file open without FILE_SHARE_DELETE (ERROR_SHARING_VIOLATION, 32), and
// a handle opened with OpenExclusive shares nothing.
func (m *Machine) InUse(path string) bool {
	clean, err := CleanPath(path)
	if err != nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fs.exclusive[strings.ToLower(clean)] > 0 {
		return true
	}
	for _, s := range m.services {
		if s.State != Running {
			continue
		}
		exe := s.PathName
		if strings.HasPrefix(exe, `"`) {
			if i := strings.IndexByte(exe[1:], '"'); i >= 0 {
				exe = exe[1 : i+1]
			}
		} else if i := strings.IndexByte(exe, ' '); i >= 0 {
			exe = exe[:i]
		}
		if c, err := CleanPath(exe); err == nil && strings.EqualFold(c, clean) {
			return true
		}
	}
	return false
}

// ReplaceFile puts src in dst's place in one step, as ReplaceFile (File.Replace) does: dst must exist,
// its old content moves to backup when backup is not "" (replacing a file there), src goes.
func (m *Machine) ReplaceFile(src, dst, backup string) error {
	cs, err := CleanPath(src)
	if err != nil {
		return err
	}
	cd, err := CleanPath(dst)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.adoptLocked()
	ks, kd := strings.ToLower(cs), strings.ToLower(cd)
	f, ok := m.files[ks]
	if !ok {
		return &FSError{Op: "replace", Path: cs, Err: ErrNotExist}
	}
	old, ok := m.files[kd]
	if !ok {
		return &FSError{Op: "replace", Path: cd, Err: ErrNotExist}
	}
	if backup != "" {
		cb, err := CleanPath(backup)
		if err != nil {
			return err
		}
		if p := parentOf(cb); p == "" || !m.isDirLocked(strings.ToLower(p)) {
			return &FSError{Op: "replace", Path: cb, Err: ErrNoParent}
		}
		m.putLocked(cb, old)
	}
	name := m.fs.names[kd]
	m.dropFileLocked(ks)
	m.putLocked(name, f)
	return nil
}
