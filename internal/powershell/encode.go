package powershell

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
)

// StdinHeader is the first token of the stdin framing line.
const StdinHeader = "wincontainers-script/1"

// EncodeParams turns parameters into the base64 of their JSON: the only form in which user values
// reach a host. The result contains only [A-Za-z0-9+/=].
func EncodeParams(params any) (string, error) {
	if params == nil {
		params = map[string]any{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(params); err != nil {
		return "", fmt.Errorf("encoding script parameters: %w", err)
	}
	return base64.StdEncoding.EncodeToString(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// Body is the script body sent after the header line: the parameter prelude and the static script.
func Body(s Script, params any) (string, error) {
	p, err := EncodeParams(params)
	if err != nil {
		return "", err
	}
	return "$WcParams = '" + p + "'\n" + s.Body, nil
}

// Stdin frames a script for the bootstrap: the header line with the body's length, then the body.
// A data stream for the script (an upload) may follow it on the same stdin.
func Stdin(s Script, params any) ([]byte, error) {
	body, err := Body(s, params)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(body); i++ {
		if body[i] > 0x7e || (body[i] < 0x20 && body[i] != '\n' && body[i] != '\r' && body[i] != '\t') {
			return nil, fmt.Errorf("script %s has a non-ASCII byte at offset %d: WinRM stdin is decoded with the console code page", s.Name, i)
		}
	}
	out := make([]byte, 0, len(body)+32)
	out = append(out, StdinHeader+" "+strconv.Itoa(len(body))+"\n"...)
	return append(out, body...), nil
}

// CommandLine is the command that runs the bootstrap. It carries no script text and no parameter.
func CommandLine(bootstrap string) string {
	return "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " + EncodeCommand(bootstrap)
}

// EncodeCommand is PowerShell's -EncodedCommand encoding: base64 of UTF-16LE without a BOM.
func EncodeCommand(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// DecodeCommand reverses EncodeCommand.
func DecodeCommand(enc string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("decoding -EncodedCommand: %w", err)
	}
	if len(b)%2 != 0 {
		return "", fmt.Errorf("decoding -EncodedCommand: odd length %d for UTF-16LE", len(b))
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}
