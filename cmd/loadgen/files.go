package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// reportFiles are the files written with the JSON summary, named in it by
// their base names (they sit in the same folder).
type reportFiles struct {
	CSV string `json:"csv"`
	SVG string `json:"svg"`
}

// reportPaths returns where -report FILE puts the timeline and the chart:
// FILE without its extension, plus .csv and .svg.
func reportPaths(file string) (csvPath, svgPath string, err error) {
	ext := filepath.Ext(file)
	switch strings.ToLower(ext) {
	case ".csv", ".svg":
		return "", "", fmt.Errorf("-report %s: the summary is JSON, and %s is the name of the timeline or the chart next to it", file, ext)
	}
	base := strings.TrimSuffix(file, ext)
	return base + ".csv", base + ".svg", nil
}

// writeReportFiles writes the JSON summary to file and the per-second CSV
// and the SVG chart next to it, and names those two in r.
func writeReportFiles(file string, r *report) error {
	csvPath, svgPath, err := reportPaths(file)
	if err != nil {
		return err
	}
	r.Files = &reportFiles{CSV: filepath.Base(csvPath), SVG: filepath.Base(svgPath)}
	var js, csv, svg bytes.Buffer
	if err := r.writeJSON(&js); err != nil {
		return fmt.Errorf("encoding the report: %w", err)
	}
	if err := writeCSV(&csv, r.Timeline); err != nil {
		return fmt.Errorf("encoding the timeline: %w", err)
	}
	writeSVG(&svg, *r)
	return errors.Join(
		writeFile(file, js.Bytes()),
		writeFile(csvPath, csv.Bytes()),
		writeFile(svgPath, svg.Bytes()),
	)
}

func writeFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}
