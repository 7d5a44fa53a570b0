package gateway

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
	"go.opentelemetry.io/otel/trace"

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
	tracer    trace.Tracer // nil: tracing off
}

func newAPIProxy(upstreams map[string]string, sessions *Sessions, timeout time.Duration, tracer trace.Tracer) *apiProxy {
	return &apiProxy{
		tracer:    tracer,
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
			// service closed the connection before answering: a placement the service stored, sent again,
			// would place the dishes twice. Only the idempotent reads are
			// resent, once, by forward; a placement is retried by its
			// client, with the same Idempotency-Key.
			MaxIdemponentCallAttempts: 1,
			RetryIfErr:                func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
			// forward sends the path it cleaned and escaped itself;
			// normalising would decode it a second time.
			DisablePathNormalizing: true,
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
	name, rest, err := apiPath(string(c.Request().URI().PathOriginal()))
	if err != nil {
		return err
	}
	base, ok := p.upstreams[name]
	if !ok {
		return httpx.Errorf(http.StatusNotFound, "not_found", "no such API; use /api/orders, /api/kitchen or /api/inventory")
	}
	token := auth.TokenFrom(c)
	if _, err := p.sessions.Check(c, token); err != nil {
		return err
	}
	if err := sameOrigin(c); err != nil {
		return err
	}
	target := base + "/api/v1/" + rest
	if q := c.Request().URI().QueryString(); len(q) > 0 {
		target += "?" + string(q)
	}
	// A request of its own, so that what is stripped for the service stays
	// in the client's (whose Connection: close the server still honours).
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	c.Request().Header.CopyTo(&req.Header)
	req.SetRequestURI(target)
	req.SetBodyRaw(c.Request().Body())
	stripHopByHop(&req.Header)
	dropForwarding(&req.Header)
	req.Header.Del(fiber.HeaderCookie)
	// The request's id, as the gateway gave it (httpx.RequestID), so that
	// the service logs the id the client is answered.
	id := strings.Clone(c.GetRespHeader(httpx.HeaderRequestID)) // the answer reuses the buffer
	if id != "" {
		req.Header.Set(httpx.HeaderRequestID, id)
	}
	if token != "" {
		req.Header.Set(fiber.HeaderAuthorization, "Bearer "+token)
	}
	res := c.Response()
	endSpan := p.upstreamSpan(c.UserContext(), name, c.Method(), req)
	err = p.client.DoTimeout(req, res, p.timeout)
	if errors.Is(err, fasthttp.ErrConnectionClosed) && resendable(c.Method()) {
		err = p.client.DoTimeout(req, res, p.timeout)
	}
	endSpan(res.StatusCode(), err)
	if err != nil {
		return httpx.Errorf(http.StatusBadGateway, "service_unavailable", name+" is not answering; try again")
	}
	stripHopByHop(&res.Header)
	// The gateway's own cookie is the only one this site sets.
	res.Header.Del(fiber.HeaderSetCookie)
	res.Header.Del(fiber.HeaderServer)
	if id != "" {
		res.Header.Set(httpx.HeaderRequestID, id)
	}
	return nil
}
