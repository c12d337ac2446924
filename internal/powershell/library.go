// Package powershell is the script channel: the embedded library of Windows PowerShell 5.1 scripts,
// the bootstrap that reads a script from stdin, parameter encoding, the output protocol, CLIXML
// decoding and the 5.1 lint.
//
// The wire contract:
//
//  1. The command line is `powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass
//     -EncodedCommand <base64(UTF-16LE(bootstrap))>`. The bootstrap carries the marker
//     `# wincontainers:bootstrap/1`. No script text and no parameter is ever on the command line, which
//     Windows can log and which cmd.exe limits to 8191 characters.
//  2. stdin is ASCII: a header line `wincontainers-script/1 <N>`, then exactly N bytes of script body —
//     a prelude line `$WcParams = '<base64 of UTF-8 JSON>'` followed by the static library script, whose
//     first line is `# wincontainers:script <name>/<version>` — then an optional data stream the script
//     reads itself (the streaming upload). The base64 alphabet cannot leave a single-quoted literal, so
//     no user value can become code.
//  3. stdout: `##wincontainers:progress <json>` lines, exactly one `##wincontainers:result <json>` line,
//     and free text. On failure the result has {"error":{"code","message","remedy"}}.
//  4. Exit code 0 is success, 3010 success with a reboot required, anything else failure. stderr may be
//     CLIXML.
package powershell

import (
	"embed"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

//go:embed scripts/*.ps1 scripts/include/*.ps1
var scriptFS embed.FS

// includeLine is replaced, when the library loads, by the named files of scripts/include in order:
// helpers the step scripts share, so each script still travels as one self-contained body.
var includeLine = regexp.MustCompile(`(?m)^# wincontainers:include ([a-z]+(?: [a-z]+)*)\r?\n`)

// Script is one static library script.
type Script struct {
	Name    string
	Version string
	Body    string
	// Idempotent scripts (marked `# wincontainers:idempotent` on their second line) may be run again
	// after a transport failure: running them twice has the effect of running them once.
	Idempotent bool
}

var header = regexp.MustCompile(`^# wincontainers:script ([a-z][a-z0-9-]*)/([0-9]+)\r?\n`)

// bootstrapMarker identifies the bootstrap after -EncodedCommand is decoded.
const bootstrapMarker = "# wincontainers:bootstrap/1"

// Library is the set of embedded scripts. It is built once by Load and never modified.
type Library struct {
	scripts   map[string]Script
	bootstrap string
	// staged is the bootstrap for transports without stdin (staged.go).
	staged string
}

// Load reads and checks the embedded scripts: each has a header whose name matches its file name.
func Load() (*Library, error) {
	entries, err := scriptFS.ReadDir("scripts")
	if err != nil {
		return nil, fmt.Errorf("reading the embedded scripts: %w", err)
	}
	includes, err := loadIncludes()
	if err != nil {
		return nil, err
	}
	lib := &Library{scripts: map[string]Script{}}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := scriptFS.ReadFile(path.Join("scripts", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", e.Name(), err)
		}
		body := string(b)
		if e.Name() == "bootstrap.ps1" {
			if !strings.HasPrefix(body, bootstrapMarker+"\n") {
				return nil, fmt.Errorf("bootstrap.ps1 must start with %q", bootstrapMarker)
			}
			lib.bootstrap = body
			continue
		}
		if e.Name() == "bootstrap-staged.ps1" {
			if !strings.HasPrefix(body, StagedBootstrapMarker+"\n") {
				return nil, fmt.Errorf("bootstrap-staged.ps1 must start with %q", StagedBootstrapMarker)
			}
			lib.staged = body
			continue
		}
		m := header.FindStringSubmatch(body)
		if m == nil {
			return nil, fmt.Errorf("%s: the first line must be `# wincontainers:script <name>/<version>`", e.Name())
		}
		if m[1]+".ps1" != e.Name() {
			return nil, fmt.Errorf("%s: header names script %q", e.Name(), m[1])
		}
		if body, err = expandIncludes(e.Name(), body, includes); err != nil {
			return nil, err
		}
		rest := body[len(m[0]):]
		lib.scripts[m[1]] = Script{Name: m[1], Version: m[2], Body: body,
			Idempotent: strings.HasPrefix(rest, "# wincontainers:idempotent\n")}
	}
	if lib.bootstrap == "" || lib.staged == "" {
		return nil, fmt.Errorf("bootstrap.ps1 or bootstrap-staged.ps1 is missing from the library")
	}
	return lib, nil
}

func loadIncludes() (map[string]string, error) {
	entries, err := scriptFS.ReadDir("scripts/include")
	if err != nil {
		return nil, fmt.Errorf("reading the embedded includes: %w", err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := scriptFS.ReadFile(path.Join("scripts/include", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading include %s: %w", e.Name(), err)
		}
		out[strings.TrimSuffix(e.Name(), ".ps1")] = string(b)
	}
	return out, nil
}

// expandIncludes replaces each include line with the files it names.
func expandIncludes(file, body string, includes map[string]string) (string, error) {
	var missing error
	out := includeLine.ReplaceAllStringFunc(body, func(line string) string {
		var b strings.Builder
		for _, name := range strings.Fields(includeLine.FindStringSubmatch(line)[1]) {
			text, ok := includes[name]
			if !ok && missing == nil {
				missing = fmt.Errorf("%s: no include %q in scripts/include", file, name)
			}
			b.WriteString(strings.TrimRight(text, "\n") + "\n\n")
		}
		return b.String()
	})
	return out, missing
}

// MustLoad is Load for program start-up, where a broken embedded library is a build defect.
func MustLoad() *Library {
	l, err := Load()
	if err != nil {
		panic(err)
	}
	return l
}

// Script returns a library script by name.
func (l *Library) Script(name string) (Script, error) {
	s, ok := l.scripts[name]
	if !ok {
		return Script{}, fmt.Errorf("no library script %q (have %s)", name, strings.Join(l.Names(), ", "))
	}
	return s, nil
}

// Names lists the scripts, sorted.
func (l *Library) Names() []string {
	out := make([]string, 0, len(l.scripts))
	for n := range l.scripts {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Idempotent reports whether a library script may be retried.
func (l *Library) Idempotent(name string) bool { return l.scripts[name].Idempotent }

// Bootstrap returns the bootstrap's text.
func (l *Library) Bootstrap() string { return l.bootstrap }
