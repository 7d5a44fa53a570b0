package main

import (
	"fmt"
	"io"
	"net"
	"text/tabwriter"
)

func printBanner(w io.Writer, s *System) {
	host := s.cfg.Runner.PublicHost
	url := func(addr string) string {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return addr
		}
		return "http://" + net.JoinHostPort(host, port)
	}
	redis := "in process (streams saved to the data folder at shutdown)"
	if !s.cfg.EmbeddedRedis {
		redis = s.cfg.Orders.RedisURL
	}
	market := s.cfg.Inventory.MarketURL
	if s.cfg.EmbeddedMarket {
		market = s.MarketURL + " (simulator)"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nComanda is running.")
	fmt.Fprintf(tw, "  orders-app\t%s\t(API docs: %s/documentation/)\n", url(s.Orders.Addr()), url(s.Orders.Addr()))
	fmt.Fprintf(tw, "  kitchen-app\t%s\t(API docs: %s/documentation/)\n", url(s.Kitchen.Addr()), url(s.Kitchen.Addr()))
	fmt.Fprintf(tw, "  inventory-app\t%s\t(API docs: %s/documentation/)\n", url(s.Inventory.Addr()), url(s.Inventory.Addr()))
	fmt.Fprintf(tw, "  farmers market\t%s\n", market)
	fmt.Fprintf(tw, "  redis\t%s\n", redis)
	fmt.Fprintf(tw, "  data folder\t%s\n", s.cfg.Orders.DataDir)
	fmt.Fprintf(tw, "\nOrder 200 dishes:\tcurl -X POST %s/api/v1/orders -d '{\"quantity\":200}'\n", url(s.Orders.Addr()))
	fmt.Fprintf(tw, "Watch them:\tcurl %s/api/v1/orders/stats\n", url(s.Orders.Addr()))
	fmt.Fprintf(tw, "Stop:\tCtrl-C (drains in-flight work first)\n\n")
	tw.Flush()
}
