package main

import (
	"fmt"
	"github.com/comanda-dev/comanda/internal/config"
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
	fmt.Fprintf(tw, "  dashboard\t%s\t(API docs: %s/documentation/)\n", url(s.Web.Addr()), url(s.Web.Addr()))
	fmt.Fprintf(tw, "  orders-app\t%s\t(API docs: %s/documentation/)\n", url(s.Orders.Addr()), url(s.Orders.Addr()))
	fmt.Fprintf(tw, "  kitchen-app\t%s\t(API docs: %s/documentation/)\n", url(s.Kitchen.Addr()), url(s.Kitchen.Addr()))
	fmt.Fprintf(tw, "  inventory-app\t%s\t(API docs: %s/documentation/)\n", url(s.Inventory.Addr()), url(s.Inventory.Addr()))
	fmt.Fprintf(tw, "  farmers market\t%s\n", market)
	fmt.Fprintf(tw, "  redis\t%s\n", redis)
	fmt.Fprintf(tw, "  data folder\t%s\n", s.cfg.Orders.DataDir)
	switch {
	case s.cfg.Web.AuthDisabled:
		fmt.Fprintf(tw, "\n  login\tnone: AUTH_DISABLED=true, everything is open\n")
	case s.NewPassword != "":
		fmt.Fprintf(tw, "\n  login\tuser %q, password %q\n", s.cfg.Web.ManagerUser, s.NewPassword)
		fmt.Fprintf(tw, "  \t(shown this once; kept hashed in %s/credentials.json: delete that file for a new one)\n", s.cfg.Orders.DataDir)
	case s.cfg.Web.ManagerPassword != "" || !fromDataDir(s):
		fmt.Fprintf(tw, "\n  login\tuser %q with MANAGER_PASSWORD\n", s.cfg.Web.ManagerUser)
	default:
		fmt.Fprintf(tw, "\n  login\tuser %q, password printed on the first run (delete %s/credentials.json for a new one)\n", s.cfg.Web.ManagerUser, s.cfg.Orders.DataDir)
	}
	fmt.Fprintf(tw, "\nOrder 200 dishes:\tcurl -X POST %s/api/v1/orders -d '{\"quantity\":200}'\n", url(s.Orders.Addr()))
	fmt.Fprintf(tw, "Watch them:\tcurl %s/api/v1/orders/stats\n", url(s.Orders.Addr()))
	fmt.Fprintf(tw, "Stop:\tCtrl-C (drains in-flight work first)\n\n")
	tw.Flush()
}

func fromDataDir(s *System) bool {
	return s.cfg.Web.ManagerPasswordHash != "" && !config.Lookup("MANAGER_PASSWORD_HASH")
}
