package gateway

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/proxy"
	"github.com/valyala/fasthttp"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/httpx"
)

// apiProxy forwards /api/{service}/{path} to the service's /api/v1/{path},
// carrying the session as a bearer token (services check it on writes).
type apiProxy struct {
	upstreams map[string]string // service name → base URL
	sessions  *Sessions
	client    *fasthttp.Client
	timeout   time.Duration
}

func newAPIProxy(upstreams map[string]string, sessions *Sessions, timeout time.Duration) *apiProxy {
	return &apiProxy{
		upstreams: upstreams,
		sessions:  sessions,
		timeout:   timeout,
		client: &fasthttp.Client{
			MaxConnsPerHost: 512,
			ReadTimeout:     timeout,
			WriteTimeout:    timeout,
			// Below the services' idle timeout (60 s), so that the gateway
			// closes an idle connection before a service does and does not
			// send a request down a connection already closed at the other
			// end.
			MaxIdleConnDuration: 30 * time.Second,
			// The gateway forwards bodies up to the services' own limit.
			MaxResponseBodySize: 64 << 20,
			// The client never resends a request by itself. fasthttp would
			// resend one whose connection dropped, a POST included when the
			// service closed the connection before answering (whatever
			// RetryIf says): a placement the service stored, sent again,
			// would place the dishes twice. Only the idempotent reads are
			// resent, once, by forward; a placement is retried by its
			// client, with the same Idempotency-Key.
			MaxIdemponentCallAttempts: 1,
			RetryIf:                   func(*fasthttp.Request) bool { return false },
		},
	}
}

// resendable reports whether a request may be sent again after its
// connection dropped: the reads, which change nothing.
func resendable(method string) bool {
	return method == fiber.MethodGet || method == fiber.MethodHead
}

// forward godoc
//
//	@Summary		Service APIs
//	@Description	Forwards to orders-app (`/api/orders/...` → `/api/v1/...`), kitchen-app (`/api/kitchen/...`) and inventory-app (`/api/inventory/...`); see each service's own documentation. Every call needs the manager's session (cookie or bearer token).
//	@Tags			gateway
//	@Param			service	path	string	true	"orders, kitchen or inventory"
//	@Param			path	path	string	true	"the service's path after /api/v1/"
//	@Success		200
//	@Failure		401	{object}	httpx.ErrorBody	"No valid session"
//	@Failure		403	{object}	httpx.ErrorBody	"Request from another origin"
//	@Failure		502	{object}	httpx.ErrorBody	"The service is not answering"
//	@Router			/api/{service}/{path} [get]
//	@Router			/api/{service}/{path} [post]
func (p *apiProxy) forward(c *fiber.Ctx) error {
	base, ok := p.upstreams[c.Params("service")]
	if !ok {
		return httpx.Errorf(http.StatusNotFound, "not_found", "no such API; use /api/orders, /api/kitchen or /api/inventory")
	}
	token := auth.TokenFrom(c)
	if _, err := p.sessions.Check(token); err != nil {
		return unauthorized()
	}
	if err := sameOrigin(c); err != nil {
		return err
	}
	target := base + "/api/v1/" + c.Params("*")
	if q := c.Request().URI().QueryString(); len(q) > 0 {
		target += "?" + string(q)
	}
	c.Request().Header.Del(fiber.HeaderCookie)
	if token != "" {
		c.Request().Header.Set(fiber.HeaderAuthorization, "Bearer "+token)
	}
	err := proxy.DoTimeout(c, target, p.timeout, p.client)
	if errors.Is(err, fasthttp.ErrConnectionClosed) && resendable(c.Method()) {
		err = proxy.DoTimeout(c, target, p.timeout, p.client)
	}
	if err != nil {
		return httpx.Errorf(http.StatusBadGateway, "service_unavailable", c.Params("service")+" is not answering; try again")
	}
	c.Response().Header.Del(fiber.HeaderServer)
	return nil
}

// sameOrigin refuses a write that a browser sent from another site. The
// SameSite=Strict cookie already keeps it from carrying the session; this
// covers browsers that ignore SameSite.
func sameOrigin(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return nil
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" || strings.EqualFold(origin, c.BaseURL()) {
		return nil
	}
	return httpx.Errorf(http.StatusForbidden, "cross_origin", "requests from other sites are refused")
}
