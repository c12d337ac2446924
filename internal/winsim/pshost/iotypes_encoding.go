package pshost

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Text encodings of the file APIs. Windows' ANSI code page is 1252 on the English Windows winsim
// models (about_Character_Encoding.md: 5.1's Default encoding "uses the encoding that corresponds to
// the system's active code page (usually ANSI)").

// cp1252High maps bytes 0x80-0x9F of Windows-1252 to Unicode; the five undefined bytes map to the C1
// control of the same value, as MultiByteToWideChar does (inferred). Bytes 0xA0-0xFF are Latin-1.
func cp1252High() [32]rune {
	return [32]rune{
		0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
		0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
	}
}

func decodeANSI(b []byte) string {
	high := cp1252High()
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c < 0x80 || c >= 0xA0:
			sb.WriteRune(rune(c))
		default:
			sb.WriteRune(high[c-0x80])
		}
	}
	return sb.String()
}

func encodeANSI(s string) []byte {
	high := cp1252High()
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80 || (r >= 0xA0 && r <= 0xFF):
			out = append(out, byte(r))
		default:
			b := byte('?') // inferred: the best-fit fallback for characters outside the code page
			for i, h := range high {
				if h == r {
					b = byte(0x80 + i)
				}
			}
			out = append(out, b)
		}
	}
	return out
}

func decodeASCII(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c < 0x80 {
			sb.WriteByte(c)
		} else {
			sb.WriteByte('?') // ASCIIEncoding's replacement fallback
		}
	}
	return sb.String()
}

func encodeASCII(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x80 {
			out = append(out, byte(r))
		} else {
			out = append(out, '?')
		}
	}
	return out
}

// decodeUTF8 decodes UTF-8, invalid bytes becoming U+FFFD as .NET's replacement fallback does.
func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func decodeUTF16(b []byte, big bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if big {
			u[i] = binary.BigEndian.Uint16(b[2*i:])
		} else {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
	}
	return string(utf16.Decode(u))
}

func encodeUTF16(s string, big bool) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 2*len(u))
	for i, x := range u {
		if big {
			binary.BigEndian.PutUint16(out[2*i:], x)
		} else {
			binary.LittleEndian.PutUint16(out[2*i:], x)
		}
	}
	return out
}

// decodeWithBOM reads text as StreamReader does with detectEncodingFromByteOrderMarks: a UTF-8,
// UTF-16 LE/BE or UTF-32 LE byte-order mark decides and is dropped; without one, fallback decodes.
func decodeWithBOM(b []byte, fallback func([]byte) string) string {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return decodeUTF8(b[3:])
	case len(b) >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0:
		var sb strings.Builder
		for i := 4; i+4 <= len(b); i += 4 {
			sb.WriteRune(rune(binary.LittleEndian.Uint32(b[i:])))
		}
		return sb.String()
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return decodeUTF16(b[2:], false)
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return decodeUTF16(b[2:], true)
	}
	return fallback(b)
}

// splitLines splits text as StreamReader.ReadLine does: at "\r\n", "\n" or "\r"; a final line ending
// adds no empty line.
func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		var line string
		line, s = nextLine(s)
		out = append(out, line)
	}
	return out
}

// nextLine is the first line of s without its ending ("\r\n", "\n" or "\r", StreamReader.ReadLine's
// remarks) and what follows it; s is not empty.
func nextLine(s string) (line, rest string) {
	i := strings.IndexAny(s, "\r\n")
	if i < 0 {
		return s, ""
	}
	line, rest = s[:i], s[i+1:]
	if s[i] == '\r' && strings.HasPrefix(rest, "\n") {
		rest = rest[1:]
	}
	return line, rest
}
