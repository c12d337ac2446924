// Package azuretest is a loopback HTTPS endpoint that plays Microsoft Entra (OpenID discovery and the
// token endpoint) and the Resource Manager marketplace API, with a small Windows Server catalogue. Tests
// of the Terraform and Packer front doors point the real SDK at it. Test support only.
package azuretest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Identities the fake accepts.
const (
	Tenant       = "11111111-1111-1111-1111-111111111111"
	Subscription = "22222222-2222-2222-2222-222222222222"
	ClientID     = "33333333-3333-3333-3333-333333333333"
	Secret       = "fake-client-secret-value"
	token        = "fake-arm-token"
)

// Server is the fake endpoint. Its TLS certificate is trusted by Server.Client() only.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
	leaked   bool
}

// New starts a fake endpoint that stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	f := &Server{}
	f.Server = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// Requests returns "METHOD path" of every request so far.
func (f *Server) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// SecretLeaked reports whether the client secret ever appeared in a URL or an Authorization header.
func (f *Server) SecretLeaked() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.leaked
}

var (
	skus     = []string{"2022-datacenter-core-g2", "23h2-datacenter-core-g2", "2025-datacenter-core-g2"}
	versions = map[string][]string{
		"2022-datacenter-core-g2": {"20348.999.250101", "20348.4893.260303"},
		"23h2-datacenter-core-g2": {"25398.2207.260303"},
		"2025-datacenter-core-g2": {"26100.32522.260306"},
	}
	armPath = regexp.MustCompile(`^/subscriptions/` + Subscription + `/providers/Microsoft\.Compute/locations/([^/]+)/publishers/MicrosoftWindowsServer/artifacttypes/vmimage/offers/WindowsServer/skus(?:/([^/]+)/versions(?:/([^/]+))?)?$`)
)

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	if strings.Contains(r.URL.RawQuery, Secret) || strings.Contains(r.Header.Get("Authorization"), Secret) {
		f.leaked = true
	}
	f.mu.Unlock()
	base := "https://" + r.Host
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
		reply(map[string]any{
			"token_endpoint":         base + "/" + Tenant + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/" + Tenant + "/oauth2/v2.0/authorize",
			"issuer":                 base + "/" + Tenant + "/v2.0",
		})
	case r.URL.Path == "/"+Tenant+"/oauth2/v2.0/token" && r.Method == http.MethodPost:
		_ = r.ParseForm()
		if r.PostForm.Get("client_secret") != Secret {
			w.WriteHeader(http.StatusUnauthorized)
			reply(map[string]any{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
			return
		}
		reply(map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})
	default:
		m := armPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			w.WriteHeader(http.StatusNotFound)
			reply(map[string]any{"error": map[string]string{"code": "NotFound", "message": "no route " + r.URL.Path}})
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			reply(map[string]any{"error": map[string]string{"code": "AuthenticationFailed", "message": "missing token"}})
			return
		}
		loc, sku, ver := m[1], m[2], m[3]
		names := func(ns []string) []map[string]string {
			out := []map[string]string{}
			for _, n := range ns {
				out = append(out, map[string]string{"name": n, "location": loc})
			}
			return out
		}
		switch {
		case sku == "":
			reply(names(skus))
		case ver == "":
			reply(names(versions[sku]))
		default:
			reply(map[string]any{"name": ver, "location": loc, "properties": map[string]any{
				"hyperVGeneration": "V2", "architecture": "x64",
				"features": []map[string]string{
					{"name": "SecurityType", "value": "TrustedLaunchSupported"},
					{"name": "DiskControllerTypes", "value": "SCSI, NVMe"},
					{"name": "IsAcceleratedNetworkSupported", "value": "True"},
				},
				"imageDeprecationStatus": map[string]string{"imageState": "Active"},
			}})
		}
	}
}
