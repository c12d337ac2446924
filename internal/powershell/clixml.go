package powershell

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// clixmlMarker starts a CLIXML stream on stderr.
const clixmlMarker = "#< CLIXML"

// Stderr is a decoded error stream.
type Stderr struct {
	Errors   []string
	Warnings []string
	// Other holds verbose, debug and information records, and plain text that was not CLIXML.
	Other []string
}

// DecodeStderr decodes Windows PowerShell's stderr. CLIXML blocks (`#< CLIXML` then `<Objs>`) yield their
// Error, warning and other stream records, with `_xHHHH_` escapes decoded; progress records ("Preparing
// modules for first use.") are dropped. Plain text outside CLIXML (cmd.exe and native programs write it)
// is kept, line by line, as Errors. It never fails: undecodable XML is kept as text in Other.
func DecodeStderr(s string) Stderr {
	var out Stderr
	if strings.TrimSpace(s) == "" {
		return out
	}
	parts := strings.Split(s, clixmlMarker)
	for i, part := range parts {
		if i == 0 {
			out.Errors = append(out.Errors, lines(part)...)
			continue
		}
		decodeCLIXML(strings.TrimLeft(part, "\r\n"), &out)
	}
	return out
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if t := strings.TrimSpace(l); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// decodeCLIXML walks <Objs> and collects <S S="..."> records.
func decodeCLIXML(doc string, out *Stderr) {
	dec := xml.NewDecoder(strings.NewReader(doc))
	dec.Strict = false
	var stream string
	var text strings.Builder
	inS := false
	keep := func() {
		msg := strings.TrimRight(unescapeCLIXML(text.String()), "\r\n")
		if strings.TrimSpace(msg) == "" {
			return
		}
		switch stream {
		case "error":
			out.Errors = append(out.Errors, msg)
		case "warning":
			out.Warnings = append(out.Warnings, msg)
		default:
			out.Other = append(out.Other, msg)
		}
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if inS { // truncated inside a record: keep what arrived
				keep()
			}
			return
		}
		if err != nil {
			// Keep what cannot be parsed, so nothing the host said is lost.
			if inS {
				keep()
			} else if rest := strings.TrimSpace(doc); rest != "" {
				out.Other = append(out.Other, truncate(rest, 2000))
			}
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "S" {
				inS, stream = true, ""
				text.Reset()
				for _, a := range t.Attr {
					if a.Name.Local == "S" {
						stream = strings.ToLower(a.Value)
					}
				}
			}
		case xml.CharData:
			if inS {
				text.Write(t)
			}
		case xml.EndElement:
			if t.Name.Local == "S" && inS {
				inS = false
				keep()
			}
		}
	}
}

var clixmlEscape = regexp.MustCompile(`_x([0-9A-Fa-f]{4})_`)

// unescapeCLIXML decodes `_xHHHH_` UTF-16 escapes, including surrogate pairs.
func unescapeCLIXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var units []uint16
	var b strings.Builder
	flush := func() {
		if len(units) > 0 {
			b.WriteString(string(utf16.Decode(units)))
			units = units[:0]
		}
	}
	last := 0
	for _, m := range clixmlEscape.FindAllStringSubmatchIndex(s, -1) {
		if m[0] != last {
			flush()
			b.WriteString(s[last:m[0]])
		}
		v, _ := strconv.ParseUint(s[m[2]:m[3]], 16, 16) // four hex digits: cannot fail
		units = append(units, uint16(v))
		last = m[1]
	}
	flush()
	b.WriteString(s[last:])
	return b.String()
}
