import type { LedgerRow } from './ledger.js';
import type { SourceFormat } from './source-columns.js';

/**
 * What an engine is asked to attribute: one source (one payer's billing data), named by `location`
 * (a local file or folder for DuckDB; a table or S3 prefix for Athena).
 */
export interface LedgerRequest {
  readonly location: string;
  /** Skips format detection when given. @default detected from the columns */
  readonly format?: SourceFormat;
}

/** The ledger of one source, as the engine computed it. */
export interface LedgerResult {
  readonly location: string;
  readonly format: SourceFormat;
  /** The data files read (local paths or object keys), in the order read. */
  readonly files: readonly string[];
  /** Every row validated by LedgerRowSchema: money as exact decimal strings. */
  readonly rows: readonly LedgerRow[];
}

/**
 * The engine port: runs the ledger SQL of sql/ledger/ over one source and returns the ledger rows.
 * DuckDB (CLI, tests) and Athena (the deployed pipeline) implement it on the same SQL text, so the
 * report core never knows which engine produced its rows.
 *
 * Implementations throw InputError (naming the file and the problem) for bad input.
 */
export interface LedgerEngine {
  ledger(request: LedgerRequest): Promise<LedgerResult>;
  /** Releases the engine's resources; the engine is unusable afterwards. */
  close(): Promise<void>;
}
