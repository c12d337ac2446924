package compat

import "slices"

// registry is where every Windows base image is published [MS-CBI].
const registry = "mcr.microsoft.com"

// ImageFamily is one of the four Windows base images [MS-CBI].
type ImageFamily string

// Base image families and their repositories on MCR [MS-CBI].
const (
	ServerCore ImageFamily = "servercore" // mcr.microsoft.com/windows/servercore
	NanoServer ImageFamily = "nanoserver" // mcr.microsoft.com/windows/nanoserver
	Windows    ImageFamily = "windows"    // mcr.microsoft.com/windows
	WinServer  ImageFamily = "server"     // mcr.microsoft.com/windows/server
)

// ImageFamilies lists the families in a stable order.
func ImageFamilies() []ImageFamily { return []ImageFamily{ServerCore, NanoServer, Windows, WinServer} }

// Repository returns the MCR repository path of the family.
func (f ImageFamily) Repository() string {
	if f == Windows {
		return registry + "/windows"
	}
	return registry + "/windows/" + string(f)
}

// BaseImage is one published base image for one build.
type BaseImage struct {
	Family ImageFamily
	// Tags are the published tags, the preferred one first (the `latest` tag is not published since
	// 2019-04-16 [MS-VC]).
	Tags    []string
	Build   int
	Channel Channel
	// Available and EndOfSupport are the image lifecycle dates [MS-BIL][MS-BIL-2023].
	Available    Date
	EndOfSupport Date
	Source       string
}

// Reference is the full image reference with the preferred tag.
func (b BaseImage) Reference() string { return b.Family.Repository() + ":" + b.Tags[0] }

// OutOfSupport reports whether the image is past its end of support on day.
func (b BaseImage) OutOfSupport(day Date) bool {
	return !b.EndOfSupport.IsZero() && b.EndOfSupport.Before(day)
}

// baseImages is the catalogue of docs/knowledge/windows.md#base-images. Never modified; accessors return copies.
//
// Absences are facts too, and are encoded by having no row:
//   - no `windows` image for 2022 or 2025 ("The Windows image is not available for Windows Server 2022"
//     [MS-CBI-2024]; "... isn't available for Windows Server 2025" [MS-CBI]);
//   - no `windows/server` image before 2022 [MS-CBI];
//   - no images at all for the Annual Channel 23H2 (25398), which runs ltsc2022 images [MS-PORT][MS-BIL];
//   - no LTSC Nano Server or Windows image for 2019: those were SAC 1809 only [MS-BIL][P-WS2019GA];
//   - no Nano Server image for 2016 other than the retired SAC 1607 Nano image (EOS 2018-10-09), which
//     has no stable tag in the sources, so it is not offered [MS-BIL-2023].
//
// Tags: 2016 `ltsc2016` (also `1607`) [MS-DOC-TAGS]; 2019 `ltsc2019` and `1809` [P-WS2019GA]; SAC tags
// are the version names [MS-BIL-2023][P-20H2TAG]; 2022/2025 `ltsc2022`/`ltsc2025` [MS-BIL][MS-CBI].
// Lifecycle dates are the image lifecycle table [MS-BIL][MS-BIL-2023] (extended end where it has one).
var baseImages = []BaseImage{
	img(ServerCore, 14393, LTSC, D(2016, 10, 15), D(2027, 1, 11), "[MS-BIL-2023][MS-DOC-TAGS]", "ltsc2016", "1607"),

	img(ServerCore, 16299, SAC, D(2017, 10, 17), D(2019, 4, 9), "[MS-BIL-2023][P-WS2019GA]", "1709"),
	img(NanoServer, 16299, SAC, D(2017, 10, 17), D(2019, 4, 9), "[MS-BIL-2023][P-WS2019GA]", "1709"),

	img(ServerCore, 17134, SAC, D(2018, 4, 30), D(2019, 11, 12), "[MS-BIL-2023][MS-DOC-TAGS]", "1803"),
	img(NanoServer, 17134, SAC, D(2018, 4, 30), D(2019, 11, 12), "[MS-BIL-2023][MS-DOC-TAGS]", "1803"),

	img(ServerCore, 17763, LTSC, D(2018, 11, 13), D(2029, 1, 9), "[P-WS2019GA][MS-BIL]", "ltsc2019", "1809"),
	img(NanoServer, 17763, SAC, D(2018, 11, 13), D(2029, 1, 9), "[P-WS2019GA][MS-BIL]", "1809"),
	img(Windows, 17763, SAC, D(2018, 11, 13), D(2029, 1, 9), "[P-WS2019GA][MS-BIL]", "1809"),

	img(ServerCore, 18362, SAC, D(2019, 5, 21), D(2020, 12, 8), "[MS-BIL-2023]", "1903"),
	img(NanoServer, 18362, SAC, D(2019, 5, 21), D(2020, 12, 8), "[MS-BIL-2023]", "1903"),
	img(Windows, 18362, SAC, D(2019, 5, 21), D(2020, 12, 8), "[MS-BIL-2023]", "1903"),

	img(ServerCore, 18363, SAC, D(2019, 11, 12), D(2021, 5, 11), "[MS-BIL-2023][P-UPD]", "1909"),
	img(NanoServer, 18363, SAC, D(2019, 11, 12), D(2021, 5, 11), "[MS-BIL-2023][P-UPD]", "1909"),
	img(Windows, 18363, SAC, D(2019, 11, 12), D(2021, 5, 11), "[MS-BIL-2023][P-UPD]", "1909"),

	img(ServerCore, 19041, SAC, D(2020, 5, 27), D(2021, 12, 14), "[MS-BIL-2023]", "2004"),
	img(NanoServer, 19041, SAC, D(2020, 5, 27), D(2021, 12, 14), "[MS-BIL-2023]", "2004"),
	img(Windows, 19041, SAC, D(2020, 5, 27), D(2021, 12, 14), "[MS-BIL-2023]", "2004"),

	img(ServerCore, 19042, SAC, D(2020, 10, 20), D(2022, 8, 9), "[MS-BIL-2023][P-20H2TAG]", "20H2"),
	img(NanoServer, 19042, SAC, D(2020, 10, 20), D(2022, 8, 9), "[MS-BIL-2023][P-20H2TAG]", "20H2"),
	img(Windows, 19042, SAC, D(2020, 10, 20), D(2022, 8, 9), "[MS-BIL-2023][P-20H2TAG]", "20H2"),

	img(ServerCore, 20348, LTSC, D(2021, 8, 18), D(2031, 10, 14), "[MS-BIL]", "ltsc2022"),
	img(NanoServer, 20348, LTSC, D(2021, 8, 18), D(2031, 10, 14), "[MS-BIL]", "ltsc2022"),
	img(WinServer, 20348, LTSC, D(2021, 8, 18), D(2031, 10, 14), "[MS-BIL][MS-CBI]", "ltsc2022"),

	img(ServerCore, 26100, LTSC, D(2024, 11, 1), D(2034, 10, 10), "[MS-BIL][MS-CBI]", "ltsc2025"),
	img(NanoServer, 26100, LTSC, D(2024, 11, 1), D(2034, 10, 10), "[MS-BIL][MS-CBI]", "ltsc2025"),
	img(WinServer, 26100, LTSC, D(2024, 11, 1), D(2034, 10, 10), "[MS-BIL][MS-CBI]", "ltsc2025"),
}

func img(f ImageFamily, build int, ch Channel, avail, eos Date, src string, tags ...string) BaseImage {
	return BaseImage{Family: f, Tags: tags, Build: build, Channel: ch, Available: avail, EndOfSupport: eos, Source: src}
}

// BaseImages returns a copy of the whole image catalogue.
func BaseImages() []BaseImage {
	out := make([]BaseImage, len(baseImages))
	for i, b := range baseImages {
		b.Tags = slices.Clone(b.Tags)
		out[i] = b
	}
	return out
}

// imagesForBuild returns the base images published for exactly this build.
func imagesForBuild(build int) []BaseImage {
	var out []BaseImage
	for _, b := range BaseImages() {
		if b.Build == build {
			out = append(out, b)
		}
	}
	return out
}

// imageBuilds lists the builds that have at least one published base image, ascending.
func imageBuilds() []int {
	var out []int
	for _, b := range baseImages {
		if !slices.Contains(out, b.Build) {
			out = append(out, b.Build)
		}
	}
	slices.Sort(out)
	return out
}

// hasImages reports whether any base image is published for the build.
func hasImages(build int) bool { return slices.Contains(imageBuilds(), build) }

// ImageMatch is a base image together with the verdict for running it on a given host.
type ImageMatch struct {
	Image   BaseImage
	Verdict Verdict
}

// ImagesFor returns the base images that will run on host with the given isolation, newest build first
// and, within a build, in family order. Images past their end of support on day are left out unless
// includeRetired is set.
func ImagesFor(host OS, iso Isolation, day Date, includeRetired bool) []ImageMatch {
	var out []ImageMatch
	for _, b := range BaseImages() {
		if !includeRetired && b.OutOfSupport(day) {
			continue
		}
		v := CheckImage(host, OS{Release: imageRelease(b.Build), Build: b.Build}, iso)
		if v.Supported {
			out = append(out, ImageMatch{Image: b, Verdict: v})
		}
	}
	slices.SortStableFunc(out, func(a, b ImageMatch) int { return b.Image.Build - a.Image.Build })
	return out
}

// imageRelease returns the server release an image build belongs to (the LTSC one where a build has
// both, as 17763 has 2019 and 1809).
func imageRelease(build int) Release {
	var found Release
	for _, r := range releases {
		if r.Build != build || r.Kind != Server {
			continue
		}
		if found.Name == "" || r.Channel == LTSC {
			found = r
		}
	}
	return found
}
