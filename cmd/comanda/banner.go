package main

import (
	"fmt"
	"io"
	"net"
	"text/tabwriter"

	"github.com/comanda-dev/comanda/internal/config"
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
	redis := "in process (streams logged to the data folder as they change)"
	if !s.cfg.EmbeddedRedis {
		redis = config.Redact(s.cfg.Orders.RedisURL)
	}
	market := s.cfg.Inventory.MarketURL
	if s.cfg.EmbeddedMarket {
		market = s.MarketURL + " (simulator)"
	}
	web := url(s.Web.Addr())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nComanda is running.")
	fmt.Fprintf(tw, "  dashboard\t%s\n", web)
	fmt.Fprintf(tw, "  orders-app\t%s/documentation/\n", url(s.Orders.Addr()))
	fmt.Fprintf(tw, "  kitchen-app\t%s/documentation/\n", url(s.Kitchen.Addr()))
	fmt.Fprintf(tw, "  inventory-app\t%s/documentation/\n", url(s.Inventory.Addr()))
	fmt.Fprintf(tw, "  farmers market\t%s\n", market)
	fmt.Fprintf(tw, "  redis\t%s\n", redis)
	fmt.Fprintf(tw, "  data folder\t%s\n", s.cfg.Orders.DataDir)
	password := "<password>"
	switch {
	case s.cfg.Web.AuthDisabled:
		fmt.Fprintf(tw, "\n  login\tnone: AUTH_DISABLED=true, everything is open\n")
	case s.NewPassword != "":
		password = s.NewPassword
		fmt.Fprintf(tw, "\n  login\tuser %q, password %q\n", s.cfg.Web.ManagerUser, s.NewPassword)
		fmt.Fprintf(tw, "  \t(shown this once; kept hashed in %s/credentials.json: delete that file for a new one)\n", s.cfg.Orders.DataDir)
	case s.cfg.Web.ManagerPassword != "" || !fromDataDir(s):
		fmt.Fprintf(tw, "\n  login\tuser %q with MANAGER_PASSWORD\n", s.cfg.Web.ManagerUser)
	default:
		fmt.Fprintf(tw, "\n  login\tuser %q, password printed on the first run (delete %s/credentials.json for a new one)\n", s.cfg.Web.ManagerUser, s.cfg.Orders.DataDir)
	}
	if !s.cfg.Web.AuthDisabled {
		fmt.Fprintf(tw, "\nFrom a script:\tTOKEN=$(curl -s %s/api/login -d '{\"username\":%q,\"password\":%q}' | sed -E 's/.*\"token\":\"([^\"]+)\".*/\\1/')\n", web, s.cfg.Web.ManagerUser, password)
		fmt.Fprintf(tw, "Order 200 dishes:\tcurl -H \"Authorization: Bearer $TOKEN\" -X POST %s/api/orders/orders -d '{\"quantity\":200}'\n", web)
		fmt.Fprintf(tw, "Watch them:\tcurl -H \"Authorization: Bearer $TOKEN\" %s/api/orders/orders/stats\n", web)
	} else {
		fmt.Fprintf(tw, "\nOrder 200 dishes:\tcurl -X POST %s/api/orders/orders -d '{\"quantity\":200}'\n", web)
		fmt.Fprintf(tw, "Watch them:\tcurl %s/api/orders/orders/stats\n", web)
	}
	fmt.Fprintf(tw, "Stop:\tCtrl-C (drains in-flight work first)\n\n")
	tw.Flush()
}

func fromDataDir(s *System) bool {
	return s.cfg.Web.ManagerPasswordHash != "" && !config.Lookup("MANAGER_PASSWORD_HASH")
}
