// Command terraform-provider-pipeshub serves the PipesHub Terraform provider
// to Terraform: it starts internal/provider's plugin server and nothing else.
//
// Of this repository it imports only internal/provider; the emulator and
// internal/openapicheck are test support and stay out of the binary.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/provider"
)

// version is set by the release build (goreleaser -ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()
	if !debug {
		provider.DropLogsTerraformDiscards()
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/pipeshub-ai/pipeshub",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
