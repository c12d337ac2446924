package pshost

import (
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Get-Content (reference/5.1/Microsoft.PowerShell.Management/Get-Content.md) writes a file's lines, or
// with -Raw its whole text as one string. Without -Encoding, Windows PowerShell 5.1 reads a file that
// has no byte-order mark in the ANSI code page (Get-Content.md -Encoding: "Default: Uses the encoding
// that corresponds to the system's active code page"; about_Character_Encoding.md), so a UTF-8 file
// without a BOM comes back garbled ("DonnÃ©es" for "Données"); a byte-order mark is honoured.
// -Encoding UTF8, Ascii, Unicode (String, Unknown), BigEndianUnicode and Default are modelled; Byte,
// UTF7, UTF32 and Oem are not, nor -TotalCount, -Tail, -ReadCount, -Delimiter, -Wait and -Stream.
func (h *fsHost) getContent() *engine.Cmdlet {
	const cmd = "GetContentCommand"
	params := append(pathParams(), engine.Param{Name: "Raw", Type: "switch", Position: -1},
		engine.Param{Name: "Encoding", Type: "string", Position: -1}, engine.Param{Name: "Force", Type: "switch", Position: -1},
		engine.Param{Name: "TotalCount", Aliases: []string{"First", "Head"}, Type: "int64", Position: -1},
		engine.Param{Name: "Tail", Aliases: []string{"Last"}, Type: "int", Position: -1},
		engine.Param{Name: "ReadCount", Type: "int64", Position: -1}, engine.Param{Name: "Delimiter", Type: "string", Position: -1},
		engine.Param{Name: "Wait", Type: "switch", Position: -1}, engine.Param{Name: "Stream", Type: "string", Position: -1},
		engine.Param{Name: "Filter", Type: "string", Position: -1}, engine.Param{Name: "Include", Type: "string[]", Position: -1},
		engine.Param{Name: "Exclude", Type: "string[]", Position: -1})
	return &engine.Cmdlet{Name: "Get-Content", Module: "Microsoft.PowerShell.Management", Params: params,
		Process: func(c *engine.Call) error {
			for _, p := range []string{"TotalCount", "Tail", "ReadCount", "Delimiter", "Wait", "Stream", "Filter", "Include", "Exclude"} {
				if has(c, p) {
					return notImpl("Get-Content -%s", p)
				}
			}
			decode, err := contentDecoder(str(c, "Encoding"))
			if err != nil {
				return err
			}
			paths, err := boundPaths(c, "Get-Content")
			if err != nil {
				return err
			}
			if err := checkNotEmpty(c, cmd, paths); err != nil {
				return err
			}
			for _, raw := range paths {
				text, rec, err := h.readText(raw, cmd, decode)
				if err != nil {
					return err
				}
				if rec != nil {
					if err := report(c, rec); err != nil {
						return err
					}
					continue
				}
				if flag(c, "Raw") {
					if text != "" {
						c.Out(text)
					}
					continue
				}
				for _, line := range splitLines(text) {
					c.Out(line)
				}
			}
			return nil
		}}
}

// contentDecoder is the decoder for a -Encoding value (FileSystemCmdletProviderEncoding); byte-order
// marks are detected for every text encoding, as the provider's StreamReader does.
func contentDecoder(enc string) (func([]byte) string, error) {
	var fallback func([]byte) string
	switch strings.ToLower(enc) {
	case "", "default":
		fallback = decodeANSI
	case "utf8":
		fallback = decodeUTF8
	case "ascii":
		fallback = decodeASCII
	case "unicode", "string", "unknown":
		fallback = func(b []byte) string { return decodeUTF16(b, false) }
	case "bigendianunicode":
		fallback = func(b []byte) string { return decodeUTF16(b, true) }
	default:
		return nil, notImpl("Get-Content -Encoding %s", enc)
	}
	return func(b []byte) string { return decodeWithBOM(b, fallback) }, nil
}

// readText reads a file's text: the error record 5.1 writes when it cannot, or a not-modelled error
// for a file whose bytes winsim does not hold.
func (h *fsHost) readText(raw, cmd string, decode func([]byte) string) (string, *engine.ErrorRecord, error) {
	b, rec, err := h.readBytes(raw, cmd)
	if err != nil || rec != nil {
		return "", rec, err
	}
	return decode(b), nil, nil
}

func (h *fsHost) readBytes(raw, cmd string) ([]byte, *engine.ErrorRecord, error) {
	p, err := h.resolve(raw)
	if err != nil {
		return nil, nil, err
	}
	if p.kind != provFileSystem {
		return nil, nil, notImpl("reading the content of %s paths (%q)", p.kind, raw)
	}
	if !p.driveOK {
		return nil, errDriveNotFound(cmd, p.drive), nil
	}
	e, ok := h.m.Stat(p.path)
	if !ok {
		return nil, errNotFound(cmd, raw), nil
	}
	if e.Dir {
		return nil, ioRecord(machine.ErrIsDir, e.Path, "GetContentReaderUnauthorizedAccessError", cmd, "PermissionDenied"), nil
	}
	b, err := fileBytes(e)
	return b, nil, err
}

// fileBytes are a file's bytes; a file known only by its size and hash (a synthetic download, a
// binary) cannot be read.
func fileBytes(e machine.Entry) ([]byte, error) {
	if e.File.Content == nil && e.File.Size > 0 {
		return nil, notImpl("reading the bytes of %s (winsim keeps only the size and hash of this file)", e.Path)
	}
	return e.File.Content, nil
}
