package docscheck

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	for _, c := range []struct{ heading, want string }{
		{"Process isolation", "process-isolation"},
		{"Relaxations since Server 2022", "relaxations-since-server-2022"},
		{"Packer's WinRM communicator", "packers-winrm-communicator"},
		{"Hyper-V isolation", "hyper-v-isolation"},
		{"The `$WcParams` prelude", "the-wcparams-prelude"},
		{"One engine, two front doors", "one-engine-two-front-doors"},
		{"[Linked](x.md) heading", "linked-heading"},
		{"Données & co", "données--co"},
		{"snake_case stays", "snake_case-stays"},
	} {
		if got := slug(c.heading); got != c.want {
			t.Errorf("Slug(%q) = %q, want %q", c.heading, got, c.want)
		}
	}
}

func TestAnchors(t *testing.T) {
	doc := "# Title\n\n## Faults\n\n```\n## Not a heading\n```\n\n## Faults\n### Closing hashes ##\n    ## indented code\n"
	got := Anchors(doc)
	for _, want := range []string{"title", "faults", "faults-1", "closing-hashes"} {
		if !got[want] {
			t.Errorf("anchor %q missing from %v", want, got)
		}
	}
	for _, not := range []string{"not-a-heading", "indented-code"} {
		if got[not] {
			t.Errorf("anchor %q must not exist (code): %v", not, got)
		}
	}
}

func TestPointers(t *testing.T) {
	text := "// a (docs/knowledge/windows.md#installing-docker, #installing-containerd and #lcow).\n" +
		"// b docs/design.md#winsim-control-api; c ../../docs/knowledge/winrm.md#fault-catalogue\n"
	var got []string
	for _, p := range pointers(text) {
		got = append(got, p.Doc+"#"+p.Anchor)
	}
	want := []string{"docs/knowledge/windows.md#installing-docker", "docs/knowledge/windows.md#installing-containerd",
		"docs/knowledge/windows.md#lcow", "docs/design.md#winsim-control-api", "docs/knowledge/winrm.md#fault-catalogue"}
	if !slices.Equal(got, want) {
		t.Errorf("Pointers = %q, want %q", got, want)
	}
}

// repoRoot is the directory holding go.mod, found upwards from the package directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// textFiles are the files whose comments, strings and prose are checked: Go, Markdown, PowerShell,
// Terraform/Packer HCL, YAML, shell, and the extension-less scripts under scripts/ and .ci/.
func textFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "dist", "node_modules", ".terraform":
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(rel)
		dir := filepath.Dir(rel)
		switch {
		case slices.Contains([]string{".go", ".md", ".ps1", ".tf", ".hcl", ".yml", ".yaml", ".sh", ".tmpl"}, ext):
		case ext == "" && (strings.HasPrefix(dir, "scripts") || strings.HasPrefix(dir, ".ci") || rel == "GNUmakefile"):
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("found only %d files under %s: the walk is broken", len(out), root)
	}
	return out
}

// outside are the places a clone of the repository does not have; the words are split so that this
// file does not match itself.
var outside = regexp.MustCompile(`shared` + `/(reference|design)|\.\./shared\b|\b(domain|ecosystem|toolchain)\.md\b|(^|[^/a-z])(winrm|azure)\.md §`)

// pendingOutside are files that may still point outside the repository while they are being rewritten.
// Each entry must still match: once a file is clean or gone, the test fails until its entry is removed,
// so the list only shrinks. It is empty.
var pendingOutside = []string{}

// TestNoPointersOutsideTheRepository fails when a comment, string or document points at the research
// notes the project was started from, which a clone of the repository does not contain. What the code
// relies on is in docs/knowledge and docs/design.md.
func TestNoPointersOutsideTheRepository(t *testing.T) {
	root := repoRoot(t)
	files := textFiles(t, root)
	for _, rel := range slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	}) {
		if slices.Contains(pendingOutside, rel) {
			continue
		}
		for i, line := range strings.Split(files[rel], "\n") {
			if m := outside.FindString(line); m != "" {
				t.Errorf("%s:%d points outside the repository (%q): point at docs/knowledge/*.md or docs/design.md instead\n\t%s",
					rel, i+1, m, strings.TrimSpace(line))
			}
		}
	}
	for _, rel := range pendingOutside {
		text, ok := files[rel]
		if !ok || !outside.MatchString(text) {
			t.Errorf("%s no longer points outside the repository: remove it from pendingOutside", rel)
		}
	}
}

// TestPointersResolve fails when a pointer such as docs/knowledge/windows.md#process-isolation names a
// document that does not exist or a section it does not have (GitHub's anchor rules).
func TestPointersResolve(t *testing.T) {
	root := repoRoot(t)
	files := textFiles(t, root)
	anchors := map[string]map[string]bool{}
	n := 0
	for rel, text := range files {
		for _, p := range pointers(text) {
			a, ok := anchors[p.Doc]
			if !ok {
				b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p.Doc)))
				if errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s:%d points at %s#%s: no such document", rel, p.Line, p.Doc, p.Anchor)
					continue
				} else if err != nil {
					t.Fatal(err)
				}
				a = Anchors(string(b))
				anchors[p.Doc] = a
			}
			n++
			if !a[p.Anchor] {
				t.Errorf("%s:%d points at %s#%s: the document has no such section", rel, p.Line, p.Doc, p.Anchor)
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d pointers into docs/knowledge and docs/design.md found; the code's comments point there about 100 times", n)
	}
}

// TestKnowledgeLinksResolve checks the relative links of docs/knowledge/*.md and docs/design.md: the
// target exists and, for a Markdown target, has the section named.
func TestKnowledgeLinksResolve(t *testing.T) {
	root := repoRoot(t)
	docs, err := filepath.Glob(filepath.Join(root, "docs", "knowledge", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, filepath.Join(root, "docs", "design.md"))
	if len(docs) < 5 {
		t.Fatalf("expected docs/design.md and at least four docs/knowledge pages, found %d", len(docs))
	}
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, doc)
		for _, l := range links(string(b)) {
			target := doc
			if l.Target != "" {
				target = filepath.Join(filepath.Dir(doc), filepath.FromSlash(l.Target))
			}
			tb, err := os.ReadFile(target)
			if err != nil {
				if _, serr := os.Stat(target); serr == nil { // a directory
					continue
				}
				t.Errorf("%s:%d links to %s: %v", rel, l.Line, l.Target, err)
				continue
			}
			if l.Anchor != "" && strings.HasSuffix(target, ".md") && !Anchors(string(tb))[l.Anchor] {
				t.Errorf("%s:%d links to %s#%s: no such section", rel, l.Line, l.Target, l.Anchor)
			}
		}
	}
}

// TestSourceTagsResolve fails when the code or a document cites a source tag ([MS-VC], [I-27668], ...)
// that the Sources list of docs/knowledge/windows.md does not resolve.
func TestSourceTagsResolve(t *testing.T) {
	root := repoRoot(t)
	files := textFiles(t, root)
	const sources = "docs/knowledge/windows.md"
	defined := definedTags(files[sources])
	if len(defined) < 50 {
		t.Fatalf("%s defines only %d source tags", sources, len(defined))
	}
	used := 0
	for rel, text := range files {
		for _, tag := range sourceTags(text) {
			used++
			if !defined[tag] {
				t.Errorf("%s cites [%s], which %s#sources does not resolve", rel, tag, sources)
			}
		}
	}
	if used < 100 {
		t.Errorf("only %d tag uses found; internal/compat alone cites more", used)
	}
}
