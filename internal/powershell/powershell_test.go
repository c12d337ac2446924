package powershell

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestLibrary(t *testing.T) {
	lib, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"facts", "probe", "receive-file", "restart"} {
		s, err := lib.Script(want)
		if err != nil || s.Version != "1" || !strings.HasPrefix(s.Body, "# wincontainers:script "+want+"/1\n") {
			t.Errorf("%s: %+v %v", want, s, err)
		}
	}
	if _, err := lib.Script("nope"); err == nil || !strings.Contains(err.Error(), "probe") {
		t.Errorf("unknown script error should list the library: %v", err)
	}
	if !strings.HasPrefix(lib.Bootstrap(), bootstrapMarker) {
		t.Error("bootstrap marker")
	}
}

// Every library script, and the bootstrap, passes the 5.1 lint.
func TestLibraryPassesLint(t *testing.T) {
	lib := MustLoad()
	for _, n := range lib.Names() {
		s, _ := lib.Script(n)
		for _, p := range Lint(n, s.Body) {
			t.Errorf("%s: %s", n, p)
		}
	}
	for _, p := range Lint("bootstrap", lib.Bootstrap()) {
		t.Errorf("bootstrap: %s", p)
	}
}

func TestCommandLine(t *testing.T) {
	lib := MustLoad()
	cmd := CommandLine(lib.Bootstrap())
	if len(cmd) > 8191 {
		t.Fatalf("command line %d characters, over cmd.exe's 8191", len(cmd))
	}
	// Keep a wide margin: the bootstrap must stay short.
	if len(cmd) > 4000 {
		t.Errorf("command line %d characters; keep the bootstrap small", len(cmd))
	}
	enc := strings.TrimPrefix(cmd, "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ")
	dec, err := DecodeCommand(enc)
	if err != nil || dec != lib.Bootstrap() {
		t.Fatalf("round trip: %v", err)
	}
	// The masterzen example of docs/knowledge/winrm.md#powershell-through-winrs, to pin the encoding (UTF-16LE, no BOM).
	want := "JABQAHIAbwBnAHIAZQBzAHMAUAByAGUAZgBlAHIAZQBuAGMAZQAgAD0AIAAnAFMAaQBsAGUAbgB0AGwAeQBDAG8AbgB0AGkAbgB1AGUAJwA7AFcAcgBpAHQAZQAtAE8AdQB0AHAAdQB0ACAAaABpAA=="
	if got := EncodeCommand("$ProgressPreference = 'SilentlyContinue';Write-Output hi"); got != want {
		t.Errorf("EncodeCommand = %s", got)
	}
	if _, err := DecodeCommand("AAA"); err == nil {
		t.Error("odd length must fail")
	}
}

func TestStdinFraming(t *testing.T) {
	lib := MustLoad()
	s, _ := lib.Script("receive-file")
	secret := `p@ss'word"; $(Stop-Computer -Force) ` + "`n\u201csmart\u201d"
	in, err := Stdin(s, map[string]any{"path": `C:\Program Files\x.zip`, "sha256": "ab", "token": secret})
	if err != nil {
		t.Fatal(err)
	}
	head, rest, _ := bytes.Cut(in, []byte("\n"))
	m := regexp.MustCompile(`^wincontainers-script/1 (\d+)$`).FindSubmatch(head)
	if m == nil {
		t.Fatalf("header %q", head)
	}
	n, _ := strconv.Atoi(string(m[1]))
	if n != len(rest) {
		t.Fatalf("header says %d bytes, body has %d", n, len(rest))
	}
	if bytes.Contains(in, []byte(secret)) || bytes.Contains(in, []byte("Stop-Computer")) {
		t.Error("a parameter value appears in clear text")
	}
	if !strings.Contains(string(rest), "\n"+s.Body) || !strings.HasPrefix(string(rest), "$WcParams = '") {
		t.Error("body is prelude + static script")
	}
	bad := Script{Name: "bad", Body: "# wincontainers:script bad/1\nWrite-Output 'caf\u00e9'\n"}
	if _, err := Stdin(bad, nil); err == nil || !strings.Contains(err.Error(), "non-ASCII") {
		t.Errorf("non-ASCII body must be refused: %v", err)
	}
}

var paramLiteral = regexp.MustCompile(`^\$WcParams = '([A-Za-z0-9+/=]*)'\n`)

// FuzzParamsInjection: any string, including quotes, smart quotes, $(), backticks, newlines and NULs,
// reaches the host unchanged inside a literal that cannot contain code.
func FuzzParamsInjection(f *testing.F) {
	for _, s := range []string{"", "'", "''", `"`, "\u2018\u2019\u201c\u201d", "$(Stop-Computer)", "`r`n", "\n'; Remove-Item C:\\ -Recurse; '", "\x00", "@'\n'@", "#>"} {
		f.Add(s)
	}
	s := Script{Name: "probe", Body: "# wincontainers:script probe/1\nexit 0\n"}
	f.Fuzz(func(t *testing.T, v string) {
		body, err := Body(s, map[string]string{"v": v})
		if err != nil {
			t.Fatal(err)
		}
		m := paramLiteral.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the prelude is not one base64 literal: %q", body[:min(len(body), 120)])
		}
		if strings.TrimPrefix(body, m[0]) != s.Body {
			t.Fatal("the static script was altered")
		}
		raw, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		// JSON carries valid UTF-8: encoding/json turns each invalid byte into its own U+FFFD (as
		// []rune does), so only invalid UTF-8 is altered, and only that way.
		if want := string([]rune(v)); got["v"] != want {
			t.Fatalf("round trip: got %q want %q", got["v"], want)
		}
	})
}

func TestOutputParser(t *testing.T) {
	var events []Progress
	p := NewOutputParser(func(e Progress) { events = append(events, e) })
	chunks := []string{
		"starting\r\n##wincontainers:progress {\"step\":\"download\",\"mes",
		"sage\":\"1 of 2\",\"percent\":50}\r\n",
		"noise\n##wincontainers:result {\"ok\":true}",
	}
	for i, c := range chunks {
		_, _ = p.Write([]byte(c))
		if i == 1 && len(events) != 1 {
			t.Fatalf("progress must arrive as soon as its line is complete; got %d events", len(events))
		}
	}
	o, err := Interpret("probe", 0, p, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(o.Result) != `{"ok":true}` || events[0].Step != "download" || *events[0].Percent != 50 || !slices.Equal(o.Log, []string{"starting", "noise"}) {
		t.Errorf("%+v %+v", o, events)
	}
}

func TestInterpret(t *testing.T) {
	run := func(stdout string, code int, stderr string) (Outcome, error) {
		p := NewOutputParser(nil)
		_, _ = p.Write([]byte(stdout))
		return Interpret("s", code, p, stderr)
	}
	if o, err := run("##wincontainers:result {\"features\":[\"Containers\"]}\n", 3010, ""); err != nil || !o.RebootRequired {
		t.Errorf("3010: %+v %v", o, err)
	}
	_, err := run("no result\n", 0, "")
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "no result line") {
		t.Errorf("missing result: %v", err)
	}
	_, err = run("##wincontainers:result {}\n##wincontainers:result {}\n", 0, "")
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "2 result lines") {
		t.Errorf("two results: %v", err)
	}
	_, err = run("##wincontainers:result {not json\n", 0, "")
	if !errors.Is(err, ErrProtocol) {
		t.Errorf("malformed result: %v", err)
	}
	_, err = run(`##wincontainers:result {"error":{"code":"checksum_mismatch","message":"bad hash","remedy":"send again"}}`+"\n", 1, "")
	var se *ScriptError
	if !errors.As(err, &se) || se.Code != "checksum_mismatch" || se.ExitCode != 1 || !strings.Contains(err.Error(), "send again") {
		t.Errorf("script error: %v", err)
	}
	_, err = run("", 1, clixmlError)
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "The term 'fake' is not recognized") {
		t.Errorf("stderr message: %v", err)
	}
	// exit -1 is reported unsigned by Windows.
	_, err = run("", 4294967295, "")
	if !errors.As(err, &se) || se.ExitCode != 4294967295 {
		t.Errorf("unsigned exit: %v", err)
	}
	// A result with an error and exit 0 is still a failure.
	if _, err := run(`##wincontainers:result {"error":{"code":"x","message":"y"}}`+"\n", 0, ""); !errors.As(err, &se) {
		t.Errorf("error result with exit 0: %v", err)
	}
}

// A real stderr payload from Windows PowerShell 5.1 (docs/knowledge/winrm.md#clixml-on-stderr; pypsrp test data, as Packer logs it).
const clixmlError = "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><Obj S=\"progress\" RefId=\"0\"><TN RefId=\"0\"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N=\"SourceId\">1</I64><PR N=\"Record\"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj><S S=\"Error\">fake : The term 'fake' is not recognized as the name of a cmdlet, function, script file, or operable program. Check _x000D__x000A_</S><S S=\"Error\">the spelling of the name, or if a path was included, verify that the path is correct and try again._x000D__x000A_</S><S S=\"Error\">At line:1 char:1_x000D__x000A_</S><S S=\"Error\">+ fake_x000D__x000A_</S><S S=\"Error\">+ ~~~~_x000D__x000A_</S><S S=\"Error\">    + CategoryInfo          : ObjectNotFound: (fake:String) [], CommandNotFoundException_x000D__x000A_</S><S S=\"Error\">    + FullyQualifiedErrorId : CommandNotFoundException_x000D__x000A_</S><S S=\"Error\"> _x000D__x000A_</S><S S=\"warning\">disk is almost full</S><S S=\"verbose\">checking C:</S></Objs>"

func TestDecodeStderr(t *testing.T) {
	s := DecodeStderr(clixmlError)
	if len(s.Errors) != 7 || !strings.HasPrefix(s.Errors[0], "fake : The term 'fake' is not recognized") || strings.Contains(s.Errors[0], "_x000D_") {
		t.Errorf("errors %q", s.Errors)
	}
	if !slices.Equal(s.Warnings, []string{"disk is almost full"}) || !slices.Equal(s.Other, []string{"checking C:"}) {
		t.Errorf("warnings %q other %q", s.Warnings, s.Other)
	}
	for _, e := range append(s.Errors, s.Other...) {
		if strings.Contains(e, "Preparing modules") {
			t.Error("progress records must be dropped")
		}
	}
	// Only the progress noise: nothing to report.
	noise := "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><Obj S=\"progress\" RefId=\"0\"><TN RefId=\"0\"><T>System.Management.Automation.PSCustomObject</T></TN><MS><I64 N=\"SourceId\">1</I64><PR N=\"Record\"><AV>Preparing modules for first use.</AV></PR></MS></Obj></Objs>"
	if got := DecodeStderr(noise); len(got.Errors)+len(got.Warnings)+len(got.Other) != 0 {
		t.Errorf("noise decoded to %+v", got)
	}
	// Plain cmd.exe stderr.
	if got := DecodeStderr("'foo' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"); len(got.Errors) != 2 {
		t.Errorf("plain: %+v", got)
	}
	// Surrogate pairs and a literal underscore escape.
	if got := unescapeCLIXML("a_xD83D__xDE00_b_x005F_c"); got != "a\U0001F600b_c" {
		t.Errorf("unescape: %q", got)
	}
	// Truncated XML keeps what it had.
	if got := DecodeStderr("#< CLIXML\r\n<Objs><S S=\"Error\">half"); len(got.Errors)+len(got.Other) == 0 {
		t.Error("truncated CLIXML lost everything")
	}
}

func FuzzDecodeStderr(f *testing.F) {
	f.Add(clixmlError)
	f.Add("#< CLIXML\r\n<Objs><S S=\"Error\">x_x0")
	f.Add("plain\r\ntext")
	f.Fuzz(func(t *testing.T, s string) {
		_ = DecodeStderr(s)
	})
}

func FuzzOutputParser(f *testing.F) {
	f.Add("##wincontainers:progress {\"step\":\"a\",\"message\":\"b\"}\n##wincontainers:result {}\n")
	f.Add("##wincontainers:result {\n")
	f.Fuzz(func(t *testing.T, s string) {
		p := NewOutputParser(func(e Progress) {
			if e.Step == "" {
				t.Fatal("progress without a step")
			}
		})
		_, _ = p.Write([]byte(s))
		res, err := p.Result()
		if err == nil && !json.Valid(res) {
			t.Fatalf("invalid result accepted: %q", res)
		}
	})
}

// Include lines are replaced by the shared helpers when the library loads; an unknown include is a
// load error, not a script that fails on the host.
func TestIncludes(t *testing.T) {
	lib := MustLoad()
	for _, n := range lib.Names() {
		s, _ := lib.Script(n)
		if strings.Contains(s.Body, "# wincontainers:include ") {
			t.Errorf("%s: an include line was not expanded", n)
		}
	}
	s, _ := lib.Script("install-docker")
	for _, fn := range []string{"function Exit-WcError", "function Get-Sha256", "function Invoke-WcNative", "function Get-WcArchive"} {
		if strings.Count(s.Body, fn) != 1 {
			t.Errorf("install-docker has %d copies of %s", strings.Count(s.Body, fn), fn)
		}
	}
	if !s.Idempotent || !strings.HasPrefix(s.Body, "# wincontainers:script install-docker/1\n") {
		t.Error("the header lines must stay first")
	}
	if _, err := expandIncludes("x.ps1", "# wincontainers:include errors nosuch\n", map[string]string{"errors": "function E {}\n"}); err == nil ||
		!strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("unknown include: %v", err)
	}
}
