package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

const scopesPath = "/oauth-clients/scopes"

// ListScopes returns the caller's scope catalogue flattened, in the API's category order.
func (c *Client) ListScopes(ctx context.Context) ([]Scope, error) {
	data, status, err := c.send(ctx, request{method: http.MethodGet, path: scopesPath, retry: repeatable})
	if err != nil {
		return nil, err
	}
	scopes, err := flattenScopes(data)
	if err != nil {
		return nil, &DecodeError{Method: http.MethodGet, Path: scopesPath, StatusCode: status, Err: err}
	}
	return scopes, nil
}

// flattenScopes reads {"scopes":{"<Category>":[Scope...],...}} keeping the
// categories in the order the JSON object lists them, which a Go map would
// lose. A scope without a category takes its key's.
func flattenScopes(data []byte) ([]Scope, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	var scopes []Scope
	found := false
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return nil, err
		}
		if key != "scopes" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, jsonProblem(err)
			}
			continue
		}
		found = true
		if err := expectDelim(dec, '{'); err != nil {
			return nil, err
		}
		for dec.More() {
			category, err := objectKey(dec)
			if err != nil {
				return nil, err
			}
			var group []Scope
			if err := dec.Decode(&group); err != nil {
				return nil, fmt.Errorf("category %q: %w", category, jsonProblem(err))
			}
			for _, s := range group {
				if s.Category == "" {
					s.Category = category
				}
				scopes = append(scopes, s)
			}
		}
		if err := expectDelim(dec, '}'); err != nil {
			return nil, err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if !found {
		return nil, errors.New(`the response has no "scopes" object`)
	}
	return scopes, nil
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
