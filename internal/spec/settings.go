package spec

import (
	"reflect"
	"strings"

	"github.com/wincontainers/wincontainers/internal/settings"
)

// checkedByHand reports whether spec checks a setting's value with its own advice (validateEngine for
// engine.type), so that validateValues leaves it alone.
func checkedByHand(path string) bool { return path == PathEngineType }

// validateValues refuses a block setting whose value is not one of its allowed values (settings.Setting's
// Values), for every front door: Terraform checks them in its schema too, Packer only here.
func validateValues(s Spec, d *Diagnostics) {
	v := reflect.ValueOf(s)
	for _, b := range settings.Blocks() {
		blk := reflect.Indirect(v.FieldByName(b.Type))
		if !blk.IsValid() {
			continue // a block that was not given
		}
		for _, st := range b.Settings {
			path := b.Path(st)
			if st.Kind != settings.String || len(st.Values) == 0 || checkedByHand(path) {
				continue
			}
			if val := blk.FieldByName(st.Field).String(); val != "" && !st.Allows(val) {
				d.errorf(path, "unknown "+path, "%s is %q; use %s", path, truncate(val, 80), oneOf(st.Values))
			}
		}
	}
}

// oneOf lists values as "a", "b" or "c".
func oneOf(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = `"` + v + `"`
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
