package main

import (
	"encoding/csv"
	"io"
	"strconv"
)

// csvHeader names the timeline's columns; latencies are in seconds and
// empty for a second in which no dish was delivered.
var csvHeader = []string{"second", "delivered", "dishes_per_s", "in_flight", "p50_s", "p99_s"}

func writeCSV(w io.Writer, rows []second) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	seconds := func(v float64, any bool) string {
		if !any {
			return ""
		}
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	for _, r := range rows {
		rec := []string{
			strconv.Itoa(r.Second), strconv.Itoa(r.Delivered), strconv.Itoa(r.Rate), strconv.Itoa(r.InFlight),
			seconds(r.P50, r.Rate > 0), seconds(r.P99, r.Rate > 0),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
