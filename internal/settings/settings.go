// Package settings defines, once, each setting of the host's engine, lcow, daemon and compose blocks: its
// name, type, descriptions, default, allowed values, the spec field it fills and, for daemon settings,
// the daemon.json key it is written to. Everything else is rendered from this table: spec's structs and
// the Packer provisioner's configuration structs by `go generate` (cmd internal/settings/gen, then
// packer-sdc for the HCL2 spec and the field docs), the Terraform schema and the model-to-spec conversion
// by the provider at run time. Adding a setting is one entry here, `make generate`, and, where the
// setting needs more than its type and allowed values, its check in internal/spec.
package settings

import "slices"

// Kind is a setting's value type.
type Kind int

// Kinds.
const (
	String Kind = iota
	Bool
	StringList
)

// Setting is one attribute of a block.
type Setting struct {
	// Name is the attribute's name in both front doors ("data_root").
	Name string
	// Field is the Go field the setting fills, in spec's struct and in the Packer struct ("DataRoot").
	Field string
	Kind  Kind
	// Doc is the description, in Markdown, for both front doors; Terraform and Packer replace it where
	// the front doors need different words (the machine running Terraform, the template's validation).
	Doc, Terraform, Packer string
	// Note is for Go readers: the comment of spec's field (the description when there is none).
	Note string
	// Default is the value an unset attribute takes (nil: none, the zero value): a bool or a string.
	// Terraform shows it as the attribute's default; the Packer struct holds a *bool for a true default.
	Default any
	// Values are the allowed values of a String setting (nil: any). Terraform checks them in the schema,
	// spec for every front door.
	Values []string
	// Sensitive hides the value in Terraform's plan output.
	Sensitive bool
	// DaemonKey is the daemon.json key a daemon setting is written to as given ("" when the planner
	// writes it by its own rule, as the TLS settings).
	DaemonKey string
}

// Block is a nested block of settings.
type Block struct {
	// Name is the block's attribute name ("daemon"), and the prefix of its settings' paths.
	Name string
	// Type is the name of spec's struct and of the Spec field holding it ("Daemon"); the Packer struct is
	// Type+"Config".
	Type string
	// Doc is the block's description in the Terraform schema (the Packer Config's fields have their own).
	Doc string
	// Note is the comment of spec's struct, PackerNote that of the Packer struct; both follow the type's name.
	Note, PackerNote string
	Settings         []Setting
}

// TerraformDoc is the setting's description in the Terraform schema.
func (s Setting) TerraformDoc() string { return pick(s.Terraform, s.Doc) }

// PackerDoc is the setting's description in the Packer field docs.
func (s Setting) PackerDoc() string { return pick(s.Packer, s.Doc) }

// Path is the setting's attribute path in spec's diagnostics ("daemon.data_root").
func (b Block) Path(s Setting) string { return b.Name + "." + s.Name }

// Allows reports whether v is one of the setting's values (any value when it has none).
func (s Setting) Allows(v string) bool { return len(s.Values) == 0 || slices.Contains(s.Values, v) }

func pick(specific, shared string) string {
	if specific != "" {
		return specific
	}
	return shared
}

// Blocks returns every block, in the order the front doors list them.
func Blocks() []Block { return []Block{engine(), lcow(), daemon(), compose()} }

// Lookup returns the block named name.
func Lookup(name string) (Block, bool) {
	for _, b := range Blocks() {
		if b.Name == name {
			return b, true
		}
	}
	return Block{}, false
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
