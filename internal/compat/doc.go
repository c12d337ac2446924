// Package compat is the wincontainers knowledge base: every Windows release a container host can run,
// its build, servicing channel, lifecycle, editions and installation options; the base images published
// for each build; the process- and Hyper-V-isolation rules between host and image builds; the limits
// the engines (Docker, containerd) put on hosts and modes, including the LCOW history; and a catalogue
// of known error texts mapped to a cause and a remedy.
//
// Every rule names its source beside it. The tags in brackets ([MS-VC], [MOBY-SYS], ...) are resolved
// to a repository path or page by docs/knowledge/windows.md#sources, which also explains each rule. Where
// the sources disagree, the comment says which one this package follows and why.
//
// The package is pure data and functions: no I/O, no clock (callers pass the date they mean), and no
// mutable package state. The simulated host (internal/winsim) deliberately does not import it, so the
// two encode Windows behaviour independently and cross-check each other.
package compat
