package winsim

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// The HTTPS WinRM listener that winrm-listener.ps1 (run by the Azure transport) configures is the
// machine's own WSMan:\localhost\Listener entry with its certificate in LocalMachine\My; winsim does not
// open a second listener on its port (its own WS-Man listener is configured by Options).

// HTTPSListener reports the HTTPS WinRM listener the winrm-listener script recorded on this machine:
// its port and certificate's SHA-256 fingerprint (lower-case hex); ok is false when there is none.
func (s *Sim) HTTPSListener() (port int, fingerprintSHA256 string, ok bool) {
	l, err := s.windows.Listener("*", "HTTPS")
	if err != nil {
		return 0, "", false
	}
	c, found, err := s.windows.Certificate(machine.LocalMachineMy, l.CertificateThumbprint)
	if err != nil || !found {
		return l.Port, "", true
	}
	fp := sha256.Sum256(c.Raw)
	return l.Port, hex.EncodeToString(fp[:]), true
}

// RemoveHTTPSListener removes the recorded HTTPS listener, as an administrator would (drift in tests).
func (s *Sim) RemoveHTTPSListener() {
	_ = s.windows.RemoveListener("*", "HTTPS")
}
