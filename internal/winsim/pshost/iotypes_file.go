package pshost

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// [System.IO.File] (.NET Framework 4.x, learn.microsoft.com dotnet/api/system.io.file): the static
// methods the scripts use. Paths must be absolute (.NET resolves relative ones against the process's
// current directory, which is not modelled). Errors are .NET's exceptions with their messages; the
// engine wraps them as 5.1 does ('Exception calling "Move" with "2" argument(s): "..."').
func (h *fsHost) fileType() *engine.Type {
	return &engine.Type{FullName: "System.IO.File", StaticMethods: map[string]func(*engine.Session, []any) (any, error){
		"ReadAllText":  h.readAllText,
		"ReadAllBytes": h.readAllBytes,
		"WriteAllText": h.writeAllText,
		"WriteAllBytes": func(_ *engine.Session, args []any) (any, error) {
			if len(args) != 2 {
				return nil, notImpl("[IO.File]::WriteAllBytes with %d arguments", len(args))
			}
			b, err := psBytes(args[1])
			if err != nil {
				return nil, notImpl("[IO.File]::WriteAllBytes with a %s", value.TypeName(args[1]))
			}
			return nil, h.writeFile(value.ToString(args[0]), b)
		},
		"Exists": func(_ *engine.Session, args []any) (any, error) {
			if len(args) != 1 {
				return nil, notImpl("[IO.File]::Exists with %d arguments", len(args))
			}
			e, ok := h.m.Stat(value.ToString(args[0]))
			return ok && !e.Dir, nil // File.Exists: false for folders and bad paths, never an error
		},
		"Delete":  h.deleteFile,
		"Move":    h.moveFile,
		"Replace": h.replaceFile,
		"Open":    h.openFile,
		// OpenWrite(path) is Open(path, FileMode.OpenOrCreate, FileAccess.Write) (File.OpenWrite remarks):
		// winrmcp's restore script, what Packer's communicator uploads with, writes through it.
		"OpenWrite": func(s *engine.Session, args []any) (any, error) {
			if len(args) != 1 {
				return nil, notImpl("[IO.File]::OpenWrite with %d arguments", len(args))
			}
			return h.openFile(s, []any{args[0], "OpenOrCreate", "Write"})
		},
		"OpenText": h.openText,
	}}
}

// netPath checks a path argument: null is ArgumentNullException, "" ArgumentException, a relative path
// not modelled.
func netPath(v any, param string) (string, error) {
	if v == nil {
		return "", engine.NewError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: "+param, "ArgumentNullException", "NotSpecified", nil)
	}
	p := value.ToString(v)
	if strings.TrimSpace(p) == "" {
		return "", engine.NewError("System.ArgumentException", "Empty path name is not legal.", "ArgumentException", "NotSpecified", nil)
	}
	if _, err := machine.CleanPath(p); err != nil {
		return "", notImpl("a relative or non-file path in an [IO.File] call (%q)", p)
	}
	return p, nil
}

// netError is the .NET exception of a failed file operation.
func netError(err error, path string) error {
	var ni *engine.NotImplementedError
	if errors.As(err, &ni) {
		return err
	}
	t, msg := dotnetError(err, path)
	return engine.NewError(t, msg, strings.TrimPrefix(t, "System.IO."), "NotSpecified", nil)
}

// readable returns a file's bytes for a .NET read: a missing file is FileNotFoundException, a folder
// UnauthorizedAccessException, a file open for writing (FileShare.None, by this or any other process on
// the machine) a sharing violation.
func (h *fsHost) readable(path string) ([]byte, error) {
	e, ok := h.m.Stat(path)
	if !ok {
		if p, _ := machine.CleanPath(path); p != "" {
			if d, ok := h.m.Stat(parentPath(provFileSystem, p)); !ok || !d.Dir {
				return nil, netError(machine.ErrNoParent, path)
			}
		}
		return nil, netError(machine.ErrNotExist, path)
	}
	if e.Dir {
		return nil, netError(machine.ErrIsDir, path)
	}
	if h.openForWrite(e.Path) || h.m.Exclusive(e.Path) {
		return nil, netError(errInUse, path)
	}
	return fileBytes(e)
}

// ReadAllText(path[, encoding]): UTF-8 unless the encoding says otherwise, a byte-order mark detected
// either way (File.ReadAllText remarks).
func (h *fsHost) readAllText(s *engine.Session, args []any) (any, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, notImpl("[IO.File]::ReadAllText with %d arguments", len(args))
	}
	path, err := netPath(args[0], "path")
	if err != nil {
		return nil, err
	}
	enc := utf8Encoding(false)
	if len(args) == 2 {
		if enc, err = encodingOf(s, args[1]); err != nil {
			return nil, err
		}
	}
	b, err := h.readable(path)
	if err != nil {
		return nil, err
	}
	return decodeWithBOM(b, enc.decode), nil
}

// readPathArg reads the file named by a method's only argument (ReadAllBytes, OpenText).
func (h *fsHost) readPathArg(method string, args []any) ([]byte, error) {
	if len(args) != 1 {
		return nil, notImpl("[IO.File]::%s with %d arguments", method, len(args))
	}
	path, err := netPath(args[0], "path")
	if err != nil {
		return nil, err
	}
	return h.readable(path)
}

func (h *fsHost) readAllBytes(_ *engine.Session, args []any) (any, error) {
	b, err := h.readPathArg("ReadAllBytes", args)
	if err != nil {
		return nil, err
	}
	return bytesToPS(b), nil
}

// WriteAllText(path, text[, encoding]): UTF-8 without a byte-order mark by default; with an encoding,
// its preamble (GetPreamble: Encoding.UTF8's BOM, none for New-Object Text.UTF8Encoding $false or
// ASCII) then the text.
func (h *fsHost) writeAllText(s *engine.Session, args []any) (any, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, notImpl("[IO.File]::WriteAllText with %d arguments", len(args))
	}
	path, err := netPath(args[0], "path")
	if err != nil {
		return nil, err
	}
	enc := utf8Encoding(false)
	if len(args) == 3 {
		if enc, err = encodingOf(s, args[2]); err != nil {
			return nil, err
		}
	}
	text := ""
	if args[1] != nil {
		text = value.ToString(args[1])
	}
	return nil, h.writeFile(path, append(append([]byte(nil), enc.preamble...), enc.encode(text)...))
}

// writeFile creates or overwrites a file with bytes (FileMode.Create).
func (h *fsHost) writeFile(path string, b []byte) error {
	if h.m.InUse(path) || h.openForWrite(path) {
		return netError(errInUse, path)
	}
	sum := sha256.Sum256(b)
	if err := h.m.CreateFile(path, machine.File{Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:]), Content: b}); err != nil {
		return netError(err, path)
	}
	return nil
}

// Delete(path): no error for a file that does not exist; a missing folder is DirectoryNotFoundException.
func (h *fsHost) deleteFile(_ *engine.Session, args []any) (any, error) {
	if len(args) != 1 {
		return nil, notImpl("[IO.File]::Delete with %d arguments", len(args))
	}
	path, err := netPath(args[0], "path")
	if err != nil {
		return nil, err
	}
	e, ok := h.m.Stat(path)
	switch {
	case !ok:
		clean, _ := machine.CleanPath(path)
		if d, ok := h.m.Stat(parentPath(provFileSystem, clean)); !ok || !d.Dir {
			return nil, netError(machine.ErrNoParent, path)
		}
		return nil, nil
	case e.Dir:
		return nil, netError(machine.ErrIsDir, path)
	case h.m.InUse(path):
		return nil, netError(errAccessDenied, path)
	case h.openForWrite(e.Path):
		return nil, netError(errInUse, path)
	}
	_, err = h.m.Remove(path, false)
	return nil, err
}

// Move(source, dest): the destination must not exist (.NET Framework's File.Move has no overwrite); a
// missing source is FileNotFoundException naming it; other failures carry the Win32 error's text
// without a path (.NET Framework's __Error.WinIOError() for MoveFile).
func (h *fsHost) moveFile(_ *engine.Session, args []any) (any, error) {
	if len(args) != 2 {
		return nil, notImpl("[IO.File]::Move with %d arguments", len(args))
	}
	src, err := netPath(args[0], "sourceFileName")
	if err != nil {
		return nil, err
	}
	dst, err := netPath(args[1], "destFileName")
	if err != nil {
		return nil, err
	}
	if e, ok := h.m.Stat(src); !ok || e.Dir {
		return nil, netError(machine.ErrNotExist, src)
	}
	if h.m.InUse(src) || h.openForWrite(src) {
		return nil, netError(errInUse, "")
	}
	if err := h.m.Rename(src, dst); err != nil {
		return nil, netError(err, "")
	}
	return nil, nil
}

// Replace(source, dest, backup[, ignoreMetadataErrors]): ReplaceFile; the destination must exist.
// inferred: a missing file's message names the destination (.NET Framework's WinIOError with the
// destination path for ERROR_FILE_NOT_FOUND) and the source when it is the source that is missing.
func (h *fsHost) replaceFile(_ *engine.Session, args []any) (any, error) {
	if len(args) < 3 || len(args) > 4 {
		return nil, notImpl("[IO.File]::Replace with %d arguments", len(args))
	}
	src, err := netPath(args[0], "sourceFileName")
	if err != nil {
		return nil, err
	}
	dst, err := netPath(args[1], "destinationFileName")
	if err != nil {
		return nil, err
	}
	backup := ""
	if args[2] != nil {
		if backup, err = netPath(args[2], "destinationBackupFileName"); err != nil {
			return nil, err
		}
	}
	if e, ok := h.m.Stat(src); !ok || e.Dir {
		return nil, netError(machine.ErrNotExist, src)
	}
	if e, ok := h.m.Stat(dst); !ok || e.Dir {
		return nil, netError(machine.ErrNotExist, dst)
	}
	if h.m.InUse(dst) || h.openForWrite(dst) {
		// inferred: ReplaceFile's ERROR_UNABLE_TO_REMOVE_REPLACED (1175) for a destination held open.
		return nil, engine.NewError("System.IO.IOException", "Unable to remove the file to be replaced.", "IOException", "NotSpecified", nil)
	}
	if err := h.m.ReplaceFile(src, dst, backup); err != nil {
		return nil, netError(err, dst)
	}
	return nil, nil
}

// Open(path, mode[, access[, share]]): a FileStream for writing. Modes Create, CreateNew, OpenOrCreate
// and Truncate with FileAccess.Write are modelled; reading streams are not.
func (h *fsHost) openFile(_ *engine.Session, args []any) (any, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, notImpl("[IO.File]::Open with %d arguments", len(args))
	}
	path, err := netPath(args[0], "path")
	if err != nil {
		return nil, err
	}
	mode, err := value.ConvertToEnum(args[1], h.enums.fileMode)
	if err != nil {
		return nil, err
	}
	access := int64(3) // FileAccess.ReadWrite unless given (File.Open(String, FileMode) remarks)
	if len(args) == 3 {
		a, err := value.ConvertToEnum(args[2], h.enums.fileAccess)
		if err != nil {
			return nil, err
		}
		access = a.Value
	}
	if access != 2 {
		return nil, notImpl("[IO.File]::Open for reading (FileAccess %d)", access)
	}
	e, exists := h.m.Stat(path)
	switch mode.Value {
	case 1: // CreateNew
		if exists {
			return nil, engine.NewError("System.IO.IOException", "The file '"+path+"' already exists.", "IOException", "NotSpecified", nil)
		}
	case 2, 4: // Create, OpenOrCreate
	case 5: // Truncate
		if !exists {
			return nil, netError(machine.ErrNotExist, path)
		}
	default:
		return nil, notImpl("[IO.File]::Open with FileMode %s", value.DotNetString(mode))
	}
	if exists && e.Dir {
		return nil, netError(machine.ErrIsDir, path)
	}
	if mode.Value == 4 && exists && e.File.Size > 0 {
		return nil, notImpl("[IO.File]::Open OpenOrCreate on a file with content (writing over existing bytes)")
	}
	if h.m.InUse(path) || h.openForWrite(path) {
		return nil, netError(errInUse, path)
	}
	clean, _ := machine.CleanPath(path)
	// The handle exists before the file does (CreateFile opens and creates in one call): no other process
	// ever sees the new, empty file unlocked.
	release := h.m.OpenExclusive(clean)
	empty := sha256.Sum256(nil)
	if err := h.m.CreateFile(clean, machine.File{SHA256: hex.EncodeToString(empty[:]), Content: []byte{}}); err != nil {
		release()
		return nil, netError(err, path)
	}
	st := &fileStream{h: h, path: clean, hash: sha256.New(), release: release}
	h.open[strings.ToLower(clean)] = st
	return st, nil
}

func (h *fsHost) openForWrite(path string) bool {
	clean, err := machine.CleanPath(path)
	if err != nil {
		return false
	}
	_, ok := h.open[strings.ToLower(clean)]
	return ok
}

// fileStreamKeep is the size up to which a written file keeps its bytes; a larger one keeps its size and
// hash only, as winsim's downloads do (so that an uploaded archive is known by its hash).
const fileStreamKeep = 1 << 20

// fileStream is a System.IO.FileStream open for writing (FileShare.None: nobody else reads the file
// until it is closed). The bytes reach the machine when it is closed or flushed.
type fileStream struct {
	h       *fsHost
	path    string
	hash    hash.Hash
	size    int64
	buf     []byte
	closed  bool
	release func() // the machine-wide FileShare.None handle
}

func (f *fileStream) TypeName() string { return "System.IO.FileStream" }
func (f *fileStream) TypeNames() []string {
	return []string{"System.IO.FileStream", "System.IO.Stream", "System.MarshalByRefObject", "System.Object"}
}
func (f *fileStream) ToString() string { return "System.IO.FileStream" }

func (f *fileStream) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "length", "position":
		return f.size, true
	case "name":
		return f.path, true
	case "canwrite":
		return !f.closed, true
	case "canread", "canseek":
		return false, true
	}
	return nil, false
}

func (f *fileStream) InvokeMethod(_ *engine.Session, name string, args []any) (any, error) {
	switch strings.ToLower(name) {
	case "write":
		if f.closed {
			return nil, engine.NewError("System.ObjectDisposedException", "Cannot access a closed file.", "ObjectDisposedException", "NotSpecified", nil)
		}
		if len(args) != 3 {
			return nil, notImpl("FileStream.Write with %d arguments", len(args))
		}
		b, err := psBytes(args[0])
		if err != nil {
			return nil, notImpl("FileStream.Write with a %s", value.TypeName(args[0]))
		}
		off, err1 := value.ToInt32(args[1])
		n, err2 := value.ToInt32(args[2])
		if err1 != nil || err2 != nil || off < 0 || n < 0 || int(off)+int(n) > len(b) {
			// inferred: Argument_InvalidOffLen.
			return nil, engine.NewError("System.ArgumentException", "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.", "ArgumentException", "NotSpecified", nil)
		}
		if err := f.h.m.CheckSpace(); err != nil {
			return nil, netError(err, f.path)
		}
		chunk := b[off : off+n]
		f.hash.Write(chunk)
		f.size += int64(n)
		if f.size <= fileStreamKeep {
			f.buf = append(f.buf, chunk...)
		} else {
			f.buf = nil
		}
		return nil, nil
	case "flush":
		return nil, f.commit()
	case "dispose", "close":
		if f.closed {
			return nil, nil
		}
		f.closed = true
		delete(f.h.open, strings.ToLower(f.path))
		err := f.commit()
		f.release()
		return nil, err
	}
	return nil, notImpl("the method System.IO.FileStream.%s", name)
}

func (f *fileStream) commit() error {
	file := machine.File{Size: f.size, SHA256: hex.EncodeToString(f.hash.Sum(nil))}
	if f.size <= fileStreamKeep {
		file.Content = append([]byte{}, f.buf...)
	}
	if err := f.h.m.CreateFile(f.path, file); err != nil {
		return netError(err, f.path)
	}
	return nil
}

// OpenText(path): a StreamReader over the file in UTF-8, a byte-order mark detected (File.OpenText
// remarks). The reader holds the file's text as it was when opened.
func (h *fsHost) openText(_ *engine.Session, args []any) (any, error) {
	b, err := h.readPathArg("OpenText", args)
	if err != nil {
		return nil, err
	}
	return &streamReader{text: decodeWithBOM(b, decodeUTF8)}, nil
}

// streamReader is a System.IO.StreamReader from File.OpenText: ReadLine returns each line without its
// ending, then null; ReadToEnd the rest. After Close, a read is ObjectDisposedException.
type streamReader struct {
	text   string // what is left to read
	closed bool
}

func (r *streamReader) TypeName() string { return "System.IO.StreamReader" }
func (r *streamReader) TypeNames() []string {
	return []string{"System.IO.StreamReader", "System.IO.TextReader", "System.MarshalByRefObject", "System.Object"}
}
func (r *streamReader) ToString() string { return "System.IO.StreamReader" }

func (r *streamReader) Property(name string) (any, bool) {
	if strings.EqualFold(name, "EndOfStream") {
		return r.text == "", true
	}
	return nil, false
}

func (r *streamReader) InvokeMethod(_ *engine.Session, name string, args []any) (any, error) {
	switch strings.ToLower(name) {
	case "readline", "readtoend":
		if r.closed {
			return nil, engine.NewError("System.ObjectDisposedException", "Cannot read from a closed TextReader.", "ObjectDisposedException", "NotSpecified", nil)
		}
		if len(args) != 0 {
			return nil, notImpl("StreamReader.%s with %d arguments", name, len(args))
		}
		if strings.EqualFold(name, "readtoend") {
			rest := r.text
			r.text = ""
			return rest, nil
		}
		if r.text == "" {
			return nil, nil
		}
		var line string
		line, r.text = nextLine(r.text)
		return line, nil
	case "close", "dispose":
		r.closed = true
		return nil, nil
	}
	return nil, notImpl("the method System.IO.StreamReader.%s", name)
}
