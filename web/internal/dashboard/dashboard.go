// Package dashboard holds the manager's dashboard: static files embedded in
// the binary (no build step), served by the web gateway.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

//go:embed assets
var assets embed.FS

// Register serves the dashboard at / and its files under /assets/.
func Register(app *fiber.App) {
	sub, _ := fs.Sub(assets, "assets")
	index, _ := fs.ReadFile(sub, "index.html")
	page := func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Type("html", "utf-8")
		return c.Send(index)
	}
	app.Get("/", page)
	app.Get("/index.html", page)
	// Revalidated on every load (ETag): the modules of one release must
	// never mix with the previous one's.
	app.Use("/assets", etag.New(), func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return c.Next()
	}, filesystem.New(filesystem.Config{Root: http.FS(sub)}))
}
