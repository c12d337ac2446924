package winrm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/go-ntlmssp"
	mz "github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// callContext is the context of the call the client is making: masterzen's Transporter.Post takes
// none, so the client sets it here around each call and the transport sends every HTTP request with it.
// A cancelled or expired context then ends the request in flight (a host that is off answers nothing,
// and masterzen would otherwise wait for the endpoint's timeout, 90 s by default).
type callContext struct {
	mu  sync.Mutex
	ctx context.Context
}

func (c *callContext) set(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ctx = ctx
}

func (c *callContext) get() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx == nil {
		return context.Background()
	}
	return c.ctx
}

// certAuthProfile is the Authorization header of certificate authentication: the WS-Management HTTPS
// mutual-authentication profile URI, with no scheme token (what masterzen's ClientAuthRequest and
// pywinrm's certificate transport send; docs/knowledge/winrm.md#certificate-authentication).
const certAuthProfile = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

// transport is the HTTP transport for Basic, NTLM and client certificates, in place of masterzen's clientRequest and
// ClientNTLM, with the same TLS settings and errors, plus two things they lack:
//
//   - every request carries the caller's context (callContext);
//   - NTLM keeps each handshake on one connection. NTLM authenticates a TCP connection, not a request
//     (docs/knowledge/winrm.md#http-authentication): the NEGOTIATE and AUTHENTICATE legs must travel on the connection that got the
//     CHALLENGE. ClientNTLM wraps one pooled http.Transport in go-ntlmssp's Negotiator, so when two
//     requests are in flight (masterzen's Receive loop and our stdin Send) a leg can go out on the other
//     request's connection, and Windows answers 401. Here every NTLM request holds a transport of its own,
//     with at most one connection, for all its legs; concurrent requests use different transports, and an
//     authenticated connection serves later requests without a new handshake.
type transport struct {
	user, password string
	ntlm           bool
	// cert, when set, is the client certificate of certificate authentication: every connection presents
	// it in TLS, and every request names the mutual-authentication profile instead of credentials.
	cert *tls.Certificate
	// sealed: message encryption over plain HTTP (sealed.go): every SOAP message is sealed with the
	// session that logon gave the connection it travels on.
	sealed bool
	// plain: the logon's connections carry SOAP as it is (Kerberos over HTTPS, where TLS protects it).
	plain bool
	logon logon
	dial  func(ctx context.Context, network, addr string) (net.Conn, error)
	call  *callContext
	// requests, when set, counts every HTTP request sent, handshake legs included (benchmarks).
	requests *atomic.Int64

	url   string
	make  func() *http.Transport
	basic *http.Transport

	mu         sync.Mutex
	idle       []*http.Transport
	idleSealed []*sealedConn
}

func newTransport(user, password string, ntlm bool, call *callContext) *transport {
	return &transport{user: user, password: password, ntlm: ntlm, call: call, dial: (&net.Dialer{Timeout: 30 * time.Second}).DialContext}
}

// NewNTLMTransport is the transport Auth = ntlm uses, as a masterzen Transporter for other masterzen
// clients (a TransportDecorator): NTLM with each handshake kept on one connection.
func NewNTLMTransport(user, password string) mz.Transporter {
	return newTransport(user, password, true, &callContext{})
}

// Transport implements masterzen's Transporter: the TLS and timeout settings masterzen's own transports
// take from the endpoint.
func (t *transport) Transport(e *mz.Endpoint) error {
	tlsConf := &tls.Config{InsecureSkipVerify: e.Insecure, ServerName: e.TLSServerName, MinVersion: tls.VersionTLS12} //nolint:gosec // insecure only when the user asks
	if t.cert != nil {
		// Windows may ask for the certificate by renegotiation (HTTP.sys without clientcertnegotiation,
		// docs/knowledge/winrm.md#certificate-authentication).
		tlsConf.Certificates, tlsConf.Renegotiation = []tls.Certificate{*t.cert}, tls.RenegotiateOnceAsClient
	}
	if len(e.CACert) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(e.CACert) {
			return errors.New("unable to read certificates")
		}
		tlsConf.RootCAs = pool
	}
	scheme := "http"
	if e.HTTPS {
		scheme = "https"
	}
	t.url = (&url.URL{Scheme: scheme, Host: net.JoinHostPort(e.Host, strconv.Itoa(e.Port)), Path: "/wsman"}).String()
	t.make = func() *http.Transport {
		rt := &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsConf.Clone(), DialContext: t.dial,
			ResponseHeaderTimeout: e.Timeout, IdleConnTimeout: 5 * time.Minute}
		if t.ntlm {
			rt.MaxConnsPerHost, rt.MaxIdleConnsPerHost = 1, 1
		}
		return rt
	}
	if !t.ntlm {
		t.basic = t.make()
	}
	return nil
}

// counted is rt, counting each request in t.requests when that is set.
func (t *transport) counted(rt http.RoundTripper) http.RoundTripper {
	if t.requests == nil {
		return rt
	}
	return countingRT{rt: rt, n: t.requests}
}

type countingRT struct {
	rt http.RoundTripper
	n  *atomic.Int64
}

func (c countingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r) //nolint:wrapcheck // a RoundTripper's errors go through as they are
}

func (t *transport) take() *http.Transport {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.idle); n > 0 {
		rt := t.idle[n-1]
		t.idle = t.idle[:n-1]
		return rt
	}
	return t.make()
}

func (t *transport) give(rt *http.Transport) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.idle = append(t.idle, rt)
}

// Post implements masterzen's Transporter with the results its own transports return, which the client
// and explain() read ("http response error: 401 - invalid content type").
func (t *transport) Post(_ *mz.Client, m *soap.SoapMessage) (string, error) {
	if t.sealed {
		return t.postSealed(t.call.get(), []byte(m.String()))
	}
	req, err := http.NewRequestWithContext(t.call.get(), http.MethodPost, t.url, strings.NewReader(m.String()))
	if err != nil {
		return "", fmt.Errorf("impossible to create http request %w", err)
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if t.cert != nil {
		req.Header.Set("Authorization", certAuthProfile)
	} else {
		req.SetBasicAuth(t.user, t.password) // with NTLM, go-ntlmssp turns these into the handshake; Basic is never sent
	}
	rt := t.counted(t.basic)
	if t.ntlm {
		single := t.take()
		defer t.give(single)
		rt = ntlmssp.Negotiator{RoundTripper: t.counted(single)}
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return "", fmt.Errorf("unknown error %w", err)
	}
	defer resp.Body.Close()
	// As masterzen's clientRequest: a body that is not SOAP is an error naming the status; a SOAP body is
	// returned whatever the status (its "http error" for non-200 never takes effect), so a fault (500)
	// reaches faultTransport, which turns it into a FaultError.
	if !strings.Contains(resp.Header.Get("Content-Type"), "application/soap+xml") {
		_, _ = io.Copy(io.Discard, resp.Body)
		return "", fmt.Errorf("http response error: %d - invalid content type", resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("http response error: %d - error while reading request body %w", resp.StatusCode, err)
	}
	return string(b), nil
}
