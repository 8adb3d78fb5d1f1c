package provider

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The Terraform versions users are told they need: one truth, the oldest
// version CI tests (the first entry of the matrix in
// .github/workflows/test.yml). Features newer than that say their own floor,
// next to the feature's name.
const minTerraformVersion = "1.5"

// featureFloors are the other floors a text may name, each with a pattern
// that must appear near it: the feature that needs it.
var featureFloors = map[string]*regexp.Regexp{
	"1.6":  regexp.MustCompile(`(?i)opentofu`),                     // OpenTofu's own numbering
	"1.10": regexp.MustCompile(`(?i)ephemeral`),                    // ephemeral resources
	"1.11": regexp.MustCompile(`(?i)use_lockfile|write-only`),      // s3 backend locking without DynamoDB, write-only arguments
	"1.12": regexp.MustCompile(`(?i)identity`),                     // resource identity
	"1.14": regexp.MustCompile(`(?i)query|list resource|\baction`), // list resources, actions
}

// versionFloor matches "1.10 or later", "1.10+", ">= 1.10" and
// required_version = ">= 1.10".
var versionFloor = regexp.MustCompile(`\b(\d+\.\d+)(?:\.\d+)?(?:\s+or\s+later|\+)|>=\s*(\d+\.\d+)`)

// TestDocsTerraformVersion: README, guides, generated docs, examples, make
// and CI messages agree on the Terraform version users need.
func TestDocsTerraformVersion(t *testing.T) {
	root := filepath.Join("..", "..")
	var files []string
	for _, f := range []string{"README.md", "GNUmakefile", ".ci/run"} {
		files = append(files, filepath.Join(root, f))
	}
	for _, dir := range []string{"templates", "docs", "examples", "scripts"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch filepath.Ext(p) {
			case ".md", ".tmpl", ".tf", ".sh":
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		rel, _ := filepath.Rel(root, f)
		for _, m := range versionFloor.FindAllStringSubmatchIndex(text, -1) {
			var version string
			if m[2] >= 0 {
				version = text[m[2]:m[3]]
			} else {
				version = text[m[4]:m[5]]
			}
			if version == minTerraformVersion {
				continue
			}
			near := text[max(0, m[0]-250):min(len(text), m[1]+250)]
			if feature, ok := featureFloors[version]; !ok || !feature.MatchString(near+" "+rel) {
				t.Errorf("%s: %q names Terraform %s, but users need Terraform %s or later (a feature's own floor "+
					"must sit next to the feature's name):\n%s", rel, text[m[0]:m[1]], version, minTerraformVersion, near)
			}
		}
	}

	// README.md and the getting started guide state the floor.
	for _, f := range []string{"README.md", "templates/guides/getting-started.md.tmpl"} {
		raw, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if want := "Terraform " + minTerraformVersion + " or later"; !strings.Contains(strings.Join(strings.Fields(string(raw)), " "), want) {
			t.Errorf("%s does not say %q", f, want)
		}
	}

	// CI tests the floor first.
	raw, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "test.yml"))
	if err != nil {
		t.Fatal(err)
	}
	first := regexp.MustCompile(`terraform:\s*\n\s*- '([\d.]+)\.\*'`).FindStringSubmatch(string(raw))
	if first == nil || first[1] != minTerraformVersion {
		t.Errorf(".github/workflows/test.yml: the Terraform matrix starts at %v; want %s", first, minTerraformVersion)
	}

	// The examples require it too, so that an older Terraform says so itself.
	for _, example := range []string{"provider/provider.tf", "demo/terraform.tf"} {
		if !strings.Contains(testAccExample(t, example), `required_version = ">= `+minTerraformVersion+`"`) {
			t.Errorf("examples/%s does not require Terraform >= %s", example, minTerraformVersion)
		}
	}
}
