import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeCur } from '../../bench/generators/cur.js';
import { writeFocus } from '../../bench/generators/focus.js';
import { shapeFor } from '../../bench/generators/shape.js';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import { buildReport } from '../../lambdas/core/report.js';
import { refMoney } from '../reference/attribution.js';

// The same spend exported as CUR 2.0 and as FOCUS (the FOCUS generator maps every CUR 2.0 line of
// the bench generator, bench/generators/focus.ts) gives the same three bases, the same transfers
// and the same ledger money (docs/ATTRIBUTION.md, FOCUS: "Same spend, CUR 2.0 and FOCUS").
let dir: string;
let engine: DuckDbEngine;
const ledgers: Record<'cur2' | 'focus', { rows: readonly LedgerRow[]; format: string }> =
  {} as never;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whopays-focus-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  try {
    const shape = shapeFor(50_000);
    await writeCur(connection, shape, 'cur2-parquet', join(dir, 'cur2.parquet'), 'aws-cn');
    await writeFocus(connection, shape, join(dir, 'focus.parquet'), 'aws-cn');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  engine = await DuckDbEngine.create({ threads: 2, memoryLimit: '1GB' });
  for (const kind of ['cur2', 'focus'] as const) {
    const { rows, format } = await engine.ledger({ location: join(dir, `${kind}.parquet`) });
    ledgers[kind] = { rows, format };
  }
}, 120_000);

afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

const reportOf = (kind: 'cur2' | 'focus') =>
  buildReport({
    sources: [
      { path: kind, format: ledgers[kind].format as 'cur2' | 'focus', rows: ledgers[kind].rows },
    ],
    generatedAt: new Date('2026-01-01T00:00:00Z'),
  });

/**
 * The ledger's money by (period, currency, payer, usage, owner, invoice, commitment): what must
 * agree. The line item type (CUR's type vs FOCUS's ChargeCategory) and line counts are the grain,
 * which the formats draw differently; zero sums are left out.
 */
const ledgerMoney = (rows: readonly LedgerRow[]): Map<string, [bigint, bigint]> => {
  const sums = new Map<string, [bigint, bigint]>();
  for (const r of rows) {
    const key = [
      r.billing_period,
      r.currency_code,
      r.payer_account_id,
      r.usage_account_id,
      r.owner_account_id,
      r.invoice_account_id,
      r.owner_account_id === r.usage_account_id ? null : r.commitment,
    ].join('|');
    const [usage, invoice] = sums.get(key) ?? [0n, 0n];
    sums.set(key, [usage + refMoney(r.usage_cost), invoice + refMoney(r.invoice_cost)]);
  }
  return new Map([...sums].filter(([, [u, i]]) => u !== 0n || i !== 0n).sort());
};

describe('the same spend as CUR 2.0 and as FOCUS', () => {
  it('is read as each format', () => {
    expect(ledgers.cur2.format).toBe('cur2');
    expect(ledgers.focus.format).toBe('focus');
  });

  it('gives the same three bases per account and the same transfers', () => {
    const cur2 = reportOf('cur2');
    const focus = reportOf('focus');
    expect(focus.periods.map((p) => p.accounts)).toEqual(cur2.periods.map((p) => p.accounts));
    expect(focus.periods.map((p) => p.transfers)).toEqual(cur2.periods.map((p) => p.transfers));
    expect(focus.periods.map((p) => p.totals)).toEqual(cur2.periods.map((p) => p.totals));
    // Not vacuous: every kind of commitment moves cost in this bill.
    const kinds = new Set(cur2.periods.flatMap((p) => p.transfers.map((t) => t.commitment)));
    expect([...kinds].sort()).toEqual(['cr', 'ri', 'sp']);
  });

  it('gives the same ledger money per (account, owner, commitment)', () => {
    expect(ledgerMoney(ledgers.focus.rows)).toEqual(ledgerMoney(ledgers.cur2.rows));
    const lines = (rows: readonly LedgerRow[]) => rows.reduce((n, r) => n + r.line_count, 0);
    expect(lines(ledgers.focus.rows)).toBe(lines(ledgers.cur2.rows));
  });
});
