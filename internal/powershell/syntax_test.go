package powershell

import (
	"fmt"
	"testing"

	sitter "github.com/tree-sitter/go-tree-sitter"
	tsps "github.com/wharflab/tree-sitter-powershell/bindings/go"
)

// syntaxError parses a script with the tree-sitter PowerShell grammar and returns the first error or
// missing node, or nil. Test-only (cgo), so the shipped binaries stay cgo-free.
func syntaxError(src string) error {
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(sitter.NewLanguage(tsps.Language())); err != nil {
		return fmt.Errorf("loading the PowerShell grammar: %w", err)
	}
	tree := p.Parse([]byte(src), nil)
	defer tree.Close()
	root := tree.RootNode()
	if !root.HasError() {
		return nil
	}
	var find func(n *sitter.Node) *sitter.Node
	find = func(n *sitter.Node) *sitter.Node {
		if n.IsError() || n.IsMissing() {
			return n
		}
		for i := uint(0); i < n.ChildCount(); i++ {
			if c := find(n.Child(i)); c != nil {
				return c
			}
		}
		return nil
	}
	if n := find(root); n != nil {
		pos := n.StartPosition()
		return fmt.Errorf("syntax error near line %d column %d (%s)", pos.Row+1, pos.Column+1, n.Kind())
	}
	return fmt.Errorf("syntax error")
}

func TestScriptsParse(t *testing.T) {
	lib := MustLoad()
	for _, n := range lib.Names() {
		s, _ := lib.Script(n)
		body, err := Body(s, map[string]string{"path": `C:\x`, "sha256": "00"})
		if err != nil {
			t.Fatal(err)
		}
		if err := syntaxError(body); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if err := syntaxError(lib.Bootstrap()); err != nil {
		t.Errorf("bootstrap: %v", err)
	}
}

// The check must be able to fail.
func TestSyntaxCheckCatchesBrokenScripts(t *testing.T) {
	broken := []string{
		"$h = @{ a = 1\n",
		"try { 1 } catch {\n",
		"Write-Output (1 + \n",
		"function f( { }\n",
		"foreach ($x in $y { }\n",
		"Write-Output 'unterminated\n",
		"if ($a) { 1 } }\n",
	}
	for _, b := range broken {
		if syntaxError(b) == nil {
			t.Errorf("not flagged: %q", b)
		}
	}
}
