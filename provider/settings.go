package provider

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/wincontainers/wincontainers/internal/settings"
	"github.com/wincontainers/wincontainers/internal/spec"
)

// The engine, lcow, daemon and compose blocks come from the settings table (internal/settings): their
// schema here, their conversion to spec's structs in blocksSpec.

// blockAttribute is a block of the settings table as wincontainers_host's nested attribute.
func blockAttribute(name string) schema.SingleNestedAttribute {
	b, ok := settings.Lookup(name)
	if !ok {
		panic("provider: no block " + name + " in the settings table") // a programming error, caught by every test
	}
	attrs := make(map[string]schema.Attribute, len(b.Settings))
	for _, s := range b.Settings {
		attrs[s.Name] = settingAttribute(s)
	}
	return schema.SingleNestedAttribute{Optional: true, MarkdownDescription: b.Doc, Attributes: attrs}
}

// settingAttribute is one setting as a schema attribute: optional, computed only when it has a default,
// checked against its allowed values.
func settingAttribute(s settings.Setting) schema.Attribute {
	switch s.Kind {
	case settings.Bool:
		a := schema.BoolAttribute{Optional: true, Sensitive: s.Sensitive, MarkdownDescription: s.TerraformDoc()}
		if d, ok := s.Default.(bool); ok {
			a.Computed, a.Default = true, booldefault.StaticBool(d)
		}
		return a
	case settings.StringList:
		return schema.ListAttribute{Optional: true, Sensitive: s.Sensitive, ElementType: types.StringType, MarkdownDescription: s.TerraformDoc()}
	default:
		a := schema.StringAttribute{Optional: true, Sensitive: s.Sensitive, MarkdownDescription: s.TerraformDoc()}
		if len(s.Values) > 0 {
			a.Validators = []validator.String{stringvalidator.OneOf(s.Values...)}
		}
		if d, ok := s.Default.(string); ok {
			a.Computed, a.Default = true, stringdefault.StaticString(d)
		}
		return a
	}
}

// blocks are the model's objects of the settings table's blocks, by name.
func (m *hostModel) blocks() map[string]types.Object {
	return map[string]types.Object{"engine": m.Engine, "lcow": m.LCOW, "daemon": m.Daemon, "compose": m.Compose}
}

// blocksSpec fills s's blocks from the model's objects; a block that is null (or unknown) is left as it
// is. It reports whether every value was known.
func (m *hostModel) blocksSpec(ctx context.Context, s *spec.Spec, diags *diag.Diagnostics) bool {
	complete := true
	objs := m.blocks()
	sv := reflect.ValueOf(s).Elem()
	for _, b := range settings.Blocks() {
		o, ok := objs[b.Name]
		if !ok || o.IsNull() || o.IsUnknown() {
			continue
		}
		f := sv.FieldByName(b.Type)
		if f.Kind() == reflect.Pointer {
			f.Set(reflect.New(f.Type().Elem()))
			f = f.Elem()
		}
		complete = blockSpec(ctx, o.Attributes(), b, f, diags) && complete
	}
	return complete
}

// blockSpec sets spec's struct out (addressable) from a block's attribute values: an unset value takes the
// setting's default. It reports whether every value was known.
func blockSpec(ctx context.Context, attrs map[string]attr.Value, b settings.Block, out reflect.Value, diags *diag.Diagnostics) bool {
	complete := true
	for _, s := range b.Settings {
		a, ok := attrs[s.Name]
		if !ok {
			diags.AddError("Provider bug: a setting is missing from the schema",
				fmt.Sprintf("%s is in internal/settings but not in the block's value; please report it", b.Path(s)))
			return false
		}
		if a.IsUnknown() {
			complete = false // it comes from another resource: checked again at apply
			continue
		}
		f := out.FieldByName(s.Field)
		var bad bool
		switch s.Kind {
		case settings.Bool:
			v, isBool := a.(types.Bool)
			switch d, hasDefault := s.Default.(bool); {
			case !isBool:
				bad = true
			case v.IsNull() && hasDefault:
				f.SetBool(d)
			default:
				f.SetBool(v.ValueBool())
			}
		case settings.StringList:
			v, isList := a.(types.List)
			bad = !isList
			if isList {
				f.Set(reflect.ValueOf(listStrings(ctx, v, diags)))
			}
		default:
			v, isString := a.(types.String)
			switch d, hasDefault := s.Default.(string); {
			case !isString:
				bad = true
			case v.IsNull() && hasDefault:
				f.SetString(d)
			default:
				f.SetString(v.ValueString())
			}
		}
		if bad {
			diags.AddError("Provider bug: a setting's value has the wrong type",
				fmt.Sprintf("%s is a %T, which its definition in internal/settings does not allow; please report it", b.Path(s), a))
		}
	}
	return complete
}

// nullObject is a block's object with every attribute null but those in set.
func nullObject(ctx context.Context, attrTypes map[string]attr.Type, set map[string]attr.Value, diags *diag.Diagnostics) types.Object {
	vals := make(map[string]attr.Value, len(attrTypes))
	for name, t := range attrTypes {
		if v, ok := set[name]; ok {
			vals[name] = v
			continue
		}
		v, err := t.ValueFromTerraform(ctx, tftypes.NewValue(t.TerraformType(ctx), nil))
		if err != nil {
			diags.AddError("Provider bug: no null value for "+name, err.Error())
			return types.ObjectNull(attrTypes)
		}
		vals[name] = v
	}
	obj, d := types.ObjectValue(attrTypes, vals)
	diags.Append(d...)
	return obj
}
