package machine

import (
	"fmt"
	"strings"
)

// The WinRM service's listeners (winrm/config/listener), as Get-/New-/Set-/Remove-WSManInstance and
// `winrm enumerate winrm/config/listener` show them. winsim records them; its own WS-Man endpoint is the
// one winsim.Options configures, so a listener created here opens no port.

// Listener is one winrm/config/listener resource, keyed by Address and Transport.
type Listener struct {
	Address   string // "*" or "IP:1.2.3.4"
	Transport string // "HTTP" or "HTTPS"
	Port      int
	Hostname  string
	Enabled   bool
	URLPrefix string
	// CertificateThumbprint is the HTTPS listener's certificate in Cert:\LocalMachine\My.
	CertificateThumbprint string
}

// WinRMError is a WS-Management fault: the code WinRM reports (an HRESULT or a WinRM error number,
// as the unsigned decimal of the fault's Code attribute) and its message.
type WinRMError struct {
	Code    uint32
	Message string
	// Provider is true when the config provider (WsmSvc.dll) raised it, inside a ProviderFault.
	Provider bool
}

func (e *WinRMError) Error() string { return e.Message }

// The faults the listener resource gives.

// errNoResource is ERROR_WSMAN_... 0x80338000: "The service cannot find the resource identified by
// the resource URI and selectors." (a Get/Set/Remove of a listener that does not exist; the text
// is the one `winrm get` prints, inferred for the cmdlets).
func errNoResource() error {
	return &WinRMError{Code: 2150858752, Message: "The service cannot find the resource identified by the resource URI and selectors. "}
}

// errListenerExists is what the config provider answers a create of an existing listener:
// ERROR_ALREADY_EXISTS (0x800700B7) inside a ProviderFault (inferred from `winrm create` output).
func errListenerExists() error {
	return &WinRMError{Code: 2147942583, Message: "Cannot create a file when that file already exists. ", Provider: true}
}

// errNoCertificate is an HTTPS listener whose thumbprint names no certificate in LocalMachine\My
// (inferred: text and code of the config provider's refusal).
func errNoCertificate() error {
	return &WinRMError{Code: 2150858882, Message: "The WS-Management service cannot find the certificate that was requested. ", Provider: true}
}

func sameListener(l *Listener, address, transport string) bool {
	return strings.EqualFold(l.Address, address) && strings.EqualFold(l.Transport, transport)
}

// Listeners lists the listeners in creation order.
func (w *Windows) Listeners() []Listener {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Listener, 0, len(w.listeners))
	for _, l := range w.listeners {
		out = append(out, *l)
	}
	return out
}

// Listener returns the listener of that address and transport.
func (w *Windows) Listener(address, transport string) (Listener, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.listeners {
		if sameListener(l, address, transport) {
			return *l, nil
		}
	}
	return Listener{}, errNoResource()
}

// CreateListener is New-WSManInstance winrm/config/listener: the listener must not exist, and an
// HTTPS listener needs its certificate in LocalMachine\My. Port defaults to 5985/5986, URLPrefix to
// wsman, and a new listener is enabled.
func (w *Windows) CreateListener(l Listener) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.checkListenerLocked(&l); err != nil {
		return err
	}
	for _, have := range w.listeners {
		if sameListener(have, l.Address, l.Transport) {
			return errListenerExists()
		}
	}
	l.Enabled = true
	w.listeners = append(w.listeners, &l)
	return nil
}

// SetListener is Set-WSManInstance: the listener's settings are replaced by l's non-zero ones.
func (w *Windows) SetListener(l Listener) (Listener, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, have := range w.listeners {
		if !sameListener(have, l.Address, l.Transport) {
			continue
		}
		next := *have
		if l.Port != 0 {
			next.Port = l.Port
		}
		if l.Hostname != "" {
			next.Hostname = l.Hostname
		}
		if l.CertificateThumbprint != "" {
			next.CertificateThumbprint = l.CertificateThumbprint
		}
		if l.URLPrefix != "" {
			next.URLPrefix = l.URLPrefix
		}
		if err := w.checkListenerLocked(&next); err != nil {
			return Listener{}, err
		}
		*have = next
		return next, nil
	}
	return Listener{}, errNoResource()
}

// RemoveListener is Remove-WSManInstance.
func (w *Windows) RemoveListener(address, transport string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, l := range w.listeners {
		if sameListener(l, address, transport) {
			w.listeners = append(w.listeners[:i], w.listeners[i+1:]...)
			return nil
		}
	}
	return errNoResource()
}

func (w *Windows) checkListenerLocked(l *Listener) error {
	switch strings.ToUpper(l.Transport) {
	case "HTTP":
		l.Transport = "HTTP"
		if l.Port == 0 {
			l.Port = 5985
		}
	case "HTTPS":
		l.Transport = "HTTPS"
		if l.Port == 0 {
			l.Port = 5986
		}
		tp := strings.ToUpper(strings.TrimSpace(l.CertificateThumbprint))
		if _, ok := w.stores[lowerStore(LocalMachineMy)][tp]; !ok {
			return errNoCertificate()
		}
		l.CertificateThumbprint = tp
	default:
		// inferred: the config provider's refusal of another transport.
		return &WinRMError{Code: 2150858770, Message: fmt.Sprintf("The WS-Management service does not support the specified transport %q. ", l.Transport)}
	}
	if l.Port < 1 || l.Port > 65535 {
		return &WinRMError{Code: 2147942487, Message: "The parameter is incorrect. ", Provider: true}
	}
	if l.URLPrefix == "" {
		l.URLPrefix = "wsman"
	}
	return nil
}
