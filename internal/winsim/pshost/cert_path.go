package pshost

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

// The Cert: drive's items for the item cmdlets (Get-Item, Remove-Item, Test-Path), which the file system
// part of this package owns: it calls these for a path on the Cert: drive. Modelled: the two personal
// stores and the certificates in them (Cert:\LocalMachine\My\<thumbprint>, and the provider-qualified
// form Microsoft.PowerShell.Security\Certificate::LocalMachine\My\<thumbprint>). The drive root, the
// store locations and other stores are refused as not modelled.

// splitCertPath returns the store (e.g. LocalMachine\My) and the thumbprint ("" for the store itself).
func splitCertPath(path string) (store, thumbprint string, err error) {
	p := strings.ReplaceAll(path, "/", `\`)
	if i := strings.Index(p, "::"); i >= 0 {
		p = p[i+2:]
	} else if len(p) >= 5 && strings.EqualFold(p[:5], "cert:") {
		p = p[5:]
	}
	parts := strings.FieldsFunc(p, func(r rune) bool { return r == '\\' })
	if len(parts) < 2 || len(parts) > 3 {
		return "", "", notModelled("the Cert: path %s (only the LocalMachine\\My and CurrentUser\\My stores and their certificates)", path)
	}
	want := parts[0] + `\` + parts[1]
	for _, s := range machine.CertStores() {
		if strings.EqualFold(s, want) {
			store = s
		}
	}
	if store == "" {
		return "", "", notModelled("the certificate store %s", want)
	}
	if len(parts) == 3 {
		thumbprint = strings.ToUpper(parts[2])
	}
	return store, thumbprint, nil
}

// certItem is Get-Item on a Cert: path: the certificate (an X509Certificate2 object), or found false
// when the store has no certificate of that thumbprint (the caller reports PathNotFound, as for any
// provider). A store path is refused as not modelled.
func certItem(w *machine.Windows, path string) (item any, found bool, err error) {
	store, tp, err := splitCertPath(path)
	if err != nil {
		return nil, false, err
	}
	if tp == "" {
		return nil, false, notModelled("Get-Item of the certificate store %s itself", store)
	}
	c, ok, err := w.Certificate(store, tp)
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", path, err)
	}
	if !ok {
		return nil, false, nil
	}
	obj, err := certObject(store, c, w.OS().UTCOffset)
	if err != nil {
		return nil, false, err
	}
	return obj, true, nil
}

// certItems is Get-ChildItem on a store path: its certificates.
func certItems(w *machine.Windows, path string) ([]any, error) {
	store, tp, err := splitCertPath(path)
	if err != nil {
		return nil, err
	}
	if tp != "" {
		return nil, notModelled("Get-ChildItem of the certificate %s", path)
	}
	certs, err := w.Certificates(store)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", path, err)
	}
	out := make([]any, 0, len(certs))
	for _, c := range certs {
		obj, err := certObject(store, c, w.OS().UTCOffset)
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

// removeCertItem is Remove-Item on a certificate's path (the certificate and its private key go);
// found is false when there was none (the caller reports PathNotFound).
func removeCertItem(w *machine.Windows, path string) (found bool, err error) {
	store, tp, err := splitCertPath(path)
	if err != nil {
		return false, err
	}
	if tp == "" {
		return false, notModelled("Remove-Item of the certificate store %s", store)
	}
	ok, err := w.RemoveCertificate(store, tp)
	if err != nil {
		return false, fmt.Errorf("removing %s: %w", path, err)
	}
	return ok, nil
}

// CertProvider is the Cert: drive as a Provider for the item cmdlets (FileSystem(m, CertProvider(w))).
func CertProvider(w *machine.Windows) Provider {
	return Provider{
		Drive: "Cert",
		Exists: func(path string) (bool, bool, error) {
			store, tp, err := splitCertPath(path)
			if err != nil {
				return false, false, err
			}
			if tp == "" {
				return true, true, nil
			}
			_, ok, err := w.Certificate(store, tp)
			if err != nil {
				return false, false, fmt.Errorf("reading %s: %w", path, err)
			}
			return ok, false, nil
		},
		Get: func(path string) (any, bool, error) { return certItem(w, path) },
		Remove: func(path string, _ bool) (bool, error) {
			return removeCertItem(w, path)
		},
		Children: func(path string, recurse bool) ([]any, error) {
			if recurse {
				return nil, notModelled("Get-ChildItem -Recurse on the Cert: drive")
			}
			return certItems(w, path)
		},
	}
}
