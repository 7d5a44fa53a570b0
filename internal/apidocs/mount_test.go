package apidocs_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/swaggest/swgui/v5/static"
	"go.yaml.in/yaml/v4"

	"github.com/comanda-dev/comanda/internal/apidocs"
)

// services are the docs packages' directories and spec names, as in
// TestSpecsValidate.
var services = map[string]string{"orders-app": "orders", "kitchen-app": "kitchen", "inventory-app": "inventory", "web": "web"}

// committed returns the Spec a service's docs package embeds, read from the
// files it embeds; the title is the Swagger spec's info.title.
func committed(t *testing.T, svc, name string) apidocs.Spec {
	t.Helper()
	read := func(suffix string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "..", svc, "docs", name+suffix))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	s := apidocs.Spec{
		Swagger: read("_swagger.json"), SwaggerYAML: read("_swagger.yaml"),
		OpenAPI: read("_openapi.json"), OpenAPIYAML: read("_openapi.yaml"),
	}
	var doc struct {
		Info struct{ Title string } `json:"info"`
	}
	if err := json.Unmarshal(s.Swagger, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info.Title == "" {
		t.Fatal("the Swagger spec has no info.title")
	}
	s.Title = doc.Info.Title
	return s
}

// mounted returns an app that serves s at the root, with an error handler
// that answers in JSON, as the services' apps do.
func mounted(s apidocs.Spec) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: jsonError})
	apidocs.Mount(app, s)
	return app
}

func jsonError(c *fiber.Ctx, err error) error {
	e := fiber.ErrInternalServerError
	errors.As(err, &e)
	return c.Status(e.Code).JSON(fiber.Map{"error": e.Message})
}

// do sends a request to app and returns its answer with the whole body.
func do(t *testing.T, app *fiber.App, method, target string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, target, err)
	}
	return resp, body
}

// Each spec route answers GET with its own embedded bytes under its media
// type, and HEAD with the same headers and no body.
func TestMountServesTheSpecs(t *testing.T) {
	for svc, name := range services {
		t.Run(svc, func(t *testing.T) {
			s := committed(t, svc, name)
			app := mounted(s)
			for _, r := range []struct {
				file, contentType string
				body              []byte
				version           string // the key that carries the spec's version
			}{
				{"doc.json", "application/json", s.Swagger, "swagger"},
				{"doc.yaml", "application/yaml", s.SwaggerYAML, "swagger"},
				{"openapi.json", "application/json", s.OpenAPI, "openapi"},
				{"openapi.yaml", "application/yaml", s.OpenAPIYAML, "openapi"},
			} {
				target := apidocs.Path + "/" + r.file
				resp, body := do(t, app, http.MethodGet, target)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: status %d", target, resp.StatusCode)
				}
				if got := resp.Header.Get("Content-Type"); got != r.contentType {
					t.Errorf("GET %s: Content-Type %q, want %q", target, got, r.contentType)
				}
				if !bytes.Equal(body, r.body) {
					t.Errorf("GET %s: the body (%d bytes) is not the embedded file (%d bytes)", target, len(body), len(r.body))
				}
				var doc map[string]any
				var err error
				if strings.HasSuffix(r.file, ".json") {
					err = json.Unmarshal(body, &doc)
				} else {
					err = yaml.Unmarshal(body, &doc)
				}
				if err != nil {
					t.Errorf("GET %s: %v", target, err)
				} else if v, _ := doc[r.version].(string); v == "" {
					t.Errorf("GET %s: no %s version", target, r.version)
				}

				head, body := do(t, app, http.MethodHead, target)
				if head.StatusCode != http.StatusOK || len(body) > 0 {
					t.Errorf("HEAD %s: status %d, %d bytes of body", target, head.StatusCode, len(body))
				}
				if got := head.Header.Get("Content-Type"); got != r.contentType {
					t.Errorf("HEAD %s: Content-Type %q, want %q", target, got, r.contentType)
				}
				if head.ContentLength != int64(len(r.body)) {
					t.Errorf("HEAD %s: Content-Length %d, want %d", target, head.ContentLength, len(r.body))
				}
			}
			// Each YAML file is its JSON sibling's document.
			for _, pair := range [][2][]byte{{s.Swagger, s.SwaggerYAML}, {s.OpenAPI, s.OpenAPIYAML}} {
				if !sameDocument(t, pair[0], pair[1]) {
					t.Errorf("a YAML spec is not the document of its JSON sibling")
				}
			}
		})
	}
}

// sameDocument reports whether the JSON and the YAML hold the same values.
func sameDocument(t *testing.T, js, ym []byte) bool {
	t.Helper()
	var fromJSON, fromYAML any
	if err := json.Unmarshal(js, &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(ym, &fromYAML); err != nil {
		t.Fatal(err)
	}
	// Through JSON, so that YAML's integers compare with JSON's numbers.
	b, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	fromYAML = nil
	if err := json.Unmarshal(b, &fromYAML); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(fromJSON, fromYAML)
}

var (
	// attribute matches the page's src and href values.
	attribute = regexp.MustCompile(`\b(?:src|href)="([^"]+)"`)
	// specURL matches the spec URLs ui.js hands Swagger UI.
	specURL = regexp.MustCompile(`\burl:\s*'([^']+)'`)
)

// Path and Path/ lead to the page; the page's title is the spec's, and every
// file it loads is served, down to the specs ui.js points Swagger UI at.
func TestMountServesTheUI(t *testing.T) {
	s := committed(t, "orders-app", "orders")
	app := mounted(s)
	page := apidocs.Path + "/index.html"
	for _, target := range []string{apidocs.Path, apidocs.Path + "/"} {
		resp, _ := do(t, app, http.MethodGet, target)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != page {
			t.Errorf("GET %s: status %d, Location %q; want %d to %s", target, resp.StatusCode, resp.Header.Get("Location"), http.StatusMovedPermanently, page)
		}
	}

	resp, body := do(t, app, http.MethodGet, page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", page, resp.StatusCode)
	}
	if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", page, got)
	}
	if head, b := do(t, app, http.MethodHead, page); head.StatusCode != http.StatusOK || len(b) > 0 {
		t.Errorf("HEAD %s: status %d, %d bytes of body", page, head.StatusCode, len(b))
	}
	html := string(body)
	if want := "<title>" + s.Title + "</title>"; !strings.Contains(html, want) {
		t.Errorf("the page lacks %s", want)
	}
	if !strings.Contains(html, `id="swagger-ui"`) {
		t.Error("the page has no element for Swagger UI")
	}
	if strings.Contains(html, "<style") || regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(html) {
		t.Error("the page has an inline script or style")
	}

	base, _ := url.Parse(page)
	var loaded []string
	for _, m := range attribute.FindAllStringSubmatch(html, -1) {
		ref, err := url.Parse(m[1])
		if err != nil {
			t.Fatal(err)
		}
		target := base.ResolveReference(ref).String()
		loaded = append(loaded, target)
		if resp, b := do(t, app, http.MethodGet, target); resp.StatusCode != http.StatusOK || len(b) == 0 {
			t.Errorf("the page loads %s: status %d, %d bytes", target, resp.StatusCode, len(b))
		}
	}
	for _, want := range []string{"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "ui.js"} {
		if !slices.Contains(loaded, apidocs.Path+"/"+want) {
			t.Errorf("the page does not load %s (it loads %v)", want, loaded)
		}
	}

	script := apidocs.Path + "/ui.js"
	resp, body = do(t, app, http.MethodGet, script)
	if got := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || got != "text/javascript; charset=utf-8" {
		t.Fatalf("GET %s: status %d, Content-Type %q", script, resp.StatusCode, got)
	}
	want := map[string][]byte{apidocs.Path + "/openapi.json": s.OpenAPI, apidocs.Path + "/doc.json": s.Swagger}
	var specs []string
	for _, m := range specURL.FindAllStringSubmatch(string(body), -1) {
		ref, err := url.Parse(m[1])
		if err != nil {
			t.Fatal(err)
		}
		target := base.ResolveReference(ref).String()
		specs = append(specs, target)
		resp, b := do(t, app, http.MethodGet, target)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || !bytes.Equal(b, want[target]) {
			t.Errorf("ui.js points Swagger UI at %s: status %d, Content-Type %q, %d bytes", target, resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
		}
	}
	if !slices.Equal(specs, []string{apidocs.Path + "/openapi.json", apidocs.Path + "/doc.json"}) {
		t.Errorf("ui.js offers %v, want openapi.json then doc.json", specs)
	}
}

// The title is text of the page, never markup.
func TestMountEscapesTheTitle(t *testing.T) {
	app := mounted(apidocs.Spec{Title: `</title><script>alert("x")</script>`})
	_, body := do(t, app, http.MethodGet, apidocs.Path+"/index.html")
	if bytes.Contains(body, []byte(`<script>alert`)) || !bytes.Contains(body, []byte(`&lt;/title&gt;&lt;script&gt;`)) {
		t.Errorf("the title is not escaped:\n%s", body)
	}
}

// Swagger UI's assets go as their embedded gzip to a client that takes it,
// inflated to one that does not, with validators that answer a revalidation
// with 304.
func TestMountServesCompressedAssets(t *testing.T) {
	app := mounted(apidocs.Spec{Title: "t"})
	gz, err := static.FS.ReadFile("swagger-ui.css.gz")
	if err != nil {
		t.Fatal(err)
	}
	target := apidocs.Path + "/swagger-ui.css"

	resp, body := do(t, app, http.MethodGet, target, "Accept-Encoding", "gzip, deflate, br")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", target, resp.StatusCode)
	}
	if got := resp.Header.Get("Content-Encoding"); got != "gzip" {
		t.Errorf("Content-Encoding %q, want gzip", got)
	}
	if got := resp.Header.Get("Content-Type"); got != "text/css; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if !slices.Contains(resp.Header.Values("Vary"), "Accept-Encoding") {
		t.Errorf("Vary %q lacks Accept-Encoding", resp.Header.Values("Vary"))
	}
	if !bytes.Equal(body, gz) {
		t.Errorf("the gzipped answer (%d bytes) is not the embedded swagger-ui.css.gz (%d bytes)", len(body), len(gz))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	css, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}

	plain, body := do(t, app, http.MethodGet, target)
	if plain.StatusCode != http.StatusOK || plain.Header.Get("Content-Encoding") != "" {
		t.Errorf("GET %s without gzip: status %d, Content-Encoding %q", target, plain.StatusCode, plain.Header.Get("Content-Encoding"))
	}
	if !bytes.Equal(body, css) {
		t.Errorf("the inflated answer (%d bytes) is not swagger-ui.css (%d bytes)", len(body), len(css))
	}

	head, body := do(t, app, http.MethodHead, target, "Accept-Encoding", "gzip")
	if head.StatusCode != http.StatusOK || len(body) > 0 || head.Header.Get("Content-Encoding") != "gzip" || head.ContentLength != int64(len(gz)) {
		t.Errorf("HEAD %s: status %d, %d bytes of body, Content-Encoding %q, Content-Length %d", target, head.StatusCode, len(body), head.Header.Get("Content-Encoding"), head.ContentLength)
	}

	etag := resp.Header.Get("Etag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if again, _ := do(t, app, http.MethodGet, target, "Accept-Encoding", "gzip", "If-None-Match", etag); again.StatusCode != http.StatusNotModified {
		t.Errorf("a revalidation with the ETag: status %d, want %d", again.StatusCode, http.StatusNotModified)
	}

	js := apidocs.Path + "/swagger-ui-bundle.js"
	resp, _ = do(t, app, http.MethodGet, js, "Accept-Encoding", "gzip")
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.Contains(ct, "javascript") || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("GET %s: status %d, Content-Type %q, Content-Encoding %q", js, resp.StatusCode, ct, resp.Header.Get("Content-Encoding"))
	}
}

// What is neither a route nor an asset answers the app's own 404, and the
// routes take only GET and HEAD.
func TestMountRejectsTheRest(t *testing.T) {
	app := mounted(apidocs.Spec{Title: "t", Swagger: []byte("{}")})
	for _, target := range []string{
		apidocs.Path + "/nosuch",
		apidocs.Path + "/nosuch.js",
		apidocs.Path + "/embed.go", // a file of the assets' package, not an asset
		apidocs.Path + "/ui/index.html",
		apidocs.Path + "/swagger-ui.css/x",
		apidocs.Path + "/%2e%2e/handler.go",
	} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			resp, body := do(t, app, method, target)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: status %d, want %d", method, target, resp.StatusCode, http.StatusNotFound)
				continue
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("%s %s: Content-Type %q, not the app's error shape", method, target, got)
			}
			if method == http.MethodGet && !bytes.Contains(body, []byte(`"error"`)) {
				t.Errorf("%s %s: %s, not the app's error shape", method, target, body)
			}
		}
	}
	for _, target := range []string{apidocs.Path + "/doc.json", apidocs.Path + "/swagger-ui.css"} {
		if resp, _ := do(t, app, http.MethodPost, target); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: status %d, want %d", target, resp.StatusCode, http.StatusMethodNotAllowed)
		}
	}
}

// Mounted on a group, everything is under the group's prefix, the redirect
// and the assets included; and Fiber's case-insensitive routing reaches the
// assets as it does the other routes.
func TestMountUnderAPrefix(t *testing.T) {
	s := apidocs.Spec{Title: "t", Swagger: []byte(`{"swagger":"2.0"}`)}
	app := fiber.New(fiber.Config{ErrorHandler: jsonError})
	apidocs.Mount(app.Group("/orders"), s)
	prefix := "/orders" + apidocs.Path

	resp, _ := do(t, app, http.MethodGet, prefix+"/")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != prefix+"/index.html" {
		t.Errorf("GET %s/: status %d, Location %q; want a redirect to %s/index.html", prefix, resp.StatusCode, resp.Header.Get("Location"), prefix)
	}
	for _, target := range []string{prefix + "/index.html", prefix + "/ui.js", prefix + "/doc.json", prefix + "/swagger-ui.css", prefix + "/favicon-16x16.png"} {
		if resp, b := do(t, app, http.MethodGet, target); resp.StatusCode != http.StatusOK || len(b) == 0 {
			t.Errorf("GET %s: status %d, %d bytes", target, resp.StatusCode, len(b))
		}
	}
	if resp, _ := do(t, app, http.MethodGet, apidocs.Path+"/doc.json"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET %s/doc.json outside the prefix: status %d", apidocs.Path, resp.StatusCode)
	}

	root := mounted(s)
	for _, target := range []string{"/Documentation/swagger-ui.css", "/DOCUMENTATION/Doc.json"} {
		if resp, b := do(t, root, http.MethodGet, target); resp.StatusCode != http.StatusOK || len(b) == 0 {
			t.Errorf("GET %s: status %d, %d bytes", target, resp.StatusCode, len(b))
		}
	}
}
