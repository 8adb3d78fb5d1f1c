package provider

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// errorsGuideTemplate is the guide that must name every error and warning
// title the provider can show, with its cause and fix.
const errorsGuideTemplate = "templates/guides/errors.md.tmpl"

// diagnosticMethods are the diag.Diagnostics methods that add a diagnostic,
// with the position of the summary (title) among their arguments.
var diagnosticMethods = map[string]int{
	"AddError":            0,
	"AddWarning":          0,
	"AddAttributeError":   1,
	"AddAttributeWarning": 1,
}

// computedTitles are the summaries that are not a string literal, keyed by
// their source text, with every title they can produce. A nil list means the
// titles come from a summary helper, whose returned literals are collected
// separately (functions named *Summary, or returning a result named summary).
// A new computed summary fails the test until it is listed here.
var computedTitles = map[string][]string{
	// ImportState: by import ID or by import identity.
	`"Invalid " + what`: {"Invalid import ID", "Invalid import identity"},
	// boolSetting and int64Setting, called for these variables in Configure.
	`"Invalid " + env + " environment variable"`: {
		"Invalid " + envInsecureHTTP + " environment variable",
		"Invalid " + envMaxRetries + " environment variable",
		"Invalid " + envMaxRequestsPerMinute + " environment variable",
	},
	// Update: the fallback of updateErrorSummary for either planned status.
	`"Cannot change the status of the OAuth app to " + plan.Status.ValueString()`: {
		"Cannot change the status of the OAuth app to " + client.StatusActive,
		"Cannot change the status of the OAuth app to " + client.StatusSuspended,
	},
	// ModifyPlan: scopeProblem's summary (a summary helper).
	`summary`: nil,
}

// providerTitle is one title and where the source shows it.
type providerTitle struct {
	title, where string
}

// providerDiagnosticTitles extracts, with go/parser, every title the
// provider's non-test sources in dirs can pass to a diagnostic: literal
// summaries, literal fallbacks of summary helpers, the literals the helpers
// return, and computedTitles. Summaries it cannot resolve are returned in
// unknown, by source text and position.
func providerDiagnosticTitles(t *testing.T, dirs ...string) (titles []providerTitle, unknown []string) {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for _, dir := range dirs {
		paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		t.Fatalf("no Go source found in %v", dirs)
	}

	source := func(e ast.Expr) string {
		var b strings.Builder
		if err := printer.Fprint(&b, fset, e); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	where := func(n ast.Node) string {
		pos := fset.Position(n.Pos())
		return fmt.Sprintf("%s:%d", filepath.ToSlash(pos.Filename), pos.Line)
	}
	literal := func(e ast.Expr) (string, bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(lit.Value)
		return s, err == nil
	}

	// Summary helpers and the position of the summary among their results.
	helpers := map[string]int{}
	for _, f := range files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Type.Results == nil {
				continue
			}
			if strings.HasSuffix(fn.Name.Name, "Summary") {
				helpers[fn.Name.Name] = 0
			}
			i := 0
			for _, field := range fn.Type.Results.List {
				for _, name := range field.Names {
					if name.Name == "summary" {
						helpers[fn.Name.Name] = i
					}
					i++
				}
				if len(field.Names) == 0 {
					i++
				}
			}
		}
	}

	var add func(e ast.Expr)
	add = func(e ast.Expr) {
		if s, ok := literal(e); ok {
			titles = append(titles, providerTitle{s, where(e)})
			return
		}
		if call, ok := e.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok {
				if _, isHelper := helpers[id.Name]; isHelper && len(call.Args) > 0 {
					// apiErrorSummary(err, fallback): the fallback is shown when
					// no provider setting is at fault.
					add(call.Args[len(call.Args)-1])
					return
				}
			}
		}
		src := source(e)
		expanded, known := computedTitles[src]
		if !known {
			unknown = append(unknown, fmt.Sprintf("%s: %s", where(e), src))
			return
		}
		for _, s := range expanded {
			titles = append(titles, providerTitle{s, where(e)})
		}
	}

	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if i, ok := diagnosticMethods[sel.Sel.Name]; ok && len(n.Args) > i {
					add(n.Args[i])
				}
			case *ast.FuncDecl:
				i, ok := helpers[n.Name.Name]
				if !ok || n.Body == nil {
					return true
				}
				ast.Inspect(n.Body, func(m ast.Node) bool {
					if _, isClosure := m.(*ast.FuncLit); isClosure {
						return false
					}
					ret, ok := m.(*ast.ReturnStmt)
					if !ok || len(ret.Results) <= i {
						return true
					}
					// "" means "no problem"; a call is another helper, already
					// collected; a fallback parameter is its callers' literal.
					if s, ok := literal(ret.Results[i]); ok && s != "" {
						titles = append(titles, providerTitle{s, where(ret)})
					}
					return true
				})
			}
			return true
		})
	}
	return titles, unknown
}

// TestErrorsGuide: templates/guides/errors.md.tmpl names every error and
// warning title the provider's source can show, so that a user who meets one
// finds its cause and fix there. A title the guide lacks fails the test by
// name: add a section for it (cause, fix) to the template and run make docs.
// The guide writes each title as a code span, `Title`.
func TestErrorsGuide(t *testing.T) {
	titles, unknown := providerDiagnosticTitles(t, ".", "validators")
	for _, u := range unknown {
		t.Errorf("%s: a diagnostic summary that is neither a string literal nor a summary helper's result: "+
			"list every title it can produce in computedTitles (errors_guide_test.go)", u)
	}

	raw, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(errorsGuideTemplate)))
	if err != nil {
		t.Fatal(err)
	}
	guide := strings.Join(strings.Fields(string(raw)), " ")

	seen := map[string]bool{}
	var all, missing []string
	for _, pt := range titles {
		if seen[pt.title] {
			continue
		}
		seen[pt.title] = true
		all = append(all, pt.title)
		// As a code span, so that "Unknown scope" is not found inside
		// "Unknown scope category".
		if !strings.Contains(guide, "`"+strings.Join(strings.Fields(pt.title), " ")+"`") {
			missing = append(missing, fmt.Sprintf("%q (%s)", pt.title, pt.where))
		}
	}
	slices.Sort(all)
	slices.Sort(missing)
	t.Logf("%d diagnostic titles in the provider's source:\n  %s", len(all), strings.Join(all, "\n  "))
	if len(all) < 40 {
		t.Errorf("found only %d titles: the extraction is broken", len(all))
	}
	if len(missing) > 0 {
		t.Errorf("%s lacks %d of the provider's error and warning titles; give each a section with its cause "+
			"and fix, writing the title as a code span (`Title`), then run make docs:\n  %s", errorsGuideTemplate, len(missing), strings.Join(missing, "\n  "))
	}
	// And the other way round: a section whose title the provider no longer
	// shows would send a reader after a message that cannot appear.
	for _, stale := range guideSectionTitles(string(raw)) {
		if !seen[stale] {
			t.Errorf("%s has a section for %q, which the provider's source no longer shows: remove or rename it", errorsGuideTemplate, stale)
		}
	}
}

// guideSectionTitles returns the code spans of the "#### " headings in the
// guide's section on the provider's own errors and warnings.
func guideSectionTitles(guide string) []string {
	var titles []string
	inSection := false
	for _, line := range strings.Split(guide, "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			inSection = line == "## The provider's errors and warnings"
		case inSection && strings.HasPrefix(line, "#### "):
			// The titles come before the parenthesis: "(error, on `attr`)".
			heading, _, _ := strings.Cut(line, " (")
			spans := strings.Split(heading, "`")
			for i := 1; i < len(spans); i += 2 {
				titles = append(titles, spans[i])
			}
		}
	}
	return titles
}
