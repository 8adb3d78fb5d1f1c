package client

import (
	"encoding/json"
	"testing"
)

func TestUpdateAppRequestMarshal(t *testing.T) {
	t.Parallel()
	name := "renamed"
	lifetime := int64(600)
	empty := []string{}
	tests := []struct {
		name string
		req  UpdateAppRequest
		want string
	}{
		{"unchanged sends an empty object", UpdateAppRequest{}, `{}`},
		{"set name only", UpdateAppRequest{Name: &name}, `{"name":"renamed"}`},
		{"set a URL", UpdateAppRequest{HomepageURL: Set("https://example.com")}, `{"homepageUrl":"https://example.com"}`},
		{"set a URL to empty string", UpdateAppRequest{HomepageURL: Set("")}, `{"homepageUrl":""}`},
		{"clear a URL sends null", UpdateAppRequest{PrivacyPolicyURL: Clear()}, `{"privacyPolicyUrl":null}`},
		{
			"clear all three URLs",
			UpdateAppRequest{HomepageURL: Clear(), PrivacyPolicyURL: Clear(), TermsOfServiceURL: Clear()},
			`{"homepageUrl":null,"privacyPolicyUrl":null,"termsOfServiceUrl":null}`,
		},
		{"empty list is sent, not omitted", UpdateAppRequest{RedirectURIs: &empty}, `{"redirectUris":[]}`},
		{"lifetime", UpdateAppRequest{AccessTokenLifetime: &lifetime}, `{"accessTokenLifetime":600}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNullableStringStates(t *testing.T) {
	t.Parallel()
	if got, _ := json.Marshal(Set("x")); string(got) != `"x"` {
		t.Errorf("Set(x) sends %s", got)
	}
	if got, _ := json.Marshal(Clear()); string(got) != "null" {
		t.Errorf("Clear() sends %s, not null", got)
	}
	if !(NullableString{}).IsZero() || Clear().IsZero() || Set("").IsZero() {
		t.Error("IsZero: only the zero value leaves a field unchanged")
	}
}

func TestCreateAppRequestOmitsUnsetFields(t *testing.T) {
	t.Parallel()
	got, err := json.Marshal(CreateAppRequest{Name: "a", AllowedScopes: []string{"openid"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"a","allowedScopes":["openid"]}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
