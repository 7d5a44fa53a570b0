package apidocs

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/swaggest/swgui/v5/static"
	"github.com/vearutop/statigz"
)

// Path is where Mount serves the documentation.
const Path = "/documentation"

//go:embed ui
var ui embed.FS

var page = template.Must(template.ParseFS(ui, "ui/index.html"))

// Mount serves s under Path on r: the UI page at Path/ (Path/index.html),
// the specs at Path/doc.json, doc.yaml, openapi.json and openapi.yaml, and
// Swagger UI's assets beside them.
func Mount(r fiber.Router, s Spec) {
	var html bytes.Buffer
	if err := page.Execute(&html, s.Title); err != nil {
		panic(err) // the template takes any string
	}
	script, err := ui.ReadFile("ui/ui.js")
	if err != nil {
		panic(err) // embedded above
	}
	// The assets are gzipped; statigz sends them as they are to clients that
	// take gzip and inflates them for the others. They lie flat in static.FS,
	// so a request's last element names one, whatever prefix r has and
	// however the request spells Path (Fiber's routing ignores case).
	files := statigz.FileServer(static.FS)
	assets := adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		req.URL.Path, req.URL.RawPath = "/"+path.Base(req.URL.Path), ""
		files.ServeHTTP(w, req)
	})

	// Path and Path/ are one route (Fiber's routing is not strict); the
	// redirect keeps r's prefix.
	r.Get(Path, func(c *fiber.Ctx) error {
		return c.Redirect(strings.TrimSuffix(c.Path(), "/")+"/index.html", fiber.StatusMovedPermanently)
	})
	r.Get(Path+"/index.html", send(fiber.MIMETextHTMLCharsetUTF8, html.Bytes()))
	r.Get(Path+"/ui.js", send(fiber.MIMETextJavaScriptCharsetUTF8, script))
	r.Get(Path+"/doc.json", send(fiber.MIMEApplicationJSON, s.Swagger))
	r.Get(Path+"/doc.yaml", send(mimeYAML, s.SwaggerYAML))
	r.Get(Path+"/openapi.json", send(fiber.MIMEApplicationJSON, s.OpenAPI))
	r.Get(Path+"/openapi.yaml", send(mimeYAML, s.OpenAPIYAML))
	r.Get(Path+"/*", func(c *fiber.Ctx) error {
		// Anything else is an asset or the JSON error shape's 404, not
		// net/http's plain-text one.
		if !asset(c.Params("*")) {
			return fiber.ErrNotFound
		}
		return assets(c)
	})
}

// asset reports whether Swagger UI's assets hold name, as it is or gzipped.
func asset(name string) bool {
	for _, n := range []string{name, name + ".gz"} {
		if f, err := fs.Stat(static.FS, n); err == nil && !f.IsDir() {
			return true
		}
	}
	return false
}

// mimeYAML is YAML's registered media type (RFC 9512).
const mimeYAML = "application/yaml"

func send(contentType string, body []byte) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, contentType)
		return c.Send(body)
	}
}
