package wsman

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestReceiveFitsMaxEnvelopeSizeWithSmallWrites: a process that writes many short lines (cmd's for /L
// echo) gets one rsp:Stream element per write, each with its own markup; the response must still fit
// the MaxEnvelopeSize (docs/knowledge/winrm.md#receive-and-output-size), so the budget counts each element's markup, not only its data.
func TestReceiveFitsMaxEnvelopeSizeWithSmallWrites(t *testing.T) {
	const lines = 6000
	handler := func(_ context.Context, _ string, _ io.Reader, stdout, _ io.Writer) uint32 {
		for i := 1; i <= lines; i++ {
			fmt.Fprintf(stdout, "line %d\r\n", i)
		}
		return 0
	}
	srv := NewServer(Config{User: "u", Password: "p", AllowUnencrypted: true, Handler: handler, MaxEnvelopeSizeKB: 16})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	_, body := post(t, ts.URL, "u:p", soap(actionCreate, "", ""))
	id := between(body, "<rsp:ShellId>", "</rsp:ShellId>")
	_, body = post(t, ts.URL, "u:p", soap(actionCommand, id, `<rsp:CommandLine><rsp:Command>for</rsp:Command></rsp:CommandLine>`))
	cmdID := between(body, "<rsp:CommandId>", "</rsp:CommandId>")
	got := 0
	for i := 0; i < 1000; i++ {
		resp, body := post(t, ts.URL, "u:p", soap(actionReceive, id, `<rsp:Receive><rsp:DesiredStream CommandId="`+cmdID+`">stdout stderr</rsp:DesiredStream></rsp:Receive>`))
		if resp.StatusCode != 200 {
			t.Fatalf("receive %d: %d %s", i, resp.StatusCode, body)
		}
		if len(body) > 16*1024 {
			t.Fatalf("receive %d: a %d-byte response to a server whose MaxEnvelopeSizekb is 16", i, len(body))
		}
		got += strings.Count(body, `<rsp:Stream Name="stdout" CommandId="`+cmdID+`">`)
		if strings.Contains(body, "CommandState/Done") {
			if got != lines {
				t.Errorf("%d stdout elements, want %d", got, lines)
			}
			return
		}
	}
	t.Fatal("the command never finished")
}
