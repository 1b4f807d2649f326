package jobs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// A transaction of the night may run more than once (store.DB.Tx retries it whole on a
// conflict or a lost connection): a closure given to n.Tx must not count into the
// step's Result (that is what n.TxCounted is for) nor add to a variable declared
// outside it (a counter, a slice) unless it first resets that variable itself.
func TestTxClosuresLeakNoCounts(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(node ast.Node) bool {
			call, ok := node.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Tx" {
				return true
			}
			if recv, ok := sel.X.(*ast.Ident); !ok || recv.Name != "n" {
				return true
			}
			lit, ok := call.Args[len(call.Args)-1].(*ast.FuncLit)
			if !ok {
				return true
			}
			checked++
			for _, problem := range leaks(lit) {
				t.Errorf("%s: the closure given to n.Tx %s; it may run twice: use n.TxCounted, or reset the variable at its start",
					fset.Position(call.Pos()), problem)
			}
			return true
		})
	}
	if checked < 5 {
		t.Fatalf("found only %d closures given to n.Tx: the check no longer sees them", checked)
	}
}

// leaks lists what lit does that a second run would double: it names res (the step's
// Result), or it increments, adds to or appends to a variable declared outside it
// that it does not first set afresh.
func leaks(lit *ast.FuncLit) []string {
	inner := map[string]bool{}
	for _, f := range lit.Type.Params.List {
		for _, n := range f.Names {
			inner[n.Name] = true
		}
	}
	reset := map[string]bool{}
	var out []string
	ast.Inspect(lit.Body, func(node ast.Node) bool {
		switch x := node.(type) {
		case *ast.Ident:
			if x.Name == "res" {
				out = append(out, "names res")
			}
		case *ast.AssignStmt:
			for i, lhs := range x.Lhs {
				root := rootIdent(lhs)
				if root == "" {
					continue
				}
				switch {
				case x.Tok == token.DEFINE:
					inner[root] = true
				case x.Tok != token.ASSIGN:
					if !inner[root] && !reset[root] {
						out = append(out, "adds to "+root)
					}
				case i < len(x.Rhs) && isAppendTo(x.Rhs[i], root):
					if !inner[root] && !reset[root] {
						out = append(out, "appends to "+root)
					}
				default:
					if _, plain := lhs.(*ast.Ident); plain {
						reset[root] = true
					}
				}
			}
		case *ast.IncDecStmt:
			if root := rootIdent(x.X); root != "" && !inner[root] && !reset[root] {
				out = append(out, "increments "+root)
			}
		case *ast.ValueSpec:
			for _, n := range x.Names {
				inner[n.Name] = true
			}
		}
		return true
	})
	return out
}

// rootIdent is the variable an expression like a.b[c].d starts from.
func rootIdent(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x.Name
		case *ast.SelectorExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		default:
			return ""
		}
	}
}

func isAppendTo(e ast.Expr, name string) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return false
	}
	if f, ok := call.Fun.(*ast.Ident); !ok || f.Name != "append" {
		return false
	}
	return rootIdent(call.Args[0]) == name
}
