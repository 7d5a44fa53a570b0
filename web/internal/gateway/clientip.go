package gateway

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// ParseTrustedProxies reads TRUSTED_PROXIES: comma-separated CIDRs (or
// single addresses) of the load balancers in front of the gateway.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			a, err := netip.ParseAddr(item)
			if err != nil {
				return nil, fmt.Errorf("TRUSTED_PROXIES: %q is neither a CIDR nor an address", item)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR", item)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// clientAddr is the address of the client behind the trusted proxies: the
// peer, unless the peer is a trusted proxy; then the X-Forwarded-For hops
// from the right, skipping trusted proxies, the first one that is not. A
// client can write anything left of what its first proxy appends, so
// nothing left of the first untrusted hop is believed.
func clientAddr(c *fiber.Ctx, trusted []netip.Prefix) netip.Addr {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	peer = peer.Unmap()
	if !isTrusted(peer, trusted) {
		return peer
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return client
		}
		client = a.Unmap()
		if !isTrusted(client, trusted) {
			return client
		}
	}
	return client
}

// FromTrustedProxy reports whether a request's peer is one of the trusted
// proxies, whose headers about the request (its id) are believed.
func FromTrustedProxy(trusted []netip.Prefix) func(*fiber.Ctx) bool {
	return func(c *fiber.Ctx) bool {
		peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
		return isTrusted(peer.Unmap(), trusted)
	}
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
