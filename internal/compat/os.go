package compat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// OS is a parsed host or image operating system: a known release, its build, and the revision (UBR)
// when the input named one.
type OS struct {
	Release Release
	Build   int
	// Revision is the update build revision (UBR); 0 when not given.
	Revision int
	// FromBuild is true when the input was a bare build number, so Release was chosen among the
	// releases sharing that build (servers first).
	FromBuild bool
}

// String renders the OS the way messages name it: "Windows Server 2016 (build 14393)" or
// "Windows Server 2016 (build 14393.1944)".
func (o OS) String() string {
	b := strconv.Itoa(o.Build)
	if o.Revision > 0 {
		b += "." + strconv.Itoa(o.Revision)
	}
	return o.Release.Title + " (build " + b + ")"
}

// ErrUnknownOS is returned (wrapped) when a name or build is not in the catalogue.
var ErrUnknownOS = errors.New("unknown Windows release")

// ErrMalformedOS is returned (wrapped) when the input is neither a release name nor a build number.
var ErrMalformedOS = errors.New("malformed Windows release or build")

// ParseOS accepts a release name ("2016", "1809", "23H2", "2025", "ltsc2022", "ws2022"), a client
// release ("win10-22h2", "win11-24h2"), or a build number with an optional revision
// ("17763", "17763.5936", "10.0.17763", "10.0.17763.5936").
func ParseOS(s string) (OS, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return OS{}, fmt.Errorf("%w: empty value; use a release name such as %q, a client release such as %q, or a build number such as %q",
			ErrMalformedOS, "2022", "win11-24h2", "20348")
	}
	if r, ok := LookupRelease(in); ok {
		return OS{Release: r, Build: r.Build}, nil
	}
	build, rev, isNumber, err := parseBuild(in)
	if err != nil {
		return OS{}, err
	}
	if isNumber && rev == 0 && build < 10000 && !strings.Contains(in, ".") {
		// Four digits are a release name, not a build (builds have five): "2012", "2008".
		isNumber = false
	}
	if !isNumber {
		return OS{}, fmt.Errorf("%w: %q is not a Windows release wincontainers knows (Windows containers start with Windows Server 2016 "+
			"and Windows 10 1607); use one of %s, a client release win10-<version> or win11-<version> (for example win10-22h2, win11-24h2), "+
			"or a five-digit build number such as 20348",
			ErrUnknownOS, in, strings.Join(ServerReleaseNames(), ", "))
	}
	candidates := ReleasesWithBuild(build)
	if len(candidates) == 0 {
		return OS{}, fmt.Errorf("%w: build %d is not a Windows release wincontainers knows (known builds: %s); "+
			"check the build with `[Environment]::OSVersion.Version` or `(Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion').CurrentBuildNumber`",
			ErrUnknownOS, build, joinInts(KnownBuilds()))
	}
	return OS{Release: candidates[0], Build: build, Revision: rev, FromBuild: true}, nil
}

// parseBuild reads "B", "B.R", "10.0.B" or "10.0.B.R". isNumber is false when the input does not look
// numeric at all (so the caller reports an unknown name rather than a malformed number).
func parseBuild(s string) (build, rev int, isNumber bool, err error) {
	parts := strings.Split(s, ".")
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			if strings.Trim(s, "0123456789.") == "" {
				return 0, 0, true, fmt.Errorf("%w: %q is not a build number; write it as 17763, 17763.5936 or 10.0.17763.5936", ErrMalformedOS, s)
			}
			return 0, 0, false, nil
		}
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		if len(p) > 9 {
			return 0, 0, true, fmt.Errorf("%w: %q has a number too large to be a Windows build", ErrMalformedOS, s)
		}
		nums[i], _ = strconv.Atoi(p) // digits only, at most 9 of them: cannot fail
	}
	switch {
	case len(nums) == 1:
		return nums[0], 0, true, nil
	case len(nums) == 2:
		return nums[0], nums[1], true, nil
	case len(nums) == 3 && nums[0] == 10 && nums[1] == 0:
		return nums[2], 0, true, nil
	case len(nums) == 4 && nums[0] == 10 && nums[1] == 0:
		return nums[2], nums[3], true, nil
	default:
		return 0, 0, true, fmt.Errorf("%w: %q is not a build number; write it as 17763, 17763.5936 or 10.0.17763.5936", ErrMalformedOS, s)
	}
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
