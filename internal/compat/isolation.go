package compat

import (
	"fmt"
	"strconv"
)

// Isolation is how a Windows container is isolated from its host.
type Isolation string

// Isolation modes.
const (
	Process Isolation = "process"
	HyperV  Isolation = "hyperv"
)

// isolations lists the isolation modes.
func isolations() []Isolation { return []Isolation{Process, HyperV} }

// Source URLs cited in verdicts, so users can read the rule themselves.
const (
	srcVersionCompat = "https://learn.microsoft.com/virtualization/windowscontainers/deploy-containers/version-compatibility"
	srcPortability   = "https://learn.microsoft.com/virtualization/windowscontainers/deploy-containers/portability"
	srcIsolation     = "https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container"
	srcFAQ           = "https://learn.microsoft.com/virtualization/windowscontainers/about/faq"
	srcBaseImages    = "https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/container-base-images"
	srcMobyC907      = "https://github.com/moby/moby/commit/c907c24"
	srcMobyPull      = "https://github.com/moby/moby/blob/master/daemon/internal/distribution/pull_v2_windows.go"
)

// Verdict is the answer to "does this combination work, and why".
type Verdict struct {
	Supported bool
	// Reason is one or two sentences a user can act on: what was checked, the rule, what would work.
	Reason string
	// Caveats are conditions under which a supported verdict still needs care.
	Caveats []string
	// Sources are public pages stating the rule.
	Sources []string
}

func yes(reason string, sources ...string) Verdict {
	return Verdict{Supported: true, Reason: reason, Sources: sources}
}

func no(reason string, sources ...string) Verdict {
	return Verdict{Supported: false, Reason: reason, Sources: sources}
}

func (v Verdict) with(caveat string) Verdict {
	v.Caveats = append(v.Caveats, caveat)
	return v
}

// CheckImage answers whether an image of build image.Build runs on host with the given isolation.
//
// Process isolation needs the same build on host and image [MS-VC], with three documented relaxations:
// Windows 11 runs WS2022 images (and WS2025 images from 24H2) [MS-VC]; Server 2025 runs WS2022 images
// [MS-VC]; the Annual Channel runs only WS2022 images [MS-PORT]. Builds before 1809 also need the same
// revision [MS-VC]. Windows 10 before 1809 runs nothing process-isolated [MOBY-C907].
//
// Hyper-V isolation runs images of the host's build or older, never newer [MS-VC]; Docker additionally
// refuses to pull an image newer than the host under either isolation [MOBY-PULL].
func CheckImage(host, image OS, iso Isolation) Verdict {
	if !hasImages(image.Build) {
		return noImages(image)
	}
	if image.Build > host.Build {
		return no(fmt.Sprintf("the image (build %d) is newer than the host %s: newer container images never run on older hosts, "+
			"under either isolation, and Docker refuses to pull them (\"a Windows version 10.0.%d-based image is incompatible with a 10.0.%d host\"); "+
			"use an image of build %d or older, or upgrade the host",
			image.Build, host, image.Build, host.Build, host.Build), srcVersionCompat, srcMobyPull)
	}
	if host.Build == buildAnnual23H2 {
		return annualHost(host, image, iso)
	}
	switch iso {
	case Process:
		return checkProcess(host, image)
	case HyperV:
		return yes(fmt.Sprintf("Hyper-V isolation gives the container its own kernel, so an image of build %d runs on the host %s "+
			"(older or equal builds are supported)", image.Build, host), srcVersionCompat).
			with("Hyper-V isolation needs the Hyper-V role and hardware virtualization on the host; inside a VM that means nested virtualization")
	default:
		return no(fmt.Sprintf("unknown isolation %q; use %q or %q", iso, Process, HyperV))
	}
}

func noImages(image OS) Verdict {
	if image.Build == buildAnnual23H2 {
		return no("no container images are published for Windows Server, version 23H2 (build 25398); "+
			"the Annual Channel runs Windows Server 2022 images (ltsc2022)", srcPortability, srcBaseImages)
	}
	return no(fmt.Sprintf("no Windows base images are published for build %d (%s); images exist for builds %s",
		image.Build, image.Release.Title, joinInts(imageBuilds())), srcBaseImages)
}

// annualHost: "A Windows Server, version 23H2 container host only supports the Windows Server 2022 LTSC
// container image" [MS-PORT][WSD-AC]. The statement covers both isolations; [MS-PORT] also says older
// images "can run on the newer host OS" in general, but names no other image for 23H2, so this follows
// the specific statement.
func annualHost(host, image OS, iso Isolation) Verdict {
	if image.Build == build2022 {
		v := yes(fmt.Sprintf("the Annual Channel host %s runs Windows Server 2022 (build 20348) images with %s isolation through its "+
			"stable kernel interface (\"portability\")", host, iso), srcPortability)
		if iso == HyperV {
			v = v.with("Hyper-V isolation needs the Hyper-V role and hardware virtualization on the host; inside a VM that means nested virtualization")
		}
		return v
	}
	return no(fmt.Sprintf("the Annual Channel host %s only supports Windows Server 2022 (ltsc2022) container images; "+
		"the image is build %d; use an ltsc2022 image", host, image.Build), srcPortability)
}

func checkProcess(host, image OS) Verdict {
	r := host.Release
	if r.Kind == Client {
		return checkProcessClient(host, image)
	}
	if host.Build == build2025 && image.Build == build2022 {
		return yes("Windows Server 2025 runs Windows Server 2022 images with process isolation", srcVersionCompat)
	}
	if host.Build != image.Build {
		return no(fmt.Sprintf("process isolation needs the host and image builds to match: the host is %s and the image is build %d "+
			"(\"The operating system of the container does not match the operating system of the host. (0xc0370101)\"); "+
			"use an image built on %s, or run it with Hyper-V isolation",
			host, image.Build, tagHint(host.Build)), srcVersionCompat)
	}
	return revisionRule(yes(fmt.Sprintf("the host %s and the image share build %d, so process isolation works", host, host.Build), srcVersionCompat), host, image)
}

// revisionRule: on Server 2016 the host and image revision must also match ("14393.1914 vs 14393.1944
// might not start"); "For hosts or images using Windows Server, version 1809 and later, this rule
// doesn't apply" [MS-VC]. DISAGREEMENT: the 2019-07 revision of the page said the rule stops at 1709
// [MS-VC-2019]; the current page says 1809 and is followed here.
func revisionRule(v Verdict, host, image OS) Verdict {
	if host.Build >= build2019 {
		return v
	}
	if host.Revision > 0 && image.Revision > 0 && host.Revision == image.Revision {
		return v
	}
	if host.Revision > 0 && image.Revision > 0 {
		return no(fmt.Sprintf("before Windows Server 1809, process isolation also needs the same revision: host %d.%d, image %d.%d; "+
			"pull the image tag for revision %d.%d, update the host to the image's revision, or use Hyper-V isolation",
			host.Build, host.Revision, image.Build, image.Revision, host.Build, host.Revision), srcVersionCompat)
	}
	return v.with("before Windows Server 1809 the host and image revisions (the fourth part of the version, e.g. " +
		strconv.Itoa(host.Build) + ".1944) must also match, or the container may not start")
}

// checkProcessClient: Windows 10/11 Pro and Enterprise may use process isolation from 1809 (17763),
// "only meant for development and testing" [MS-FAQ][MS-ISO]; earlier clients "can only run Hyper-V
// containers" [MOBY-C907]. DISAGREEMENT: the 2021 client tables mark process isolation unsupported on
// Windows 10 1809/1903/1909 [MS-VC-2021a]; the FAQ, the isolation page and moby's code allow it, and are
// followed here, with a caveat. Windows 11 runs WS2022 images, and from 24H2 WS2025 images [MS-VC].
func checkProcessClient(host, image OS) Verdict {
	devTest := "process isolation on Windows 10/11 is meant for development and testing only"
	if host.Build < build2019 {
		return no(fmt.Sprintf("Windows client hosts earlier than version 1809 can only run Hyper-V isolated containers; the host is %s; "+
			"use Hyper-V isolation or update the client to 1809 or later", host), srcMobyC907, srcFAQ)
	}
	if host.Build >= win11FirstBuild {
		switch {
		case image.Build == build2022:
			return yes(fmt.Sprintf("Windows 11 (%s) runs Windows Server 2022 images with process isolation", host), srcVersionCompat).with(devTest)
		case image.Build == build2025 && host.Build >= build2025:
			return yes(fmt.Sprintf("Windows 11 24H2 and later (%s) run Windows Server 2025 images with process isolation", host), srcVersionCompat).
				with(devTest)
		default:
			return no(fmt.Sprintf("Windows 11 runs Windows Server 2022 images (and, from 24H2, Windows Server 2025 images) with process isolation; "+
				"the image is build %d; use ltsc2022%s, or Hyper-V isolation", image.Build, or2025(host)), srcVersionCompat)
		}
	}
	if host.Build != image.Build {
		return no(fmt.Sprintf("process isolation needs the host and image builds to match: the host is %s and the image is build %d; "+
			"no images exist for Windows 10 builds after 19042 (20H2); use Hyper-V isolation", host, image.Build), srcVersionCompat)
	}
	return yes(fmt.Sprintf("the client host %s and the image share build %d", host, host.Build), srcFAQ, srcIsolation).
		with(devTest).
		with("older Microsoft compatibility tables (2021) list process isolation on Windows 10 1809-1909 as unsupported; the FAQ and the engine allow it")
}

func or2025(host OS) string {
	if host.Build >= build2025 {
		return " or ltsc2025"
	}
	return ""
}

// tagHint names the base image tag for a host build, or says none exists.
func tagHint(build int) string {
	imgs := imagesForBuild(build)
	if len(imgs) == 0 {
		return fmt.Sprintf("build %d (none is published for it)", build)
	}
	return fmt.Sprintf("build %d (for example %s)", build, imgs[0].Reference())
}
