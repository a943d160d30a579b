/**
 * Where reports live in the report bucket. `prefix` is '' or ends with '/'.
 *
 * - `<prefix><period>/<payer>/report.json|accounts.csv|transfers.csv|commitments.csv`: the latest
 *   report;
 * - `<prefix><period>/<payer>/versions/<version>/…`: each version, immutable, written first;
 * - `<prefix><period>/<payer>/published/<version>.json`: marks a version as published;
 * - `<prefix><period>/consolidated/…`: all configured payers merged.
 */
export const reportFolder = (prefix: string, period: string, payerOrConsolidated: string): string =>
  `${prefix}${period}/${payerOrConsolidated}/`;

export const CONSOLIDATED = 'consolidated';

export const REPORT_FILES = {
  report: 'report.json',
  accounts: 'accounts.csv',
  transfers: 'transfers.csv',
  commitments: 'commitments.csv',
} as const;

/** The CSVs of a report, written at the stable keys before report.json. */
export const REPORT_CSVS = ['accounts', 'transfers', 'commitments'] as const;

/** A version string made safe for a key segment (`:` and `#` are legal but awkward in URLs). */
export const versionSegment = (version: string): string => version.replace(/[^A-Za-z0-9._-]/g, '_');

export const versionFolder = (folder: string, version: string): string =>
  `${folder}versions/${versionSegment(version)}/`;

export const publishedMarkerKey = (folder: string, version: string): string =>
  `${folder}published/${versionSegment(version)}.json`;

/**
 * Orders report versions: `<deliveredAt ISO>#<deliveryId>`. ISO timestamps in UTC with the same
 * precision compare as strings; the delivery id breaks ties deterministically.
 */
export const reportVersion = (deliveredAt: string, deliveryId: string): string =>
  `${new Date(deliveredAt).toISOString()}#${deliveryId}`;

export const isNewerVersion = (candidate: string, current: string | undefined): boolean =>
  current === undefined || candidate > current;
