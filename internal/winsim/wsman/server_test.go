package wsman

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

// testHandler is a tiny cmd.exe: echo, exit codes, stderr, stdin, long output and a slow command.
func testHandler(ctx context.Context, line string, stdin io.Reader, stdout, stderr io.Writer) uint32 {
	switch {
	case strings.HasPrefix(line, "echo "):
		fmt.Fprint(stdout, strings.TrimPrefix(line, "echo ")+"\r\n")
		return 0
	case strings.HasPrefix(line, "cmd /c exit "):
		n, _ := strconv.ParseUint(strings.TrimPrefix(line, "cmd /c exit "), 10, 32)
		return uint32(n)
	case line == "both":
		fmt.Fprint(stdout, "out \r\n")
		fmt.Fprint(stderr, "err \r\n")
		return 1
	case line == "hostname":
		fmt.Fprint(stdout, "WIN-TEST\r\n")
		return 0
	case line == "cat":
		b, _ := io.ReadAll(stdin)
		_, _ = stdout.Write(b)
		return 0
	case line == "medium":
		// One write: a client that reads a single Receive (winrm-client) gets all of it.
		var b strings.Builder
		for i := 0; i < 2000; i++ {
			fmt.Fprintf(&b, "line %05d of the long output\r\n", i)
		}
		fmt.Fprint(stdout, b.String())
		return 0
	case line == "hang":
		// A process that ignores being told to stop.
		time.Sleep(30 * time.Second)
		return 0
	case line == "long":
		for i := 0; i < 20000; i++ {
			fmt.Fprintf(stdout, "line %05d of the long output\r\n", i)
		}
		return 0
	case strings.HasPrefix(line, "sleep "):
		d, _ := time.ParseDuration(strings.TrimPrefix(line, "sleep "))
		select {
		case <-time.After(d):
			fmt.Fprint(stdout, "awake\r\n")
			return 0
		case <-ctx.Done():
			return 0xC000013A
		}
	default:
		fmt.Fprintf(stderr, "'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", strings.Fields(line)[0])
		return 1
	}
}

func start(t *testing.T, cfg Config) (*Server, *winrm.Client) {
	t.Helper()
	if cfg.Handler == nil {
		cfg.Handler = testHandler
	}
	if cfg.User == "" {
		cfg.User, cfg.Password = "Administrator", "P@ssw0rd!"
	}
	cfg.AllowUnencrypted = true
	srv := NewServer(cfg)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	p, _ := strconv.Atoi(port)
	c, err := winrm.NewClientWithParameters(winrm.NewEndpoint(host, p, false, false, nil, nil, nil, 30*time.Second),
		"Administrator", "P@ssw0rd!", winrm.NewParameters("PT2S", "en-US", 153600))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// TestMasterzenConformance drives the bare server (a toy handler, plain HTTP) with masterzen/winrm; the
// three-client suite against a full simulated host is internal/winsim/conformance.
func TestMasterzenConformance(t *testing.T) {
	srv, c := start(t, Config{})
	ctx := context.Background()
	out, errOut, code, err := c.RunWithContextWithString(ctx, "echo hello", "")
	if err != nil || out != "hello\r\n" || errOut != "" || code != 0 {
		t.Errorf("echo: %q %q %d %v", out, errOut, code, err)
	}
	out, errOut, code, err = c.RunWithContextWithString(ctx, "both", "")
	if err != nil || out != "out \r\n" || errOut != "err \r\n" || code != 1 {
		t.Errorf("stdout+stderr: %q %q %d %v", out, errOut, code, err)
	}
	_, _, code, err = c.RunWithContextWithString(ctx, "cmd /c exit 3010", "")
	if err != nil || code != 3010 {
		t.Errorf("exit 3010: %d %v", code, err)
	}
	in := strings.Repeat("stdin through Send\n", 20000) // ~380 KB: several Sends
	out, _, code, err = c.RunWithContextWithString(ctx, "cat", in)
	if err != nil || out != in || code != 0 {
		t.Errorf("stdin: %d bytes back, code %d, %v", len(out), code, err)
	}
	out, _, _, err = c.RunWithContextWithString(ctx, "long", "")
	if err != nil || strings.Count(out, "\r\n") != 20000 || !strings.HasSuffix(out, "line 19999 of the long output\r\n") {
		t.Errorf("long output: %d bytes, %v", len(out), err)
	}
	// A command slower than OperationTimeout (PT2S): the Receive times out with w:TimedOut and is reissued.
	before := srv.Counts()["Receive"]
	out, _, _, err = c.RunWithContextWithString(ctx, "sleep 3s", "")
	if err != nil || out != "awake\r\n" || srv.Counts()["Receive"]-before < 2 {
		t.Errorf("slow command: %q %v, %d receives", out, err, srv.Counts()["Receive"]-before)
	}
	_, errOut, code, err = c.RunWithContextWithString(ctx, "nosuchthing /x", "")
	if err != nil || code != 1 || !strings.Contains(errOut, "is not recognized") {
		t.Errorf("unknown command: %q %d %v", errOut, code, err)
	}
	// WinRS runs the line through cmd.exe, whose limit is 8191 characters.
	_, errOut, code, err = c.RunWithContextWithString(ctx, "echo "+strings.Repeat("a", 8200), "")
	if err != nil || code != 1 || errOut != "The command line is too long.\r\n" {
		t.Errorf("8191 rule: %q %d %v", errOut, code, err)
	}
	// masterzen opens and deletes a shell per command.
	n := srv.Counts()
	if n["Create"] != n["Delete"] || n["Create"] != 8 || n["Signal"] != 8 {
		t.Errorf("counts %v", n)
	}
}

func post(t *testing.T, url, auth, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url+"/wsman", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if auth != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(auth)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func soap(action, shellID, body string) string {
	sel := ""
	if shellID != "" {
		sel = `<w:SelectorSet><w:Selector Name="ShellId">` + shellID + `</w:Selector></w:SelectorSet>`
	}
	return `<env:Envelope xmlns:env="` + nsSOAP + `" xmlns:a="` + nsAddr + `" xmlns:w="` + nsWSMan + `" xmlns:rsp="` + nsShell + `">` +
		`<env:Header><a:Action mustUnderstand="true">` + action + `</a:Action><a:MessageID>uuid:11111111-2222-3333-4444-555555555555</a:MessageID>` +
		`<w:ResourceURI mustUnderstand="true">` + shellURI + `</w:ResourceURI><w:OperationTimeout>PT1S</w:OperationTimeout>` + sel +
		`</env:Header><env:Body>` + body + `</env:Body></env:Envelope>`
}

func TestFaultsAndAuth(t *testing.T) {
	srv := NewServer(Config{User: "u", Password: "p", AllowUnencrypted: true, Handler: testHandler, MaxEnvelopeSizeKB: 16})
	ts := httptest.NewServer(srv)
	defer ts.Close()

	resp, body := post(t, ts.URL, "u:wrong", soap(actionCreate, "", ""))
	if resp.StatusCode != 401 || body != "" || !strings.Contains(strings.Join(resp.Header.Values("WWW-Authenticate"), ","), `Basic realm="WSMAN"`) {
		t.Errorf("bad credentials: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, body = post(t, ts.URL, "u:p", soap(actionReceive, "NOPE", `<rsp:Receive><rsp:DesiredStream CommandId="X">stdout</rsp:DesiredStream></rsp:Receive>`))
	if resp.StatusCode != 500 || !strings.Contains(body, "w:InvalidSelectors") || !strings.Contains(body, `Code="2150858843"`) ||
		!strings.Contains(body, "<a:RelatesTo>uuid:11111111-2222-3333-4444-555555555555</a:RelatesTo>") {
		t.Errorf("unknown shell: %d %s", resp.StatusCode, body)
	}
	resp, body = post(t, ts.URL, "u:p", soap(actionCreate, "", `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams></rsp:Shell>`))
	if resp.StatusCode != 200 || !strings.Contains(body, "CreateResponse") {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	id := body[strings.Index(body, "<rsp:ShellId>")+len("<rsp:ShellId>") : strings.Index(body, "</rsp:ShellId>")]
	if !strings.Contains(body, `<w:Selector Name="ShellId">`+id+`</w:Selector>`) {
		t.Error("ShellId must be in both places")
	}
	resp, body = post(t, ts.URL, "u:p", soap(actionCommand, id, `<rsp:CommandLine><rsp:Command>sleep 5s</rsp:Command></rsp:CommandLine>`))
	cmdID := body[strings.Index(body, "<rsp:CommandId>")+len("<rsp:CommandId>") : strings.Index(body, "</rsp:CommandId>")]
	if resp.StatusCode != 200 {
		t.Fatal(body)
	}
	resp, body = post(t, ts.URL, "u:p", soap(actionReceive, id, `<rsp:Receive><rsp:DesiredStream CommandId="`+cmdID+`">stdout stderr</rsp:DesiredStream></rsp:Receive>`))
	if resp.StatusCode != 500 || !strings.Contains(body, "w:TimedOut") || !strings.Contains(body, `Code="2150858793"`) || !strings.Contains(body, "OperationTimeout") {
		t.Errorf("timeout: %d %s", resp.StatusCode, body)
	}
	resp, _ = post(t, ts.URL, "u:p", soap(actionSignal, id, `<rsp:Signal CommandId="`+cmdID+`"><rsp:Code>`+signalTerm+`</rsp:Code></rsp:Signal>`))
	if resp.StatusCode != 200 {
		t.Errorf("signal %d", resp.StatusCode)
	}
	resp, body = post(t, ts.URL, "u:p", soap(actionReceive, id, `<rsp:Receive><rsp:DesiredStream CommandId="`+cmdID+`">stdout</rsp:DesiredStream></rsp:Receive>`))
	if resp.StatusCode != 500 || !strings.Contains(body, "command identifier that does not exist") {
		t.Errorf("receive after terminate: %d %s", resp.StatusCode, body)
	}
	// Over MaxEnvelopeSizekb: HTTP 413 without SOAP.
	resp, body = post(t, ts.URL, "u:p", soap(actionCreate, "", strings.Repeat(" ", 17*1024)))
	if resp.StatusCode != 413 || body != "" {
		t.Errorf("oversized: %d %q", resp.StatusCode, body)
	}
}

func TestBasicNeedsAllowUnencryptedOverHTTP(t *testing.T) {
	srv := NewServer(Config{User: "u", Password: "p", Handler: testHandler})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if resp, _ := post(t, ts.URL, "u:p", soap(actionCreate, "", "")); resp.StatusCode != 401 {
		t.Errorf("Basic over HTTP without AllowUnencrypted: %d", resp.StatusCode)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"PT60S": time.Minute, "PT60.000S": time.Minute, "PT30M": 30 * time.Minute,
		"PT30M0S": 30 * time.Minute, "P0DT0H0M1S": time.Second, "P1W": 7 * 24 * time.Hour, "bogus": 5 * time.Second, "PT": 5 * time.Second} {
		if got := parseDuration(in, 5*time.Second); got != want {
			t.Errorf("%s: %s want %s", in, got, want)
		}
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(soap(actionCreate, "", "")))
	f.Add([]byte(soap(actionSend, "S", `<rsp:Send><rsp:Stream Name="stdin" CommandId="C" End="true">aGk=</rsp:Stream></rsp:Send>`)))
	f.Add([]byte("<x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseRequest(b)
		if err == nil && r.Header.Action == "" {
			t.Fatal("accepted an envelope without an action")
		}
	})
}

// TestParkedReceiveEndsWithItsShell: a Receive waiting on a process that ignores its cancellation stops
// waiting when the shell goes. After a restart its connection is reset at once (not at the end of its
// OperationTimeout); after a Delete from another request it gets the unknown-shell fault.
func TestParkedReceiveEndsWithItsShell(t *testing.T) {
	var mu sync.Mutex
	up := true
	srv := NewServer(Config{User: "u", Password: "p", AllowUnencrypted: true, Handler: testHandler,
		Up: func() bool { mu.Lock(); defer mu.Unlock(); return up }})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	long := func(body string) string { return strings.Replace(body, "PT1S", "PT20S", 1) }
	open := func() (shellID, cmdID string) {
		_, body := post(t, ts.URL, "u:p", soap(actionCreate, "", `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams></rsp:Shell>`))
		shellID = body[strings.Index(body, "<rsp:ShellId>")+len("<rsp:ShellId>") : strings.Index(body, "</rsp:ShellId>")]
		_, body = post(t, ts.URL, "u:p", soap(actionCommand, shellID, `<rsp:CommandLine><rsp:Command>hang</rsp:Command></rsp:CommandLine>`))
		cmdID = body[strings.Index(body, "<rsp:CommandId>")+len("<rsp:CommandId>") : strings.Index(body, "</rsp:CommandId>")]
		return shellID, cmdID
	}
	receive := func(shellID, cmdID string) (status int, body string, err error) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, ts.URL+"/wsman", strings.NewReader(long(soap(actionReceive, shellID,
			`<rsp:Receive><rsp:DesiredStream CommandId="`+cmdID+`">stdout stderr</rsp:DesiredStream></rsp:Receive>`))))
		req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
		req.SetBasicAuth("u", "p")
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}

	t.Run("deleted", func(t *testing.T) {
		shellID, cmdID := open()
		done := make(chan string, 1)
		go func() {
			status, body, err := receive(shellID, cmdID)
			done <- fmt.Sprintf("%d %v %s", status, err, body)
		}()
		time.Sleep(200 * time.Millisecond)
		if resp, _ := post(t, ts.URL, "u:p", soap(actionDelete, shellID, "")); resp.StatusCode != 200 {
			t.Fatalf("delete: %d", resp.StatusCode)
		}
		select {
		case got := <-done:
			if !strings.HasPrefix(got, "500 ") || !strings.Contains(got, "w:InvalidSelectors") {
				t.Errorf("the parked Receive after a Delete: %s", got)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the parked Receive still waits 5 s after its shell was deleted")
		}
	})
	t.Run("restart", func(t *testing.T) {
		shellID, cmdID := open()
		done := make(chan error, 1)
		go func() {
			status, body, err := receive(shellID, cmdID)
			if err == nil {
				err = fmt.Errorf("answered %d: %s", status, body)
				done <- err
				return
			}
			done <- nil
		}()
		time.Sleep(200 * time.Millisecond)
		mu.Lock()
		up = false
		mu.Unlock()
		srv.CloseAll()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("a Receive in flight at the restart was answered instead of reset: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the parked Receive still waits 5 s after the restart")
		}
	})
}
