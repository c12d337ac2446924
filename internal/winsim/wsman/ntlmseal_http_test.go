package wsman

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	azntlm "github.com/Azure/go-ntlmssp"
	"github.com/bodgit/ntlmssp"
	mz "github.com/masterzen/winrm"
)

// sealedConn is one keep-alive connection on which bodgit/ntlmssp (an NTLM implementation independent
// of winsim's, the one under masterzen's NewEncryption) logs on with an empty POST and then seals.
type sealedConn struct {
	t    testing.TB
	l    *ntlmLab
	http *http.Client
	sess *ntlmssp.SecuritySession
}

func newSealedConn(t testing.TB, l *ntlmLab, password string) (*sealedConn, int) {
	t.Helper()
	c := &sealedConn{t: t, l: l, http: &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}}
	nc, err := ntlmssp.NewClient(ntlmssp.SetUserInfo(ntlmUser, password), ntlmssp.SetDomain("WINSIM"), ntlmssp.SetVersion(ntlmssp.DefaultVersion()))
	if err != nil {
		t.Fatal(err)
	}
	neg, err := nc.Authenticate(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := c.post("Negotiate "+base64.StdEncoding.EncodeToString(neg), "", nil)
	tok, _ := strings.CutPrefix(resp.Header.Get("WWW-Authenticate"), "Negotiate ")
	ch, err := base64.StdEncoding.DecodeString(tok)
	if resp.StatusCode != 401 || err != nil {
		t.Fatalf("NEGOTIATE: %d %q", resp.StatusCode, resp.Header.Values("WWW-Authenticate"))
	}
	auth, err := nc.Authenticate(ch, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp = c.post("Negotiate "+base64.StdEncoding.EncodeToString(auth), "", nil)
	c.sess = nc.SecuritySession()
	return c, resp.StatusCode
}

// post sends body with the given Content-Type ("" for SOAP) and returns the response, its body read.
func (c *sealedConn) post(auth, contentType string, body []byte) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://"+c.l.host+":"+strconv.Itoa(c.l.port)+"/wsman", bytes.NewReader(body))
	if contentType == "" {
		contentType = "application/soap+xml;charset=UTF-8"
	}
	req.Header.Set("Content-Type", contentType)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

// sealed seals msg with the client's session and frames it as pywinrm does.
func (c *sealedConn) sealed(msg []byte) []byte {
	c.t.Helper()
	sealed, sig, err := c.sess.Wrap(msg)
	if err != nil {
		c.t.Fatal(err)
	}
	return pywinrmFrame(sig, sealed, len(msg))
}

// open reads a sealed response with the client's session.
func (c *sealedConn) open(resp *http.Response) string {
	c.t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != contentTypeEncrypted {
		c.t.Fatalf("response Content-Type %q", ct)
	}
	b, _ := io.ReadAll(resp.Body)
	m, err := parseEncrypted(b, encryptedBoundary)
	if err != nil {
		c.t.Fatal(err)
	}
	msg, err := c.sess.Unwrap(m.Sealed, m.Signature)
	if err != nil {
		c.t.Fatalf("bodgit/ntlmssp cannot unseal winsim's answer: %v", err)
	}
	return string(msg)
}

// TestNTLMSealedHTTP drives sealing by hand over plain HTTP with AllowUnencrypted=false (Windows'
// out-of-box service): the empty-POST handshake gets 200, sealed SOAP is served and answered sealed
// (faults too), unsealed SOAP is refused with 401 even on the authenticated connection, a sealed message
// on another connection gets 400, and a tampered one 400 and the end of the connection's logon.
func TestNTLMSealedHTTP(t *testing.T) {
	l := newNTLMLab(t, Config{DisableBasic: true}, false, true)
	c, status := newSealedConn(t, l, ntlmPassword)
	if status != 200 {
		t.Fatalf("the authenticated empty POST: %d, want 200", status)
	}
	ct := contentTypeEncrypted
	resp := c.post("", ct, c.sealed([]byte(soapCreate())))
	if resp.StatusCode != 200 {
		t.Fatalf("sealed Create: %d", resp.StatusCode)
	}
	if got := c.open(resp); !strings.Contains(got, "CreateResponse") || !strings.Contains(got, "<rsp:ShellId>") {
		t.Fatalf("sealed Create answered %q", got)
	}
	// A fault (an unknown shell) comes back sealed, with its 500.
	bad := strings.Replace(soapCreate(), actionCreate, actionDelete, 1)
	bad = strings.Replace(bad, "</s:Header>", `<w:SelectorSet><w:Selector Name="ShellId">NOPE</w:Selector></w:SelectorSet></s:Header>`, 1)
	resp = c.post("", ct, c.sealed([]byte(bad)))
	if got := c.open(resp); resp.StatusCode != 500 || !strings.Contains(got, "2150858843") {
		t.Fatalf("sealed fault: %d %q", resp.StatusCode, got)
	}
	// Unsealed SOAP on the same authenticated connection: AllowUnencrypted=false refuses it.
	if s := c.post("", "", []byte(soapCreate())).StatusCode; s != 401 {
		t.Errorf("unsealed SOAP over HTTP: %d, want 401", s)
	}
	if s, r := l.srv.SealedRequests(), l.soapRequests(); s != 2 || r != 2 {
		t.Errorf("%d sealed of %d SOAP requests, want 2 of 2", s, r)
	}
	// A sealed message on another connection: 400, as Ansible saw.
	other := &sealedConn{t: t, l: l, http: &http.Client{Transport: &http.Transport{}}, sess: c.sess}
	if s := other.post("", ct, c.sealed([]byte(soapCreate()))).StatusCode; s != 400 {
		t.Errorf("sealed message on another connection: %d, want 400", s)
	}
	// The stream moved on at the client for the message above; a fresh logon, then a tampered message.
	c2, _ := newSealedConn(t, l, ntlmPassword)
	frame := c2.sealed([]byte(soapCreate()))
	frame[len(frame)-len("--Encrypted Boundary--\r\n")-3] ^= 0x20
	if s := c2.post("", ct, frame).StatusCode; s != 400 {
		t.Errorf("tampered sealed message: %d, want 400", s)
	}
	if s := c2.post("", ct, c2.sealed([]byte(soapCreate()))).StatusCode; s != 400 {
		t.Errorf("after a tampered message the connection's logon must be gone: %d", s)
	}
	// OriginalContent's Length must match.
	c3, _ := newSealedConn(t, l, ntlmPassword)
	sealed, sig, _ := c3.sess.Wrap([]byte(soapCreate()))
	if s := c3.post("", ct, pywinrmFrame(sig, sealed, len(sealed)+1)).StatusCode; s != 400 {
		t.Errorf("wrong OriginalContent Length: %d, want 400", s)
	}
	// A wrong password: the handshake ends with 401, no session.
	if _, s := newSealedConn(t, l, "wrong"); s != 401 {
		t.Errorf("wrong password: %d", s)
	}
}

// TestNTLMSealedManyMessages: several sealed messages each way on one connection.
func TestNTLMSealedManyMessages(t *testing.T) {
	l := newNTLMLab(t, Config{DisableBasic: true}, false, true)
	c, _ := newSealedConn(t, l, ntlmPassword)
	// Several messages each way on one connection: the RC4 streams and sequence numbers stay in step.
	for i := range 4 {
		resp := c.post("", contentTypeEncrypted, c.sealed([]byte(soapCreate())))
		if got := c.open(resp); resp.StatusCode != 200 || !strings.Contains(got, "CreateResponse") {
			t.Fatalf("message %d: %d %q", i, resp.StatusCode, got)
		}
	}
	resp := c.post("", contentTypeEncrypted, c.sealed([]byte(soapCreate())))
	b, _ := io.ReadAll(resp.Body)
	m, _ := parseEncrypted(b, encryptedBoundary)
	if m == nil || binary.LittleEndian.Uint32(m.Signature[12:]) != 4 {
		t.Fatalf("the fifth answer's SeqNum: %+v", m)
	}
}

// TestNTLMSealedMasterzenDefect documents why masterzen's NewEncryption("ntlm") (the pinned version in
// go.mod) is not in the conformance suite: every SOAP message builds a new bodgit/ntlmssp client and
// tries its handshake with an anonymous empty POST. On the first message the connection is fresh, the
// POST gets 401 and the handshake runs; the message goes sealed and is served. On the second the
// kept-alive connection is already authenticated, so the anonymous POST is served (200, as an anonymous
// request on an authenticated connection is, docs/knowledge/winrm.md#http-authentication); the new ntlmssp client then has no
// session, its buildNTLMMessage returns nil, nil, and masterzen sends a multipart/encrypted body with
// neither signature nor sealed data, which cannot be unsealed (400). If masterzen changes so that this
// test fails, add its sealed transport to the conformance suite.
func TestNTLMSealedMasterzenDefect(t *testing.T) {
	l := newNTLMLab(t, Config{DisableBasic: true}, false, true)
	ep := mz.NewEndpoint(l.host, l.port, false, false, nil, nil, nil, 10*time.Second)
	params := mz.NewParameters("PT5S", "en-US", 153600)
	params.TransportDecorator = func() mz.Transporter {
		e, err := mz.NewEncryption("ntlm")
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	c, err := mz.NewClientWithParameters(ep, ntlmUser, ntlmPassword, params)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := c.CreateShell()
	if err != nil {
		t.Fatalf("the first sealed message (Create): %v", err)
	}
	_, err = sh.ExecuteWithContext(context.Background(), "echo hi")
	if err == nil {
		t.Fatal("masterzen's second sealed message was served: its NewEncryption works now; add it to the conformance suite")
	}
	if s, r := l.srv.SealedRequests(), l.soapRequests(); s != 1 || r != 1 {
		t.Errorf("%d sealed of %d SOAP requests served, want the Create only", s, r)
	}
	t.Logf("masterzen NewEncryption: Create served sealed, then %v", err)
}

// BenchmarkNTLMSealing: HTTP requests and bytes on the wire per command with NTLM over plain HTTP,
// unsealed (go-ntlmssp's Negotiator, ClientNTLM's transport, against AllowUnencrypted=true) against
// sealed (bodgit/ntlmssp session security, multipart/encrypted, against AllowUnencrypted=false). The
// same SOAP per command in both: Command, Receive until Done, Signal, on one shell and one kept-alive,
// already authenticated connection.
func BenchmarkNTLMSealing(b *testing.B) {
	for _, sealed := range []bool{false, true} {
		b.Run("sealed="+strconv.FormatBool(sealed), func(b *testing.B) {
			l := newNTLMLab(b, Config{AllowUnencrypted: !sealed, DisableBasic: true}, false, true)
			var do func(action, shell, body string) string
			if sealed {
				c, status := newSealedConn(b, l, ntlmPassword)
				if status != 200 {
					b.Fatalf("handshake: %d", status)
				}
				do = func(action, shell, body string) string {
					resp := c.post("", contentTypeEncrypted, c.sealed([]byte(soap(action, shell, body))))
					return c.open(resp)
				}
			} else {
				hc := &http.Client{Transport: azntlm.Negotiator{RoundTripper: &http.Transport{MaxConnsPerHost: 1}}}
				do = func(action, shell, body string) string {
					req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://"+l.host+":"+strconv.Itoa(l.port)+"/wsman",
						strings.NewReader(soap(action, shell, body)))
					req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
					req.SetBasicAuth(ntlmUser, ntlmPassword) // the Negotiator's credentials; it sends NTLM, never Basic
					resp, err := hc.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					defer resp.Body.Close()
					out, _ := io.ReadAll(resp.Body)
					if resp.StatusCode != 200 {
						b.Fatalf("%s: %d", action, resp.StatusCode)
					}
					return string(out)
				}
			}
			shell := between(do(actionCreate, "", `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`),
				"<rsp:ShellId>", "</rsp:ShellId>")
			run := func() {
				id := between(do(actionCommand, shell, `<rsp:CommandLine><rsp:Command>echo benchmark</rsp:Command></rsp:CommandLine>`),
					"<rsp:CommandId>", "</rsp:CommandId>")
				for done := false; !done; {
					done = strings.Contains(do(actionReceive, shell, `<rsp:Receive><rsp:DesiredStream CommandId="`+id+`">stdout stderr</rsp:DesiredStream></rsp:Receive>`), "CommandState/Done")
				}
				do(actionSignal, shell, `<rsp:Signal CommandId="`+id+`"><rsp:Code>`+signalTerm+`</rsp:Code></rsp:Signal>`)
			}
			run() // warm up
			l.resetCounts()
			b.ResetTimer()
			for range b.N {
				run()
			}
			b.StopTimer()
			l.reportPerCommand(b)
			b.ReportMetric(float64(l.srv.SealedRequests())/float64(b.N), "sealed-requests/cmd")
		})
	}
}
