package emulator

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
)

// zod collects validation issues with Zod v3's messages and its notion of an
// aborted parse: a type error aborts (so object refinements do not run),
// a failed check (length, range, url) only marks the result dirty.
type zod struct {
	messages []string
	aborted  bool
}

func (z *zod) abort(msg string) { z.messages, z.aborted = append(z.messages, msg), true }
func (z *zod) dirty(msg string) { z.messages = append(z.messages, msg) }

// err is PipesHub's ValidationError: 400 VALIDATION_ERROR with the issue
// messages joined by newlines (internal/emulator/README.md §3).
func (z *zod) err() *apiError {
	if len(z.messages) == 0 {
		return nil
	}
	return newError(http.StatusBadRequest, codeValidation, strings.Join(z.messages, "\n"))
}

// joinValidation is one ValidationError holding the issues of several
// parts of a request schema, in order; nil when none has any.
func joinValidation(errs ...*apiError) *apiError {
	var messages []string
	for _, e := range errs {
		if e != nil {
			messages = append(messages, e.message)
		}
	}
	if len(messages) == 0 {
		return nil
	}
	return newError(http.StatusBadRequest, codeValidation, strings.Join(messages, "\n"))
}

// jsType is Zod's name for the type of a decoded JSON value.
func jsType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if math.IsNaN(v) {
			return "nan"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func (z *zod) required() { z.abort("Required") }

func (z *zod) expected(want string, v any) { z.abort("Expected " + want + ", received " + jsType(v)) }

// stringRule is a z.string() with optional .min(), .max() and .url() checks,
// run in that order. A negative bound means no check.
type stringRule struct {
	min, max int
	url      bool
}

func (z *zod) str(v any, rule stringRule) (string, bool) {
	s, ok := v.(string)
	if !ok {
		z.expected("string", v)
		return "", false
	}
	n := len(utf16.Encode([]rune(s))) // JavaScript counts UTF-16 code units
	okay := true
	if rule.min >= 0 && n < rule.min {
		z.dirty(fmt.Sprintf("String must contain at least %d character(s)", rule.min))
		okay = false
	}
	if rule.max >= 0 && n > rule.max {
		z.dirty(fmt.Sprintf("String must contain at most %d character(s)", rule.max))
		okay = false
	}
	if rule.url {
		if _, err := newURL(s); err != nil { // new URL(s) throws
			z.dirty("Invalid url")
			okay = false
		}
	}
	return s, okay
}

var (
	plainString = stringRule{min: -1, max: -1}
	urlString   = stringRule{min: -1, max: -1, url: true}
)

// integer is z.number().int().min(lo).max(hi).
func (z *zod) integer(v any, lo, hi float64) (int64, bool) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) {
		z.expected("number", v)
		return 0, false
	}
	okay := true
	if math.Trunc(f) != f || math.IsInf(f, 0) {
		z.dirty("Expected integer, received float")
		okay = false
	}
	if f < lo {
		z.dirty(fmt.Sprintf("Number must be greater than or equal to %s", jsNumberString(lo)))
		okay = false
	}
	if f > hi {
		z.dirty(fmt.Sprintf("Number must be less than or equal to %s", jsNumberString(hi)))
		okay = false
	}
	return int64(f), okay
}

func jsNumberString(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (z *zod) boolean(v any) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		z.expected("boolean", v)
	}
	return b, ok
}

// enum is z.enum(values).
func (z *zod) enum(v any, values []string) (string, bool) {
	quoted := make([]string, len(values))
	for i, s := range values {
		quoted[i] = "'" + s + "'"
	}
	s, ok := v.(string)
	if !ok {
		z.expected(strings.Join(quoted, " | "), v)
		return "", false
	}
	for _, allowed := range values {
		if s == allowed {
			return s, true
		}
	}
	z.abort(fmt.Sprintf("Invalid enum value. Expected %s, received '%s'", strings.Join(quoted, " | "), s))
	return "", false
}

// array is z.array(item) with optional .min() and .max() (negative: none).
// Like Zod it checks the length before the items. Its issues and those of
// the items are recorded in z; nil means v is no array.
func (z *zod) array(v any, minLen, maxLen int, item func(any) (string, bool)) []string {
	elems, ok := v.([]any)
	if !ok {
		z.expected("array", v)
		return nil
	}
	if minLen >= 0 && len(elems) < minLen {
		z.dirty(fmt.Sprintf("Array must contain at least %d element(s)", minLen))
	}
	if maxLen >= 0 && len(elems) > maxLen {
		z.dirty(fmt.Sprintf("Array must contain at most %d element(s)", maxLen))
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, _ := item(e)
		out = append(out, s)
	}
	return out
}

// object checks that the body is a JSON object.
func (z *zod) object(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		z.expected("object", v)
	}
	return m, ok
}
