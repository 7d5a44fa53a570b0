package gateway

import (
	"bytes"
	"iter"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// hopByHop are the headers that describe one connection (RFC 9110 §7.6.1),
// not the message: the client's connection to the gateway is not the
// gateway's to the service, so none of them crosses, either way.
var hopByHop = []string{
	fiber.HeaderConnection, fiber.HeaderKeepAlive, fiber.HeaderProxyAuthenticate,
	fiber.HeaderProxyAuthorization, fiber.HeaderTE, fiber.HeaderTrailer,
	fiber.HeaderTransferEncoding, fiber.HeaderUpgrade, "Proxy-Connection",
}

// header is what request and response headers share.
type header interface {
	All() iter.Seq2[[]byte, []byte]
	Del(key string)
}

// stripHopByHop removes the hop-by-hop headers from h, and first those its
// Connection header names as hop-by-hop.
func stripHopByHop(h header) {
	var named []string
	for key, value := range h.All() {
		if !bytes.EqualFold(key, []byte(fiber.HeaderConnection)) {
			continue
		}
		for _, name := range strings.Split(string(value), ",") {
			if name = strings.TrimSpace(name); name != "" {
				named = append(named, name)
			}
		}
	}
	for _, name := range named {
		h.Del(name)
	}
	for _, name := range hopByHop {
		h.Del(name)
	}
}

// dropForwarding removes what a client says about earlier hops
// (X-Forwarded-*, Forwarded): the gateway did not check it and the services
// do not need it.
func dropForwarding(h *fasthttp.RequestHeader) {
	var names []string
	for key := range h.All() {
		if hasPrefixFold(key, "X-Forwarded-") || bytes.EqualFold(key, []byte(fiber.HeaderForwarded)) {
			names = append(names, string(key))
		}
	}
	for _, name := range names {
		h.Del(name)
	}
}

func hasPrefixFold(s []byte, prefix string) bool {
	return len(s) >= len(prefix) && bytes.EqualFold(s[:len(prefix)], []byte(prefix))
}
