package provider

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
)

// Every directory under examples/ is a configuration a user may copy, and
// the docs show its files (so is README.md's usage snippet): it must pass
// `terraform validate` on the Terraform versions it declares. TestExamples_validate runs the real terraform binary
// on each (no init, nothing downloaded: the provider is served in-process and
// attached with TF_REATTACH_PROVIDERS, as in the interrupt tests);
// TestExamples_declarations checks, without terraform, what validate cannot:
// that import blocks name a resource the example declares, and that an
// example using a feature of a newer Terraform requires that version.

// newerTerraformEnv names the path of a Terraform newer than
// TF_ACC_TERRAFORM_PATH, for the examples that need one (resource identity,
// list resources and actions). Optional: without it those examples skip.
const newerTerraformEnv = "PIPESHUB_TERRAFORM_NEWER"

// exampleProviderFile is copied beside an example that is only a fragment
// (no required_providers and no provider block of its own).
const exampleProviderFile = "provider/provider.tf"

// exampleFeatureFloors: the Terraform version each feature needs, which an
// example using it must require (the older binaries ignore .tfquery.hcl
// files, so validate alone would not notice one beside 1.11 examples).
var exampleFeatureFloors = map[string]string{
	"ephemeral block":    "1.10",
	"import by identity": "1.12",
	"action block":       "1.14",
	"list block":         "1.14",
	"file .tfquery.hcl":  "1.14",
	"action_trigger":     "1.14",
}

// exampleDir is what the tests need to know of one example directory.
type exampleDir struct {
	rel               string            // path from the repository root, slash-separated
	files             map[string][]byte // the regular files of the directory, by name
	requiredProviders bool              // a terraform block with required_providers
	providerBlock     bool
	constraints       []string          // required_version values
	resources         map[string]bool   // "type.name" of each resource block
	imports           []exampleImport   // import blocks
	features          map[string]string // feature name (exampleFeatureFloors) -> where
	hasQuery          bool              // a .tfquery.hcl file
}

type exampleImport struct {
	to    string
	where string
}

// fragment reports whether the directory needs examples/provider/provider.tf
// beside it to be a configuration.
func (d *exampleDir) fragment() bool { return !d.requiredProviders && !d.providerBlock }

func examplesRoot() string { return filepath.Join("..", "..", "examples") }

// findExampleDirs returns every directory under examples/ that holds a
// Terraform file (.tf or .tfquery.hcl), parsed; a new directory is picked up
// without changing the tests.
func findExampleDirs(t *testing.T) []*exampleDir {
	t.Helper()
	root := examplesRoot()
	var dirs []*exampleDir
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(root, ".."), p)
		dir := newExampleDir(filepath.ToSlash(rel))
		terraformFiles := 0
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			src, err := os.ReadFile(filepath.Join(p, e.Name()))
			if err != nil {
				return err
			}
			dir.files[e.Name()] = src
			if strings.HasSuffix(e.Name(), ".tf") || strings.HasSuffix(e.Name(), ".tfquery.hcl") {
				terraformFiles++
				if err := dir.parse(src, e.Name()); err != nil {
					return err
				}
			}
		}
		if terraformFiles > 0 {
			dirs = append(dirs, dir)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A sanity check that the walk found the examples at all.
	if !slices.ContainsFunc(dirs, func(d *exampleDir) bool { return d.rel == "examples/provider" }) {
		t.Fatalf("found no examples/provider among %d example directories", len(dirs))
	}
	return append(dirs, readmeUsageExample(t))
}

func newExampleDir(rel string) *exampleDir {
	return &exampleDir{rel: rel, files: map[string][]byte{}, resources: map[string]bool{}, features: map[string]string{}}
}

// readmeUsageExample is README.md's usage snippet, the first configuration
// a reader copies, as an example of its own.
func readmeUsageExample(t *testing.T) *exampleDir {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const section = "## Using the provider with a real PipesHub"
	_, after, ok := strings.Cut(string(raw), section)
	if !ok {
		t.Fatalf("README.md has no section %q", section)
	}
	_, snippet, ok := strings.Cut(after, "```terraform\n")
	if ok {
		snippet, _, ok = strings.Cut(snippet, "```")
	}
	if !ok {
		t.Fatalf("README.md's section %q has no terraform code block", section)
	}
	dir := newExampleDir("README.md")
	dir.files["main.tf"] = []byte(snippet)
	if err := dir.parse([]byte(snippet), "main.tf"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The parts of Terraform's language the tests read; everything else is left
// to terraform validate.
var (
	exampleFileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "terraform"},
		{Type: "provider", LabelNames: []string{"name"}},
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "import"},
		{Type: "ephemeral", LabelNames: []string{"type", "name"}},
		{Type: "action", LabelNames: []string{"type", "name"}},
		{Type: "list", LabelNames: []string{"type", "name"}},
	}}
	exampleTerraformSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "required_version"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "required_providers"}},
	}
	exampleImportSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "to"}, {Name: "identity"}}}
	// terraform_data's action_trigger lives in a lifecycle block of any resource.
	exampleActionTrigger = regexp.MustCompile(`(?m)^\s*action_trigger\s*\{`)
)

func (d *exampleDir) parse(src []byte, name string) error {
	where := d.rel + "/" + name
	if strings.HasSuffix(name, ".tfquery.hcl") {
		d.hasQuery = true
		d.features["file .tfquery.hcl"] = where
	}
	file, diags := hclparse.NewParser().ParseHCL(src, where)
	if diags.HasErrors() {
		return fmt.Errorf("%s: %s", where, diags.Error())
	}
	content, _, diags := file.Body.PartialContent(exampleFileSchema)
	if diags.HasErrors() {
		return fmt.Errorf("%s: %s", where, diags.Error())
	}
	if exampleActionTrigger.Match(src) {
		d.features["action_trigger"] = where
	}
	for _, block := range content.Blocks {
		at := fmt.Sprintf("%s:%d", where, block.DefRange.Start.Line)
		switch block.Type {
		case "terraform":
			tf, _, diags := block.Body.PartialContent(exampleTerraformSchema)
			if diags.HasErrors() {
				return fmt.Errorf("%s: %s", at, diags.Error())
			}
			if len(tf.Blocks) > 0 {
				d.requiredProviders = true
			}
			if attr, ok := tf.Attributes["required_version"]; ok {
				v, diags := attr.Expr.Value(nil)
				if diags.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
					return fmt.Errorf("%s: required_version is not a literal string", at)
				}
				d.constraints = append(d.constraints, v.AsString())
			}
		case "provider":
			d.providerBlock = true
		case "resource":
			d.resources[block.Labels[0]+"."+block.Labels[1]] = true
		case "import":
			imp, _, diags := block.Body.PartialContent(exampleImportSchema)
			if diags.HasErrors() {
				return fmt.Errorf("%s: %s", at, diags.Error())
			}
			to, ok := imp.Attributes["to"]
			if !ok {
				return fmt.Errorf("%s: import block without to", at)
			}
			traversal, diags := hcl.AbsTraversalForExpr(to.Expr)
			if diags.HasErrors() || len(traversal) < 2 {
				return fmt.Errorf("%s: import's to is not a resource address", at)
			}
			attr, ok := traversal[1].(hcl.TraverseAttr)
			if !ok {
				return fmt.Errorf("%s: import's to is not a resource address", at)
			}
			d.imports = append(d.imports, exampleImport{to: traversal.RootName() + "." + attr.Name, where: at})
			if _, ok := imp.Attributes["identity"]; ok {
				d.features["import by identity"] = at
			}
		case "ephemeral":
			d.features["ephemeral block"] = at
		case "action":
			d.features["action block"] = at
		case "list":
			d.features["list block"] = at
		}
	}
	return nil
}

// constraintsFor are the version constraints the example is validated
// under: its own, and provider.tf's when that is copied beside it.
func (d *exampleDir) constraintsFor(t *testing.T, provider *exampleDir) version.Constraints {
	t.Helper()
	all := slices.Clone(d.constraints)
	if d.fragment() {
		all = append(all, provider.constraints...)
	}
	var out version.Constraints
	for _, c := range all {
		parsed, err := version.NewConstraint(c)
		if err != nil {
			t.Fatalf("%s: required_version %q: %v", d.rel, c, err)
		}
		out = append(out, parsed...)
	}
	return out
}

func exampleProviderDir(t *testing.T, dirs []*exampleDir) *exampleDir {
	t.Helper()
	for _, d := range dirs {
		if d.rel == "examples/"+filepath.ToSlash(filepath.Dir(exampleProviderFile)) {
			return d
		}
	}
	t.Fatalf("examples/%s not found", exampleProviderFile)
	return nil
}

// TestExamples_declarations: what terraform validate does not check.
func TestExamples_declarations(t *testing.T) {
	dirs := findExampleDirs(t)
	provider := exampleProviderDir(t, dirs)
	for _, d := range dirs {
		t.Run(d.rel, func(t *testing.T) {
			// An import block's target is declared beside it, so that the
			// example works as shown (and `terraform import` has a target).
			for _, imp := range d.imports {
				if !d.resources[imp.to] {
					t.Errorf("%s: import block's to = %s names no resource declared in %s",
						imp.where, imp.to, d.rel)
				}
			}
			// A feature of a newer Terraform is required by the example,
			// so that an older Terraform says so rather than misreading it.
			constraints := d.constraintsFor(t, provider)
			features := make([]string, 0, len(d.features))
			for f := range d.features {
				features = append(features, f)
			}
			sort.Strings(features)
			for _, feature := range features {
				floor := version.Must(version.NewVersion(exampleFeatureFloors[feature]))
				// The last release before the floor, e.g. 1.13.999 for 1.14.
				segments := floor.Segments()
				below := version.Must(version.NewVersion(fmt.Sprintf("%d.%d.999", segments[0], segments[1]-1)))
				if constraints.Check(below) {
					t.Errorf("%s uses %s (%s), which needs Terraform %s or later, but its required_version (%s) "+
						"admits %s: add terraform { required_version = \">= %s\" }, in a directory of its own if the "+
						"examples beside it work with older versions", d.rel, feature, d.features[feature],
						exampleFeatureFloors[feature], constraints, below, exampleFeatureFloors[feature])
				}
			}
		})
	}
}

// terraformBinary is a terraform CLI the examples can be validated with.
type terraformBinary struct {
	path, env string
	version   *version.Version
}

func terraformBinaryVersion(t *testing.T, path string, env []string) *version.Version {
	t.Helper()
	cmd := exec.Command(path, "version", "-json")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", path, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v in %q", path, err, out)
	}
	parsed, err := version.NewVersion(v.Version)
	if err != nil {
		t.Fatalf("%s version -json: %v", path, err)
	}
	return parsed
}

// TestExamples_validate runs `terraform validate` in a copy of each example
// directory (with provider.tf beside a fragment), on the oldest available
// terraform that meets its required_version: TF_ACC_TERRAFORM_PATH, else
// PIPESHUB_TERRAFORM_NEWER. No init: the provider served in-process through
// TF_REATTACH_PROVIDERS is not installed, so nothing is downloaded.
func TestExamples_validate(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Acceptance tests skipped unless env 'TF_ACC' set")
	}
	dirs := findExampleDirs(t)
	provider := exampleProviderDir(t, dirs)
	// The harness's environment: an empty CLI configuration of its own,
	// no TF_ or PIPESHUB_ variable of the caller's.
	env := newInterruptHarness(t).env
	binaries := []terraformBinary{{path: os.Getenv("TF_ACC_TERRAFORM_PATH"), env: "TF_ACC_TERRAFORM_PATH"}}
	newer := os.Getenv(newerTerraformEnv)
	if newer != "" {
		binaries = append(binaries, terraformBinary{path: newer, env: newerTerraformEnv})
	}
	for i := range binaries {
		binaries[i].version = terraformBinaryVersion(t, binaries[i].path, env)
	}
	queryFloor := version.Must(version.NewVersion(exampleFeatureFloors["file .tfquery.hcl"]))

	for _, d := range dirs {
		t.Run(d.rel, func(t *testing.T) {
			t.Parallel()
			constraints := d.constraintsFor(t, provider)
			var bin *terraformBinary
			for i := range binaries {
				if constraints.Check(binaries[i].version) {
					bin = &binaries[i]
					break
				}
			}
			if bin == nil {
				have := make([]string, len(binaries))
				for i, b := range binaries {
					have[i] = fmt.Sprintf("%s=%s (Terraform %s)", b.env, b.path, b.version)
				}
				if newer == "" {
					t.Skipf("%s requires Terraform %s; %s does not meet it and %s is not set: set %s to "+
						"the path of a Terraform that does (CONTRIBUTING.md) to validate this example",
						d.rel, constraints, strings.Join(have, ", "), newerTerraformEnv, newerTerraformEnv)
				}
				t.Skipf("%s requires Terraform %s, which no available terraform meets: %s",
					d.rel, constraints, strings.Join(have, ", "))
			}

			h := newInterruptHarness(t)
			h.bin = bin.path
			files := maps.Clone(d.files)
			if d.fragment() {
				files["example-provider.tf"] = provider.files[filepath.Base(exampleProviderFile)]
			}
			for name, src := range files {
				if err := os.WriteFile(filepath.Join(h.dir, name), src, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"validate", "-no-color"}
			if d.hasQuery {
				if bin.version.LessThan(queryFloor) {
					t.Fatalf("%s has a .tfquery.hcl file, which Terraform %s ignores: it must require "+
						"Terraform >= %s", d.rel, bin.version, queryFloor)
				}
				args = append(args, "-query") // validate .tfquery.hcl files too
			}
			out, code := h.run(args...)
			if code != 0 || !strings.Contains(out, "Success! The configuration is valid") {
				t.Fatalf("terraform %s (%s) in a copy of %s%s exited %d:\n%s", strings.Join(args, " "),
					bin.version, d.rel, map[bool]string{true: " with examples/" + exampleProviderFile}[d.fragment()], code, out)
			}
			t.Logf("%s: valid on Terraform %s (%s)", d.rel, bin.version, bin.env)
		})
	}
}
