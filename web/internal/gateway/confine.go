package gateway

import (
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/comanda-dev/comanda/internal/httpx"
)

// apiPath reads the path of a request to /api/{service}/{rest} as the client
// sent it (not as fasthttp normalises it), percent-decoded once, and returns
// the service's name and the rest cleaned and re-escaped: what the gateway
// forwards to the service's /api/v1/{rest}.
//
// It refuses, rather than repairs, any segment that someone along the way
// (the gateway's router, its HTTP client, the service) could read as a step
// out of /api/{service}/: a dot segment, an encoded slash, a backslash
// (encoded or not), a control character, a malformed escape. Each
// segment is decoded exactly once, so %252e stays the three characters %2e
// and reaches the service as %252e.
func apiPath(raw string) (service, rest string, err error) {
	const prefix = "/api/"
	// The router matches /api/ without regard to case.
	if len(raw) < len(prefix) || !strings.EqualFold(raw[:len(prefix)], prefix) {
		return "", "", badPath("the path is not under /api/")
	}
	var segments []string
	for i, seg := range strings.Split(raw[len(prefix):], "/") {
		s, err := url.PathUnescape(seg)
		if err != nil {
			return "", "", badPath("the path has a malformed escape")
		}
		if why := refusedSegment(s); why != "" {
			return "", "", badPath(why)
		}
		switch {
		case i == 0:
			service = s
		case s != "": // empty segments (a//b, a trailing slash) are cleaned away
			segments = append(segments, escapeSegment(s))
		}
	}
	rest = strings.Join(segments, "/")
	// With no dot segment and no slash inside a segment there is nothing
	// left to clean; this holds the rules above to it.
	if path.Clean("/"+rest) != "/"+rest {
		return "", "", badPath("the path leaves the service's API")
	}
	return service, rest, nil
}

// refusedSegment says what is wrong with a decoded path segment, or "".
func refusedSegment(s string) string {
	if s == "." || s == ".." {
		return "the path has a dot segment"
	}
	if strings.ContainsAny(s, `/\`) {
		return "the path has an encoded slash or a backslash"
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return "the path has a control character"
		}
	}
	return ""
}

func badPath(why string) error {
	return httpx.Errorf(http.StatusBadRequest, "invalid_path", why)
}

// escapeSegment percent-encodes what RFC 3986 does not allow in a path
// segment as is, '%' included, and leaves the rest (sub-delimiters, ':' and
// '@' too) alone: the services match their routes on the path as sent.
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if pathChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// pathChar reports whether c may stand unescaped in a path segment
// (RFC 3986 pchar, less pct-encoded).
func pathChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}
