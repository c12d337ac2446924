package pshost

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// textEncoding is a System.Text.Encoding as the file APIs use it: its preamble (the byte-order mark
// File.WriteAllText writes first) and its conversions.
type textEncoding struct {
	preamble []byte
	encode   func(string) []byte
	decode   func([]byte) string
}

func utf8Encoding(bom bool) textEncoding {
	e := textEncoding{encode: func(s string) []byte { return []byte(strings.ToValidUTF8(s, "\uFFFD")) }, decode: decodeUTF8}
	if bom {
		e.preamble = []byte{0xEF, 0xBB, 0xBF}
	}
	return e
}

// encodingOf reads an Encoding object the engine made ([Text.Encoding]::UTF8, ::ASCII, New-Object
// Text.UTF8Encoding $false, ...) by its WebName and its GetPreamble(), as .NET's file APIs use it.
func encodingOf(s *engine.Session, v any) (textEncoding, error) {
	obj, ok := v.(value.Object)
	if !ok || v == nil {
		return textEncoding{}, notImpl("a %s as a text encoding", value.TypeName(v))
	}
	webName := ""
	if w, ok := obj.Property("WebName"); ok {
		webName = strings.ToLower(value.ToString(w))
	}
	p, err := s.CallMethod(v, "GetPreamble")
	if err != nil {
		return textEncoding{}, fmt.Errorf("the preamble of %s: %w", obj.TypeName(), err)
	}
	preamble, err := psBytes(p)
	if err != nil && p != nil {
		return textEncoding{}, notImpl("the preamble of %s (%v)", obj.TypeName(), err)
	}
	var e textEncoding
	switch webName {
	case "utf-8":
		e = utf8Encoding(false)
	case "us-ascii":
		e = textEncoding{encode: encodeASCII, decode: decodeASCII}
	case "utf-16":
		e = textEncoding{encode: func(s string) []byte { return encodeUTF16(s, false) }, decode: func(b []byte) string { return decodeUTF16(b, false) }}
	case "utf-16be", "unicodefffe":
		e = textEncoding{encode: func(s string) []byte { return encodeUTF16(s, true) }, decode: func(b []byte) string { return decodeUTF16(b, true) }}
	case "windows-1252":
		e = textEncoding{encode: encodeANSI, decode: decodeANSI}
	default:
		return textEncoding{}, notImpl("the text encoding %q (%s)", webName, obj.TypeName())
	}
	e.preamble = preamble
	return e, nil
}
