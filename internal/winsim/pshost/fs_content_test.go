package pshost

import (
	"testing"
)

// The 5.1 trap the library's lint refuses: Get-Content without -Encoding reads a BOM-less UTF-8 file
// in the ANSI code page (Get-Content.md, about_Character_Encoding.md).
func TestGetContentEncodings(t *testing.T) {
	m := newTestMachine("Server Core")
	m.WriteFile(`C:\ProgramData\docker\config\daemon.json`, []byte("{\"data-root\": \"D:\\\\Donn\xc3\xa9es\"}\r\nline2\n"))
	m.WriteFile(`C:\bom.txt`, []byte("\xef\xbb\xbfDonn\xc3\xa9es"))
	m.WriteFile(`C:\empty.txt`, []byte{})
	got := lines(t, m, say+`
$p = 'C:\ProgramData\docker\config\daemon.json'
say @(Get-Content -LiteralPath $p)[0]
say @(Get-Content -LiteralPath $p -Encoding UTF8)[0]
say @(Get-Content -LiteralPath $p).Count
say (Get-Content -LiteralPath $p -Raw -Encoding UTF8).Length
say (Get-Content -LiteralPath 'C:\bom.txt')
say ($null -eq (Get-Content -LiteralPath 'C:\empty.txt'))
say ([IO.File]::ReadAllText($p).Split([char]13)[0])`)
	wantLines(t, got, `{"data-root": "D:\\DonnÃ©es"}`, `{"data-root": "D:\\Données"}`, "2", "36", "Données", "True",
		`{"data-root": "D:\\Données"}`)
}

func TestGetContentOfSyntheticFileIsNotModelled(t *testing.T) {
	m := newTestMachine("Server Core")
	m.PutFile(`C:\dl\docker.zip`, fileOfSize(38<<20))
	r := run(t, m, `Get-Content -LiteralPath 'C:\dl\docker.zip' -Raw`)
	if r.fault == nil {
		t.Fatalf("reading a synthetic file's bytes did not fail loudly: %+v", r)
	}
}

func TestGetFileHash(t *testing.T) {
	m := newTestMachine("Server Core")
	m.WriteFile(`C:\a.txt`, []byte("hello"))
	m.PutFile(`C:\dl\docker.zip`, fileOfSize(38<<20))
	got := lines(t, m, say+`
$h = Get-FileHash -LiteralPath 'C:\a.txt' -Algorithm SHA256
say $h.Algorithm $h.Hash $h.Path
say (Get-FileHash -LiteralPath 'C:\a.txt' -Algorithm MD5).Hash
say (Get-FileHash -LiteralPath 'C:\dl\docker.zip').Hash
try { Get-FileHash -LiteralPath 'C:\none' -ErrorAction Stop } catch { say $_.Exception.Message }`)
	wantLines(t, got, "SHA256", "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824", `C:\a.txt`,
		"5D41402ABC4B2A76B9719D911017C592", "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
		"Cannot find path 'C:\\none' because it does not exist.")
}
