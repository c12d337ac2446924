package wincontainers

import (
	"reflect"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/template/config"

	"github.com/wincontainers/wincontainers/internal/settings"
)

// TestSettingsReachSpec: every setting of the table, written in a template under its name, reaches its
// spec field through Packer's decoder and the generated conversion; an unset one takes its default.
func TestSettingsReachSpec(t *testing.T) {
	for _, b := range settings.Blocks() {
		for _, st := range b.Settings {
			var raw, want any
			switch st.Kind {
			case settings.Bool:
				raw, want = true, true
				if st.Default == true {
					raw, want = false, false // the value that differs from the default
				}
			case settings.StringList:
				raw, want = []string{"x", "y"}, []string{"x", "y"}
			default:
				raw, want = "x", "x"
			}
			var c Config
			if err := config.Decode(&c, &config.DecodeOpts{PluginType: "wincontainers"},
				map[string]any{"container_mode": "process", b.Name: map[string]any{st.Name: raw}}); err != nil {
				t.Fatalf("%s: %v", b.Path(st), err)
			}
			f := reflect.Indirect(reflect.ValueOf(c.spec()).FieldByName(b.Type))
			if !f.IsValid() {
				t.Fatalf("%s: the %s block did not reach the spec", b.Path(st), b.Name)
			}
			if got := f.FieldByName(st.Field).Interface(); !reflect.DeepEqual(got, want) {
				t.Errorf("%s = %v in the template: spec has %v", b.Path(st), raw, got)
			}
			for _, o := range b.Settings {
				if d, ok := o.Default.(bool); ok && o.Name != st.Name && f.FieldByName(o.Field).Bool() != d {
					t.Errorf("%s unset: spec has %v, want the default %v", b.Path(o), f.FieldByName(o.Field), d)
				}
			}
		}
	}
}
