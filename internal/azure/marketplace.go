package azure

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// armImages implements ImageAPI over armcompute's VirtualMachineImagesClient. It is the only file that
// knows the SDK's names.
type armImages struct {
	Client *armcompute.VirtualMachineImagesClient
}

var _ ImageAPI = armImages{}

// ListSKUs implements ImageAPI.
func (a armImages) ListSKUs(ctx context.Context, location, publisher, offer string) ([]string, error) {
	resp, err := a.Client.ListSKUs(ctx, location, publisher, offer, nil)
	if err != nil {
		return nil, fmt.Errorf("azure: %w", err)
	}
	return names(resp.VirtualMachineImageResourceArray), nil
}

// ListVersions implements ImageAPI. The whole list is read (it is not paged) so the newest version is
// chosen numerically rather than by the service's string ordering.
func (a armImages) ListVersions(ctx context.Context, location, publisher, offer, sku string) ([]string, error) {
	resp, err := a.Client.List(ctx, location, publisher, offer, sku, nil)
	if err != nil {
		return nil, fmt.Errorf("azure: %w", err)
	}
	return names(resp.VirtualMachineImageResourceArray), nil
}

// Get implements ImageAPI.
func (a armImages) Get(ctx context.Context, location, publisher, offer, sku, version string) (Details, error) {
	resp, err := a.Client.Get(ctx, location, publisher, offer, sku, version, nil)
	if err != nil {
		return Details{}, fmt.Errorf("azure: %w", err)
	}
	var d Details
	p := resp.Properties
	if p == nil {
		return d, nil
	}
	if p.HyperVGeneration != nil {
		d.HyperVGeneration = string(*p.HyperVGeneration)
	}
	if p.Architecture != nil {
		d.Architecture = string(*p.Architecture)
	}
	for _, f := range p.Features {
		if f == nil || f.Name == nil || f.Value == nil {
			continue
		}
		switch *f.Name {
		case "SecurityType":
			d.SecurityType = *f.Value
		case "DiskControllerTypes":
			for _, t := range strings.Split(*f.Value, ",") {
				if t = strings.TrimSpace(t); t != "" {
					d.DiskControllerTypes = append(d.DiskControllerTypes, t)
				}
			}
		case "IsAcceleratedNetworkSupported":
			d.AcceleratedNetworking = strings.EqualFold(*f.Value, "true")
		}
	}
	if s := p.ImageDeprecationStatus; s != nil {
		if s.ImageState != nil {
			d.DeprecationState = string(*s.ImageState)
		}
		if s.ScheduledDeprecationTime != nil {
			d.ScheduledDeprecation = *s.ScheduledDeprecationTime
		}
		if s.AlternativeOption != nil && s.AlternativeOption.Value != nil {
			d.Alternative = *s.AlternativeOption.Value
			if s.AlternativeOption.Type != nil {
				d.Alternative = string(*s.AlternativeOption.Type) + " " + d.Alternative
			}
		}
	}
	return d, nil
}

func names(rs []*armcompute.VirtualMachineImageResource) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if r != nil && r.Name != nil {
			out = append(out, *r.Name)
		}
	}
	return out
}
