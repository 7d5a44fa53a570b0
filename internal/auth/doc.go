// Package auth issues and checks the manager's session tokens (JWT, HS256,
// signed with AUTH_SECRET) and holds the Fiber middleware every service uses
// to refuse writes without a valid token. The web gateway issues tokens at
// login; scripts send them as "Authorization: Bearer <token>"; browsers carry
// them in an HttpOnly, SameSite=Strict cookie.
//
// The package must not import any app.
package auth
