package powershell

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestStagedBootstrap(t *testing.T) {
	lib := MustLoad()
	st := lib.StagedBootstrap()
	if !strings.HasPrefix(st, StagedBootstrapMarker+"\n") {
		t.Fatal("staged bootstrap marker")
	}
	for _, p := range Lint("bootstrap-staged", st) {
		t.Errorf("bootstrap-staged: %s", p)
	}
	// The helpers the scripts call are the stdin bootstrap's, character for character.
	helpers := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "function Get-WcParams") || strings.HasPrefix(l, "function Write-Wc") || strings.HasPrefix(l, "$ErrorActionPreference") {
				out = append(out, l)
			}
		}
		return out
	}
	if a, b := helpers(lib.Bootstrap()), helpers(st); len(a) != 4 || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("the staged bootstrap's helpers differ from the bootstrap's:\n%q\n%q", a, b)
	}

	path, err := NewStagedPath()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := StagedCommandLine(lib, path, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// cmd.exe /c runs the line (8191 characters); keep a margin for a longer bootstrap.
	if n := len("cmd.exe /c " + cmd); n > 7500 {
		t.Errorf("staged command line %d characters; cmd.exe's limit is 8191", n)
	}
	dec, err := DecodeCommand(strings.TrimPrefix(cmd, "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "))
	if err != nil {
		t.Fatal(err)
	}
	if want := "$WcIn = '" + path + "'\n$WcWait = 90\n$WcStale = @()\n" + st; dec != want {
		t.Errorf("decoded command:\n%s", dec)
	}
	if err := syntaxError(dec); err != nil {
		t.Errorf("staged bootstrap with its prelude: %v", err)
	}
}

func TestStagedPaths(t *testing.T) {
	lib := MustLoad()
	seen := map[string]bool{}
	for range 100 {
		p, err := NewStagedPath()
		if err != nil || !stagedPath.MatchString(p) || seen[p] {
			t.Fatalf("NewStagedPath = %q, %v", p, err)
		}
		seen[p] = true
	}
	for _, bad := range []string{
		`C:\Windows\Temp\x.in`,
		`C:\Windows\Temp\wincontainers-0123456789abcdef.in'; Remove-Item C:\ -Recurse; '`,
		`C:\Users\me\wincontainers-0123456789abcdef.in`,
		`C:\Windows\Temp\wincontainers-0123456789ABCDEF.in`,
		"",
	} {
		if _, err := StagedCommandLine(lib, bad, time.Minute); err == nil {
			t.Errorf("StagedCommandLine accepted %q", bad)
		}
		if _, err := StagedCommandLine(lib, `C:\Windows\Temp\wincontainers-0123456789abcdef.in`, time.Minute, bad); err == nil {
			t.Errorf("StagedCommandLine accepted the stale path %q", bad)
		}
	}
	many := make([]string, MaxStale+1)
	for i := range many {
		many[i] = fmt.Sprintf(`C:\Windows\Temp\wincontainers-%016x.in`, i)
	}
	if _, err := StagedCommandLine(lib, `C:\Windows\Temp\wincontainers-0123456789abcdef.in`, time.Minute, many...); err == nil {
		t.Errorf("StagedCommandLine accepted %d stale paths", len(many))
	}
	line, err := StagedCommandLine(lib, `C:\Windows\Temp\wincontainers-0123456789abcdef.in`, time.Minute, many[:MaxStale]...)
	if err != nil || len("cmd.exe /c "+line) > 7500 {
		t.Errorf("with %d stale paths: %d characters, %v", MaxStale, len(line), err)
	}
	cmd, _ := StagedCommandLine(lib, `C:\Windows\Temp\wincontainers-0123456789abcdef.in`, 0)
	dec, _ := DecodeCommand(cmd[strings.LastIndexByte(cmd, ' ')+1:])
	if !strings.Contains(dec, "$WcWait = 300\n") {
		t.Errorf("default wait: %q", dec[:80])
	}
}

func TestSealStaged(t *testing.T) {
	key := make([]byte, StagedKeySize)
	_, _ = rand.Read(key)
	lib := MustLoad()
	s, _ := lib.Script("probe")
	for _, frame := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("a"), 16), mustStdin(t, s, map[string]string{"password": "hunter2"})} {
		blob, err := SealStaged(key, frame)
		if err != nil {
			t.Fatal(err)
		}
		if len(frame) > 8 && bytes.Contains(blob, frame[:8]) {
			t.Error("the sealed blob carries plaintext")
		}
		got, err := OpenStaged(key, blob)
		if err != nil || !bytes.Equal(got, frame) {
			t.Fatalf("round trip of %d bytes: %v", len(frame), err)
		}
		again, _ := SealStaged(key, frame)
		if bytes.Equal(again, blob) {
			t.Error("two seals of the same frame are identical: the IV is not random")
		}
		for _, bad := range [][]byte{
			blob[:len(blob)-1],
			blob[:len(blob)-16],
			append(append([]byte(nil), blob[:20]...), append([]byte{blob[20] ^ 1}, blob[21:]...)...),
			nil,
		} {
			if _, err := OpenStaged(key, bad); !errors.Is(err, ErrStagedTampered) {
				t.Errorf("a changed blob of %d bytes opened: %v", len(bad), err)
			}
		}
		other := append([]byte(nil), key...)
		other[40] ^= 1
		if _, err := OpenStaged(other, blob); !errors.Is(err, ErrStagedTampered) {
			t.Error("another key opened the blob")
		}
	}
	if _, err := SealStaged(key[:32], nil); err == nil {
		t.Error("a short key was accepted")
	}
}

func mustStdin(t *testing.T, s Script, params any) []byte {
	t.Helper()
	b, err := Stdin(s, params)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
