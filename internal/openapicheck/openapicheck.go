// Package openapicheck validates HTTP exchanges against PipesHub's OpenAPI
// document (its OAuth-clients part), so that the client's and the emulator's
// conformance tests judge the wire by one copy of the document and one
// validator.
//
// Only tests import it. It imports nothing of this repository, in
// particular neither the client nor the emulator, which it checks
// independently of each other.
package openapicheck

import (
	"bytes"
	"context"
	_ "embed" // the document travels with the package
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// document is PipesHub's OpenAPI document, OAuth-clients part: the
// project's own copy, whose header comment says which PipesHub commit it
// was taken from.
//
//go:embed pipeshub-openapi-oauth-clients.yaml
var document []byte

// NewRouter loads the document with its servers (a template) replaced by
// serverURL, which ends in /api/v1, validates it and routes requests to its
// operations.
func NewRouter(serverURL string) (routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is invalid: %w", err)
	}
	return gorillamux.NewRouter(doc)
}

// Config configures a Transport.
type Config struct {
	// ServerURL is the server's URL, ending in /api/v1.
	ServerURL string
	// Next sends the requests; nil means http.DefaultTransport.
	Next http.RoundTripper
	// RequireBearerToken makes a request to a bearerAuth operation break the
	// document unless it carries "Authorization: Bearer ...", as a client's
	// requests must. Off, the document's security counts as met, so that a
	// deliberately unauthenticated request is judged on its other parts.
	RequireBearerToken bool
}

// Transport is an http.RoundTripper that validates every request and its
// response against the document and records the exchange. Exchanges that
// got no response are not recorded.
type Transport struct {
	next    http.RoundTripper
	router  routers.Router
	options *openapi3filter.Options

	mu        sync.Mutex
	exchanges []Exchange
}

// NewTransport returns a validating, recording transport for cfg.
func NewTransport(cfg Config) (*Transport, error) {
	router, err := NewRouter(cfg.ServerURL)
	if err != nil {
		return nil, err
	}
	next := cfg.Next
	if next == nil {
		next = http.DefaultTransport
	}
	authenticate := openapi3filter.NoopAuthenticationFunc
	if cfg.RequireBearerToken {
		authenticate = bearerAuthentication
	}
	return &Transport{next: next, router: router, options: &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    authenticate,
	}}, nil
}

// bearerAuthentication accepts the document's bearerAuth scheme when the
// request carries a bearer token, and no other scheme.
func bearerAuthentication(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName != "bearerAuth" {
		return errors.New("only bearerAuth is used")
	}
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

// Exchange is one request and its response, with what validation found.
type Exchange struct {
	// Request is the request as sent; its body is RequestBody.
	Request     *http.Request
	RequestBody []byte
	// Operation is the operationId, or the method and route when the
	// operation has none, or the method and path when no route matches.
	Operation    string
	Status       int
	Header       http.Header // of the response
	ResponseBody []byte
	// RequestError says how the request breaks the document (no documented
	// route matches, bad parameters or body); ResponseError how the response
	// breaks it for its operation and status.
	RequestError  error
	ResponseError error
}

func (x Exchange) String() string {
	return fmt.Sprintf("%s %s -> %d", x.Request.Method, x.Request.URL.Path, x.Status)
}

// Err is nil when request and response both conform.
func (x Exchange) Err() error {
	var errs []error
	if x.RequestError != nil {
		errs = append(errs, fmt.Errorf("request: %w", x.RequestError))
	}
	if x.ResponseError != nil {
		errs = append(errs, fmt.Errorf("response: %w", x.ResponseError))
	}
	return errors.Join(errs...)
}

// RoundTrip sends r through the next transport, validates the exchange and
// records it. The response's body is read whole and handed on unchanged.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	reqBody, err := readAndClose(r.Body)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(withBody(r, reqBody))
	if err != nil {
		return nil, err
	}
	respBody, err := readAndClose(resp.Body)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	x := t.Validate(r.Context(), Exchange{
		Request: r.Clone(r.Context()), RequestBody: reqBody,
		Status: resp.StatusCode, Header: resp.Header.Clone(), ResponseBody: respBody,
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	t.exchanges = append(t.exchanges, x)
	return resp, nil
}

// Exchanges returns the recorded exchanges, oldest first.
func (t *Transport) Exchanges() []Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Exchange(nil), t.exchanges...)
}

// Validate returns x with Operation, RequestError and ResponseError found
// anew from its request and response, e.g. after a test has altered a body
// to see that validation notices.
func (t *Transport) Validate(ctx context.Context, x Exchange) Exchange {
	x.Operation, x.RequestError, x.ResponseError = x.Request.Method+" "+x.Request.URL.Path, nil, nil
	req := withBody(x.Request, x.RequestBody)
	route, pathParams, err := t.router.FindRoute(req)
	if err != nil {
		x.RequestError = fmt.Errorf("no documented route: %w", err)
		return x
	}
	x.Operation = route.Operation.OperationID
	if x.Operation == "" {
		x.Operation = x.Request.Method + " " + route.Path
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route, Options: t.options}
	x.RequestError = openapi3filter.ValidateRequest(ctx, in)
	x.ResponseError = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: x.Status, Header: x.Header,
		Body: io.NopCloser(bytes.NewReader(x.ResponseBody)), Options: t.options,
	})
	return x
}

// readAndClose reads a body whole; a nil body reads as nil.
func readAndClose(body io.ReadCloser) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	defer body.Close()
	return io.ReadAll(body)
}

// withBody is a copy of r whose body (replayable for redirects and
// retries) is body; a nil body leaves r's.
func withBody(r *http.Request, body []byte) *http.Request {
	c := r.Clone(r.Context())
	if body != nil {
		c.Body = io.NopCloser(bytes.NewReader(body))
		c.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return c
}
