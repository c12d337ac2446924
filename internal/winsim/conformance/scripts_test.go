package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pywinrmClient is Debian's pywinrm 0.3.0 (python3-winrm), run with /usr/bin/python3: it checks
// RelatesTo on Signal and Delete, finds streams by tag suffix, and retries a Receive on WSManFault
// 2150858793. NTLM is requests_ntlm 1.1.0 over ntlm-auth 1.4.0 (python3-requests-ntlm, a dependency of
// python3-winrm); ntlm-auth needs OpenSSL's legacy provider for MD4 (testdata/openssl-legacy.cnf).
var pywinrmClient = client{
	name: "pywinrm",
	missing: func() string {
		if err := exec.Command("/usr/bin/python3", "-c", "import winrm, requests_ntlm, ntlm_auth").Run(); err != nil {
			return "python3-winrm or python3-requests-ntlm is not installed (apt-get install -y python3-winrm; it runs with /usr/bin/python3)"
		}
		cmd := exec.Command("/usr/bin/python3", "-c", "import hashlib; hashlib.new('md4')")
		cmd.Env = append(os.Environ(), "OPENSSL_CONF="+opensslLegacy())
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Sprintf("MD4 is unavailable even with OpenSSL's legacy provider (%s): %s", opensslLegacy(), out)
		}
		// Kerberos: requests-kerberos 0.12 over pykerberos (python3-requests-kerberos), and MIT GSS-API
		// through python3-gssapi for the sealed transport (pykerberos 1.1.14 cannot seal).
		if err := exec.Command("/usr/bin/python3", "-c", "import requests_kerberos, kerberos, gssapi.raw").Run(); err != nil {
			return "python3-requests-kerberos or python3-gssapi is not installed (apt-get install -y python3-requests-kerberos python3-gssapi)"
		}
		return ""
	},
	seals:       true,
	kerberos:    true,
	certificate: true,
	run: func(ctx context.Context, t *testing.T, tg Target, c Case) (outcome, error) {
		return runScript(ctx, t, tg, c, "/usr/bin/python3", "testdata/pywinrm_conformance.py", "OPENSSL_CONF="+opensslLegacy())
	},
}

// opensslLegacy is the OpenSSL configuration that loads the legacy provider (MD4) for ntlm-auth.
func opensslLegacy() string {
	p, err := filepath.Abs("testdata/openssl-legacy.cnf")
	if err != nil {
		return "testdata/openssl-legacy.cnf"
	}
	return p
}

// nodeClient is the npm winrm-client 0.0.11 (pure JavaScript, pinned by testdata/js/package-lock.json).
var nodeClient = client{
	name: "winrm-client",
	missing: func() string {
		if _, err := exec.LookPath("node"); err != nil {
			return "node is not installed"
		}
		if _, err := os.Stat("testdata/js/node_modules/winrm-client"); err != nil {
			return "run `npm ci` in internal/winsim/conformance/testdata/js"
		}
		return ""
	},
	limits: map[string]string{
		"exit-codes": "winrm-client reports no exit code: runCommand and the Command API resolve with output text only",
		"stdin":      `its Send never sets End="true" (nor can a caller), so stdin cannot be closed`,
		"operation-timeout": "it sends OperationTimeout PT60S, hard-coded, and rejects every non-2xx response unread, so the " +
			"w:TimedOut fault ends the command instead of being retried",
		"fault": "it rejects every non-2xx response without reading the body, so a fault's code and text never reach the caller",
	},
	// Its NTLM path reads every answer: a non-2xx one becomes "NTLM authentication failed: <status> <body>",
	// so a fault's code and text do reach the caller (inside that misleading message), and the fault case
	// passes; a w:TimedOut still ends the command.
	ntlmLimits: map[string]string{
		"exit-codes": "winrm-client reports no exit code: runCommand and the Command API resolve with output text only",
		"stdin":      `its Send never sets End="true" (nor can a caller), so stdin cannot be closed`,
		"operation-timeout": "it sends OperationTimeout PT60S, hard-coded, and turns every non-2xx answer into an error, so the " +
			"w:TimedOut fault ends the command instead of being retried",
	},
	run: func(ctx context.Context, t *testing.T, tg Target, c Case) (outcome, error) {
		return runScript(ctx, t, tg, c, "node", "testdata/js/conformance.js")
	},
}

var resultLine = regexp.MustCompile(`(?m)^(ok|limit|FAIL) ([a-z-]+): (.*)$`)

// runScript runs one case in a client script and reads its result line. The environment is the test's
// minus proxies and CA overrides, so the script trusts exactly the CA it is given (node: through
// NODE_EXTRA_CA_CERTS, its way to add a CA with verification on).
func runScript(ctx context.Context, t *testing.T, tg Target, c Case, prog, script string, env ...string) (outcome, error) {
	t.Helper()
	tj, err := json.Marshal(tg)
	if err != nil {
		return outcome{}, err
	}
	cj, err := json.Marshal(c)
	if err != nil {
		return outcome{}, err
	}
	cmd := exec.CommandContext(ctx, prog, script, string(tj), string(cj))
	cmd.Env = []string{"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR",
			"NODE_EXTRA_CA_CERTS", "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_OPTIONS", "OPENSSL_CONF":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	if tg.CAFile != "" {
		cmd.Env = append(cmd.Env, "NODE_EXTRA_CA_CERTS="+tg.CAFile)
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	m := resultLine.FindAllStringSubmatch(string(out), -1)
	if len(m) != 1 || m[0][2] != c.Name {
		return outcome{}, fmt.Errorf("%s %s: %s, want one result line for %s:\n%s", prog, script, errText(err), c.Name, out)
	}
	if m[0][1] == "FAIL" || err != nil {
		return outcome{}, fmt.Errorf("%s (%s)\n%s", m[0][0], errText(err), out)
	}
	return outcome{Status: m[0][1], Detail: m[0][3]}, nil
}
