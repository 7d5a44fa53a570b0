package apidocs_test

import (
	"path/filepath"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-openapi/loads"
	"github.com/go-openapi/strfmt"
	"github.com/go-openapi/validate"
)

// Every service's committed specs pass the maintained validators: Swagger
// 2.0 with go-openapi/validate, OpenAPI 3 with kin-openapi.
func TestSpecsValidate(t *testing.T) {
	for svc, name := range map[string]string{"orders-app": "orders", "kitchen-app": "kitchen", "inventory-app": "inventory", "web": "web"} {
		dir := filepath.Join("..", "..", svc, "docs")
		t.Run(svc, func(t *testing.T) {
			doc, err := loads.Spec(filepath.Join(dir, name+"_swagger.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Spec(doc, strfmt.Default); err != nil {
				t.Errorf("Swagger 2.0: %v", err)
			}
			v3, err := openapi3.NewLoader().LoadFromFile(filepath.Join(dir, name+"_openapi.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := v3.Validate(t.Context()); err != nil {
				t.Errorf("OpenAPI 3: %v", err)
			}
			if len(v3.Paths.Map()) == 0 {
				t.Error("OpenAPI 3: no paths")
			}
		})
	}
}
