// Package crosscheck holds tests that compare the two independent encodings of Windows behaviour —
// internal/compat (the knowledge base) and internal/winsim (the simulated host) — so a mistake in
// one shows up as a disagreement instead of being copied into both. It has no code of its own.
package crosscheck
