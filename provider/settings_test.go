package provider

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wincontainers/wincontainers/internal/settings"
	"github.com/wincontainers/wincontainers/internal/spec"
)

func hostSchema(t *testing.T) schema.Schema {
	t.Helper()
	var resp resource.SchemaResponse
	(&hostResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp.Schema
}

// TestBlocksSchema: each block of wincontainers_host has exactly the table's settings, described and
// defaulted as the table says.
func TestBlocksSchema(t *testing.T) {
	s := hostSchema(t)
	for _, b := range settings.Blocks() {
		n, ok := s.Attributes[b.Name].(schema.SingleNestedAttribute)
		if !ok || len(n.Attributes) != len(b.Settings) || n.MarkdownDescription != b.Doc || !n.Optional {
			t.Errorf("%s: %T with %d attributes, want an optional block of %d", b.Name, s.Attributes[b.Name], len(n.Attributes), len(b.Settings))
			continue
		}
		for _, st := range b.Settings {
			a := n.Attributes[st.Name]
			if a == nil || a.GetMarkdownDescription() != st.TerraformDoc() || !a.IsOptional() || a.IsSensitive() != st.Sensitive ||
				a.IsComputed() != (st.Default != nil) {
				t.Errorf("%s: attribute %#v does not follow its definition", b.Path(st), a)
			}
			if sa, ok := a.(schema.StringAttribute); ok && len(sa.Validators) != min(len(st.Values), 1) {
				t.Errorf("%s: %d validators for %d allowed values", b.Path(st), len(sa.Validators), len(st.Values))
			}
		}
	}
}

// TestBlocksSpec is the model-to-spec translation: every setting reaches its spec field, an unset value
// takes its default, an unknown one makes the spec incomplete.
func TestBlocksSpec(t *testing.T) {
	ctx := context.Background()
	s := hostSchema(t)
	objectOf := func(b settings.Block, vals map[string]attr.Value) types.Object {
		var diags diag.Diagnostics
		o := nullObject(ctx, s.Attributes[b.Name].GetType().(types.ObjectType).AttrTypes, vals, &diags)
		if diags.HasError() {
			t.Fatal(diags)
		}
		return o
	}
	for _, b := range settings.Blocks() {
		for _, st := range b.Settings {
			var v attr.Value
			var want any
			switch st.Kind {
			case settings.Bool:
				v, want = types.BoolValue(true), true
			case settings.StringList:
				v, want = types.ListValueMust(types.StringType, []attr.Value{types.StringValue("x")}), []string{"x"}
			default:
				w := "x"
				if len(st.Values) > 0 {
					w = st.Values[len(st.Values)-1]
				}
				v, want = types.StringValue(w), w
			}
			m := hostModel{}
			m.Engine, m.LCOW, m.Daemon, m.Compose = types.ObjectNull(nil), types.ObjectNull(nil), types.ObjectNull(nil), types.ObjectNull(nil)
			set := func(o types.Object) {
				switch b.Name {
				case "engine":
					m.Engine = o
				case "lcow":
					m.LCOW = o
				case "daemon":
					m.Daemon = o
				case "compose":
					m.Compose = o
				}
			}
			set(objectOf(b, map[string]attr.Value{st.Name: v}))
			var diags diag.Diagnostics
			var got spec.Spec
			if !m.blocksSpec(ctx, &got, &diags) || diags.HasError() {
				t.Fatalf("%s: incomplete or %v", b.Path(st), diags)
			}
			f := reflect.Indirect(reflect.ValueOf(got).FieldByName(b.Type))
			if !f.IsValid() || !reflect.DeepEqual(f.FieldByName(st.Field).Interface(), want) {
				t.Errorf("%s = %v: spec has %v", b.Path(st), v, f)
			}
			// The other settings are unset: their defaults apply.
			for _, o := range b.Settings {
				if o.Name != st.Name && o.Default != nil && !reflect.DeepEqual(f.FieldByName(o.Field).Interface(), o.Default) {
					t.Errorf("%s unset: spec has %v, want the default %v", b.Path(o), f.FieldByName(o.Field), o.Default)
				}
			}
			set(objectOf(b, map[string]attr.Value{st.Name: unknownOf(v)}))
			if m.blocksSpec(ctx, &got, &diags) {
				t.Errorf("%s unknown: the spec is reported complete", b.Path(st))
			}
		}
	}
}

func unknownOf(v attr.Value) attr.Value {
	switch v.(type) {
	case types.Bool:
		return types.BoolUnknown()
	case types.List:
		return types.ListUnknown(types.StringType)
	default:
		return types.StringUnknown()
	}
}
