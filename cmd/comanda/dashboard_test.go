package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metricsql"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/marketsim"
)

// dashboardFile is the Grafana dashboard of the services' metrics, which the
// observability profile provisions (docker-compose.yaml) and infra/README.md
// offers for import.
const dashboardFile = "../../observability/grafana/dashboards/comanda.json"

// family is a metric family a service exports: its labels and, once a
// scrape has shown samples of it, its type.
type family struct {
	labels  map[string]bool
	typ     dto.MetricType
	scraped bool
	by      []string // the services exporting it
}

// targetLabels are the labels Prometheus gives every series of a target.
var targetLabels = []string{"job", "instance"}

// prometheusSeries are the series Prometheus writes itself for every
// target, whatever it exports.
var prometheusSeries = map[string]*family{
	"up": {labels: map[string]bool{}, typ: dto.MetricType_GAUGE, scraped: true, by: []string{"Prometheus"}},
}

// mustChart are the families the dashboard is there to show: the questions
// of the manager and the operator (orders, the streams, the market, the feed,
// HTTP). Removing one of their panels fails here.
var mustChart = []string{
	"comanda_orders_by_status",
	"comanda_orders_delivery_seconds",
	"comanda_stream_group_lag",
	"comanda_stream_group_pending",
	"comanda_stream_group_oldest_pending_seconds",
	"comanda_stream_dead_letters",
	"comanda_stream_messages_dead_lettered_total",
	"comanda_inventory_market_calls_total",
	"comanda_inventory_market_call_seconds",
	"comanda_inventory_market_concurrency_limit",
	"comanda_inventory_market_breaker_open",
	"comanda_feed_clients",
	"comanda_http_requests_total",
	"comanda_http_request_duration_seconds",
}

// TestDashboardQueriesExportedMetrics checks every query of the Grafana
// dashboard against the metrics the system really exports. After a small
// burst through the embedded system, each service's registry is described
// (every metric it can export, a vector with no samples yet included) and
// its /metrics scraped (the families' types: a histogram's _bucket, _sum and
// _count series exist only for a histogram). Each query is parsed as
// PromQL; every metric it selects must be exported by some service (the
// series of a histogram for a histogram), every label it filters, groups or
// joins on, or names in its legend, must be one of those metrics' (or the
// target's: job, instance; le of a histogram's buckets), and it may call
// only PromQL's functions.
func TestDashboardQueriesExportedMetrics(t *testing.T) {
	h := startSystem(t, setup{market: marketsim.Config{MaxQuantity: 5, Seed: 42}})
	h.place(10)
	h.waitDone(10, time.Minute)

	exported := map[string]*family{}
	for _, s := range []struct {
		name string
		reg  *httpx.Registry
		base string
	}{
		{"orders-app", h.sys.Orders.Registry, h.orders},
		{"kitchen-app", h.sys.Kitchen.Registry, h.kitchen},
		{"inventory-app", h.sys.Inventory.Registry, h.invent},
		{"web", h.sys.Web.Registry, h.web},
	} {
		described := describe(t, s.reg)
		// Twice: a service records the HTTP request of a scrape after
		// answering it, so the second shows the HTTP metrics of every one.
		scrape(t, s.base)
		for name, f := range scrape(t, s.base) {
			d, ok := described[name]
			if !ok {
				// A collector that describes nothing (unchecked) would hide
				// its metrics from the description.
				t.Errorf("%s serves %s, which its registry does not describe", s.name, name)
				d = &family{labels: map[string]bool{}}
				described[name] = d
			}
			d.typ, d.scraped = f.GetType(), true
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					d.labels[l.GetName()] = true
				}
			}
		}
		for name, d := range described {
			e, ok := exported[name]
			if !ok {
				e = &family{labels: map[string]bool{}}
				exported[name] = e
			}
			maps.Copy(e.labels, d.labels)
			if d.scraped {
				e.typ, e.scraped = d.typ, true
			}
			e.by = append(e.by, s.name)
		}
	}
	for name, f := range prometheusSeries {
		exported[name] = f
	}

	problems, charted := checkDashboard(t, readDashboard(t), exported)
	for _, p := range problems {
		t.Error(p)
	}
	for _, name := range mustChart {
		if !charted[name] {
			t.Errorf("no panel charts %s", name)
		}
	}
	t.Logf("%d metric families exported, %d charted: %s", len(exported), len(charted), strings.Join(slices.Sorted(maps.Keys(charted)), ", "))
}

// TestDashboardCheckFails shows the dashboard check refusing what it is for:
// a metric no service exports, a histogram's series of a family that is no
// histogram, a histogram queried by its bare name, a label the metric does
// not have, a legend naming one, a MetricsQL-only function, and a panel
// without the dashboard's data source.
func TestDashboardCheckFails(t *testing.T) {
	exported := map[string]*family{
		"comanda_orders_by_status":        {labels: map[string]bool{"status": true}, typ: dto.MetricType_GAUGE, scraped: true},
		"comanda_orders_delivery_seconds": {labels: map[string]bool{}, typ: dto.MetricType_HISTOGRAM, scraped: true},
		"comanda_feed_clients":            {labels: map[string]bool{}, typ: dto.MetricType_GAUGE, scraped: true},
	}
	good := `max by (status) (comanda_orders_by_status{status="placed"}) + on () group_left () sum(rate(comanda_orders_delivery_seconds_count[$__rate_interval]))` +
		` + on () group_left () (0 * histogram_quantile(0.5, sum by (le) (rate(comanda_orders_delivery_seconds_bucket[$__rate_interval]))))`
	for _, tc := range []struct {
		name, expr, legend, want string
		datasource               any
	}{
		{"unknown metric", "comanda_orders_by_stage", "", "comanda_orders_by_stage, which no service exports", nil},
		{"bucket of a gauge", "rate(comanda_feed_clients_bucket[5m])", "", "comanda_feed_clients_bucket", nil},
		{"bare histogram", "comanda_orders_delivery_seconds", "", "is a histogram", nil},
		{"unknown label", `comanda_orders_by_status{stage="x"}`, "", `label "stage"`, nil},
		{"unknown grouping label", `sum by (stage) (comanda_orders_by_status)`, "", `label "stage"`, nil},
		{"unknown legend label", `comanda_orders_by_status`, "{{stage}}", `legend names the label "stage"`, nil},
		{"legend label aggregated away", `sum(comanda_orders_by_status)`, "{{status}}", `legend names the label "status"`, nil},
		{"legend le of a quantile", `histogram_quantile(0.5, sum by (le) (rate(comanda_orders_delivery_seconds_bucket[1m])))`, "{{le}}", `legend names the label "le"`, nil},
		{"MetricsQL function", `range_median(comanda_feed_clients)`, "", "not a PromQL function", nil},
		{"rate without a range", `rate(comanda_feed_clients)`, "", "without a range", nil},
		{"another data source", good, "", "data source", map[string]any{"type": "prometheus", "uid": "prometheus"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := tc.datasource
			if ds == nil {
				ds = map[string]any{"type": "prometheus", "uid": "${datasource}"}
			}
			d := dashboard{UID: "comanda", SchemaVersion: 41, Panels: []panel{{
				ID: 1, Title: "p", Type: "timeseries", Datasource: ds,
				Targets: []target{{RefID: "A", Expr: tc.expr, LegendFormat: tc.legend}},
			}}}
			d.Templating.List = []variable{{Name: "datasource", Type: "datasource", Query: "prometheus"}}
			problems, _ := checkDashboard(t, d, exported)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("%s: want a problem saying %q, got %q", tc.expr, tc.want, problems)
			}
		})
	}
	d := dashboard{UID: "comanda", SchemaVersion: 41, Panels: []panel{{ID: 1, Title: "p", Type: "timeseries",
		Datasource: map[string]any{"type": "prometheus", "uid": "${datasource}"}, Targets: []target{{RefID: "A", Expr: good, LegendFormat: "{{status}}"}}}}}
	d.Templating.List = []variable{{Name: "datasource", Type: "datasource", Query: "prometheus"}}
	if problems, _ := checkDashboard(t, d, exported); len(problems) != 0 {
		t.Errorf("a correct panel is refused: %q", problems)
	}
}

type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type variable struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Query any    `json:"query"`
}

type panel struct {
	ID         int      `json:"id"`
	Title      string   `json:"title"`
	Type       string   `json:"type"`
	Datasource any      `json:"datasource"`
	Targets    []target `json:"targets"`
	Panels     []panel  `json:"panels"` // a collapsed row's
}

type target struct {
	RefID        string `json:"refId"`
	Expr         string `json:"expr"`
	LegendFormat string `json:"legendFormat"`
	Datasource   any    `json:"datasource"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	raw, err := os.ReadFile(filepath.FromSlash(dashboardFile))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

// checkDashboard returns what is wrong with the dashboard against the
// exported families, and the families its queries chart.
func checkDashboard(t *testing.T, d dashboard, exported map[string]*family) ([]string, map[string]bool) {
	t.Helper()
	var bad []string
	addf := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	charted := map[string]bool{}

	if d.UID != "comanda" {
		addf("uid %q, want comanda (the URL /d/comanda)", d.UID)
	}
	if d.SchemaVersion < 39 {
		addf("schemaVersion %d: the current Grafana's is 39 or later", d.SchemaVersion)
	}
	if !slices.ContainsFunc(d.Templating.List, func(v variable) bool {
		return v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus"
	}) {
		addf("no Prometheus data source variable named datasource")
	}

	var all []panel
	for _, p := range d.Panels {
		all = append(all, p)
		all = append(all, p.Panels...)
	}
	ids := map[int]bool{}
	queries := 0
	for _, p := range all {
		where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
		if ids[p.ID] {
			addf("%s: its id is another panel's too", where)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			addf("%s: no query", where)
		}
		if !isDatasourceVariable(p.Datasource) {
			addf("%s: data source %v, want the dashboard's variable ${datasource}", where, p.Datasource)
		}
		for _, tg := range p.Targets {
			where := where + " query " + tg.RefID
			if tg.Datasource != nil && !isDatasourceVariable(tg.Datasource) {
				addf("%s: data source %v, want the dashboard's variable ${datasource}", where, tg.Datasource)
			}
			queries++
			for _, problem := range checkQuery(tg.Expr, tg.LegendFormat, exported, charted) {
				addf("%s: %s", where, problem)
			}
		}
	}
	if queries == 0 {
		addf("the dashboard has no queries")
	}
	return bad, charted
}

func isDatasourceVariable(ds any) bool {
	m, ok := ds.(map[string]any)
	return ok && m["type"] == "prometheus" && m["uid"] == "${datasource}"
}

// grafanaVariables are the variables Grafana replaces in a query before
// Prometheus sees it, with a value of their kind.
var grafanaVariables = strings.NewReplacer("$__rate_interval", "1m", "$__interval", "1m", "$__range", "30m")

// legendLabel is a label a legend format names: {{status}}.
var legendLabel = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)

// checkQuery parses one query and checks the metrics and labels it names.
func checkQuery(expr, legend string, exported map[string]*family, charted map[string]bool) []string {
	var bad []string
	addf := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	if strings.TrimSpace(expr) == "" {
		return []string{"empty query"}
	}
	q := grafanaVariables.Replace(expr)
	if strings.Contains(q, "$") {
		addf("%q uses a variable the dashboard does not define", expr)
		return bad
	}
	e, err := metricsql.Parse(q)
	if err != nil {
		addf("%q does not parse: %v", expr, err)
		return bad
	}

	// labelsOf is what the series selected under e may carry.
	labelsOf := func(e metricsql.Expr) map[string]bool {
		out := map[string]bool{}
		for _, l := range targetLabels {
			out[l] = true
		}
		metricsql.VisitAll(e, func(x metricsql.Expr) {
			me, ok := x.(*metricsql.MetricExpr)
			if !ok {
				return
			}
			name, _ := selectorName(me)
			fam, suffix := familyOf(name, exported)
			if fam == nil {
				return
			}
			maps.Copy(out, fam.labels)
			if suffix == "_bucket" {
				out["le"] = true
			}
		})
		return out
	}

	selected := 0
	metricsql.VisitAll(e, func(x metricsql.Expr) {
		switch x := x.(type) {
		case *metricsql.MetricExpr:
			name, ok := selectorName(x)
			if !ok {
				addf("%q: a selector without a plain metric name", expr)
				return
			}
			selected++
			fam, suffix := familyOf(name, exported)
			base, series := seriesOf(name)
			switch {
			case fam == nil && series && exported[base] != nil:
				if f := exported[base]; !f.scraped {
					addf("%q selects %s, but %s had no samples after the burst, so its type is unknown: make the burst reach it", expr, name, base)
				} else {
					addf("%q selects %s, but %s is a %s, which has no such series", expr, name, base, f.typ)
				}
				return
			case fam == nil:
				addf("%q selects %s, which no service exports", expr, name)
				return
			case suffix == "" && (fam.typ == dto.MetricType_HISTOGRAM || fam.typ == dto.MetricType_SUMMARY):
				addf("%q selects %s, which is a histogram: query its _bucket, _sum or _count series", expr, name)
				return
			}
			charted[strings.TrimSuffix(name, suffix)] = true
			for _, group := range x.LabelFilterss {
				for _, lf := range group {
					if lf.Label == "__name__" {
						continue
					}
					if !fam.labels[lf.Label] && !slices.Contains(targetLabels, lf.Label) && (lf.Label != "le" || suffix != "_bucket") {
						addf("%q filters %s on the label %q, which it does not have", expr, name, lf.Label)
					}
				}
			}
		case *metricsql.AggrFuncExpr:
			if !promqlAggregations[x.Name] {
				addf("%q: %s is not a PromQL function", expr, x.Name)
			}
			have := labelsOf(x)
			for _, l := range x.Modifier.Args {
				if !have[l] {
					addf("%q: %s %s (...) names the label %q, which none of its metrics has", expr, x.Name, x.Modifier.Op, l)
				}
			}
		case *metricsql.FuncExpr:
			if !promqlFunctions[x.Name] {
				addf("%q: %s is not a PromQL function", expr, x.Name)
			}
			if rangeFunctions[x.Name] {
				if len(x.Args) != 1 {
					addf("%q: %s takes one range vector", expr, x.Name)
				} else if r, ok := x.Args[0].(*metricsql.RollupExpr); !ok || r.Window == nil {
					addf("%q: %s without a range ([...]): PromQL needs one", expr, x.Name)
				}
			}
		case *metricsql.BinaryOpExpr:
			have := labelsOf(x)
			for _, m := range []metricsql.ModifierExpr{x.GroupModifier, x.JoinModifier} {
				for _, l := range m.Args {
					if !have[l] {
						addf("%q: %s (...) names the label %q, which none of its metrics has", expr, m.Op, l)
					}
				}
			}
		}
	})
	if selected == 0 {
		addf("%q selects no metric", expr)
	}
	out := outputLabels(e, exported)
	for _, m := range legendLabel.FindAllStringSubmatch(legend, -1) {
		if !out[m[1]] {
			addf("%q: the legend names the label %q, which its result does not have", expr, m[1])
		}
	}
	return bad
}

// outputLabels are the labels the series of a query's result may carry: a
// selector's (and its target's), what an aggregation keeps (by, without),
// a histogram quantile's series without le, the left side of a binary
// operation between vectors.
func outputLabels(e metricsql.Expr, exported map[string]*family) map[string]bool {
	out := map[string]bool{}
	switch e := e.(type) {
	case *metricsql.MetricExpr:
		name, _ := selectorName(e)
		fam, suffix := familyOf(name, exported)
		if fam == nil {
			return out
		}
		maps.Copy(out, fam.labels)
		for _, l := range targetLabels {
			out[l] = true
		}
		if suffix == "_bucket" {
			out["le"] = true
		}
	case *metricsql.RollupExpr:
		return outputLabels(e.Expr, exported)
	case *metricsql.AggrFuncExpr:
		inner := map[string]bool{}
		if len(e.Args) > 0 {
			inner = outputLabels(e.Args[len(e.Args)-1], exported)
		}
		switch e.Modifier.Op {
		case "by":
			for _, l := range e.Modifier.Args {
				out[l] = inner[l]
			}
		case "without":
			maps.Copy(out, inner)
			for _, l := range e.Modifier.Args {
				delete(out, l)
			}
		default:
			if e.Name == "topk" || e.Name == "bottomk" || e.Name == "limitk" {
				return inner
			}
		}
	case *metricsql.FuncExpr:
		for _, arg := range e.Args {
			if _, ok := arg.(*metricsql.NumberExpr); !ok {
				maps.Copy(out, outputLabels(arg, exported))
				break
			}
		}
		if e.Name == "histogram_quantile" {
			delete(out, "le")
		}
	case *metricsql.BinaryOpExpr:
		if _, ok := e.Left.(*metricsql.NumberExpr); ok {
			return outputLabels(e.Right, exported)
		}
		return outputLabels(e.Left, exported)
	}
	return out
}

// selectorName is the metric name a selector selects by.
func selectorName(me *metricsql.MetricExpr) (string, bool) {
	name := ""
	for _, group := range me.LabelFilterss {
		if len(group) == 0 || group[0].Label != "__name__" || group[0].IsRegexp || group[0].IsNegative {
			return "", false
		}
		if name != "" && group[0].Value != name {
			return "", false
		}
		name = group[0].Value
	}
	return name, name != ""
}

// histogramSeries are the suffixes of a histogram's series.
var histogramSeries = []string{"_bucket", "_sum", "_count"}

// seriesOf cuts a histogram series' suffix off a name.
func seriesOf(name string) (base string, ok bool) {
	for _, suffix := range histogramSeries {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			return base, true
		}
	}
	return name, false
}

// familyOf finds the family a series name belongs to, and the suffix of its
// series: the family itself (no suffix), or the histogram (or summary) whose
// _bucket, _sum or _count it is.
func familyOf(name string, exported map[string]*family) (*family, string) {
	if f, ok := exported[name]; ok {
		return f, ""
	}
	base, ok := seriesOf(name)
	f := exported[base]
	if !ok || f == nil || !f.scraped {
		return nil, ""
	}
	suffix := strings.TrimPrefix(name, base)
	if f.typ == dto.MetricType_HISTOGRAM || (suffix != "_bucket" && f.typ == dto.MetricType_SUMMARY) {
		return f, suffix
	}
	return nil, ""
}

// promqlAggregations and promqlFunctions are PromQL's own; metricsql also
// parses MetricsQL's many others, which Prometheus refuses.
var promqlAggregations = setOf("sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
	"bottomk", "topk", "quantile", "limitk", "limit_ratio")

var promqlFunctions = setOf("abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
	"day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor",
	"histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_stddev",
	"histogram_stdvar", "histogram_sum", "hour", "idelta", "increase", "irate", "label_join", "label_replace",
	"ln", "log2", "log10", "minute", "month", "predict_linear", "rate", "resets", "round", "scalar", "sgn",
	"sort", "sort_desc", "sort_by_label", "sort_by_label_desc", "sqrt", "time", "timestamp", "vector", "year",
	"avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "quantile_over_time",
	"stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time")

// rangeFunctions take a range vector: metricsql accepts them without one
// (MetricsQL picks a window), Prometheus does not.
var rangeFunctions = setOf("rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets",
	"avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
	"stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time", "absent_over_time")

func setOf(names ...string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// describe lists the families a registry can export, with their labels,
// from its collectors' descriptions: a vector without samples is there too.
func describe(t *testing.T, reg *httpx.Registry) map[string]*family {
	t.Helper()
	ch := make(chan *prometheus.Desc)
	go func() {
		reg.Describe(ch)
		close(ch)
	}()
	out := map[string]*family{}
	for d := range ch {
		name, labels, err := parseDesc(d.String())
		if err != nil {
			t.Fatal(err)
		}
		f, ok := out[name]
		if !ok {
			f = &family{labels: map[string]bool{}}
			out[name] = f
		}
		for _, l := range labels {
			f.labels[l] = true
		}
	}
	if len(out) == 0 {
		t.Fatal("the registry describes no metric")
	}
	return out
}

// descString is what prometheus.Desc's String says; the type keeps its
// name and labels to itself.
var descString = regexp.MustCompile(`^Desc\{fqName: ("(?:[^"\\]|\\.)*"), help: .*, constLabels: \{(.*)\}, variableLabels: \{([^}]*)\}\}$`)

// parseDesc reads a description's metric name and label names.
func parseDesc(s string) (string, []string, error) {
	m := descString.FindStringSubmatch(s)
	if m == nil {
		return "", nil, fmt.Errorf("cannot read the description %s", s)
	}
	name, err := strconv.Unquote(m[1])
	if err != nil {
		return "", nil, fmt.Errorf("description %s: %v", s, err)
	}
	var labels []string
	for _, c := range regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="`).FindAllStringSubmatch(m[2], -1) {
		labels = append(labels, c[1])
	}
	for _, v := range strings.Split(m[3], ",") {
		if v = strings.TrimSuffix(strings.TrimPrefix(v, "c("), ")"); v != "" {
			labels = append(labels, v)
		}
	}
	return name, labels, nil
}
