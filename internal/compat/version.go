package compat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Version is an engine version: major.minor.patch with an optional suffix, as Docker ("27.3.1",
// "17.06.2-ce", "18.09.1-beta2") and containerd ("1.7.13", "2.0.0-rc.1") publish them.
type Version struct {
	Major, Minor, Patch int
	// Suffix is what follows the numbers ("ce", "ee-17", "beta2", "rc.1"), without the leading '-'.
	Suffix string
	// text is the version as written (without a leading "v"), so "17.06.2-ce" renders as published.
	text string
}

// ErrMalformedVersion is returned (wrapped) for anything that is not a version.
var ErrMalformedVersion = errors.New("malformed version")

// ParseVersion reads "X.Y.Z" with an optional leading "v" and an optional "-suffix". Two-part versions
// ("20.10") are accepted with patch 0.
func ParseVersion(s string) (Version, error) {
	in := strings.TrimSpace(s)
	core := strings.TrimPrefix(in, "v")
	var v Version
	if i := strings.IndexByte(core, '-'); i >= 0 {
		v.Suffix = core[i+1:]
		core = core[:i]
		if v.Suffix == "" || strings.Trim(v.Suffix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != "" {
			return Version{}, fmt.Errorf("%w: %q has an invalid suffix; expected a version such as 27.3.1 or 17.06.2-ce", ErrMalformedVersion, s)
		}
	}
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("%w: %q is not a version such as 27.3.1 or 1.7.13", ErrMalformedVersion, s)
	}
	nums := [3]int{}
	for i, p := range parts {
		if p == "" || len(p) > 6 || strings.Trim(p, "0123456789") != "" {
			return Version{}, fmt.Errorf("%w: %q is not a version such as 27.3.1 or 1.7.13", ErrMalformedVersion, s)
		}
		nums[i], _ = strconv.Atoi(p) // at most six digits: cannot fail
	}
	v.Major, v.Minor, v.Patch = nums[0], nums[1], nums[2]
	v.text = strings.TrimPrefix(in, "v")
	return v, nil
}

// MustVersion parses a version known at compile time; it panics on a typo in this package's tables.
func MustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Compare returns -1, 0 or 1. Suffixes are ignored: "17.06.2-ce" equals "17.06.2" for every rule here.
func (v Version) Compare(o Version) int {
	switch {
	case v.Major != o.Major:
		return sign(v.Major - o.Major)
	case v.Minor != o.Minor:
		return sign(v.Minor - o.Minor)
	default:
		return sign(v.Patch - o.Patch)
	}
}

// Less reports v < o.
func (v Version) Less(o Version) bool { return v.Compare(o) < 0 }

// AtLeast reports v >= o.
func (v Version) AtLeast(o Version) bool { return v.Compare(o) >= 0 }

// String renders the version as it was written ("17.06.2-ce", "27.3.1").
func (v Version) String() string {
	if v.text != "" {
		return v.text
	}
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Suffix != "" {
		s += "-" + v.Suffix
	}
	return s
}

// IsZero reports whether no version was set.
func (v Version) IsZero() bool { return v == Version{} }

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	default:
		return 0
	}
}
