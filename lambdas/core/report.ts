import type { BillingGroup } from './groups.js';
import type { LedgerRow } from './ledger.js';
import type { Report } from './report-model.js';
import type { SourceFormat } from './source-columns.js';

/** The ledger rows of one source file or folder, as an engine returned them. */
export interface LedgerSource {
  readonly path: string;
  readonly format: SourceFormat;
  /** The declared currency of a DBR source (DBR has no currency column). */
  readonly currency?: string;
  readonly rows: readonly LedgerRow[];
}

export interface BuildReportInput {
  readonly sources: readonly LedgerSource[];
  readonly groups?: readonly BillingGroup[];
  /** @default - now */
  readonly generatedAt?: Date;
}

/**
 * Builds the report JSON of REPORT.md from ledger rows and checks both identities of ATTRIBUTION.md.
 *
 * @throws InputError when a row has no currency and its source declares none, or a row is malformed.
 * @throws IdentityViolationError when the ledger breaks an identity (a bug in whopays).
 */
export function buildReport(input: BuildReportInput): Report {
  void input;
  throw new Error('not implemented');
}
