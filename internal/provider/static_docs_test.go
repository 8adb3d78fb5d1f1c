package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/list"
)

// The pages of the list resource and the action are static templates:
// tfplugindocs learns these schemas from terraform providers schema -json,
// which only Terraform 1.14 and later fill in, so rendering them from the
// schema would make docs/ depend on the Terraform that generates it. These
// tests keep each page's Schema section equal to the provider's schema.

// schemaLines are the lines tfplugindocs would write for string attributes.
func schemaLines(attrs map[string]string, section string) []string {
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	lines := []string{"### " + section, ""}
	for _, name := range names {
		lines = append(lines, fmt.Sprintf("- `%s` (String) %s", name, attrs[name]))
	}
	return lines
}

func requireTemplateHas(t *testing.T, rel string, lines []string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "templates", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(lines, "\n"); !strings.Contains(string(raw), want) {
		t.Errorf("templates/%s does not match the schema; its Schema section should read:\n\n%s", rel, want)
	}
}

func TestDocs_listResourcePage(t *testing.T) {
	var resp list.ListResourceSchemaResponse
	(&oauthAppListResource{}).ListResourceConfigSchema(context.Background(), list.ListResourceSchemaRequest{}, &resp)
	optional := map[string]string{}
	for name, a := range resp.Schema.Attributes {
		if !a.IsOptional() || a.GetType().String() != "basetypes.StringType" {
			t.Fatalf("attribute %s is not an optional string: update the page and this test", name)
		}
		optional[name] = a.GetMarkdownDescription()
	}
	requireTemplateHas(t, "list-resources/oauth_app.md.tmpl", schemaLines(optional, "Optional"))
}

func TestDocs_actionPage(t *testing.T) {
	var resp action.SchemaResponse
	(&oauthAppRevokeTokensAction{}).Schema(context.Background(), action.SchemaRequest{}, &resp)
	required := map[string]string{}
	for name, a := range resp.Schema.Attributes {
		if !a.IsRequired() || a.GetType().String() != "basetypes.StringType" {
			t.Fatalf("attribute %s is not a required string: update the page and this test", name)
		}
		required[name] = a.GetMarkdownDescription()
	}
	requireTemplateHas(t, "actions/oauth_app_revoke_tokens.md.tmpl", schemaLines(required, "Required"))
}
