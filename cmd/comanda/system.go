package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofrs/flock"
	"golang.org/x/sync/errgroup"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/marketsim"
	inventoryapp "github.com/comanda-dev/comanda/inventory-app/app"
	kitchenapp "github.com/comanda-dev/comanda/kitchen-app/app"
	ordersapp "github.com/comanda-dev/comanda/orders-app/app"
	webapp "github.com/comanda-dev/comanda/web/app"
)

// embeddedWaitTimeout is how long relays wait for the in-process Redis's
// log unless REDIS_WAIT_TIMEOUT says otherwise.
const embeddedWaitTimeout = 5 * time.Second

// System is the whole restaurant in one process: the same services that run
// alone in production, plus an in-process Redis and market when no real ones
// are configured.
type System struct {
	cfg       Config
	log       *slog.Logger
	redis     *embeddedRedis
	Market    *marketsim.Simulator
	MarketURL string
	Orders    *ordersapp.App
	Kitchen   *kitchenapp.App
	Inventory *inventoryapp.App
	Web       *webapp.App
	// NewPassword is the manager's password when this run created it.
	NewPassword string
	stopMkt     context.CancelFunc
	dataLock    *flock.Flock
}

// Start brings the system up; Run serves it.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (_ *System, err error) {
	s := &System{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()

	// 0. The data folder is this process's alone. The warehouse can then
	// keep its name across restarts and take its lease back at once,
	// instead of waiting for the lease of the run it succeeds to expire.
	if s.dataLock, err = lockDataDir(cfg.Orders.DataDir); err != nil {
		return nil, err
	}
	// The services listen on loopback: only the gateway, in front of
	// them, is for other machines.
	for name, addr := range map[string]*string{"ORDERS_ADDR": &cfg.Orders.Addr, "KITCHEN_ADDR": &cfg.Kitchen.Addr, "INVENTORY_ADDR": &cfg.Inventory.Addr} {
		if !config.Lookup(name) {
			*addr = loopback(*addr)
		}
	}
	if !config.Lookup("LEADER_HOLDER") {
		cfg.Inventory.LeaderHolder = "embedded"
	}

	// 1. Redis: in process unless REDIS_URL names a server. Its streams are
	// logged to the data folder as they change, and the log is its one
	// replica: relays forget an event only once WAIT says it is on disk.
	if cfg.EmbeddedRedis {
		if s.redis, err = startEmbeddedRedis(ctx, cfg.Orders.DataDir, log); err != nil {
			return nil, err
		}
		url := "redis://" + s.redis.addr()
		cfg.Orders.RedisURL, cfg.Kitchen.RedisURL, cfg.Inventory.RedisURL = url, url, url
		cfg.Orders.RedisWaitReplicas, cfg.Kitchen.RedisWaitReplicas, cfg.Inventory.RedisWaitReplicas = 1, 1, 1
		if !config.Lookup("REDIS_WAIT_TIMEOUT") {
			// A WAIT that times out republishes its whole batch: on a
			// busy laptop, waiting longer for the log is cheaper.
			t := embeddedWaitTimeout
			cfg.Orders.RedisWaitTimeout, cfg.Kitchen.RedisWaitTimeout, cfg.Inventory.RedisWaitTimeout = t, t, t
		}
	}

	// 2. The farmers market: the simulator unless MARKET_URL is set.
	if cfg.EmbeddedMarket {
		mctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		s.stopMkt = cancel
		sim, base, err := marketsim.Start(mctx, cfg.Runner.MarketAddr, cfg.Market)
		if err != nil {
			return nil, fmt.Errorf("starting the market simulator: %w", err)
		}
		s.Market, s.MarketURL = sim, base+marketsim.BuyPath
		cfg.Inventory.MarketURL = s.MarketURL
	}

	// 3. Sessions: the gateway's signing key and the manager's account,
	// created in the data folder on the first run unless the environment
	// gives them; the services check tokens with the public key alone.
	if !cfg.Web.AuthDisabled {
		if cfg.Web.AuthPrivateKey == "" || (cfg.Web.ManagerPassword == "" && cfg.Web.ManagerPasswordHash == "") {
			creds, err := loadOrCreateCredentials(cfg.Orders.DataDir, cfg.Web.ManagerUser)
			if err != nil {
				return nil, err
			}
			if cfg.Web.AuthPrivateKey == "" {
				cfg.Web.AuthPrivateKey, cfg.Web.AuthKeyID = creds.PrivateKey, creds.KeyID
			}
			if cfg.Web.ManagerPassword == "" && cfg.Web.ManagerPasswordHash == "" {
				cfg.Web.ManagerPasswordHash = creds.PasswordHash
				s.NewPassword = creds.NewPassword
			}
		}
		priv, err := auth.ParsePrivateKey(cfg.Web.AuthPrivateKey)
		if err != nil {
			return nil, err
		}
		pub, err := auth.PublicEntry(cfg.Web.AuthKeyID, priv)
		if err != nil {
			return nil, err
		}
		if cfg.Web.AuthPublicKeys != "" {
			pub += "," + cfg.Web.AuthPublicKeys
		}
		cfg.Orders.AuthPublicKeys, cfg.Kitchen.AuthPublicKeys, cfg.Inventory.AuthPublicKeys = pub, pub, pub
	}
	cfg.Web.RedisURL, cfg.Web.StreamPrefix = cfg.Orders.RedisURL, cfg.Orders.StreamPrefix

	// 4. The three services.
	if s.Orders, err = ordersapp.New(ctx, cfg.Orders, log.With("service", "orders-app")); err != nil {
		return nil, fmt.Errorf("starting orders-app: %w", err)
	}
	if s.Kitchen, err = kitchenapp.New(ctx, cfg.Kitchen, log.With("service", "kitchen-app")); err != nil {
		return nil, fmt.Errorf("starting kitchen-app: %w", err)
	}
	if s.Inventory, err = inventoryapp.New(ctx, cfg.Inventory, log.With("service", "inventory-app")); err != nil {
		return nil, fmt.Errorf("starting inventory-app: %w", err)
	}

	// 5. The gateway, in front of them.
	cfg.Web.OrdersURL, cfg.Web.KitchenURL, cfg.Web.InventoryURL = local(s.Orders.Addr()), local(s.Kitchen.Addr()), local(s.Inventory.Addr())
	if s.Web, err = webapp.New(ctx, cfg.Web, log.With("service", "web")); err != nil {
		return nil, fmt.Errorf("starting web: %w", err)
	}
	s.cfg = cfg
	return s, nil
}

// loopback is addr (":3000" or "host:3000") on 127.0.0.1.
func loopback(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// local is the URL at which this process reaches a service listening on addr.
func local(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	return "http://127.0.0.1:" + port
}

// Run serves until ctx ends and every service has drained.
func (s *System) Run(ctx context.Context) error {
	defer s.close()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.Orders.Run(gctx) })
	g.Go(func() error { return s.Kitchen.Run(gctx) })
	g.Go(func() error { return s.Inventory.Run(gctx) })
	g.Go(func() error { return s.Web.Run(gctx) })
	err := g.Wait()
	if s.redis != nil {
		// Every service has drained: log the last of it before the
		// Redis goes.
		err = errors.Join(err, s.redis.close())
	}
	return err
}

// stop releases what a failed Start opened: each service already created
// is closed without running.
func (s *System) stop() {
	if s.Web != nil {
		s.Web.Close()
	}
	if s.Inventory != nil {
		s.Inventory.Close()
	}
	if s.Kitchen != nil {
		s.Kitchen.Close()
	}
	if s.Orders != nil {
		s.Orders.Close()
	}
	s.close()
}

func (s *System) close() {
	if s.stopMkt != nil {
		s.stopMkt()
	}
	if s.redis != nil {
		if err := s.redis.close(); err != nil {
			s.log.Error("closing the stream log", "err", err)
		}
	}
	if s.dataLock != nil {
		_ = s.dataLock.Unlock()
	}
}
