package powershell

import (
	"strings"
	"testing"
)

const hdr = "# wincontainers:script t/1\n"

func rules(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Rule)
	}
	return out
}

func TestLintCatches(t *testing.T) {
	tls := "[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12\n"
	cases := []struct {
		body string
		rule string
	}{
		{"$x = $a ?? 'default'\n", "ps7-null-coalescing"},
		{"$x ??= 5\n", "ps7-null-coalescing"},
		{"$n = $svc?.Name\n", "ps7-null-conditional"},
		{"$first = $list?[0]\n", "ps7-null-conditional"},
		{"$v = $ok ? 'yes' : 'no'\n", "ps7-ternary"},
		{"$v = (Test-Path C:\\x) ? 1 : 2\n", "ps7-ternary"},
		{"Start-Service docker && Write-Output ok\n", "ps7-pipeline-chain"},
		{"Start-Service docker || exit 1\n", "ps7-pipeline-chain"},
		{"1..4 | ForEach-Object -Parallel { $_ }\n", "ps7-parallel"},
		{"$c = Get-Content x.json -Raw | ConvertFrom-Json -AsHashtable\n", "ps7-ashashtable"},
		{tls + "Invoke-WebRequest -UseBasicParsing -Uri https://x -SkipCertificateCheck\n", "ps7-web-parameter"},
		{tls + "Invoke-RestMethod https://x -Authentication Bearer -Token $t\n", "ps7-web-parameter"},
		{"$b = Get-Content x -AsByteStream\n", "ps7-asbytestream"},
		{"Set-Content x -Value y -Encoding utf8NoBOM\n", "ps7-encoding-name"},
		{"Get-Error\n", "ps7-cmdlet"},
		{"$s = $a | Join-String -Separator ','\n", "ps7-cmdlet"},
		{"if ($IsWindows) { 1 }\n", "ps7-variable"},
		{"Write-Host $PSStyle.Bold\n", "ps7-variable"},
		{"function f { process { 1 }\n  clean { 2 } }\n", "ps7-clean-block"},
		{tls + "Invoke-WebRequest -Uri https://x -OutFile y\n", "iwr-basic-parsing"},
		{tls + "$r = iwr https://x\n", "iwr-basic-parsing"},
		{tls + "curl https://x -OutFile y\n", "iwr-basic-parsing"},
		{"Invoke-WebRequest -UseBasicParsing -Uri https://x -OutFile y\n", "tls12-before-download"},
		{"(New-Object Net.WebClient).DownloadFile('https://x', 'y')\n", "tls12-before-download"},
		{"Start-BitsTransfer -Source https://x -Destination y\n", "tls12-before-download"},
		{"Invoke-RestMethod https://x\n" + tls, "tls12-before-download"},
		{"Write-Output 'caf\u00e9'\n", "ascii"},
		// Windows PowerShell 5.1 traps, each a defect the library once had.
		{"$out = & shutdown.exe /r /t 5 2>&1 | Out-String\n", "native-stderr-redirect"},
		{"$bcd = (& bcdedit.exe /enum '{current}' 2>$null | Out-String)\n", "native-stderr-redirect"},
		{"$v = & $exe --version *>$null\n", "native-stderr-redirect"},
		{"$c = Get-Content -LiteralPath $p -Raw | ConvertFrom-Json\n", "get-content-encoding"},
		{"$sha = New-Object Security.Cryptography.SHA256Managed\n", "sha-managed"},
		{"New-HnsNetwork -Type NAT -Name nat -AddressPrefix $s -Gateway $g | Out-Null\n", "hns-not-in-box"},
		{"Move-Item -LiteralPath $new -Destination $path -Force\n", "move-item-replace"},
		{"[Environment]::SetEnvironmentVariable('Path', $v, 'Machine')\n", "machine-path-expand"},
		{"$m = [Environment]::GetEnvironmentVariable('Path', 'Machine')\n", "machine-path-expand"},
	}
	for _, c := range cases {
		got := rules(Lint("t", hdr+c.body))
		found := false
		for _, r := range got {
			if r == c.rule {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want %s, got %v", c.body, c.rule, got)
		}
	}
	if got := rules(Lint("t", "Write-Output hi\n")); len(got) != 1 || got[0] != "header" {
		t.Errorf("missing header: %v", got)
	}
}

// Legitimate Windows PowerShell 5.1 that looks like the forbidden constructs must pass.
func TestLintAllows(t *testing.T) {
	ok := []string{
		"Get-Service | ? { $_.Status -eq 'Running' } | % { $_.Name }\n", // ? and % aliases
		"Write-Output 'a && b || c ?? d'\n",                             // operators inside strings
		"Write-Output \"$x ? y : z\"\n",
		"# $a ?? $b && $c in a comment\n",
		"<# block comment with ?? and ||\n and -Parallel #>\n$x = 1\n",
		"$h = @'\nliteral && here ?? string\n'@\n",
		"Invoke-Command -ComputerName x -Authentication Kerberos -ScriptBlock { 1 }\n", // -Authentication on a 5.1 cmdlet
		"[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12\n" +
			"Invoke-WebRequest -UseBasicParsing -Uri https://x -OutFile y\n",
		"$b = Get-Content x -Encoding Byte -ReadCount 0\n",
		"if ($x -eq $null) { $y = 'a' } else { $y = 'b' }\n",
		"$s = 'it''s ?? fine'\n",
		"        & $FilePath @ArgumentList 2>&1 | ForEach-Object {\n", // Invoke-WcNative's own call
		"$lines = Get-Content -LiteralPath $p -Encoding UTF8\n",
		"$sha = [Security.Cryptography.SHA256]::Create()\n",
		"# [Environment]::SetEnvironmentVariable('Path', $v, 'Machine') in a comment\n",
		"Write-Output 'Move-Item -Force and 2>&1 in a string'\n",
		"[Environment]::SetEnvironmentVariable('WINCONTAINERS_PATH_CHANGED', $null, 'Machine')\n",
	}
	for _, body := range ok {
		if ps := Lint("t", hdr+body); len(ps) != 0 {
			t.Errorf("%q flagged: %v", body, ps)
		}
	}
}

func TestMaskKeepsLines(t *testing.T) {
	src := "a '#x\ny' \"q\n\" # c\n<# d\ne #>\n@'\nh\n'@\nz"
	m := maskStringsAndComments(src)
	if len(m) != len(src) || strings.Count(m, "\n") != strings.Count(src, "\n") || !strings.HasSuffix(m, "z") {
		t.Errorf("mask changed the layout: %q", m)
	}
}
