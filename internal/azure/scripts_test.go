package azure

import (
	"fmt"
	"testing"

	sitter "github.com/tree-sitter/go-tree-sitter"
	tsps "github.com/wharflab/tree-sitter-powershell/bindings/go"

	"github.com/wincontainers/wincontainers/internal/powershell"
)

// psSyntax parses PowerShell with the tree-sitter grammar (as internal/powershell's syntax test does).
func psSyntax(src string) error {
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(sitter.NewLanguage(tsps.Language())); err != nil {
		return fmt.Errorf("loading the PowerShell grammar: %w", err)
	}
	tree := p.Parse([]byte(src), nil)
	defer tree.Close()
	if tree.RootNode().HasError() {
		return fmt.Errorf("syntax error")
	}
	return nil
}

// The Run Command wrappers, alone and around every library script, pass the 5.1 lint and parse.
func TestRunCommandScriptsLintAndParse(t *testing.T) {
	lib := powershell.MustLoad()
	check := func(name, body string) {
		for _, p := range powershell.Lint(name, body) {
			if p.Rule == "header" { // the wrappers start with their param block, not a library header
				continue
			}
			t.Errorf("%s: %s", name, p)
		}
		if err := psSyntax(body); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	check("runcommand", wrapperScript)
	check("runcommand-chunk", chunkScript)
	for _, n := range lib.Names() {
		s, _ := lib.Script(n)
		check("runcommand+"+n, WrapperScript(s.Body))
	}
	if psSyntax("try { 1 } finally {\n") == nil {
		t.Error("the syntax check must be able to fail")
	}
}
