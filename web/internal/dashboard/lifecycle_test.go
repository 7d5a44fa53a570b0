package dashboard

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "write assets/lifecycle.js from the contract")

// The dashboard's lifecycle module is what the contract says.
func TestLifecycleModule(t *testing.T) {
	want := lifecycleModule()
	if *update {
		if err := os.WriteFile(lifecycleFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := assets.ReadFile(lifecycleFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) && !*update {
		t.Errorf("%s is not what internal/events says; run go test ./web/internal/dashboard -run Lifecycle -update\ngot:\n%s\nwant:\n%s", lifecycleFile, got, want)
	}
}
