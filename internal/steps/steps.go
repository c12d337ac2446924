// Package steps is the contract between the controller and the library scripts that change a host: for
// each script, the parameters it reads (`$p.<name>`) and the result it writes (`Write-WcResult`), as Go
// types whose JSON names are the script's. It is the only statement of that contract; the scripts'
// headers and internal/powershell/scripts/README.md describe the behaviour and point here for the shapes,
// and TestScriptsMatchContract fails when a script and its types disagree.
package steps

import (
	"encoding/json"
	"fmt"
)

// Params is one script's parameter document. Its type decides the script that runs (Script): the
// executor routes on it, never on a key inside the document. Only this package's types implement it.
type Params interface {
	// Script is the library script that takes these parameters.
	Script() string
	// result is a pointer to the zero value of the script's result document.
	result() any
}

// shapes is implemented by a script whose result has more than one shape (winrm-listener: the listener,
// its removal, its absence); each Write-WcResult in the script writes exactly one of them.
type shapes interface {
	results() []any
}

// Decode reads a script's result document into its type.
func Decode[R any](script string, raw json.RawMessage) (R, error) {
	var r R
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("the %s result %.200s does not decode: %w", script, raw, err)
	}
	return r, nil
}

// Archive is a file a step installs from: the host downloads URL into its downloads folder, or, when
// Push is set, the executor uploads the controller's file to ArchivePath first and sets SHA256 to the
// hash it computed (the upload checks it on the host, and the script verifies it again). SHA256 is
// otherwise the user's pin, or empty (then the script checks the published checksum, or reports the
// hash it observed).
type Archive struct {
	URL         string `json:"url"`
	SHA256      string `json:"sha256"`
	ArchivePath string `json:"archive_path"`
	// Push is never sent to the host.
	Push *Push `json:"-"`
}

// Push is a controller-side file the executor uploads before the step runs (air-gapped hosts).
type Push struct {
	// File is the path on the controller, as the configuration names it.
	File string
	// Setting names the attribute that gave the file (engine.archive), and PinSetting the one that pins
	// its hash ("" when nothing can): both for messages.
	Setting, PinSetting string
}

// CheckedArchive is an Archive whose publisher also publishes a checksum file the host can check it
// against; ChecksumURL is empty for a pushed archive (its hash comes from the controller).
type CheckedArchive struct {
	Archive
	ChecksumURL string `json:"checksum_url"`
}

// ArchiveCheck is how a script verified one archive: its SHA-256 and where the expected hash came from.
type ArchiveCheck struct {
	SHA256 string `json:"sha256"`
	// Source is "pinned" (a given hash, also the controller's for a pushed file), "published" (the
	// publisher's checksum file) or "observed" (nothing to check against: trust on first use).
	Source string `json:"source"`
}

// Source values of ArchiveCheck and of the install results' sha256_source.
const (
	SourcePinned    = "pinned"
	SourcePublished = "published"
	SourceObserved  = "observed"
)

// EachArchive returns a copy of p in which f has seen (and may have changed) each of its archives, in
// the order they are pushed: the step's own archive first, then its companions by name (containerd's
// cni, then nerdctl). Parameters without archives come back unchanged.
func EachArchive(p Params, f func(*Archive) error) (Params, error) {
	var err error
	switch q := p.(type) {
	case InstallDocker:
		err = each(f, &q.Archive)
		p = q
	case InstallContainerd:
		err = each(f, &q.Archive, &q.CNI, &q.Nerdctl.Archive)
		p = q
	case InstallLCOW:
		err = each(f, &q.Archive)
		p = q
	case InstallCompose:
		err = each(f, &q.Archive)
		p = q
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

func each(f func(*Archive) error, list ...*Archive) error {
	for _, a := range list {
		if err := f(a); err != nil {
			return err
		}
	}
	return nil
}
