package spec

import (
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/compat"
)

// Severity of a diagnostic: the knowledge base's, one idea with one type.
type Severity = compat.Severity

// Severities.
const (
	SeverityError   = compat.SeverityError
	SeverityWarning = compat.SeverityWarning
)

// Diagnostic is one problem or warning, attached to an attribute path.
type Diagnostic struct {
	Severity Severity
	// Path is the attribute the diagnostic belongs to ("engine.version"), "" for the whole spec.
	Path string
	// Code is the compat finding code when the diagnostic comes from the knowledge base.
	Code    string
	Summary string
	Detail  string
}

func (d Diagnostic) String() string {
	p := ""
	if d.Path != "" {
		p = " [" + d.Path + "]"
	}
	return fmt.Sprintf("%s%s: %s: %s", d.Severity, p, d.Summary, d.Detail)
}

// Diagnostics is an ordered list of diagnostics.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns the error diagnostics.
func (ds Diagnostics) Errors() Diagnostics { return ds.filter(SeverityError) }

// Warnings returns the warning diagnostics.
func (ds Diagnostics) Warnings() Diagnostics { return ds.filter(SeverityWarning) }

func (ds Diagnostics) filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Err joins the error diagnostics into one error, or returns nil.
func (ds Diagnostics) Err() error {
	errs := ds.Errors()
	if len(errs) == 0 {
		return nil
	}
	lines := make([]string, len(errs))
	for i, d := range errs {
		lines[i] = d.String()
	}
	return fmt.Errorf("invalid host spec:\n  %s", strings.Join(lines, "\n  "))
}

func (ds *Diagnostics) add(d Diagnostic) { *ds = append(*ds, d) }

func (ds *Diagnostics) errorf(path, summary, format string, args ...any) {
	ds.add(Diagnostic{Severity: SeverityError, Path: path, Summary: summary, Detail: fmt.Sprintf(format, args...)})
}

func (ds *Diagnostics) warnf(path, summary, format string, args ...any) {
	ds.add(Diagnostic{Severity: SeverityWarning, Path: path, Summary: summary, Detail: fmt.Sprintf(format, args...)})
}
