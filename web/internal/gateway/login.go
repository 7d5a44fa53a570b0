package gateway

import (
	"crypto/subtle"
	"net/http"
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
	attempts int
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
//	@Failure		429		{object}	httpx.ErrorBody	"Too many attempts; wait a minute"
//	@Router			/api/login [post]
func (h *loginHandlers) login(c *fiber.Ctx) error {
	var req LoginRequest
	if err := httpx.DecodeJSON(c.Body(), &req); err != nil {
		return err
	}
	if h.sessions.Disabled() {
		return c.JSON(SessionView{User: "anonymous", AuthDisabled: true})
	}
	// Compare both, always, so that timing tells nothing about which was wrong.
	userOK := subtle.ConstantTimeCompare([]byte(req.Username), []byte(h.manager.User)) == 1
	passOK := bcrypt.CompareHashAndPassword(h.manager.Hash, []byte(req.Password)) == nil
	if !userOK || !passOK {
		return httpx.Errorf(http.StatusUnauthorized, "invalid_credentials", "wrong user name or password")
	}
	token, sess, err := h.sessions.Open(h.manager.User)
	if err != nil {
		return err
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
//	@Description	Ends the session: its token stops working at once, and the cookie is cleared.
//	@Tags			session
//	@Produce		json
//	@Success		204
//	@Router			/api/logout [post]
func (h *loginHandlers) logout(c *fiber.Ctx) error {
	if sess, err := h.sessions.Check(auth.TokenFrom(c)); err == nil && !h.sessions.Disabled() {
		h.sessions.Revoke(sess)
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
	sess, err := h.sessions.Check(auth.TokenFrom(c))
	if err != nil {
		return unauthorized()
	}
	return c.JSON(SessionView{User: sess.User, ExpiresAt: sess.ExpiresAt, AuthDisabled: h.sessions.Disabled()})
}

func unauthorized() error {
	return httpx.Errorf(http.StatusUnauthorized, "unauthorized", "log in first: this needs the manager's session")
}
