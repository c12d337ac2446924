package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/compat"
)

// parseOSAttr parses a release or build and reports failures on the attribute itself.
func parseOSAttr(v string, p path.Path, diags *diag.Diagnostics) (compat.OS, bool) {
	o, err := compat.ParseOS(v)
	if err != nil {
		diags.AddAttributeError(p, "Unknown Windows release", err.Error())
		return compat.OS{}, false
	}
	return o, true
}

func stringList(ctx context.Context, items []string, diags *diag.Diagnostics) types.List {
	if items == nil {
		items = []string{}
	}
	l, d := types.ListValueFrom(ctx, types.StringType, items)
	diags.Append(d...)
	return l
}

func quoted(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return out
}

// clock is how the provider learns the date for lifecycle decisions; tests pin it.
type clock func() time.Time

func (c clock) today() compat.Date {
	if c == nil {
		return compat.DateOf(time.Now())
	}
	return compat.DateOf(c())
}

// configuredData returns what the provider's Configure handed over, or nil before the provider is
// configured (validation runs before Configure). A value of another type is a provider bug.
func configuredData(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected configure type",
			fmt.Sprintf("expected *providerData, got %T; this is a bug in the provider, please report it", v))
		return nil
	}
	return data
}
