package winrm

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/wincontainers/wincontainers/internal/winrm/ntlm"
	"github.com/wincontainers/wincontainers/internal/winrm/sealing"
)

// Message encryption over plain HTTP (MS-WSMV 2.2.9.1), as Windows serves it out of the box
// (AllowUnencrypted=false): the client authenticates a connection with SPNEGO (here NTLM, MS-NLMP) in
// an empty POST, then seals every SOAP message with the session keys of that logon and sends it as
// multipart/encrypted; the host answers sealed with its own direction's keys.
//
// The keys belong to the logon, and HTTP.sys keeps a logon per TCP connection, so each sealedConn is
// one connection (an http.Transport limited to one) with the session of its handshake. A session is
// bound to its connection: once it exists, the connection's transport refuses to dial, so a sealed
// message never goes out on a connection that did not authenticate (the host would answer 400 and the
// RC4 streams would part). When the connection is gone (the host closed it, idle timeout, restart), the
// next message finds the dial refused, and the connection handshakes anew before sending it. A message
// answered 400 or 401 without a sealed body means the host no longer holds the logon (Windows answers
// 400 to a sealed message it cannot unseal): the connection handshakes again and the message is sent
// once more; the host did not process it.

// A logon authenticates a connection (SPNEGO legs in empty POSTs) and returns the session security
// that seals its messages. NTLM's is ntlmLogon; Kerberos' (kerberos.go: RFC 4121 wrap tokens, protocol
// sealing.ProtocolKerberos) plugs in the same way.
type logon struct {
	protocol string
	run      func(t *transport, ctx context.Context, c *sealedConn) (sealing.Security, error)
}

var ntlmLogon = logon{protocol: sealing.ProtocolSPNEGO, run: (*transport).ntlmHandshake}

// errConnectionGone is the dial refusal of a connection whose session is bound to a connection that
// no longer exists.
var errConnectionGone = errors.New("the authenticated connection is gone")

// sealedConn is one connection of the sealed transport.
type sealedConn struct {
	rt *http.Transport
	hc *http.Client // over rt; no redirects
	// sess is the connection's session security, nil before a handshake or after a failure; bound
	// tells the dialer that a session exists (the dialer runs on the transport's goroutines).
	sess  sealing.Security
	bound atomic.Bool
}

func (t *transport) takeSealed() *sealedConn {
	t.mu.Lock()
	if n := len(t.idleSealed); n > 0 {
		c := t.idleSealed[n-1]
		t.idleSealed = t.idleSealed[:n-1]
		t.mu.Unlock()
		return c
	}
	t.mu.Unlock()
	c := &sealedConn{}
	rt := t.make()
	rt.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if c.bound.Load() {
			return nil, errConnectionGone
		}
		return t.dial(ctx, network, addr)
	}
	c.rt = rt
	c.hc = &http.Client{Transport: t.counted(rt), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c
}

func (t *transport) giveSealed(c *sealedConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.idleSealed = append(t.idleSealed, c)
}

// reset forgets the connection's session and closes its connection: the next message handshakes.
func (c *sealedConn) reset() {
	c.sess = nil
	c.bound.Store(false)
	c.rt.CloseIdleConnections()
}

// postSealed sends one SOAP message sealed, handshaking first when its connection has no session, and
// returns the host's answer unsealed.
func (t *transport) postSealed(ctx context.Context, msg []byte) (string, error) {
	c := t.takeSealed()
	defer t.giveSealed(c)
	for attempt := 0; ; attempt++ {
		fresh := c.sess == nil
		if fresh {
			sess, err := t.logon.run(t, ctx, c)
			if err != nil {
				c.reset()
				return "", err
			}
			c.sess = sess
			c.bound.Store(true)
		}
		body, contentType := msg, "application/soap+xml;charset=UTF-8"
		if !t.plain {
			var err error
			if body, contentType, err = sealing.Seal(c.sess, t.logon.protocol, msg); err != nil {
				c.reset()
				return "", err
			}
		}
		resp, err := c.do(ctx, t.url, "", contentType, body)
		if err != nil {
			c.reset()
			if errors.Is(err, errConnectionGone) && attempt == 0 {
				continue // never sent: a new connection, a new handshake
			}
			return "", fmt.Errorf("unknown error %w", err)
		}
		ct := resp.Header.Get("Content-Type")
		if t.plain {
			if resp.StatusCode == http.StatusUnauthorized && !fresh && attempt == 0 {
				c.reset() // the host forgot the logon: authenticate again and resend
				continue
			}
			// As Post: a body that is not SOAP is an error naming the status; a SOAP fault goes through.
			if !strings.Contains(ct, "application/soap+xml") {
				c.reset()
				return "", fmt.Errorf("http response error: %d - invalid content type", resp.StatusCode)
			}
			return string(resp.body), nil
		}
		if _, sealed := sealing.IsSealed(ct); !sealed {
			if (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusBadRequest) && !fresh && attempt == 0 {
				c.reset() // the host forgot the logon: handshake again and resend
				continue
			}
			c.reset()
			// Never an unsealed SOAP body in answer to a sealed message: it could come from anyone.
			return "", fmt.Errorf("http response error: %d - invalid content type (%q in answer to a sealed message)", resp.StatusCode, ct)
		}
		plain, err := sealing.Open(c.sess, t.logon.protocol, ct, resp.body)
		if err != nil {
			c.reset()
			return "", fmt.Errorf("http response error: %d - the host's sealed answer was refused, the connection's session is dropped: %w", resp.StatusCode, err)
		}
		return string(plain), nil
	}
}

// ntlmHandshake runs NTLM on the connection in two empty POSTs (NEGOTIATE, then AUTHENTICATE) and
// returns the session. Its errors read as masterzen's ("http response error: 401 ...") so that explain
// gives the credentials advice.
func (t *transport) ntlmHandshake(ctx context.Context, c *sealedConn) (sealing.Security, error) {
	nc := ntlm.NewClient(t.user, t.password)
	resp, err := c.do(ctx, t.url, "Negotiate "+base64.StdEncoding.EncodeToString(nc.Negotiate()), "", nil)
	if err != nil {
		return nil, fmt.Errorf("unknown error %w", err)
	}
	var challenge []byte
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		if tok, ok := strings.CutPrefix(v, "Negotiate "); ok {
			if challenge, err = base64.StdEncoding.DecodeString(strings.TrimSpace(tok)); err != nil {
				return nil, fmt.Errorf("http response error: %d - the host's NTLM challenge is not base64: %w", resp.StatusCode, err)
			}
		}
	}
	if resp.StatusCode != http.StatusUnauthorized || challenge == nil {
		return nil, fmt.Errorf("http response error: %d - the host answered the NTLM NEGOTIATE without a challenge (WWW-Authenticate %q); "+
			"is Negotiate authentication enabled in its WinRM service?", resp.StatusCode, resp.Header.Values("WWW-Authenticate"))
	}
	auth, sess, err := nc.Authenticate(challenge)
	if err != nil {
		return nil, fmt.Errorf("the host's NTLM challenge: %w", err)
	}
	resp, err = c.do(ctx, t.url, "Negotiate "+base64.StdEncoding.EncodeToString(auth), "", nil)
	if err != nil {
		return nil, fmt.Errorf("unknown error %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("http response error: %d - the NTLM handshake was refused", resp.StatusCode)
	}
	return sess, nil
}

// response is an HTTP answer with its body read (the connection goes back to its transport).
type response struct {
	*http.Response
	body []byte
}

// do sends one POST on the connection: an empty one with an Authorization header (a handshake leg), or
// a sealed message.
func (c *sealedConn) do(ctx context.Context, url, authorization, contentType string, body []byte) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("impossible to create http request %w", err)
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err //nolint:wrapcheck // the callers wrap it as masterzen's transports do ("unknown error ...")
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("http response error: %d - error while reading request body %w", resp.StatusCode, err)
	}
	return &response{Response: resp, body: b}, nil
}
