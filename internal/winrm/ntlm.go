package winrm

import (
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
	"time"

	"github.com/Azure/go-ntlmssp"
	mz "github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// ntlmTransport is NTLM over HTTP with each handshake on one connection. NTLM authenticates a TCP
// connection, not a request (winrm.md §3.1): the NEGOTIATE and AUTHENTICATE legs must travel on the
// connection that got the CHALLENGE. masterzen's ClientNTLM wraps one pooled http.Transport in
// go-ntlmssp's Negotiator, so when two requests are in flight (masterzen's Receive loop and our stdin
// Send) a leg can go out on the other request's connection, and Windows answers 401. Here every request
// holds a transport of its own, with at most one connection, for all its legs; concurrent requests use
// different transports, and an authenticated connection serves later requests without a new handshake.
type ntlmTransport struct {
	user, password string
	dial           func(network, addr string) (net.Conn, error)

	url  string
	make func() *http.Transport

	mu   sync.Mutex
	idle []*http.Transport
}

func newNTLMTransport(user, password string, dial func(network, addr string) (net.Conn, error)) *ntlmTransport {
	return &ntlmTransport{user: user, password: password, dial: dial}
}

// NewNTLMTransport is the transport Auth = ntlm uses, as a masterzen Transporter for other masterzen
// clients (a TransportDecorator): NTLM with each handshake kept on one connection.
func NewNTLMTransport(user, password string) mz.Transporter {
	return newNTLMTransport(user, password, (&net.Dialer{Timeout: 30 * time.Second}).Dial)
}

// Transport implements masterzen's Transporter: the TLS and timeout settings masterzen's own transports
// take from the endpoint.
func (t *ntlmTransport) Transport(e *mz.Endpoint) error {
	tlsConf := &tls.Config{InsecureSkipVerify: e.Insecure, ServerName: e.TLSServerName, MinVersion: tls.VersionTLS12} //nolint:gosec // insecure only when the user asks
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
		return &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsConf.Clone(), Dial: t.dial, //nolint:staticcheck // masterzen's dial signature
			ResponseHeaderTimeout: e.Timeout, MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, IdleConnTimeout: 5 * time.Minute}
	}
	return nil
}

func (t *ntlmTransport) take() *http.Transport {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.idle); n > 0 {
		rt := t.idle[n-1]
		t.idle = t.idle[:n-1]
		return rt
	}
	return t.make()
}

func (t *ntlmTransport) give(rt *http.Transport) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.idle = append(t.idle, rt)
}

// Post implements masterzen's Transporter with the errors its own transports return, which the client
// and explain() read ("http error 401: ...").
func (t *ntlmTransport) Post(_ *mz.Client, m *soap.SoapMessage) (string, error) {
	rt := t.take()
	defer t.give(rt)
	req, err := http.NewRequest(http.MethodPost, t.url, strings.NewReader(m.String())) //nolint:noctx // masterzen's Post has no context; the endpoint timeout bounds it
	if err != nil {
		return "", fmt.Errorf("impossible to create http request %w", err)
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	req.SetBasicAuth(t.user, t.password) // go-ntlmssp turns these into the NTLM legs; Basic is never sent
	resp, err := (&http.Client{Transport: ntlmssp.Negotiator{RoundTripper: rt}}).Do(req)
	if err != nil {
		return "", fmt.Errorf("unknown error %w", err)
	}
	defer resp.Body.Close()
	// As masterzen's clientRequest: a body that is not SOAP is an error naming the status ("http response
	// error: 401 - invalid content type"), and a SOAP body with another status than 200 is "http error".
	if !strings.Contains(resp.Header.Get("Content-Type"), "application/soap+xml") {
		_, _ = io.Copy(io.Discard, resp.Body)
		return "", fmt.Errorf("http response error: %d - invalid content type", resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("http response error: %d - error while reading request body %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("http error %d: %s", resp.StatusCode, b)
	}
	return string(b), nil
}
