package engine

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// The bootstraps run byte for byte: the stdin bootstrap reads the frame the controller builds, and the
// staged bootstrap prints its key, reads the sealed file through a test host's [IO.File]::ReadAllBytes
// and runs the body. Both keep the body's exit code (3010, 1) and write exactly one result line.

const testBody = `# wincontainers:script enginetest/1
$p = Get-WcParams
Write-WcProgress -Step 'test' -Message ('hello {0}' -f $p.name) -Percent 50
Write-WcResult @{ greeting = ('hi ' + $p.name); ascii = 'caf' + [char]0xe9; n = [int]$p.n + 1 }
exit [int]$p.code
`

func runBootstrap(t *testing.T, params map[string]any) (*powershell.OutputParser, string, int, []powershell.Progress) {
	t.Helper()
	lib := powershell.MustLoad()
	sc := powershell.Script{Name: "enginetest", Version: "1", Body: testBody}
	frame, err := powershell.Stdin(sc, params)
	if err != nil {
		t.Fatal(err)
	}
	var progress []powershell.Progress
	op := powershell.NewOutputParser(func(p powershell.Progress) { progress = append(progress, p) })
	var stderr bytes.Buffer
	s := NewSession(Config{Stdin: bytes.NewReader(frame), Stdout: op, Stderr: &stderr})
	code := s.Run(lib.Bootstrap())
	if f := s.Fault(); f != nil {
		t.Fatalf("engine fault: %v\nstderr: %s", f, stderr.String())
	}
	return op, stderr.String(), code, progress
}

func TestBootstrapRunsABody(t *testing.T) {
	for _, tc := range []struct {
		code int
	}{{0}, {3010}, {1}} {
		op, stderr, code, progress := runBootstrap(t, map[string]any{"name": "engine", "n": 41, "code": tc.code})
		if code != tc.code {
			t.Fatalf("exit code %d, want %d; stderr: %s", code, tc.code, stderr)
		}
		res, err := op.Result()
		if err != nil {
			t.Fatal(err)
		}
		var r map[string]any
		if err := json.Unmarshal(res, &r); err != nil {
			t.Fatal(err)
		}
		if r["greeting"] != "hi engine" || r["n"] != float64(42) || r["ascii"] != "caf\u00e9" {
			t.Errorf("result %s", res)
		}
		if !strings.Contains(string(res), `caf\u00e9`) {
			t.Errorf("the result line is not ASCII-escaped: %s", res)
		}
		if len(progress) != 1 || progress[0].Step != "test" || progress[0].Message != "hello engine" || progress[0].Percent == nil || *progress[0].Percent != 50 {
			t.Errorf("progress %+v", progress)
		}
		if stderr != "" {
			t.Errorf("stderr: %s", stderr)
		}
	}
}

func TestBootstrapRejectsABadHeader(t *testing.T) {
	var out, errb bytes.Buffer
	s := NewSession(Config{Stdin: strings.NewReader("hello\n"), Stdout: &out, Stderr: &errb})
	if code := s.Run(powershell.MustLoad().Bootstrap()); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errb.String(), "stdin does not start with a script header") {
		t.Errorf("stderr %q", errb.String())
	}
}

// stagedHost is the little a host must provide for bootstrap-staged.ps1: [IO.File]::ReadAllBytes
// (failing until the file "arrives") and Remove-Item.
type stagedHost struct {
	out     *bytes.Buffer
	frame   []byte
	reads   int
	removed []string
}

func (h *stagedHost) fileType() *Type {
	return &Type{FullName: "System.IO.File", StaticMethods: map[string]func(*Session, []any) (any, error){
		"ReadAllBytes": func(_ *Session, args []any) (any, error) {
			h.reads++
			if h.reads < 3 {
				return nil, NewError("System.IO.IOException", "The process cannot access the file '"+value.ToString(args[0])+"' because it is being used by another process.", "IOException", "NotSpecified", nil)
			}
			line := strings.SplitN(h.out.String(), "\r\n", 2)[0]
			key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(line, powershell.KeyPrefix))
			if err != nil {
				return nil, err
			}
			blob, err := powershell.SealStaged(key, h.frame)
			if err != nil {
				return nil, err
			}
			return byteArray(blob), nil
		},
	}}
}

func (h *stagedHost) removeItem() *Cmdlet {
	return &Cmdlet{Name: "Remove-Item", Module: "Microsoft.PowerShell.Management",
		Params: []Param{{Name: "LiteralPath", Type: "string[]", Position: -1}, {Name: "Force", Type: "switch", Position: -1}},
		Process: func(c *Call) error {
			h.removed = append(h.removed, value.ToString(c.Bound["LiteralPath"]))
			return nil
		}}
}

func TestStagedBootstrapRunsABody(t *testing.T) {
	lib := powershell.MustLoad()
	sc := powershell.Script{Name: "enginetest", Version: "1", Body: testBody}
	frame, err := powershell.Stdin(sc, map[string]any{"name": "staged", "n": 1, "code": 3010})
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	h := &stagedHost{out: &out, frame: frame}
	var slept time.Duration
	path := `C:\Windows\Temp\wincontainers-0123456789abcdef.in`
	s := NewSession(Config{Stdout: &out, Stderr: &errb, Types: []*Type{h.fileType()}, Commands: []*Cmdlet{h.removeItem()},
		Variables: map[string]any{"WcIn": path, "WcWait": int32(30)},
		Sleep:     func(_ context.Context, d time.Duration) error { slept += d; return nil }})
	code := s.Run(lib.StagedBootstrap())
	if f := s.Fault(); f != nil {
		t.Fatalf("engine fault: %v\nstderr: %s", f, errb.String())
	}
	if code != 3010 {
		t.Fatalf("exit %d, want 3010; stdout %s; stderr %s", code, out.String(), errb.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\r\n"), "\r\n")
	if !strings.HasPrefix(lines[0], powershell.KeyPrefix) || len(lines) != 3 ||
		!strings.HasPrefix(lines[1], powershell.ProgressPrefix) || !strings.HasPrefix(lines[2], powershell.ResultPrefix) {
		t.Fatalf("stdout lines: %q", lines)
	}
	if h.reads != 3 || slept != 200*time.Millisecond {
		t.Errorf("reads %d, slept %v: want 3 reads and two 100 ms waits", h.reads, slept)
	}
	if len(h.removed) != 1 || h.removed[0] != path {
		t.Errorf("removed %q", h.removed)
	}
	if !strings.Contains(lines[2], `"greeting":"hi staged"`) {
		t.Errorf("result %s", lines[2])
	}
}
