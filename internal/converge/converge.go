// Package converge is the engine's one entry point for both front doors (the Terraform provider and the
// Packer provisioner): it validates the desired state, connects through a Connector, runs the
// nested-virtualization preflight on Azure VMs, applies the plan (internal/executor), observes what the
// apply recorded, and always closes the connection. Uninstall and Facts are the same for destroy and
// for reading a host. The front doors only translate their configuration and render the outcome.
package converge

import (
	"context"
	"errors"
	"strings"

	"github.com/wincontainers/wincontainers/internal/azure"
	"github.com/wincontainers/wincontainers/internal/compat"
	"github.com/wincontainers/wincontainers/internal/executor"
	"github.com/wincontainers/wincontainers/internal/facts"
	"github.com/wincontainers/wincontainers/internal/hostconn"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// Connector opens the connection to one host. hostconn.Config is one; front doors whose settings can
// only be translated once validation passed give a ConnectorFunc.
type Connector interface {
	Open(ctx context.Context) (*hostconn.Conn, error)
}

// ConnectorFunc adapts a function to Connector.
type ConnectorFunc func(ctx context.Context) (*hostconn.Conn, error)

// Open implements Connector.
func (f ConnectorFunc) Open(ctx context.Context) (*hostconn.Conn, error) { return f(ctx) }

var _ Connector = hostconn.Config{}

// Request is one convergence.
type Request struct {
	// Spec is the desired state, validated against Today's support dates.
	Spec    spec.Spec
	Today   compat.Date
	Connect Connector
	Options executor.Options
	// NestedOverride converges an Azure VM whose nested virtualization is not confirmed anyway
	// (Outcome.Nested says why it was not).
	NestedOverride bool
	// Then, when set, runs on the open connection after a verified apply, with the outcome so far
	// (Packer reports it and prepares the image there). Its error is returned at StageThen.
	Then func(ctx context.Context, h executor.Conn, out Outcome) error
}

// Outcome is what a convergence found and did, as far as it got.
type Outcome struct {
	// Resolved is the validated desired state; Warnings the validation's warnings.
	Resolved spec.Resolved
	Warnings spec.Diagnostics
	// Result is the executor's record. After a failed apply it holds the facts as last read.
	Result executor.Result
	// Observed are the hashes of unpinned downloads and pushed archives seen by this apply (trust on
	// first use), from Result.
	Observed []executor.Observation
	// Nested is the Azure nested-virtualization preflight, when one ran (Hyper-V isolation or LCOW on
	// an Azure VM).
	Nested *azure.NestedPreflight
}

// Stage is where a convergence stopped.
type Stage string

// Stages, in order.
const (
	StageValidate  Stage = "validate"
	StageConnect   Stage = "connect"
	StageFacts     Stage = "facts"     // reading the facts for the preflight
	StagePreflight Stage = "preflight" // the Azure VM's size and security type
	StageApply     Stage = "apply"
	StageThen      Stage = "then"
)

// Error is a convergence that stopped at Stage. Err is the cause: *InvalidSpecError at StageValidate,
// *NestedRefusal at StagePreflight when the preflight said no, the connector's, the transport's or the
// executor's error otherwise.
type Error struct {
	Stage Stage
	Err   error
}

func (e *Error) Error() string { return e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// InvalidSpecError is a desired state that does not validate: Diagnostics holds its errors.
type InvalidSpecError struct{ Diagnostics spec.Diagnostics }

func (e *InvalidSpecError) Error() string { return e.Diagnostics.Err().Error() }

// NestedRefusal is an Azure VM whose nested virtualization is not confirmed, for a mode that runs
// Hyper-V inside it, without the override. Nothing was changed on the VM.
type NestedRefusal struct {
	Mode      compat.Mode
	Preflight azure.NestedPreflight
}

func (e *NestedRefusal) Error() string {
	return "container_mode " + string(e.Mode) + " runs Hyper-V inside the VM, and nested virtualization is not confirmed on VM size " +
		e.Preflight.Size + ": " + strings.Join(e.Preflight.Warnings, "; ")
}

func stop(s Stage, err error) error { return &Error{Stage: s, Err: err} }

// Run validates req.Spec, connects, runs the preflight, applies, observes, runs req.Then, and closes
// the connection. Its errors are *Error.
func Run(ctx context.Context, req Request) (Outcome, error) {
	var out Outcome
	resolved, ds := spec.Validate(req.Spec, req.Today)
	out.Resolved, out.Warnings = resolved, ds.Warnings()
	if ds.HasErrors() {
		return out, stop(StageValidate, &InvalidSpecError{Diagnostics: ds.Errors()})
	}
	conn, err := req.Connect.Open(ctx)
	if err != nil {
		return out, stop(StageConnect, err)
	}
	defer func() { _ = conn.Close() }()
	if conn.Azure != nil && (resolved.Mode == compat.ModeHyperV || resolved.Mode == compat.ModeLCOW) {
		if err := preflight(ctx, conn, resolved.Mode, req.NestedOverride, &out); err != nil {
			return out, err
		}
	}
	res, err := executor.Apply(ctx, conn, resolved, req.Options)
	out.Result = res
	if err != nil {
		return out, stop(StageApply, err)
	}
	out.Observed = res.Observed()
	if req.Then != nil {
		if err := req.Then(ctx, conn, out); err != nil {
			return out, stop(StageThen, err)
		}
	}
	return out, nil
}

// preflight checks nested virtualization on an Azure VM before Hyper-V isolation or LCOW. It is never
// a silent pass: a VM not confirmed is refused unless overridden.
func preflight(ctx context.Context, conn *hostconn.Conn, mode compat.Mode, override bool, out *Outcome) error {
	f, err := conn.Facts(ctx)
	if err != nil {
		return stop(StageFacts, err)
	}
	p, err := conn.Azure.Preflight(ctx, f, override)
	if err != nil {
		return stop(StagePreflight, err)
	}
	out.Nested = &p
	if !p.OK && !p.Overridden {
		return stop(StagePreflight, &NestedRefusal{Mode: mode, Preflight: p})
	}
	return nil
}

// Uninstall connects, removes what wincontainers installed (executor.Uninstall), and closes the
// connection. Its errors are *Error at StageConnect or StageApply.
func Uninstall(ctx context.Context, c Connector, opt executor.UninstallOptions) (executor.Result, error) {
	conn, err := c.Open(ctx)
	if err != nil {
		return executor.Result{}, stop(StageConnect, err)
	}
	defer func() { _ = conn.Close() }()
	res, err := executor.Uninstall(ctx, conn, opt)
	if err != nil {
		return res, stop(StageApply, err)
	}
	return res, nil
}

// Facts connects, reads the host's facts in one round trip, and closes the connection. Its errors are
// *Error at StageConnect or StageFacts.
func Facts(ctx context.Context, c Connector) (facts.Facts, error) {
	conn, err := c.Open(ctx)
	if err != nil {
		return facts.Facts{}, stop(StageConnect, err)
	}
	defer func() { _ = conn.Close() }()
	f, err := conn.Facts(ctx)
	if err != nil {
		return f, stop(StageFacts, err)
	}
	return f, nil
}

// StageOf returns the stage err stopped at, or "" when err is not a convergence's.
func StageOf(err error) Stage {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Stage
	}
	return ""
}
