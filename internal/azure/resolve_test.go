package azure

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8/fake"

	"github.com/wincontainers/wincontainers/internal/compat"
)

func TestSKU(t *testing.T) {
	cases := []struct {
		q    Query
		want string
	}{
		{Query{Release: "2022"}, "2022-datacenter-core-g2"},
		{Query{Release: "2022", Installation: compat.Desktop, Generation: 1}, "2022-datacenter"},
		{Query{Release: "2022", SmallDisk: true}, "2022-datacenter-core-smalldisk-g2"},
		{Query{Release: "2022", AzureEdition: true}, "2022-datacenter-azure-edition-core"},
		{Query{Release: "2025", AzureEdition: true, Installation: compat.Desktop, SmallDisk: true}, "2025-datacenter-azure-edition-smalldisk"},
		{Query{Release: "2025", Installation: compat.Desktop}, "2025-datacenter-g2"},
		{Query{Release: "ltsc2025", Generation: 1}, "2025-datacenter-core"},
		{Query{Release: "2019", Installation: compat.Desktop, Generation: 1}, "2019-Datacenter"},
		{Query{Release: "2019", Generation: 1}, "2019-Datacenter-Core"},
		{Query{Release: "2019", Generation: 1, SmallDisk: true}, "2019-Datacenter-Core-smalldisk"},
		{Query{Release: "2019", Installation: compat.Desktop}, "2019-datacenter-gensecond"},
		{Query{Release: "2019"}, "2019-datacenter-core-g2"},
		{Query{Release: "2019", SmallDisk: true}, "2019-datacenter-core-smalldisk-g2"},
		{Query{Release: "2019", SmallDisk: true, Installation: compat.Desktop}, "2019-datacenter-smalldisk-g2"},
		{Query{Release: "2016", Generation: 1}, "2016-Datacenter-Server-Core"},
		{Query{Release: "2016"}, "2016-datacenter-server-core-g2"},
		{Query{Release: "2016", Installation: compat.Desktop}, "2016-datacenter-gensecond"},
		{Query{Release: "23H2"}, "23h2-datacenter-core-g2"},
		{Query{Release: "23h2", Generation: 1}, "23h2-datacenter-core"},
	}
	for _, c := range cases {
		got, _, err := SKU(c.q)
		if err != nil || got != c.want {
			t.Errorf("%+v: got %q %v, want %q", c.q, got, err, c.want)
		}
	}
	bad := []struct {
		q    Query
		says string
	}{
		{Query{Release: "23H2", Installation: compat.Desktop}, "Server Core only"},
		{Query{Release: "23H2", SmallDisk: true}, "small-disk"},
		{Query{Release: "2019", AzureEdition: true}, "2022 and 2025"},
		{Query{Release: "2022", AzureEdition: true, Generation: 1}, "Generation 2 only"},
		{Query{Release: "20H2"}, "Semi-Annual Channel"},
		{Query{Release: "1809"}, "Semi-Annual Channel"},
		{Query{Release: "win11-24h2"}, "client"},
		{Query{Release: "2012"}, "2012"},
		{Query{Release: "2022", Generation: 3}, "generation 3"},
		{Query{Release: "2022", Installation: "nano"}, "nano"},
	}
	for _, c := range bad {
		if _, _, err := SKU(c.q); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: want error containing %q, got %v", c.q, c.says, err)
		}
	}
}

// TestCheckRetired: the "with Containers" SKUs were removed 2023-04-30 and SAC images are gone (docs/knowledge/azure.md#windows-server-skus).
func TestCheckRetired(t *testing.T) {
	cases := []struct {
		offer, sku string
		replace    string
	}{
		{Offer, "2019-Datacenter-with-Containers", `"2019-Datacenter"`},
		{Offer, "2019-datacenter-core-with-containers-smalldisk-g2", `"2019-datacenter-core-smalldisk-g2"`},
		{Offer, "2016-Datacenter-with-Containers-GS", `"2016-Datacenter-GS"`},
		{Offer, "datacenter-core-20h2-with-containers-smalldisk", `"2022-datacenter-core-g2"`},
		{OfferSemiAnnual, "Datacenter-Core-1709-smalldisk", "23h2-datacenter-core-g2"},
		{Offer, "Datacenter-Core-1809-with-Containers-smalldisk", "2022-datacenter-core-g2"},
		{Offer, "datacenter-core-2004-with-containers-smalldisk", "2022"},
	}
	for _, c := range cases {
		err := CheckRetired(c.offer, c.sku)
		var re *RetiredSKUError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), c.replace) {
			t.Errorf("%s:%s: want retirement naming %s, got %v", c.offer, c.sku, c.replace, err)
		}
	}
	for _, ok := range []string{"2022-datacenter-core-g2", "2025-datacenter-azure-edition", "23h2-datacenter-core", "2019-Datacenter"} {
		if err := CheckRetired(Offer, ok); err != nil {
			t.Errorf("%s wrongly refused: %v", ok, err)
		}
	}
}

// market is an in-memory marketplace served through armcompute's fake server.
type market struct {
	skus     map[string][]string // location -> SKUs
	versions map[string][]string // sku -> versions
	details  map[string]*armcompute.VirtualMachineImageProperties
	calls    []string
}

func (m *market) client(t *testing.T) ImageAPI {
	t.Helper()
	srv := fake.VirtualMachineImagesServer{
		ListSKUs: func(_ context.Context, location, publisher, offer string, _ *armcompute.VirtualMachineImagesClientListSKUsOptions) (resp azfake.Responder[armcompute.VirtualMachineImagesClientListSKUsResponse], errResp azfake.ErrorResponder) {
			m.calls = append(m.calls, "ListSKUs")
			if publisher != Publisher || offer != Offer {
				errResp.SetResponseError(http.StatusNotFound, "NotFound")
				return
			}
			skus, ok := m.skus[location]
			if !ok {
				errResp.SetResponseError(http.StatusNotFound, "NoRegisteredProviderFound")
				return
			}
			resp.SetResponse(http.StatusOK, armcompute.VirtualMachineImagesClientListSKUsResponse{VirtualMachineImageResourceArray: resources(skus)}, nil)
			return
		},
		List: func(_ context.Context, _, _, _, sku string, _ *armcompute.VirtualMachineImagesClientListOptions) (resp azfake.Responder[armcompute.VirtualMachineImagesClientListResponse], errResp azfake.ErrorResponder) {
			m.calls = append(m.calls, "List")
			resp.SetResponse(http.StatusOK, armcompute.VirtualMachineImagesClientListResponse{VirtualMachineImageResourceArray: resources(m.versions[sku])}, nil)
			return
		},
		Get: func(_ context.Context, _, _, _, sku, version string, _ *armcompute.VirtualMachineImagesClientGetOptions) (resp azfake.Responder[armcompute.VirtualMachineImagesClientGetResponse], errResp azfake.ErrorResponder) {
			m.calls = append(m.calls, "Get")
			props, ok := m.details[sku+"/"+version]
			if !ok {
				errResp.SetResponseError(http.StatusNotFound, "ArtifactNotFound")
				return
			}
			resp.SetResponse(http.StatusOK, armcompute.VirtualMachineImagesClientGetResponse{VirtualMachineImage: armcompute.VirtualMachineImage{
				Name: to.Ptr(version), Location: to.Ptr("westeurope"), Properties: props}}, nil)
			return
		},
	}
	c, err := armcompute.NewVirtualMachineImagesClient("00000000-0000-0000-0000-000000000000", &azfake.TokenCredential{},
		&arm.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: fake.NewVirtualMachineImagesServerTransport(&srv)}})
	if err != nil {
		t.Fatal(err)
	}
	return armImages{Client: c}
}

func resources(names []string) []*armcompute.VirtualMachineImageResource {
	out := make([]*armcompute.VirtualMachineImageResource, len(names))
	for i, n := range names {
		out[i] = &armcompute.VirtualMachineImageResource{Name: to.Ptr(n), Location: to.Ptr("westeurope")}
	}
	return out
}

func props(gen armcompute.HyperVGenerationTypes, security string, state armcompute.ImageState) *armcompute.VirtualMachineImageProperties {
	return &armcompute.VirtualMachineImageProperties{
		HyperVGeneration: to.Ptr(gen),
		Architecture:     to.Ptr(armcompute.ArchitectureTypesX64),
		Features: []*armcompute.VirtualMachineImageFeature{
			{Name: to.Ptr("SecurityType"), Value: to.Ptr(security)},
			{Name: to.Ptr("DiskControllerTypes"), Value: to.Ptr("SCSI, NVMe")},
			{Name: to.Ptr("IsAcceleratedNetworkSupported"), Value: to.Ptr("True")},
		},
		ImageDeprecationStatus: &armcompute.ImageDeprecationStatus{ImageState: to.Ptr(state)},
	}
}

func newMarket() *market {
	return &market{
		skus: map[string][]string{"westeurope": {
			"2019-datacenter-core-g2", "2022-datacenter-core-g2", "2022-datacenter-azure-edition-core", "23h2-datacenter-core-g2",
			"2025-datacenter-core-g2", "2016-datacenter-server-core-g2", "2022-datacenter-core",
		}},
		versions: map[string][]string{
			// Lexical order would pick 20348.999; the newest is 20348.4893.
			"2022-datacenter-core-g2": {"20348.999.250101", "20348.4893.260303", "20348.2700.241010"},
			"23h2-datacenter-core-g2": {"25398.2207.260303"},
			"2025-datacenter-core-g2": {"26100.32522.260306"},
			"2019-datacenter-core-g2": {"17763.8000.260101"},
			"2022-datacenter-core":    {"20348.4893.260303"},
		},
		details: map[string]*armcompute.VirtualMachineImageProperties{
			"2022-datacenter-core-g2/20348.4893.260303":  props(armcompute.HyperVGenerationTypesV2, "TrustedLaunchSupported", armcompute.ImageStateActive),
			"2022-datacenter-core-g2/20348.2700.241010":  props(armcompute.HyperVGenerationTypesV2, "TrustedLaunchSupported", armcompute.ImageStateScheduledForDeprecation),
			"23h2-datacenter-core-g2/25398.2207.260303":  props(armcompute.HyperVGenerationTypesV2, "TrustedLaunchSupported", armcompute.ImageStateActive),
			"2025-datacenter-core-g2/26100.32522.260306": props(armcompute.HyperVGenerationTypesV2, "TrustedLaunchAndConfidentialVmSupported", armcompute.ImageStateActive),
			"2019-datacenter-core-g2/17763.8000.260101":  props(armcompute.HyperVGenerationTypesV2, "", armcompute.ImageStateDeprecated),
			"2022-datacenter-core/20348.4893.260303":     props(armcompute.HyperVGenerationTypesV1, "Standard", armcompute.ImageStateActive),
		},
	}
}

func TestResolve(t *testing.T) {
	m := newMarket()
	api := m.client(t)
	img, err := Resolve(context.Background(), api, Query{Release: "2022", Location: "westeurope"})
	if err != nil {
		t.Fatal(err)
	}
	if img.URN() != "MicrosoftWindowsServer:WindowsServer:2022-datacenter-core-g2:20348.4893.260303" || img.Build != 20348 || img.UBR != 4893 {
		t.Errorf("resolved %s build %d.%d", img.URN(), img.Build, img.UBR)
	}
	if img.HyperVGeneration != "V2" || img.SecurityType != "TrustedLaunchSupported" || !slices.Equal(img.DiskControllerTypes, []string{"SCSI", "NVMe"}) ||
		!img.AcceleratedNetworking || img.DeprecationState != "Active" || img.Architecture != "x64" {
		t.Errorf("details %+v", img.Details)
	}
	if !slices.Contains(img.BaseImages, "mcr.microsoft.com/windows/servercore:ltsc2022") {
		t.Errorf("base images %v", img.BaseImages)
	}
	if len(img.Warnings) != 1 || !strings.Contains(img.Warnings[0], "Security Type") {
		t.Errorf("Trusted Launch warning missing: %v", img.Warnings)
	}
	if !slices.Equal(m.calls, []string{"ListSKUs", "List", "Get"}) {
		t.Errorf("calls %v", m.calls)
	}

	// The Annual Channel: build 25398 and ltsc2022 base images.
	img, err = Resolve(context.Background(), api, Query{Release: "23H2", Location: "westeurope"})
	if err != nil || img.Build != 25398 || !slices.Equal(img.BaseImages, []string{
		"mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/windows/nanoserver:ltsc2022", "mcr.microsoft.com/windows/server:ltsc2022"}) {
		t.Errorf("23H2: %+v %v", img, err)
	}
	// Generation 1 on request.
	img, err = Resolve(context.Background(), api, Query{Release: "2022", Location: "westeurope", Generation: 1})
	if err != nil || img.SKU != "2022-datacenter-core" || img.HyperVGeneration != "V1" || len(img.Warnings) != 0 {
		t.Errorf("gen1: %+v %v", img, err)
	}
	// A pinned version scheduled for deprecation resolves with a warning.
	img, err = Resolve(context.Background(), api, Query{Release: "2022", Location: "westeurope", Version: "20348.2700.241010"})
	if err != nil || !strings.Contains(strings.Join(img.Warnings, " "), "scheduled for deprecation") {
		t.Errorf("scheduled deprecation: %v %v", img.Warnings, err)
	}
}

func TestResolveErrors(t *testing.T) {
	api := newMarket().client(t)
	cases := []struct {
		q    Query
		says string
	}{
		{Query{Release: "2019", Location: "westeurope"}, "deprecated"},
		{Query{Release: "2022", Location: "westeurope", SmallDisk: true}, "not offered in westeurope"},
		{Query{Release: "2022", Location: "mars"}, "NoRegisteredProviderFound"},
		{Query{Release: "2022", Location: ""}, "location is required"},
		{Query{Release: "2022", Location: "westeurope", Version: "17763.1.1"}, "build 17763"},
		{Query{Release: "2022", Location: "westeurope", Version: "20348.1.1"}, "ArtifactNotFound"},
		{Query{Release: "2022", Location: "westeurope", Version: "banana"}, "build.revision.date"},
		{Query{Release: "2016", Location: "westeurope"}, "no versions"},
		{Query{Release: "1903", Location: "westeurope"}, "retired"},
	}
	for _, c := range cases {
		_, err := Resolve(context.Background(), api, c.q)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: want error containing %q, got %v", c.q, c.says, err)
		}
	}
}

func TestNewestVersion(t *testing.T) {
	if got := newestVersion([]string{"20348.999.250101", "20348.4893.260303", "x", "20348.4893.260101"}); got != "20348.4893.260303" {
		t.Errorf("got %s", got)
	}
	if newestVersion(nil) != "" {
		t.Error("empty list")
	}
}

func TestResolveBySKU(t *testing.T) {
	api := newMarket().client(t)
	img, err := Resolve(context.Background(), api, Query{SKU: "23H2-Datacenter-Core-G2", Location: "westeurope"})
	if err != nil || img.SKU != "23h2-datacenter-core-g2" || img.Release.Name != "23H2" || img.Build != 25398 {
		t.Errorf("by SKU: %+v %v", img, err)
	}
	_, err = Resolve(context.Background(), api, Query{SKU: "2019-Datacenter-with-Containers", Location: "westeurope"})
	var re *RetiredSKUError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "2023-04-30") {
		t.Errorf("retired SKU: %v", err)
	}
	_, err = Resolve(context.Background(), api, Query{SKU: "2022-datacenter-smalldisk-g2", Location: "westeurope"})
	if err == nil || !strings.Contains(err.Error(), "2022-datacenter-core-g2") {
		t.Errorf("missing SKU should list related ones: %v", err)
	}
}
