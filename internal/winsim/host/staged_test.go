package host

import (
	"bufio"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// seal is the controller's side of the staged channel, written here on its own (winsim does not
// import internal/powershell): IV || AES-256-CBC(PKCS#7) || HMAC-SHA256.
func seal(t *testing.T, key []byte, frame string) []byte {
	t.Helper()
	block, err := aes.NewCipher(key[:32])
	if err != nil {
		t.Fatal(err)
	}
	pad := 16 - len(frame)%16
	plain := append([]byte(frame), []byte(strings.Repeat(string(rune(pad)), pad))...)
	out := make([]byte, 16+len(plain))
	_, _ = rand.Read(out[:16])
	cipher.NewCBCEncrypter(block, out[:16]).CryptBlocks(out[16:], plain)
	m := hmac.New(sha256.New, key[32:])
	m.Write(out)
	return m.Sum(out)
}

const stagedPath = `C:\Windows\Temp\wincontainers-0123456789abcdef.in`

func stagedLine(wait int) string {
	return "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " +
		encode(fmt.Sprintf("$WcIn = '%s'\n$WcWait = %d\n# wincontainers:bootstrap-staged/1\n$x=1\n", stagedPath, wait))
}

// runStaged starts the staged bootstrap, reads its key, hands the key to stage (which writes the file,
// or not), and returns what the process printed after the key and its exit code.
func runStaged(t *testing.T, h *Host, wait int, stage func(key []byte)) (string, string, uint32) {
	t.Helper()
	pr, pw := io.Pipe()
	var errOut strings.Builder
	done := make(chan uint32, 1)
	go func() {
		code := h.Run(context.Background(), stagedLine(wait), strings.NewReader(""), pw, &errOut)
		_ = pw.Close()
		done <- code
	}()
	br := bufio.NewReader(pr)
	first, err := br.ReadString('\n')
	key, kerr := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(first, "##wincontainers:key ")))
	if err != nil || kerr != nil || len(key) != 64 || !strings.HasPrefix(first, "##wincontainers:key ") {
		t.Fatalf("first line %q: %v %v", first, err, kerr)
	}
	stage(key)
	rest, _ := io.ReadAll(br)
	code := <-done
	return string(rest), errOut.String(), code
}

func TestStagedBootstrap(t *testing.T) {
	m := machine.New(machine.Config{Build: 20348})
	h := New("WIN-1", 20348, time.Unix(0, 0), m)
	h.Register("needs-restart", func(_ context.Context, _ *Host, p map[string]any, data io.Reader, stdout, _ io.Writer) uint32 {
		rest, _ := io.ReadAll(data)
		fmt.Fprintf(stdout, "##wincontainers:result {\"got\":%q,\"stdin\":%d}\r\n", p["secret"], len(rest))
		return 3010
	})
	out, _, code := runStaged(t, h, 60, func(key []byte) { m.WriteFile(stagedPath, seal(t, key, framed("probe", `{}`, ""))) })
	if code != 0 || !strings.Contains(out, `"os_build":20348`) {
		t.Errorf("probe: %q %d", out, code)
	}
	if _, ok := m.File(stagedPath); ok {
		t.Error("the staged file was not deleted")
	}
	out, _, code = runStaged(t, h, 60, func(key []byte) {
		m.WriteFile(stagedPath, seal(t, key, framed("needs-restart", `{"secret":"s3"}`, "")))
	})
	if code != 3010 || !strings.Contains(out, `"got":"s3","stdin":0`) {
		t.Errorf("3010: %q %d", out, code)
	}
	// Changed in transit: deleted, not run, exit 2.
	_, errOut, code := runStaged(t, h, 60, func(key []byte) {
		b := seal(t, key, framed("probe", `{}`, ""))
		b[20] ^= 1
		m.WriteFile(stagedPath, b)
	})
	if _, ok := m.File(stagedPath); code != 2 || !strings.Contains(errOut, "changed or truncated") || ok {
		t.Errorf("tampered: %q %d", errOut, code)
	}
	// Sealed under another key (a file from an earlier run).
	_, errOut, code = runStaged(t, h, 60, func([]byte) {
		other := make([]byte, 64)
		m.WriteFile(stagedPath, seal(t, other, framed("probe", `{}`, "")))
	})
	if code != 2 || !strings.Contains(errOut, "changed or truncated") {
		t.Errorf("another key: %q %d", errOut, code)
	}
	// Nothing arrives.
	start := time.Now()
	_, errOut, code = runStaged(t, h, 0, func([]byte) {})
	if code != 2 || !strings.Contains(errOut, "no staged script arrived at "+stagedPath) || time.Since(start) > 2*time.Second {
		t.Errorf("timeout: %q %d", errOut, code)
	}
}

// winrmcp's restore keeps what it wrote, so a later reader sees the bytes.
func TestWinrmcpKeepsContent(t *testing.T) {
	m := machine.New(machine.Config{Build: 20348})
	h := New("WIN-1", 20348, time.Unix(0, 0), m)
	content := []byte(strings.Repeat("payload ", 2000))
	tmp := `%TEMP%\winrmcp-1.tmp`
	for i := 0; i < len(content); i += 5000 {
		if _, _, code := run(h, fmt.Sprintf(`echo %s >> "%s"`, base64.StdEncoding.EncodeToString(content[i:min(i+5000, len(content))]), tmp), ""); code != 0 {
			t.Fatal("echo failed")
		}
	}
	restore := "$tmp_file_path = [System.IO.Path]::GetFullPath(\"$env:TEMP\\winrmcp-1.tmp\")\n" +
		"$dest_file_path = [System.IO.Path]::GetFullPath(\"C:\\Windows\\Temp\\x.in\".Trim(\"'\"))\n"
	if _, errOut, code := run(h, "powershell.exe -EncodedCommand "+encode(restore), ""); code != 0 {
		t.Fatalf("restore: %q", errOut)
	}
	f, ok := m.File(`C:\Windows\Temp\x.in`)
	sum := sha256.Sum256(content)
	if !ok || string(f.Content) != string(content) || f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("restored %d bytes, %v", len(f.Content), ok)
	}
}

func TestFinishUpload(t *testing.T) {
	m := machine.New(machine.Config{Build: 20348})
	h := New("WIN-1", 20348, time.Unix(0, 0), m)
	line := "powershell.exe -EncodedCommand " + encode(bootstrapCmd)
	content := []byte("docker archive")
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	dest := `C:\ProgramData\wincontainers\downloads\docker.zip`
	params := fmt.Sprintf(`{"path":%q,"sha256":%q,"size":%d}`, dest, want, len(content))
	out, _, code := run(h, line, framed("finish-upload", params, ""))
	if code != 1 || !strings.Contains(out, "upload_missing") {
		t.Errorf("missing: %q %d", out, code)
	}
	m.WriteFile(dest+".wincontainers-partial", content)
	out, _, code = run(h, line, framed("finish-upload", params, ""))
	if f, ok := m.File(dest); code != 0 || !ok || f.SHA256 != want || !strings.Contains(out, `"bytes":14`) {
		t.Errorf("finish: %q %d", out, code)
	}
	if _, ok := m.File(dest + ".wincontainers-partial"); ok {
		t.Error("the partial file is still there")
	}
	// Again: the file is in place, success.
	if out, _, code = run(h, line, framed("finish-upload", params, "")); code != 0 {
		t.Errorf("repeat: %q %d", out, code)
	}
	m.WriteFile(`C:\y.wincontainers-partial`, content[1:])
	out, _, code = run(h, line, framed("finish-upload", fmt.Sprintf(`{"path":"C:\\y","sha256":%q,"size":14}`, want), ""))
	if _, ok := m.File(`C:\y.wincontainers-partial`); code != 1 || !strings.Contains(out, "checksum_mismatch") || ok {
		t.Errorf("short: %q %d", out, code)
	}
	if _, ok := m.File(`C:\y`); ok {
		t.Error("a short upload reached the target")
	}
}
