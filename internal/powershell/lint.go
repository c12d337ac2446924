package powershell

import (
	"fmt"
	"regexp"
	"strings"
)

// Problem is one lint finding.
type Problem struct {
	Line    int
	Rule    string
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s: %s", p.Line, p.Rule, p.Message) }

type rule struct {
	name string
	re   *regexp.Regexp
	msg  string
}

// ps7Only are constructs Windows PowerShell 5.1 (Windows Server 2016 to 2025) cannot run. They are
// matched on code with strings and comments masked.
var ps7Only = []rule{
	{"ps7-null-coalescing", regexp.MustCompile(`\?\?=?`), "?? and ??= are PowerShell 7 operators; use if ($null -eq $x) { ... }"},
	{"ps7-null-conditional", regexp.MustCompile(`\}?\?\.[A-Za-z_]|\$\{?\w+\}?\?\[`), "?. and ?[] are PowerShell 7 operators; test for $null first"},
	{"ps7-ternary", regexp.MustCompile(`(\$[\w:]+|\))\s+\?\s+[^{\s|][^\n]*\s:\s`), "the ternary operator is PowerShell 7; use if/else"},
	{"ps7-pipeline-chain", regexp.MustCompile(`&&|\|\|`), "&& and || pipeline chains are PowerShell 7; use if ($?) { ... }"},
	{"ps7-parallel", regexp.MustCompile(`(?i)-Parallel\b|-ThrottleLimit\b.*ForEach-Object|ForEach-Object\s+-Parallel`), "ForEach-Object -Parallel is PowerShell 7"},
	{"ps7-ashashtable", regexp.MustCompile(`(?i)-AsHashtable\b`), "ConvertFrom-Json -AsHashtable is PowerShell 7"},
	{"ps7-web-parameter", regexp.MustCompile(`(?i)(Invoke-WebRequest|Invoke-RestMethod|\biwr\b|\birm\b)[^\n]*(-SkipCertificateCheck|-SslProtocol|-SkipHttpErrorCheck|-StatusCodeVariable|-ResponseHeadersVariable|-Authentication|-AllowUnencryptedAuthentication|-Resume|-FollowRelLink)\b`), "this web cmdlet parameter is PowerShell 6+"},
	{"ps7-asbytestream", regexp.MustCompile(`(?i)-AsByteStream\b`), "-AsByteStream is PowerShell 6+; 5.1 uses -Encoding Byte"},
	{"ps7-encoding-name", regexp.MustCompile(`(?i)-Encoding\s+'?utf8NoBOM'?`), "utf8NoBOM is a PowerShell 6+ encoding name"},
	{"ps7-cmdlet", regexp.MustCompile(`(?i)\b(Get-Error|Join-String|Test-Json|Get-Uptime|Remove-Alias|ConvertTo-Json\s+[^\n]*-AsArray|ConvertTo-Json\s+[^\n]*-EscapeHandling)\b`), "this cmdlet or parameter is PowerShell 6+"},
	{"ps7-variable", regexp.MustCompile(`(?i)\$(PSStyle|IsWindows|IsLinux|IsMacOS|IsCoreCLR)\b`), "this automatic variable is PowerShell 6+"},
	{"ps7-clean-block", regexp.MustCompile(`(?im)^\s*clean\s*\{`), "clean {} blocks are PowerShell 7.3"},
}

// ps51Traps are constructs that Windows PowerShell 5.1 runs, but not as a reader expects, on a stock host.
// Each was a real defect in the library (scripts/README.md, "Windows PowerShell 5.1 traps").
var ps51Traps = []rule{
	{"native-stderr-redirect", regexp.MustCompile(`(^|\s)[2*]>\s*(&1|\$null)`),
		"5.1 turns a redirected stderr line of a native program into an ErrorRecord, and under the bootstrap's $ErrorActionPreference = 'Stop' the first one ends the script (2>$null too): run native programs through Invoke-WcNative"},
	{"get-content-encoding", regexp.MustCompile(`(?i)\bGet-Content\b`),
		"5.1's Get-Content reads a file without a byte-order mark in the ANSI code page: name -Encoding UTF8, or use [IO.File]::ReadAllText"},
	{"sha-managed", regexp.MustCompile(`(?i)\b(SHA1|SHA256|SHA384|SHA512)Managed\b`),
		"the *Managed hash classes are not FIPS-validated and throw where the FIPS policy is on: use [Security.Cryptography.SHA256]::Create()"},
	{"hns-not-in-box", regexp.MustCompile(`(?i)\bNew-HnsNetwork\b`),
		"New-HnsNetwork is not an in-box cmdlet on any Windows release (it comes from microsoft/SDN's hns.psm1)"},
	{"move-item-replace", regexp.MustCompile(`(?i)\bMove-Item\b[^\n]*-Force\b`),
		"Move-Item -Force deletes the target before it moves, so a failure between the two leaves no file: use Move-WcReplace (include replace)"},
}

// nativeHelper is the one line allowed to redirect a native program's stderr: Invoke-WcNative's own call,
// which runs under a local ErrorActionPreference of Continue (include native).
var nativeHelper = regexp.MustCompile(`^\s*& \$FilePath @ArgumentList 2>&1 \| ForEach-Object \{\s*$`)

// machinePath matches the .NET environment calls on the machine PATH, which expand it when read and
// write it back as REG_SZ (include path).
var encodingParam = regexp.MustCompile(`(?i)-Encoding\b`)

var machinePath = regexp.MustCompile(`(?i)(Set|Get)EnvironmentVariable\(\s*'Path'`)

var (
	iwr         = regexp.MustCompile(`(?i)(^|[\s;(|{&])(Invoke-WebRequest|iwr|curl|wget)\b[^\n]*`)
	basic       = regexp.MustCompile(`(?i)-UseBasicParsing\b`)
	download    = regexp.MustCompile(`(?i)\b(Invoke-WebRequest|iwr|curl|wget|Invoke-RestMethod|irm|Start-BitsTransfer|DownloadFile|DownloadString|DownloadData|Net\.WebClient|System\.Net\.Http\.HttpClient)\b`)
	tls12Enable = regexp.MustCompile(`(?i)\[(System\.)?Net\.ServicePointManager\]::SecurityProtocol\s*(=|-bor)[^\n]*Tls12`)
)

// Lint checks one script for what Windows PowerShell 5.1 cannot run and for the channel's safety rules:
// ASCII only, Invoke-WebRequest only with -UseBasicParsing (5.1 otherwise needs Internet Explorer's
// engine, absent on Server Core), and no download before TLS 1.2 is enabled.
func Lint(name, body string) []Problem {
	var out []Problem
	for i, l := range strings.Split(body, "\n") {
		for j := 0; j < len(l); j++ {
			if l[j] > 0x7e || (l[j] < 0x20 && l[j] != '\t' && l[j] != '\r') {
				out = append(out, Problem{i + 1, "ascii", fmt.Sprintf("byte 0x%02x at column %d: scripts are sent over stdin, which Windows decodes with the console code page", l[j], j+1)})
				break
			}
		}
	}
	code := maskStringsAndComments(body)
	codeLines := strings.Split(code, "\n")
	bodyLines := strings.Split(body, "\n")
	for i, l := range codeLines {
		for _, r := range ps7Only {
			if r.re.MatchString(l) {
				out = append(out, Problem{i + 1, r.name, r.msg})
			}
		}
		for _, r := range ps51Traps {
			switch {
			case !r.re.MatchString(l):
			case r.name == "native-stderr-redirect" && nativeHelper.MatchString(l):
			case r.name == "get-content-encoding" && encodingParam.MatchString(l):
			default:
				out = append(out, Problem{i + 1, r.name, r.msg})
			}
		}
		if strings.Contains(l, "EnvironmentVariable(") && machinePath.MatchString(bodyLines[i]) {
			out = append(out, Problem{i + 1, "machine-path-expand", "[Environment]::Get/SetEnvironmentVariable('Path', ..., 'Machine') expands the machine PATH and writes it back as REG_SZ: use Get-WcMachinePath and Set-WcMachinePath (include path)"})
		}
		if m := iwr.FindString(l); m != "" && !basic.MatchString(l) {
			out = append(out, Problem{i + 1, "iwr-basic-parsing", "Invoke-WebRequest (and its aliases curl, wget, iwr) needs -UseBasicParsing on Windows PowerShell 5.1"})
		}
	}
	tlsLine := 0
	for i, l := range strings.Split(body, "\n") {
		if tls12Enable.MatchString(l) {
			tlsLine = i + 1
			break
		}
	}
	for i, l := range codeLines {
		if download.MatchString(l) && (tlsLine == 0 || tlsLine > i+1) {
			out = append(out, Problem{i + 1, "tls12-before-download",
				"enable TLS 1.2 first: [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12"})
		}
	}
	if !strings.HasPrefix(name, "bootstrap") && !header.MatchString(body) {
		out = append(out, Problem{1, "header", "the first line must be `# wincontainers:script <name>/<version>`"})
	}
	return out
}

// maskStringsAndComments replaces the contents of comments and string literals (single, double and
// here-strings) with spaces, keeping line structure, so lint rules only see code.
func maskStringsAndComments(s string) string {
	b := []byte(s)
	n := len(b)
	blank := func(from, to int) {
		for k := from; k < to && k < n; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
	}
	for i := 0; i < n; i++ {
		switch {
		case b[i] == '<' && i+1 < n && b[i+1] == '#':
			end := strings.Index(s[i+2:], "#>")
			if end < 0 {
				end = n - i - 2
			}
			blank(i, i+2+end+2)
			i += 2 + end + 1
		case b[i] == '#':
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				end = n - i
			}
			blank(i, i+end)
			i += end
		case b[i] == '@' && i+1 < n && (b[i+1] == '\'' || b[i+1] == '"') && i+2 < n && (b[i+2] == '\n' || b[i+2] == '\r'):
			term := "\n" + string(b[i+1]) + "@"
			end := strings.Index(s[i+2:], term)
			if end < 0 {
				end = n - i - 2
			}
			blank(i+2, i+2+end)
			i += 2 + end + len(term) - 1
		case b[i] == '\'':
			j := i + 1
			for j < n {
				if b[j] == '\'' {
					if j+1 < n && b[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			blank(i+1, j)
			i = j
		case b[i] == '"':
			j := i + 1
			for j < n && b[j] != '"' {
				if b[j] == '`' {
					j++
				}
				j++
			}
			blank(i+1, j)
			i = j
		}
	}
	return string(b)
}
