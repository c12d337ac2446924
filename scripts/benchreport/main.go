// Command benchreport turns `go test -bench` output (several runs of each benchmark, -count N) into
// docs/benchmarks.md: one table per benchmark family, each figure the median of its runs, with the
// machine, the date and the commit. It is run by scripts/bench (`make bench`).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

type series struct {
	name   string // BenchmarkConverge/mode=x (GOMAXPROCS suffix removed)
	units  []string
	values map[string][]float64
}

func main() {
	in := flag.String("in", "", "go test -bench output")
	out := flag.String("out", "docs/benchmarks.md", "report to write")
	intro := flag.String("intro", "", "markdown file with the text before the tables (sections are matched by family)")
	only := flag.String("only", "", "comma-separated families (BenchmarkX): rewrite only their sections of the existing -out, "+
		"each with its own measurement line, and leave the rest of it as it is")
	flag.Parse()
	f, err := os.Open(*in)
	if err != nil {
		fail(err)
	}
	all, order := parse(f)
	_ = f.Close()
	sections, sectionOrder := readSections(*intro)
	if *only != "" {
		if err := mergeSections(*out, strings.Split(*only, ","), all, order, sections, sectionOrder); err != nil {
			fail(err)
		}
		return
	}
	var b strings.Builder
	b.WriteString(sections["# head"])
	fmt.Fprintf(&b, "\nMeasured %s at commit `%s`: %d CPUs (%s), %s, %s/%s. Each figure is the median of %s.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), commit(), runtime.NumCPU(), cpuModel(), goVersion(), runtime.GOOS, runtime.GOARCH, runsText(all))
	families := []string{}
	byFamily := map[string][]*series{}
	for _, n := range order {
		fam := strings.SplitN(n, "/", 2)[0]
		if _, ok := byFamily[fam]; !ok {
			families = append(families, fam)
		}
		byFamily[fam] = append(byFamily[fam], all[n])
	}
	for _, fam := range families {
		section(&b, fam, sections[fam], "", byFamily[fam])
	}
	if s := sections["# tail"]; s != "" {
		b.WriteString(strings.TrimSpace(s) + "\n")
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil { //nolint:gosec // a document in the repository
		fail(err)
	}
}

// section writes one family's section: its heading, its text from the intro, an optional line, its table.
func section(b *strings.Builder, fam, text, line string, ss []*series) {
	fmt.Fprintf(b, "## %s\n\n", strings.TrimPrefix(fam, "Benchmark"))
	if text != "" {
		b.WriteString(strings.TrimSpace(text) + "\n\n")
	}
	if line != "" {
		b.WriteString(line + "\n\n")
	}
	table(b, ss)
}

// mergeSections rewrites the sections of the given families in the report at path, from this run's
// results, and leaves every other section as it was: a family missing from the report is inserted
// before the first section the intro orders after it (at the end when none). Each rewritten section
// says when and at which commit it was measured, since the report's own line is about the other ones.
func mergeSections(path string, families []string, all map[string]*series, order []string, text map[string]string, introOrder []string) error {
	old, err := os.ReadFile(path) //nolint:gosec // the report in the repository, named by scripts/bench
	if err != nil {
		return fmt.Errorf("-only rewrites sections of an existing report: %w", err)
	}
	// The report is its head, then one part per "## " heading.
	parts := strings.SplitAfter(string(old), "\n")
	head, titles, bodies := "", []string{}, map[string]string{}
	for _, line := range parts {
		if t, ok := strings.CutPrefix(line, "## "); ok {
			titles = append(titles, strings.TrimSpace(t))
		}
		if len(titles) == 0 {
			head += line
			continue
		}
		bodies[titles[len(titles)-1]] += line
	}
	rank := func(title string) int {
		for i, f := range introOrder {
			if strings.TrimPrefix(f, "Benchmark") == title {
				return i
			}
		}
		return len(introOrder)
	}
	for _, fam := range families {
		var ss []*series
		mine := map[string]*series{}
		for _, n := range order {
			if strings.SplitN(n, "/", 2)[0] == fam {
				ss = append(ss, all[n])
				mine[n] = all[n]
			}
		}
		if len(ss) == 0 {
			return fmt.Errorf("-only %s: the benchmark output has no results for it", fam)
		}
		var b strings.Builder
		section(&b, fam, text[fam], fmt.Sprintf("This section alone was measured %s at commit `%s` (`BENCH_ONLY`); each figure is the median of %s.",
			time.Now().UTC().Format("2006-01-02 15:04 UTC"), commit(), runsText(mine)), ss)
		title := strings.TrimPrefix(fam, "Benchmark")
		if _, ok := bodies[title]; !ok {
			at := len(titles)
			for i, t := range titles {
				if rank(t) > rank(title) {
					at = i
					break
				}
			}
			titles = slices.Insert(titles, at, title)
		}
		bodies[title] = b.String()
	}
	var b strings.Builder
	b.WriteString(head)
	for _, t := range titles {
		b.WriteString(bodies[t])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644) //nolint:gosec,wrapcheck // a document in the repository
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchreport:", err)
	os.Exit(1)
}

// parse reads benchmark result lines: name, iterations, then value/unit pairs.
func parse(r io.Reader) (map[string]*series, []string) {
	all := map[string]*series{}
	var order []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			continue
		}
		name := fields[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		s := all[name]
		if s == nil {
			s = &series{name: name, values: map[string][]float64{}}
			all[name] = s
			order = append(order, name)
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			u := fields[i+1]
			if _, ok := s.values[u]; !ok {
				s.units = append(s.units, u)
			}
			s.values[u] = append(s.values[u], v)
		}
	}
	return all, order
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// unitOrder puts the figures users care about first; anything else follows in the order seen.
var unitOrder = []string{"ns/op", "MB/s", "requests/apply", "sessions/apply", "connections/apply", "reboots/apply", "steps/apply", "uploaded-scripts/apply", "bytes-sent/apply",
	"bytes-received/apply", "requests/noop-apply", "sessions/noop-apply", "bytes-sent/noop-apply", "ms/noop-apply", "requests/upload", "payload-bytes/request"}

func table(b *strings.Builder, ss []*series) {
	var units []string
	for _, u := range unitOrder {
		for _, s := range ss {
			if _, ok := s.values[u]; ok {
				units = append(units, u)
				break
			}
		}
	}
	for _, s := range ss {
		for _, u := range s.units {
			if !slices.Contains(units, u) {
				units = append(units, u)
			}
		}
	}
	b.WriteString("| case | runs |")
	for _, u := range units {
		b.WriteString(" " + header(u) + " |")
	}
	b.WriteString("\n|---|---:|" + strings.Repeat("---:|", len(units)) + "\n")
	for _, s := range ss {
		name := strings.TrimPrefix(s.name, strings.SplitN(s.name, "/", 2)[0])
		name = strings.TrimPrefix(name, "/")
		if name == "" {
			name = "—"
		}
		fmt.Fprintf(b, "| %s | %d |", name, runs(s))
		for _, u := range units {
			v, ok := s.values[u]
			if !ok {
				b.WriteString(" |")
				continue
			}
			b.WriteString(" " + format(u, median(v)) + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func runs(s *series) int {
	n := 0
	for _, v := range s.values {
		n = max(n, len(v))
	}
	return n
}

func header(u string) string {
	switch {
	case u == "ns/op":
		return "time/op"
	case strings.HasPrefix(u, "bytes-"), strings.HasPrefix(u, "payload-bytes"):
		return strings.Replace(strings.Replace(u, "payload-bytes", "payload KB", 1), "bytes-", "KB ", 1)
	case u == "B/op":
		return "alloc B/op"
	}
	return u
}

func format(u string, v float64) string {
	switch {
	case u == "ns/op":
		d := time.Duration(v)
		switch {
		case d >= 10*time.Second:
			return fmt.Sprintf("%.1f s", d.Seconds())
		case d >= time.Second:
			return fmt.Sprintf("%.2f s", d.Seconds())
		case d >= time.Millisecond:
			return fmt.Sprintf("%.1f ms", float64(d)/1e6)
		default:
			return fmt.Sprintf("%.1f µs", float64(d)/1e3)
		}
	case strings.Contains(u, "bytes"):
		return fmt.Sprintf("%.1f", v/1024)
	case v == math.Trunc(v) && v < 1e9:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

func runsText(all map[string]*series) string {
	lo, hi := math.MaxInt, 0
	for _, s := range all {
		lo, hi = min(lo, runs(s)), max(hi, runs(s))
	}
	if lo == hi {
		return fmt.Sprintf("%d runs", lo)
	}
	return fmt.Sprintf("%d to %d runs (the runs column)", lo, hi)
}

// readSections splits the intro file at lines "<!-- FamilyName -->"; text before the first marker is
// "# head", and "<!-- # tail -->" closes the document.
func readSections(path string) (map[string]string, []string) {
	out := map[string]string{}
	var order []string
	if path == "" {
		return out, order
	}
	b, err := os.ReadFile(path) //nolint:gosec // a file in the repository, named by scripts/bench
	if err != nil {
		fail(err)
	}
	key := "# head"
	for _, line := range strings.SplitAfter(string(b), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "<!-- ") && strings.HasSuffix(t, " -->") {
			key = strings.TrimSuffix(strings.TrimPrefix(t, "<!-- "), " -->")
			order = append(order, key)
			continue
		}
		out[key] += line
	}
	return out, order
}

func commit() string {
	out, err := exec.CommandContext(context.Background(), "git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, _ := exec.CommandContext(context.Background(), "git", "status", "--porcelain", "--untracked-files=no").Output(); len(st) > 0 {
		c += " (with uncommitted changes)"
	}
	return c
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func goVersion() string { return runtime.Version() }
