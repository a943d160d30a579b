import type { Report } from './report-model.js';

/** One row per period x account. */
export function accountsCsv(report: Report): string {
  void report;
  throw new Error('not implemented');
}

/** One row per period x transfer. */
export function transfersCsv(report: Report): string {
  void report;
  throw new Error('not implemented');
}

/** One row per period x group (empty apart from the header when no groups are configured). */
export function groupsCsv(report: Report): string {
  void report;
  throw new Error('not implemented');
}
