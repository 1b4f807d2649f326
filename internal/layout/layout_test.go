package layout

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The limits of DEVELOPERS.md.
const (
	maxFileLines = 800
	maxFuncLines = 80
	maxJobsLines = 5000
	module       = "github.com/npress/nightly"
)

// source is one non-test Go file of the repository outside third_party/.
type source struct {
	path  string // relative to the repository
	lines int
	file  *ast.File
	fset  *token.FileSet
}

// sources parses every non-test Go file of the repository.
func sources(t *testing.T) []source {
	t.Helper()
	root := filepath.Join("..", "..")
	var out []source
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && (rel == "third_party" || strings.HasPrefix(d.Name(), ".") && rel != ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments)
		if err != nil {
			return err
		}
		out = append(out, source{path: filepath.ToSlash(rel), lines: strings.Count(string(src), "\n"), file: f, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("found only %d Go files: is the test run from its own folder?", len(out))
	}
	return out
}

// No Go file over 800 lines; jobs/ under 5,000 lines in all (physical lines, comments
// included, test files aside; its test-helper package jobstest counts, as a plain count
// of jobs/ would).
func TestFileSizes(t *testing.T) {
	jobs := 0
	for _, s := range sources(t) {
		if s.lines > maxFileLines {
			t.Errorf("%s has %d lines; split it by concern (at most %d)", s.path, s.lines, maxFileLines)
		}
		if strings.HasPrefix(s.path, "jobs/") {
			jobs += s.lines
		}
	}
	if jobs >= maxJobsLines {
		t.Errorf("jobs/ has %d lines; it keeps only the night (under %d): move what is not wiring into a package of its own", jobs, maxJobsLines)
	}
	t.Logf("jobs/: %d lines", jobs)
}

// No function over 80 lines unless its doc comment says why it is long.
func TestFunctionSizes(t *testing.T) {
	reason := regexp.MustCompile(`(?i)\b(long|lines)\b`)
	for _, s := range sources(t) {
		for _, d := range s.file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			n := s.fset.Position(fd.End()).Line - s.fset.Position(fd.Pos()).Line + 1
			if n > maxFuncLines && (fd.Doc == nil || !reason.MatchString(fd.Doc.Text())) {
				t.Errorf("%s: %s has %d lines; split it, or say in its doc comment why it is long", s.path, fd.Name.Name, n)
			}
		}
	}
}

// SQL is written only in store/; `testing` is imported only by tests and test-helper
// packages (named *test).
func TestSQLAndTestingImports(t *testing.T) {
	sql := regexp.MustCompile(`(?i)^\s*(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|ALTER\s+TABLE)\b`)
	for _, s := range sources(t) {
		inStore := strings.HasPrefix(s.path, "store/")
		helper := strings.HasSuffix(filepath.Dir(s.path), "test")
		for _, imp := range s.file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if (p == "testing" || p == "testing/fstest") && !helper {
				t.Errorf("%s imports %s outside a test", s.path, p)
			}
		}
		if inStore {
			continue
		}
		ast.Inspect(s.file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			v, err := strconv.Unquote(lit.Value)
			if err == nil && sql.MatchString(v) {
				t.Errorf("%s:%d: SQL outside store/: %.60q", s.path, s.fset.Position(lit.Pos()).Line, v)
			}
			return true
		})
	}
}

// web reaches jobs only through the interfaces it defines.
func TestWebDoesNotImportJobs(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", module+"/web").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == module+"/jobs" || dep == module+"/ledger" || dep == module+"/demo" {
			t.Errorf("web depends on %s; give web an interface it defines instead", dep)
		}
	}
}
