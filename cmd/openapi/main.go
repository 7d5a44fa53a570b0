// Command openapi finishes a service's docs package after swag has written
// its Swagger 2.0 spec there (make swag runs both):
//
//	openapi DIR NAME
//
// It reads DIR/NAME_swagger.json, converts it to OpenAPI 3 with kin-openapi
// (DIR/NAME_openapi.json and .yaml) and writes DIR/NAME_docs.go, which embeds
// the four files as an apidocs.Spec. The conversion runs here, at generation
// time, so that the service binaries carry the specs as bytes and link
// neither swag nor kin-openapi.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: openapi DIR NAME")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(1)
	}
}
