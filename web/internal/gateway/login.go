package gateway

import (
	"context"
	"crypto/subtle"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/httpx"
)

// Manager is the one account that may use the dashboard.
type Manager struct {
	User string
	Hash []byte // bcrypt
}

// NewManager hashes password, or takes hash when given.
func NewManager(user, password, hash string) (Manager, error) {
	if hash != "" {
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return Manager{}, err
		}
		return Manager{User: user, Hash: []byte(hash)}, nil
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return Manager{}, err
	}
	return Manager{User: user, Hash: h}, nil
}

// LoginRequest logs the manager in.
type LoginRequest struct {
	Username string `json:"username" example:"manager"`
	Password string `json:"password" example:"correct horse battery staple"`
}

// SessionView describes the current session. Token is returned at login
// only, for scripts; browsers use the cookie.
type SessionView struct {
	User         string    `json:"user" example:"manager"`
	ExpiresAt    time.Time `json:"expiresAt,omitzero"`
	Token        string    `json:"token,omitempty"`
	AuthDisabled bool      `json:"authDisabled,omitempty"`
}

type loginHandlers struct {
	manager  Manager
	sessions *Sessions
	secure   bool
	limits   *loginLimits // nil: checks are off
	trusted  []netip.Prefix
}

// login godoc
//
//	@Summary		Log in
//	@Description	Checks the manager's credentials and opens a session: an HttpOnly, SameSite=Strict cookie for the browser, and the same token in the answer for scripts (send it as `Authorization: Bearer <token>`).
//	@Tags			session
//	@Accept			json
//	@Produce		json
//	@Param			request	body		LoginRequest	true	"Credentials"
//	@Success		200		{object}	SessionView
//	@Failure		400		{object}	httpx.ErrorBody	"Body is not the expected JSON"
//	@Failure		401		{object}	httpx.ErrorBody	"Wrong user name or password"
//	@Failure		429		{object}	httpx.ErrorBody	"Too many attempts from this address, or for this user; wait as long as Retry-After says"
//	@Failure		503		{object}	httpx.ErrorBody	"Sessions cannot be opened now"
//	@Router			/api/login [post]
func (h *loginHandlers) login(c *fiber.Ctx) error {
	var req LoginRequest
	if err := httpx.DecodeJSON(c.Body(), &req); err != nil {
		return err
	}
	if h.sessions.Disabled() {
		return c.JSON(SessionView{User: "anonymous", AuthDisabled: true})
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 5*time.Second)
	defer cancel()
	wait, err := h.limits.admit(ctx, clientAddr(c, h.trusted).String(), req.Username)
	if err != nil {
		return sessionsUnavailable()
	}
	if wait > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return httpx.Errorf(http.StatusTooManyRequests, "too_many_attempts", "too many login attempts; try again in "+wait.Round(time.Second).String())
	}
	// Compare both, always, so that timing tells nothing about which was wrong.
	userOK := subtle.ConstantTimeCompare([]byte(req.Username), []byte(h.manager.User)) == 1
	passOK := bcrypt.CompareHashAndPassword(h.manager.Hash, []byte(req.Password)) == nil
	if !userOK || !passOK {
		if err := h.limits.failed(ctx, req.Username); err != nil {
			return sessionsUnavailable()
		}
		return httpx.Errorf(http.StatusUnauthorized, "invalid_credentials", "wrong user name or password")
	}
	if err := h.limits.succeeded(ctx, req.Username); err != nil {
		return sessionsUnavailable()
	}
	token, sess, err := h.sessions.Open(ctx, h.manager.User)
	if err != nil {
		return sessionsUnavailable()
	}
	c.Cookie(&fiber.Cookie{
		Name: auth.CookieName, Value: token, Path: "/", Expires: sess.ExpiresAt,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: h.secure,
	})
	return c.JSON(SessionView{User: sess.User, ExpiresAt: sess.ExpiresAt, Token: token})
}

// logout godoc
//
//	@Summary		Log out
//	@Description	Ends the session everywhere: its token stops working at every gateway and service within a second or two, its open feeds close, and the cookie is cleared. A 503 means the session could not be ended (Redis is not answering): try again.
//	@Tags			session
//	@Produce		json
//	@Success		204
//	@Failure		503	{object}	httpx.ErrorBody	"The session could not be ended now"
//	@Router			/api/logout [post]
func (h *loginHandlers) logout(c *fiber.Ctx) error {
	if !h.sessions.Disabled() {
		if sess, err := h.sessions.Check(c, auth.TokenFrom(c)); err == nil {
			ctx, cancel := context.WithTimeout(c.UserContext(), 5*time.Second)
			defer cancel()
			if err := h.sessions.Revoke(ctx, sess); err != nil {
				return sessionsUnavailable()
			}
		}
	}
	c.Cookie(&fiber.Cookie{
		Name: auth.CookieName, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: h.secure,
	})
	return c.SendStatus(http.StatusNoContent)
}

// me godoc
//
//	@Summary		Current session
//	@Description	Who is logged in and until when; 401 without a valid session.
//	@Tags			session
//	@Produce		json
//	@Success		200	{object}	SessionView
//	@Failure		401	{object}	httpx.ErrorBody	"No valid session"
//	@Router			/api/me [get]
func (h *loginHandlers) me(c *fiber.Ctx) error {
	sess, err := h.sessions.Check(c, auth.TokenFrom(c))
	if err != nil {
		return err
	}
	return c.JSON(SessionView{User: sess.User, ExpiresAt: sess.ExpiresAt, AuthDisabled: h.sessions.Disabled()})
}

func sessionsUnavailable() error {
	return httpx.Errorf(http.StatusServiceUnavailable, "sessions_unavailable", "sessions cannot be opened or ended now; try again in a moment")
}
