package docscheck

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/wincontainers/wincontainers/"

// layerTable reads docs/design.md's layer table: each row's name and the packages (module-relative
// paths) it names, in the table's order (from the bottom layer up).
func layerTable(t *testing.T, design string) (names []string, rows [][]string) {
	t.Helper()
	_, rest, ok := strings.Cut(design, "| Layer | Packages | Job |\n|---|---|---|\n")
	if !ok {
		t.Fatal("docs/design.md has no layer table (| Layer | Packages | Job |)")
	}
	code := regexp.MustCompile("`([a-z0-9/]+)`")
	for line := range strings.SplitSeq(rest, "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			t.Fatalf("layer table row %q has no packages cell", line)
		}
		var pkgs []string
		for _, m := range code.FindAllStringSubmatch(cells[2], -1) {
			pkgs = append(pkgs, strings.TrimSuffix(m[1], "/"))
		}
		names = append(names, strings.TrimSpace(cells[1]))
		rows = append(rows, pkgs)
	}
	if len(rows) < 3 {
		t.Fatalf("the layer table has %d rows", len(rows))
	}
	return names, rows
}

// layerOf is the row of pkg: the row naming pkg or its nearest parent (-1: none).
func layerOf(rows [][]string, pkg string) int {
	best, bestLen := -1, -1
	for i, pkgs := range rows {
		for _, p := range pkgs {
			if (pkg == p || strings.HasPrefix(pkg, p+"/")) && len(p) > bestLen {
				best, bestLen = i, len(p)
			}
		}
	}
	return best
}

// TestLayers: no package imports a package of a later row of docs/design.md's layer table, nor support
// code (winsim, test realms, fakes), and every package belongs to a row. It would catch, for example,
// the planner importing the runner, or a transport importing the connections that assemble it.
func TestLayers(t *testing.T) {
	root := repoRoot(t)
	design, err := os.ReadFile(filepath.Join(root, "docs", "design.md"))
	if err != nil {
		t.Fatal(err)
	}
	names, rows := layerTable(t, string(design))
	support := len(rows) - 1
	if names[support] != "support" {
		t.Fatalf("the layer table's last row is %q, want support", names[support])
	}
	imports := map[string]map[string]string{} // package -> imported package -> file
	fset := token.NewFileSet()
	for _, top := range []string{"internal", "provider", "packer"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			pkg := filepath.ToSlash(rel)
			if imports[pkg] == nil {
				imports[pkg] = map[string]string{}
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if dep, ok := strings.CutPrefix(p, module); ok {
					imports[pkg][dep] = filepath.Base(path)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(imports) < 20 {
		t.Fatalf("found %d packages: the walk is broken", len(imports))
	}
	for pkg, deps := range imports {
		from := layerOf(rows, pkg)
		if from < 0 {
			t.Errorf("%s is in no row of docs/design.md's layer table: add it to its layer (or to support)", pkg)
			continue
		}
		for dep, file := range deps {
			to := layerOf(rows, dep)
			switch {
			case to < 0:
				t.Errorf("%s (%s) imports %s, which is in no row of the layer table", pkg, file, dep)
			case from == support:
			case to == support:
				t.Errorf("%s (%s, layer %s) imports the support package %s", pkg, file, names[from], dep)
			case to > from:
				t.Errorf("%s (%s, layer %s) imports %s of the later layer %s", pkg, file, names[from], dep, names[to])
			}
		}
	}
}
