package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// -only rewrites the named families' sections and nothing else: a section the report has is replaced in
// place, a new one goes where the intro orders it, the head and the other sections stay byte for byte.
func TestMergeSections(t *testing.T) {
	report := "# Benchmarks\n\nMeasured long ago.\n\n## A\n\nold A\n\n| case |\n\n## C\n\nkept C\n\n| case |\n"
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	if err := os.WriteFile(path, []byte(report), 0o600); err != nil {
		t.Fatal(err)
	}
	all, order := parse(strings.NewReader("BenchmarkA/x-2 1 100 ns/op 5 sessions/apply\nBenchmarkB 1 200 ns/op\nBenchmarkA/x-2 1 300 ns/op 7 sessions/apply\n"))
	text := map[string]string{"BenchmarkA": "new text for A\n", "BenchmarkB": "text for B\n"}
	if err := mergeSections(path, []string{"BenchmarkA", "BenchmarkB"}, all, order, text, []string{"BenchmarkA", "BenchmarkB", "BenchmarkC"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{"# Benchmarks\n\nMeasured long ago.\n\n## A\n\nnew text for A\n\nThis section alone was measured ",
		"| x | 2 | 0.2 µs | 6 |", "each figure is the median of 2 runs", "## B\n\ntext for B\n", "## C\n\nkept C\n\n| case |\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "old A") || strings.Index(got, "## A") > strings.Index(got, "## B") || strings.Index(got, "## B") > strings.Index(got, "## C") {
		t.Errorf("sections replaced or ordered wrongly:\n%s", got)
	}
	if err := mergeSections(path, []string{"BenchmarkD"}, all, order, text, nil); err == nil {
		t.Error("a family without results was accepted")
	}
}
