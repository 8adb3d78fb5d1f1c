package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// ScopeCatalogue is the caller's scope catalogue: GET /oauth-clients/scopes
// flattened, in the API's category order.
type ScopeCatalogue struct {
	// Categories are the API's category keys, in its order. PipesHub filters
	// the scopes by the caller's role but keeps every key, so a category
	// whose scopes are all admin-only is an empty list for a member, and is
	// listed here still.
	Categories []string
	Scopes     []Scope
}

// ListScopes returns the caller's scope catalogue.
func (c *Client) ListScopes(ctx context.Context) (*ScopeCatalogue, error) {
	return fetch[ScopeCatalogue](ctx, c, request{method: http.MethodGet, path: "/oauth-clients/scopes", retry: repeatable})
}

func (s *ScopeCatalogue) decodeAnswer(data []byte) (err error) {
	*s, err = flattenScopes(data)
	return err
}

// flattenScopes reads {"scopes":{"<Category>":[Scope...],...}} keeping the
// categories in the order the JSON object lists them, which a Go map would
// lose. A scope without a category takes its key's.
func flattenScopes(data []byte) (ScopeCatalogue, error) {
	var catalogue ScopeCatalogue
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, '{'); err != nil {
		return ScopeCatalogue{}, err
	}
	found := false
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return ScopeCatalogue{}, err
		}
		if key != "scopes" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return ScopeCatalogue{}, jsonProblem(err)
			}
			continue
		}
		found = true
		if err := expectDelim(dec, '{'); err != nil {
			return ScopeCatalogue{}, err
		}
		for dec.More() {
			category, err := objectKey(dec)
			if err != nil {
				return ScopeCatalogue{}, err
			}
			var group []Scope
			if err := dec.Decode(&group); err != nil {
				return ScopeCatalogue{}, fmt.Errorf("category %q: %w", category, jsonProblem(err))
			}
			catalogue.Categories = append(catalogue.Categories, category)
			for _, s := range group {
				if s.Category == "" {
					s.Category = category
				}
				catalogue.Scopes = append(catalogue.Scopes, s)
			}
		}
		if err := expectDelim(dec, '}'); err != nil {
			return ScopeCatalogue{}, err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return ScopeCatalogue{}, err
	}
	if !found {
		return ScopeCatalogue{}, errors.New(`the response has no "scopes" object`)
	}
	return catalogue, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonProblem(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q in the JSON", string(want))
	}
	return nil
}

func objectKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", jsonProblem(err)
	}
	key, ok := tok.(string)
	if !ok {
		return "", errors.New("expected an object key in the JSON")
	}
	return key, nil
}
