import type { Report } from './report-model.js';

/**
 * Renders a report as a plain-text table (at most 100 columns) for the terminal: per period the
 * accounts, a totals line, the top transfers, groups, warnings and whether the bill is final.
 * Amounts are rounded to 2 decimals for display only.
 */
export function formatReportTable(report: Report): string {
  void report;
  throw new Error('not implemented');
}
