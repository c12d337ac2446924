package steps

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// contracts are every script with a parameter document, with its types.
var contracts = []Params{
	InstallFeatures{}, InstallDocker{}, InstallContainerd{}, ConfigureDaemon{}, StartService{}, InstallLCOW{},
	InstallCompose{}, Verify{}, Uninstall{}, PullImages{}, PrepareImage{}, WriteManifest{}, FinishUpload{},
	ReceiveFile{}, Restart{}, WinRMListener{},
}

const scriptDir = "../powershell/scripts"

// TestScriptsMatchContract reads each script as PowerShell text and checks it against its types: it
// reads exactly its Params' JSON names as $p.<name> (nested objects as $p.<name>.<name>), and every
// Write-WcResult it makes writes exactly its Result's names (nested objects' names as hashtable keys
// somewhere in the script). A renamed, misspelt, added or dropped name on either side fails here, not on
// a Windows host, where PowerShell reads a missing property as $null without a word.
func TestScriptsMatchContract(t *testing.T) {
	for _, c := range contracts {
		t.Run(c.Script(), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(scriptDir, c.Script()+".ps1"))
			if err != nil {
				t.Fatal(err)
			}
			for _, problem := range checkScript(string(b), c) {
				t.Error(problem)
			}
		})
	}
}

// TestEveryParamsScriptHasAContract: a library script that reads parameters has its types here.
func TestEveryParamsScriptHasAContract(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(scriptDir, "*.ps1"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in %s: %v", scriptDir, err)
	}
	covered := map[string]bool{}
	for _, c := range contracts {
		covered[c.Script()] = true
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".ps1")
		if !strings.Contains(string(b), "Get-WcParams") || strings.HasPrefix(name, "bootstrap") {
			continue
		}
		if !covered[name] {
			t.Errorf("%s reads parameters but has no Params type in this package", name)
		}
	}
}

// checkScript lists every disagreement between a script's text and its parameter and result types.
func checkScript(script string, p Params) []string {
	var out []string
	code := stripComments(script)
	if n := len(regexp.MustCompile(`(?m)^\s*\$p\s*=`).FindAllString(code, -1)); n != 1 || !regexp.MustCompile(`(?m)^\$p = Get-WcParams\s*$`).MatchString(code) {
		out = append(out, fmt.Sprintf("the parameters must be read once, as `$p = Get-WcParams`, and $p never assigned again (%d assignments)", n))
	}

	// Parameters: the names read, walked through the type.
	pt := reflect.TypeOf(p)
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$p((?:\.[A-Za-z_][A-Za-z0-9_]*)+)`).FindAllStringSubmatch(code, -1) {
		path, err := walk(pt, strings.Split(m[1][1:], "."))
		if err != nil {
			out = append(out, fmt.Sprintf("reads $p%s, but %s: %v", m[1], pt.Name(), err))
			continue
		}
		for i := range path {
			read[strings.Join(path[:i+1], ".")] = true
		}
	}
	for _, name := range leaves(pt, "") {
		if !read[name] {
			out = append(out, fmt.Sprintf("never reads $p.%s, which %s sends", name, pt.Name()))
		}
	}

	// Results: every Write-WcResult with a hashtable writes exactly the result's names (one of its shapes'
	// names, for a script with several); nested objects' names are keys somewhere in the script.
	types := []reflect.Type{reflect.TypeOf(p.result()).Elem()}
	if sh, ok := p.(shapes); ok {
		types = types[:0]
		for _, r := range sh.results() {
			types = append(types, reflect.TypeOf(r).Elem())
		}
	}
	rt := types[0]
	var all []string
	for _, t := range types {
		all = append(all, tags(t)...)
	}
	written := map[reflect.Type]bool{}
	calls := resultCalls(code)
	if len(calls) == 0 {
		out = append(out, "no Write-WcResult with a hashtable literal")
	}
	for _, keys := range calls {
		if slices.Contains(keys, "error") {
			for _, k := range keys {
				if k != "error" && !slices.Contains(all, k) {
					out = append(out, fmt.Sprintf("an error result writes %q, which %s lacks", k, rt.Name()))
				}
			}
			continue
		}
		if t, ok := shapeOf(keys, types); ok {
			written[t] = true
			continue
		}
		if len(types) > 1 {
			out = append(out, fmt.Sprintf("Write-WcResult @{ %s } writes none of %s's result shapes exactly", strings.Join(keys, "; "), p.Script()))
			continue
		}
		for _, k := range tags(rt) {
			if !slices.Contains(keys, k) {
				out = append(out, fmt.Sprintf("Write-WcResult @{ %s } never writes %q of %s", strings.Join(keys, "; "), k, rt.Name()))
			}
		}
		for _, k := range keys {
			if !slices.Contains(tags(rt), k) {
				out = append(out, fmt.Sprintf("Write-WcResult writes %q, which %s lacks", k, rt.Name()))
			}
		}
	}
	if len(types) > 1 {
		for _, t := range types {
			if !written[t] {
				out = append(out, fmt.Sprintf("no Write-WcResult writes the shape %s (%s)", t.Name(), strings.Join(tags(t), ", ")))
			}
		}
	}
	var nested []string
	for _, t := range types {
		nested = append(nested, nestedTags(t)...)
	}
	slices.Sort(nested)
	for _, name := range slices.Compact(nested) {
		if !regexp.MustCompile(`(?m)(^|[\s{;])` + regexp.QuoteMeta(name) + `\s*=[^=]`).MatchString(code) {
			out = append(out, fmt.Sprintf("no hashtable in the script has the key %q of %s", name, rt.Name()))
		}
	}
	return out
}

// shapeOf is the type among types whose JSON names are exactly keys.
func shapeOf(keys []string, types []reflect.Type) (reflect.Type, bool) {
	for _, t := range types {
		want := tags(t)
		if len(want) == len(keys) && !slices.ContainsFunc(keys, func(k string) bool { return !slices.Contains(want, k) }) {
			return t, true
		}
	}
	return nil, false
}

// walk follows a $p path through t's JSON names and returns the names it went through. It stops at a
// value that is not one of this package's structs: what follows is PowerShell's member access on it
// (.Count, .PSObject.Properties, .Trim()).
func walk(t reflect.Type, segs []string) ([]string, error) {
	var path []string
	for _, s := range segs {
		t = deref(t)
		if !contractStruct(t) {
			return path, nil
		}
		f, ok := fieldByTag(t, s)
		if !ok {
			return nil, fmt.Errorf("%s has no field tagged %q (it has %s)", t.Name(), s, strings.Join(tags(t), ", "))
		}
		path = append(path, s)
		t = f.Type
	}
	return path, nil
}

// leaves are the JSON paths of t's values: each field, and a struct field's own fields instead of it.
func leaves(t reflect.Type, prefix string) []string {
	var out []string
	for _, f := range fields(t) {
		name := prefix + jsonName(f)
		if ft := deref(f.Type); contractStruct(ft) {
			out = append(out, leaves(ft, name+".")...)
			continue
		}
		out = append(out, name)
	}
	return out
}

// nestedTags are the JSON names of the structs inside a result (not its top level).
func nestedTags(t reflect.Type) []string {
	var out []string
	for _, f := range fields(t) {
		ft := deref(f.Type)
		if ft.Kind() == reflect.Slice {
			ft = deref(ft.Elem())
		}
		if contractStruct(ft) {
			out = append(out, tags(ft)...)
			out = append(out, nestedTags(ft)...)
		}
	}
	return out
}

func tags(t reflect.Type) []string {
	var out []string
	for _, f := range fields(t) {
		out = append(out, jsonName(f))
	}
	return out
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	for _, f := range fields(t) {
		if jsonName(f) == tag {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// fields are t's JSON fields, with embedded structs' fields in their place (as encoding/json does).
func fields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		switch {
		case tag == "-" || !f.IsExported():
		case f.Anonymous && tag == "":
			out = append(out, fields(deref(f.Type))...)
		default:
			out = append(out, f)
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
		return name
	}
	return f.Name
}

func deref(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// contractStruct: a struct of this package, whose names the script must use. Others (facts.Manifest)
// are checked where they are defined.
func contractStruct(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.PkgPath() == reflect.TypeFor[Archive]().PkgPath()
}

// resultCalls lists, for each `Write-WcResult @{ ... }` (or `[ordered]@{`), the hashtable's top-level keys.
func resultCalls(code string) [][]string {
	var out [][]string
	re := regexp.MustCompile(`Write-WcResult\s+(\[ordered\])?@\{`)
	for _, loc := range re.FindAllStringIndex(code, -1) {
		out = append(out, topKeys(code[loc[1]:]))
	}
	return out
}

// topKeys reads a hashtable body from just after its `@{` to its closing brace and returns the keys
// of its own entries (an entry starts after `{`, `;` or a line break), skipping strings and nested
// brackets.
func topKeys(body string) []string {
	var keys []string
	key := regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=`)
	depth := 0
	entry := true
	for i := 0; i < len(body); i++ {
		c := body[i]
		if entry && depth == 0 {
			if m := key.FindStringSubmatch(body[i:]); m != nil {
				keys = append(keys, m[1])
				i += len(m[0]) - 1
				entry = false
				continue
			}
		}
		switch c {
		case '\'', '"':
			i = skipString(body, i)
			entry = false
		case '{', '(', '[':
			depth++
			entry = false
		case '}', ')', ']':
			if depth == 0 {
				return keys
			}
			depth--
		case ';', '\n':
			entry = depth == 0
		case ' ', '\t', '\r':
		default:
			entry = false
		}
	}
	return keys
}

// skipString returns the index of the quote that closes the string opening at i (a quote written twice
// is one quote of that kind; in double quotes a backtick escapes the next character).
func skipString(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case q == '"' && s[j] == '`':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j
		}
	}
	return len(s)
}

// stripComments removes `#` line comments and `<# #>` block comments outside strings.
func stripComments(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'' || s[i] == '"':
			j := skipString(s, i)
			b.WriteString(s[i:min(j+1, len(s))])
			i = j
		case strings.HasPrefix(s[i:], "<#"):
			end := strings.Index(s[i:], "#>")
			if end < 0 {
				return b.String()
			}
			i += end + 1
		case s[i] == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			if i < len(s) {
				b.WriteByte('\n')
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// The checker itself, on small scripts: each drift a real script could have is reported, and what only
// looks like a read or a result (a comment, a string) is not.
func TestCheckScriptFindsDrift(t *testing.T) {
	const good = "$p = Get-WcParams\n$a = [string]$p.service\nWrite-WcResult @{ service = $a; state = 'Running'; start_type = 'x;y = 1'\n  server_version = (f @{ q = 1 }); os_arch = $z }\n"
	cases := []struct {
		name, script string
		p            Params
		want         []string // each must appear in one problem; none means no problem at all
	}{
		{"agrees", good, StartService{}, nil},
		{"comment and strings do not count", "# $p.bogus and Write-WcResult @{ bogus = 1 }\n<# $p.other #>\n" + good + "$x = '# not a comment $p.service'\n", StartService{}, nil},
		{"misspelt parameter", strings.Replace(good, "$p.service", "$p.servcie", 1), StartService{},
			[]string{`reads $p.servcie`, `never reads $p.service`}},
		{"result key dropped", strings.Replace(good, "os_arch = $z", "", 1), StartService{}, []string{`never writes "os_arch"`}},
		{"result key the type lacks", strings.Replace(good, "os_arch = $z", "os_arch = $z; extra = 1", 1), StartService{}, []string{`writes "extra"`}},
		{"an error result's other keys are the type's", good + "Write-WcResult @{ error = @{ code = 'x' }; bogus = 1 }\n", StartService{}, []string{`error result writes "bogus"`}},
		{"nested parameter misspelt", "$p = Get-WcParams\n$p.nat.nmae\n", InstallContainerd{}, []string{`reads $p.nat.nmae`, `never reads $p.nat.name`, `never reads $p.nerdctl.url`}},
		{"nested result key missing", "$p = Get-WcParams\n$p.engine; $p.nat_network\nWrite-WcResult @{ engine = 1; service = @{ name = 1; state = 2 }; data_root = 3; removed = 4 }\n",
			PrepareImage{}, []string{`the key "start_type"`}},
		{"params assigned twice", "$p = Get-WcParams\n$p = @{}\n" + good, StartService{}, []string{"read once"}},
		{"member access after a value is not a name", strings.Replace(good, "$p.service", "$p.service.Trim()", 1), StartService{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := checkScript(c.script, c.p)
			if len(c.want) == 0 && len(got) > 0 {
				t.Fatalf("problems in an agreeing script: %q", got)
			}
			for _, w := range c.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
					t.Errorf("no problem names %q: %q", w, got)
				}
			}
		})
	}
}
