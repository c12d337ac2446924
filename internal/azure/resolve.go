package azure

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/compat"
)

// ImageAPI is the seam to the marketplace: one small interface, implemented over armcompute in
// marketplace.go, so an SDK rename costs one file (docs/knowledge/azure.md#sdk-versions).
type ImageAPI interface {
	ListSKUs(ctx context.Context, location, publisher, offer string) ([]string, error)
	// ListVersions returns the version names of a SKU.
	ListVersions(ctx context.Context, location, publisher, offer, sku string) ([]string, error)
	Get(ctx context.Context, location, publisher, offer, sku, version string) (Details, error)
}

// Details are what the marketplace says about one image version.
type Details struct {
	HyperVGeneration      string // V1, V2
	Architecture          string
	SecurityType          string   // feature SecurityType, e.g. TrustedLaunchSupported
	DiskControllerTypes   []string // feature DiskControllerTypes, e.g. SCSI, NVMe
	AcceleratedNetworking bool
	DeprecationState      string // Active, ScheduledForDeprecation, Deprecated
	ScheduledDeprecation  time.Time
	Alternative           string
}

// Image is a resolved marketplace image.
type Image struct {
	Publisher, Offer, SKU, Version, Location string
	Details
	// Release is the Windows release the image runs, Build and UBR are read from the version string
	// (major.UBR.date, e.g. 20348.4893.260303) (docs/knowledge/azure.md#image-versions-and-builds).
	Release compat.Release
	Build   int
	UBR     int
	// BaseImages are the container base images that run process-isolated on a host of this image.
	BaseImages []string
	Warnings   []string
}

// URN is publisher:offer:sku:version, as az and azurerm write it.
func (i Image) URN() string {
	return strings.Join([]string{i.Publisher, i.Offer, i.SKU, i.Version}, ":")
}

// Resolve maps a query onto a marketplace image and reads its properties.
func Resolve(ctx context.Context, api ImageAPI, q Query) (Image, error) {
	if strings.TrimSpace(q.Location) == "" {
		return Image{}, errors.New("location is required (for example \"westeurope\"): image availability is regional")
	}
	var want string
	var rel compat.Release
	if q.SKU != "" {
		if err := CheckRetired(Offer, q.SKU); err != nil {
			return Image{}, err
		}
		want = q.SKU
	} else {
		var err error
		if want, rel, err = SKU(q); err != nil {
			return Image{}, err
		}
	}
	skus, err := api.ListSKUs(ctx, q.Location, Publisher, Offer)
	if err != nil {
		return Image{}, fmt.Errorf("listing %s:%s SKUs in %s: %w", Publisher, Offer, q.Location, err)
	}
	sku := ""
	for _, s := range skus {
		if strings.EqualFold(s, want) {
			sku = s
			break
		}
	}
	if sku == "" {
		prefix := rel.Name
		if prefix == "" {
			prefix, _, _ = strings.Cut(want, "-")
		}
		return Image{}, fmt.Errorf("SKU %q is not offered in %s; related SKUs there: %s", want, q.Location, strings.Join(related(skus, prefix), ", "))
	}

	version := strings.TrimSpace(q.Version)
	if version == "" || strings.EqualFold(version, "latest") {
		versions, err := api.ListVersions(ctx, q.Location, Publisher, Offer, sku)
		if err != nil {
			return Image{}, fmt.Errorf("listing versions of %s: %w", sku, err)
		}
		version = newestVersion(versions)
		if version == "" {
			return Image{}, fmt.Errorf("SKU %s has no versions in %s", sku, q.Location)
		}
	}
	build, ubr, err := parseImageVersion(version)
	if err != nil {
		return Image{}, err
	}
	if rel.Name == "" {
		rel = serverRelease(build)
		if rel.Name == "" {
			return Image{}, fmt.Errorf("image version %s is build %d, which is not a Windows Server release wincontainers knows", version, build)
		}
	}
	if build != rel.Build {
		return Image{}, fmt.Errorf("image version %s is build %d, but %s is build %d; pin a version of this SKU", version, build, rel.Title, rel.Build)
	}
	d, err := api.Get(ctx, q.Location, Publisher, Offer, sku, version)
	if err != nil {
		return Image{}, fmt.Errorf("reading %s:%s:%s:%s: %w", Publisher, Offer, sku, version, err)
	}
	img := Image{Publisher: Publisher, Offer: Offer, SKU: sku, Version: version, Location: q.Location, Details: d,
		Release: rel, Build: build, UBR: ubr}
	host := compat.OS{Release: rel, Build: build, Revision: ubr}
	for _, m := range compat.ImagesFor(host, compat.Process, compat.DateOf(time.Now()), false) {
		img.BaseImages = append(img.BaseImages, m.Image.Reference())
	}
	switch d.DeprecationState {
	case "Deprecated":
		return Image{}, fmt.Errorf("image %s is deprecated and cannot be used for new VMs%s", img.URN(), alternative(d))
	case "ScheduledForDeprecation":
		img.Warnings = append(img.Warnings, fmt.Sprintf("image %s is scheduled for deprecation on %s%s", img.URN(), d.ScheduledDeprecation.Format("2006-01-02"), alternative(d)))
	}
	if strings.Contains(strings.ToLower(d.SecurityType), "trustedlaunch") {
		img.Warnings = append(img.Warnings, "the image supports Trusted Launch; Hyper-V isolation and LCOW need nested virtualization, which needs Security Type "+
			"\"Standard\" on the VM, not Trusted Launch")
	}
	return img, nil
}

// serverRelease is the server release of a build, LTSC first (17763 is 2019).
func serverRelease(build int) compat.Release {
	for _, r := range compat.ReleasesWithBuild(build) {
		if r.Kind == compat.Server {
			return r
		}
	}
	return compat.Release{}
}

func alternative(d Details) string {
	if d.Alternative == "" {
		return ""
	}
	return "; the publisher suggests " + d.Alternative
}

// related lists the SKUs of a release, for error messages.
func related(skus []string, release string) []string {
	var out []string
	for _, s := range skus {
		if strings.HasPrefix(strings.ToLower(s), strings.ToLower(release)) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// parseImageVersion reads build and UBR from "20348.4893.260303".
func parseImageVersion(v string) (build, ubr int, err error) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return 0, 0, fmt.Errorf("image version %q is not build.revision.date (for example 20348.4893.260303)", v)
	}
	build, err1 := strconv.Atoi(parts[0])
	ubr, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || build <= 0 || ubr < 0 {
		return 0, 0, fmt.Errorf("image version %q is not build.revision.date (for example 20348.4893.260303)", v)
	}
	return build, ubr, nil
}

// newestVersion picks the highest version numerically, part by part (lexical order would put
// 20348.999 above 20348.4893).
func newestVersion(vs []string) string {
	best := ""
	var bestParts []int
	for _, v := range vs {
		parts, ok := numericParts(v)
		if !ok {
			continue
		}
		if best == "" || slices.Compare(parts, bestParts) > 0 {
			best, bestParts = v, parts
		}
	}
	return best
}

func numericParts(v string) ([]int, bool) {
	ss := strings.Split(v, ".")
	out := make([]int, len(ss))
	for i, s := range ss {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}
