package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"go.yaml.in/yaml/v4"
)

// run converts dir/name_swagger.json and writes the OpenAPI 3 files and the
// embedding Go file beside it.
func run(dir, name string) error {
	src := name + "_swagger.json"
	raw, err := os.ReadFile(filepath.Join(dir, src))
	if err != nil {
		return err
	}
	var v2 openapi2.T
	if err := json.Unmarshal(raw, &v2); err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return fmt.Errorf("converting %s: %w", src, err)
	}
	// Both encodings go through maps, so their keys come out sorted and the
	// files are the same for the same input.
	js, err := json.MarshalIndent(v3, "", "    ")
	if err != nil {
		return fmt.Errorf("encoding OpenAPI 3 JSON: %w", err)
	}
	var y bytes.Buffer
	enc := yaml.NewEncoder(&y)
	enc.SetIndent(2)
	if err := enc.Encode(v3); err != nil {
		return fmt.Errorf("encoding OpenAPI 3 YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encoding OpenAPI 3 YAML: %w", err)
	}
	goFile, err := embedding(name, v2.Info.Title)
	if err != nil {
		return err
	}
	for file, body := range map[string][]byte{
		name + "_openapi.json": append(js, '\n'),
		name + "_openapi.yaml": y.Bytes(),
		name + "_docs.go":      goFile,
	} {
		if err := os.WriteFile(filepath.Join(dir, file), body, 0o644); err != nil {
			return err
		}
	}
	return nil
}
