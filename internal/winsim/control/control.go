// Package control is a Go client of winsim's control API (docs/design.md#winsim-control-api): the state document, fault
// injection and counter resets, over the host's own listener with its credentials, trusting only the
// host's CA. The lab's and the benchmarks' programs use it instead of each speaking the API by hand.
package control

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim"
)

// Client talks to one host's control API.
type Client struct {
	url            string
	user, password string
	http           *http.Client
}

// New returns a client for the host at url (https://127.0.0.1:port), trusting the CA in caFile (empty
// for a plain-HTTP host).
func New(url, caFile, user, password string) (*Client, error) {
	tr := &http.Transport{}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading the host's CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificate in %s", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &Client{url: strings.TrimSuffix(url, "/"), user: user, password: password,
		http: &http.Client{Timeout: 30 * time.Second, Transport: tr}}, nil
}

// State returns the host's state document.
func (c *Client) State(ctx context.Context) (winsim.State, error) {
	var st winsim.State
	err := c.do(ctx, http.MethodGet, "/winsim/v1/state", nil, &st)
	return st, err
}

// Inject applies a fault.
func (c *Client) Inject(ctx context.Context, f winsim.Fault) error {
	return c.do(ctx, http.MethodPost, "/winsim/v1/faults", f, nil)
}

// ResetCounters zeroes the request counters.
func (c *Client) ResetCounters(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/winsim/v1/reset-counters", nil, nil)
}

func (c *Client) do(ctx context.Context, method, path string, body, into any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding the request to %s: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.SetBasicAuth(c.user, c.password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s%s: %w", method, c.url, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s%s: %s %s", method, c.url, path, resp.Status, strings.TrimSpace(string(b)))
	}
	if into == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		return fmt.Errorf("decoding %s: %w", path, err)
	}
	return nil
}
