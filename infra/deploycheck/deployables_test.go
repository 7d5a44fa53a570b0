package deploycheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/marketsim"
	inventoryapp "github.com/comanda-dev/comanda/inventory-app/app"
	kitchenapp "github.com/comanda-dev/comanda/kitchen-app/app"
	ordersapp "github.com/comanda-dev/comanda/orders-app/app"
	webapp "github.com/comanda-dev/comanda/web/app"
)

// healthPath is the liveness endpoint every deployment file probes.
const healthPath = "/health"

// electionVar is the setting of the leader election a service with a fixed
// number of electing replicas reads.
const electionVar = "LEADER_LEASE"

// deployable is one program with its own image.
type deployable struct {
	// name is the image, the compose service, the ECS service and the
	// container's name.
	name string
	// dir holds the main package and the Dockerfile.
	dir string
	// vars is what its configuration struct reads.
	vars []config.Variable
	// addrVar is the variable of the HTTP listen address.
	addrVar string
	// ecs says whether it runs on ECS; the market simulator does not
	// (production buys at the real market).
	ecs bool
	// scalable services run several replicas in compose (--scale): no
	// container name, no fixed host port.
	scalable bool
	// replicas, when set, is the fixed number of replicas of a service
	// whose replicas elect a leader among themselves (the warehouse): it
	// runs exactly that many everywhere, is never autoscaled, and its
	// configuration must read electionVar, or two would both lead.
	replicas int
	// alternatives are variables of which one is enough (rule 2).
	alternatives [][]string
	// get answers a GET on the code's own routes, to check that the probed
	// path exists.
	get func(path string) (int, error)
}

func deployables(t testing.TB) []deployable {
	t.Helper()
	service := func(name string) func(string) (int, error) {
		app := httpx.New(httpx.Options{Service: name})
		return func(path string) (int, error) {
			resp, err := app.Test(httptest.NewRequest(http.MethodGet, path, nil))
			if err != nil {
				return 0, err
			}
			resp.Body.Close()
			return resp.StatusCode, nil
		}
	}
	market := marketsim.New(marketsim.DefaultConfig()).Handler()
	return []deployable{
		{name: "orders-app", dir: "orders-app", vars: config.Variables(ordersapp.Config{}), addrVar: "ORDERS_ADDR", ecs: true, get: service("orders-app")},
		{name: "kitchen-app", dir: "kitchen-app", vars: config.Variables(kitchenapp.Config{}), addrVar: "KITCHEN_ADDR", ecs: true, scalable: true, get: service("kitchen-app")},
		{name: "inventory-app", dir: "inventory-app", vars: config.Variables(inventoryapp.Config{}), addrVar: "INVENTORY_ADDR", ecs: true, scalable: true, replicas: 2, get: service("inventory-app")},
		{name: "web", dir: "web", vars: config.Variables(webapp.Config{}), addrVar: "WEB_ADDR", ecs: true, get: service("web"),
			alternatives: [][]string{{"MANAGER_PASSWORD", "MANAGER_PASSWORD_HASH"}}},
		{name: "market", dir: "cmd/market", vars: marketVariables(t), addrVar: "MARKET_ADDR",
			get: func(path string) (int, error) {
				rec := httptest.NewRecorder()
				market.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				return rec.Code, nil
			}},
	}
}

func (d deployable) variable(name string) (config.Variable, bool) {
	for _, v := range d.vars {
		if v.Name == name {
			return v, true
		}
	}
	return config.Variable{}, false
}

// port is the port of the listen address: the value set, or the default.
func (d deployable) port(t testing.TB, set map[string]string) string {
	t.Helper()
	addr, ok := set[d.addrVar]
	if !ok {
		v, found := d.variable(d.addrVar)
		if !found {
			t.Fatalf("%s: its configuration does not read %s", d.name, d.addrVar)
		}
		addr = v.Default
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("%s: %s=%q is not host:port: %v", d.name, d.addrVar, addr, err)
	}
	if _, err := strconv.Atoi(port); err != nil {
		t.Fatalf("%s: %s=%q has no numeric port", d.name, d.addrVar, addr)
	}
	return port
}

// marketVariables reads cmd/market's configuration struct from its source:
// it is unexported, in package main.
func marketVariables(t testing.TB) []config.Variable {
	t.Helper()
	path := filepath.Join(root(t), "cmd", "market", "config.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	var out []config.Variable
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "env" {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		found = true
		for _, field := range st.Fields.List {
			if len(field.Names) == 0 {
				sel, ok := field.Type.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Env" {
					t.Fatalf("%s: unexpected embedded field %T: teach marketVariables about it", path, field.Type)
				}
				out = append(out, config.Variables(marketsim.Env{})...)
				continue
			}
			if field.Tag == nil {
				continue
			}
			raw, err := strconv.Unquote(field.Tag.Value)
			if err != nil {
				t.Fatalf("%s: tag %s: %v", path, field.Tag.Value, err)
			}
			tag := reflect.StructTag(raw)
			name, _, _ := strings.Cut(tag.Get("env"), ",")
			if name == "" {
				continue
			}
			def, has := tag.Lookup("envDefault")
			out = append(out, config.Variable{Name: name, Default: def, HasDefault: has, Secret: tag.Get("secret") == "true"})
		}
		return false
	})
	if !found || len(out) == 0 {
		t.Fatalf("%s: no env struct with variables", path)
	}
	return out
}
