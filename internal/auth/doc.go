// Package auth issues and checks the manager's session tokens and holds the
// Fiber middleware every service uses to refuse calls without a live session
// (docs/security.md).
//
// Tokens are JWTs signed with Ed25519 (EdDSA): only the web gateway holds the
// private key (AUTH_PRIVATE_KEY), the services verify with public keys alone
// (AUTH_PUBLIC_KEYS, more than one during a rotation, told apart by the
// token's kid). A token names its audience (the services), its session (jti)
// and sane times: issued not in the future, for at most MaxTTL.
//
// A token alone is not a session: the session it names must be live in
// Redis (Registry), where the gateway opens it at login and ends it at
// logout, so that a logout holds at every gateway, every service and across
// restarts. Checks cache a live answer for a second.
//
// Scripts send tokens as "Authorization: Bearer <token>"; browsers carry them
// in an HttpOnly, SameSite=Strict cookie.
//
// The package must not import any app.
package auth
