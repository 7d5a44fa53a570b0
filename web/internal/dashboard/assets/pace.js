// The pace of the day: dishes delivered per second over the last five
// minutes, and the time from placed to delivered (median and 95th
// percentile per 5 seconds), drawn by uPlot (vendor/uplot, MIT): a small
// canvas chart library with time axes, scales and a hover legend, fast
// enough to redraw 300 points in well under a millisecond. The charts are
// redrawn on the dashboard's one-second tick, never per frame, and only when
// their data or the second changed.

import uPlot from './vendor/uplot/uPlot.esm.js';
import { $, setText, setAttr } from './dom.js';
import { serverNow } from './store.js';
import { deliverySeries, trimDeliveries, LATENCY_BUCKET_S } from './deliveries.js';
import { t, num, time, duration, getLang } from './i18n.js';

const HEIGHT = 150;

export function createPace(root) {
  const summary = $('#pace-summary', root);
  const rateEl = $('#rate-chart', root);
  const latencyEl = $('#latency-chart', root);
  let rate = null;
  let latency = null;
  let colors = null;
  let drawn = '';
  let width = 0;
  let last = null; // the latest series, for a redraw after a resize or a language change

  new ResizeObserver(([entry]) => {
    const w = Math.floor(entry.contentRect.width);
    if (!w || w === width) return;
    width = w;
    rate?.setSize({ width, height: HEIGHT });
    latency?.setSize({ width, height: HEIGHT });
    if (!rate && last) build();
  }).observe(rateEl);

  function palette() {
    if (colors) return colors;
    const styles = getComputedStyle(rateEl);
    const v = (name, fallback) => styles.getPropertyValue(name).trim() || fallback;
    colors = {
      bar: v('--chart-bar', '#1d4ed8'),
      p50: v('--chart-p50', '#166534'),
      p95: v('--chart-p95', '#b91c1c'),
      axis: v('--chart-axis', '#4a5568'),
      grid: v('--chart-grid', '#e2e8f0'),
    };
    return colors;
  }

  function timeAxis(c) {
    return {
      stroke: c.axis,
      grid: { stroke: c.grid, width: 1 },
      ticks: { stroke: c.grid, width: 1 },
      values: (u, splits) => splits.map((s) => time(s * 1000)),
      space: 70,
    };
  }

  function build() {
    rate?.destroy();
    latency?.destroy();
    const c = palette();
    const w = width || 300;
    const xSeries = { label: t('seriesTime'), value: (u, v) => (v == null ? '–' : time(v * 1000)) };
    rate = new uPlot({
      width: w,
      height: HEIGHT,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(5, max)] } },
      axes: [timeAxis(c), { stroke: c.axis, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 }, values: (u, splits) => splits.map((v) => num(v)), size: 44 }],
      series: [
        xSeries,
        { label: t('seriesDishes'), stroke: c.bar, fill: c.bar, width: 0, paths: uPlot.paths.bars({ size: [0.9, 12] }), points: { show: false }, value: (u, v) => (v == null ? '–' : num(v)) },
      ],
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      legend: { live: true },
    }, [last.seconds, last.counts], rateEl);
    const ms = (u, v) => (v == null ? '–' : duration(v, true));
    latency = new uPlot({
      width: w,
      height: HEIGHT,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1000, max ?? 0)] } },
      axes: [timeAxis(c), { stroke: c.axis, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 }, values: (u, splits) => splits.map((v) => duration(v, true)), size: 52 }],
      series: [
        xSeries,
        { label: t('seriesP50'), stroke: c.p50, width: 2, points: { size: 4 }, value: ms },
        { label: t('seriesP95'), stroke: c.p95, width: 2, dash: [6, 3], points: { size: 4 }, value: ms },
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
    }, latencyData(last), latencyEl);
  }

  function latencyData(s) {
    // A bucket is drawn in its middle, so the last one does not look late.
    return [s.buckets.map((k) => k + LATENCY_BUCKET_S / 2), s.p50, s.p95];
  }

  function render(store) {
    const now = serverNow(store);
    const d = store.deliveries;
    trimDeliveries(d, now);
    const key = `${d.version}|${Math.floor(now / 1000)}|${getLang()}`;
    if (key === drawn) return;
    drawn = key;
    last = deliverySeries(d, now);
    if (!rate) { if (width) build(); } else {
      rate.setData([last.seconds, last.counts]);
      latency.setData(latencyData(last));
    }
    // What the charts show, in words and for the tests.
    setText(summary, last.total
      ? t('paceSummary', { n: num(last.total), peak: num(last.peak), p50: duration(last.p50All ?? 0, true), p95: duration(last.p95All ?? 0, true) })
      : t('paceEmpty'));
    setAttr(rateEl, 'data-sum', String(last.total));
    setAttr(rateEl, 'data-points', String(last.counts.length));
    setAttr(rateEl, 'data-peak', String(last.peak));
    setAttr(latencyEl, 'data-samples', String(last.samples));
    setAttr(latencyEl, 'data-points', String(last.p50.filter((v) => v != null).length));
    setAttr(latencyEl, 'data-p50-ms', String(last.p50All ?? ''));
    setAttr(latencyEl, 'data-p95-ms', String(last.p95All ?? ''));
  }

  return {
    render,
    // relabel rebuilds the charts: uPlot's legend labels are set once.
    relabel() {
      drawn = '';
      if (rate && last) build();
    },
  };
}
