package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	got := words("with `type = \"containerd\"` the `x` tarball")
	want := []string{"with", "`type = \"containerd\"`", "the", "`x`", "tarball"}
	if !slices.Equal(got, want) {
		t.Errorf("words = %q, want %q", got, want)
	}
}

func TestCommentWraps(t *testing.T) {
	var b bytes.Buffer
	text := strings.Repeat("word ", 40) + "`a code span` end"
	comment(&b, "\t", text)
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if len(l)+3 > width || !strings.HasPrefix(l, "\t// ") || strings.Count(l, "`")%2 == 1 {
			t.Errorf("line %q: too long, not a comment, or a code span cut", l)
		}
	}
	if got := strings.Join(strings.Fields(strings.ReplaceAll(b.String(), "//", "")), " "); got != strings.Join(strings.Fields(text), " ") {
		t.Errorf("comment changed the text: %q", got)
	}
}
