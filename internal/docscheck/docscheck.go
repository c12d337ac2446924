// Package docscheck keeps the repository's explanations inside the repository: it computes the anchors
// GitHub gives Markdown headings and finds the links and source tags that code comments and docs use, so
// that its tests can prove every pointer into docs/knowledge and docs/design.md resolves.
package docscheck

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Anchors returns the anchors GitHub generates for the ATX headings of a Markdown document, outside
// fenced code blocks: the heading text without its Markdown (code spans keep their text, links their
// label), lower-cased, with every character that is not a letter, a digit, a space, a hyphen or an
// underscore removed and each space turned into a hyphen; a repeated anchor gets -1, -2, ... appended.
func Anchors(markdown string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	fence := ""
	for _, line := range strings.Split(markdown, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			continue
		}
		m := heading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		a := slug(m[1])
		if n, dup := seen[a]; dup {
			seen[a] = n + 1
			a = fmt.Sprintf("%s-%d", a, n+1)
		} else {
			seen[a] = 0
		}
		out[a] = true
	}
	return out
}

var (
	heading    = regexp.MustCompile(`^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$`)
	inlineLink = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
)

// slug is GitHub's anchor for one heading's text.
func slug(text string) string {
	text = inlineLink.ReplaceAllString(text, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Pointer is a reference to a section of a document in docs/, found in a file's text.
type Pointer struct {
	Doc    string // the document's path from the repository root, e.g. docs/knowledge/windows.md
	Anchor string
	Line   int
}

// pointer matches docs/knowledge/<name>.md#<anchor> and docs/design.md#<anchor>, followed by any number
// of further anchors of the same document written ", #<anchor>" or " and #<anchor>".
var (
	pointer      = regexp.MustCompile(`docs/(knowledge/[a-z0-9-]+\.md|design\.md)#([a-z0-9_-]+)((?:(?:,| and) #[a-z0-9_-]+)*)`)
	extraAnchors = regexp.MustCompile(`#([a-z0-9_-]+)`)
)

// pointers returns every section pointer into docs/knowledge or docs/design.md in text.
func pointers(text string) []Pointer {
	var out []Pointer
	for i, line := range strings.Split(text, "\n") {
		for _, m := range pointer.FindAllStringSubmatch(line, -1) {
			doc := "docs/" + m[1]
			out = append(out, Pointer{Doc: doc, Anchor: m[2], Line: i + 1})
			for _, e := range extraAnchors.FindAllStringSubmatch(m[3], -1) {
				out = append(out, Pointer{Doc: doc, Anchor: e[1], Line: i + 1})
			}
		}
	}
	return out
}

// link is a relative Markdown link, as written.
type link struct {
	Target string // the path part, empty for a link within the same document
	Anchor string
	Line   int
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]*)\)`)

// links returns the relative links of a Markdown document (absolute URLs and mailto links are left out).
func links(markdown string) []link {
	var out []link
	for i, line := range strings.Split(markdown, "\n") {
		for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
			t := m[1]
			if t == "" || strings.Contains(t, "://") || strings.HasPrefix(t, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(t, "#")
			out = append(out, link{Target: path, Anchor: anchor, Line: i + 1})
		}
	}
	return out
}

// sourceTag matches the source tags of docs/knowledge/windows.md: [MS-VC], [MOBY-SYS], [I-27668], [P-UPD] ...
var sourceTag = regexp.MustCompile(`\[((?:MS|WSD|HCS|MOBY|CLI|LK|WC|CTK|CTRD|DOCS|GHA|PLAT|XPR|SSP|DMP|RGL)(?:-[A-Za-z0-9]+)*|(?:P|I)(?:-[A-Za-z0-9]+)+)\]`)

// sourceTags returns the source tags used in text, each once, in order of first use.
func sourceTags(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range sourceTag.FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// definedTag matches a tag's definition in the Sources list: the tag in bold, **[MS-VC]**.
var definedTag = regexp.MustCompile(`\*\*\[([A-Za-z0-9-]+)\]\*\*`)

// definedTags returns the tags a Sources list defines.
func definedTags(markdown string) map[string]bool {
	out := map[string]bool{}
	for _, m := range definedTag.FindAllStringSubmatch(markdown, -1) {
		out[m[1]] = true
	}
	return out
}
