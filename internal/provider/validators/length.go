package validators

import (
	"context"
	"fmt"
	"unicode/utf16"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Length accepts strings of min to max characters as PipesHub counts them:
// its Zod schemas measure JavaScript string length, in UTF-16 code units.
// framework-validators count otherwise: stringvalidator.LengthBetween counts
// bytes and UTF8LengthBetween runes, so a character outside the Basic
// Multilingual Plane (most emoji), 2 for JavaScript, is 4 or 1 for them.
func Length(minLength, maxLength int) validator.String {
	return length{min: minLength, max: maxLength}
}

type length struct{ min, max int }

func (v length) Description(context.Context) string {
	return fmt.Sprintf("must be %d to %d characters long", v.min, v.max)
}

func (v length) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v length) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if n := JSLength(req.ConfigValue.ValueString()); n < v.min || n > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid length",
			fmt.Sprintf("The value is %d characters long; PipesHub accepts %d to %d.", n, v.min, v.max))
	}
}

// JSLength is the length of s as JavaScript reports it: UTF-16 code units,
// so a character outside the Basic Multilingual Plane (most emoji) counts twice.
func JSLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
