// Package dashboard holds the manager's dashboard: static files embedded in
// the binary (no build step), served by the web gateway.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/gofiber/fiber/v2"
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
	app.Use("/assets", filesystem.New(filesystem.Config{Root: http.FS(sub), MaxAge: 300}))
}
