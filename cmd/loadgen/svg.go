package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// The chart's geometry, in pixels: a throughput panel above a latency
// panel, sharing the time axis.
const (
	svgWidth, svgHeight = 960, 560
	plotLeft, plotRight = 72, 24
	rateTop, rateBottom = 76, 286
	latTop, latBottom   = 330, 520
	colourRate          = "#4c78a8"
	colourP50           = "#59a14f"
	colourP99           = "#e15759"
)

// writeSVG draws the timeline by hand, so that a report needs nothing but a
// browser to look at: dishes delivered each second as bars, and the p50 and
// p99 placed→delivered of those dishes as lines.
func writeSVG(w io.Writer, r report) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		svgWidth, svgHeight, svgWidth, svgHeight)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", svgWidth, svgHeight)
	title := fmt.Sprintf("%d dishes (%d requests × %d)", r.Dishes, r.Requests, r.DishesPerRequest)
	if r.Scenario.Name != "" {
		title = r.Scenario.Name + ": " + title
	}
	text(&b, plotLeft, 24, "start", "font-size=\"16\" font-weight=\"bold\"", title)
	text(&b, plotLeft, 44, "start", "", fmt.Sprintf("makespan %.2f s · %.1f dishes/s · placed→delivered p50 %.2f s, p99 %.2f s · %d failed",
		r.MakespanSeconds, r.DishesPerSecond, r.P50, r.P99, r.Failed))

	rows := r.Timeline
	n := max(len(rows), 1)
	plotW := float64(svgWidth - plotLeft - plotRight)
	x := func(s float64) float64 { return plotLeft + s/float64(n)*plotW }

	maxRate, maxLat := 0.0, 0.0
	for _, row := range rows {
		maxRate = max(maxRate, float64(row.Rate))
		if row.Rate > 0 {
			maxLat = max(maxLat, row.P99, row.P50)
		}
	}
	rateStep, rateMax := axis(maxRate, 5)
	latStep, latMax := axis(maxLat, 4)
	yRate := func(v float64) float64 { return rateBottom - v/rateMax*(rateBottom-rateTop) }
	yLat := func(v float64) float64 { return latBottom - v/latMax*(latBottom-latTop) }

	panel(&b, "dishes delivered per second", rateTop, rateBottom, rateStep, rateMax, yRate)
	panel(&b, "placed→delivered (s) of the dishes delivered that second", latTop, latBottom, latStep, latMax, yLat)
	timeAxis(&b, n, x)

	fmt.Fprintf(&b, `<g fill="%s">`+"\n", colourRate)
	for _, row := range rows {
		if row.Rate == 0 {
			continue
		}
		x0, x1 := x(float64(row.Second-1)), x(float64(row.Second))
		y := yRate(float64(row.Rate))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`+"\n", x0, y, max(x1-x0-0.5, 0.5), rateBottom-y)
	}
	b.WriteString("</g>\n")
	line(&b, rows, colourP50, func(s second) float64 { return s.P50 }, x, yLat)
	line(&b, rows, colourP99, func(s second) float64 { return s.P99 }, x, yLat)
	if len(rows) == 0 {
		text(&b, svgWidth/2, (rateTop+rateBottom)/2, "middle", `fill="#666666"`, "no dish was delivered")
	}

	// Legend.
	lx := svgWidth - plotRight - 260
	fmt.Fprintf(&b, `<rect x="%d" y="52" width="12" height="12" fill="%s"/>`+"\n", lx, colourRate)
	text(&b, lx+18, 62, "start", "", "dishes/s")
	for i, l := range []struct{ colour, name string }{{colourP50, "p50"}, {colourP99, "p99"}} {
		lx2 := lx + 90 + i*80
		fmt.Fprintf(&b, `<line x1="%d" y1="58" x2="%d" y2="58" stroke="%s" stroke-width="2"/>`+"\n", lx2, lx2+16, l.colour)
		text(&b, lx2+22, 62, "start", "", l.name)
	}
	b.WriteString("</svg>\n")
	_, _ = w.Write(b.Bytes())
}

// panel draws a plot's frame, its horizontal grid and its value labels.
func panel(b *bytes.Buffer, label string, top, bottom int, step, maxV float64, y func(float64) float64) {
	right := svgWidth - plotRight
	text(b, plotLeft, top-8, "start", `fill="#333333"`, label)
	for v := 0.0; v <= maxV+step/2; v += step {
		yy := y(v)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e0e0e0"/>`+"\n", plotLeft, yy, right, yy)
		text(b, plotLeft-6, int(math.Round(yy))+4, "end", "", number(v))
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999999"/>`+"\n",
		plotLeft, top, right-plotLeft, bottom-top)
}

// timeAxis labels the seconds under the lower panel and marks them on both.
func timeAxis(b *bytes.Buffer, n int, x func(float64) float64) {
	step, _ := axis(float64(n), 10)
	for s := 0.0; s <= float64(n)+step/2; s += step {
		if s > float64(n) {
			break
		}
		xx := x(s)
		for _, p := range [][2]int{{rateBottom, rateBottom + 4}, {latBottom, latBottom + 4}} {
			fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#999999"/>`+"\n", xx, p[0], xx, p[1])
		}
		text(b, int(math.Round(xx)), latBottom+18, "middle", "", number(s))
	}
	text(b, svgWidth/2, latBottom+36, "middle", `fill="#333333"`, "seconds since the first placement")
}

// line draws one latency series; a second without deliveries breaks it.
func line(b *bytes.Buffer, rows []second, colour string, v func(second) float64, x, y func(float64) float64) {
	var d strings.Builder
	pen := "M"
	for _, row := range rows {
		if row.Rate == 0 {
			pen = "M"
			continue
		}
		fmt.Fprintf(&d, "%s%.1f %.1f ", pen, x(float64(row.Second)-0.5), y(v(row)))
		pen = "L"
	}
	if d.Len() == 0 {
		return
	}
	fmt.Fprintf(b, `<path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`+"\n", strings.TrimSpace(d.String()), colour)
}

func text(b *bytes.Buffer, x, y int, anchor, attrs, s string) {
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="%s" %s>`, x, y, anchor, attrs)
	_ = xml.EscapeText(b, []byte(s))
	b.WriteString("</text>\n")
}

// axis returns a step of 1, 2 or 5 times a power of ten that divides
// [0, maxV] in about parts, and the top of the axis (a multiple of it).
func axis(maxV float64, parts int) (step, top float64) {
	if maxV <= 0 || math.IsNaN(maxV) || math.IsInf(maxV, 0) {
		return 1, 1
	}
	raw := maxV / float64(parts)
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * pow
	for _, m := range []float64{1, 2, 5} {
		if m*pow >= raw {
			step = m * pow
			break
		}
	}
	return step, step * math.Ceil(maxV/step)
}

// number prints an axis value without useless decimals.
func number(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", math.Round(v*1000)/1000)
}
