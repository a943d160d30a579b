// The assemble step alone: buildReport (lambdas/core/report.ts) on synthetic ledger rows, as an
// engine would return them, for `accounts` accounts and `transfers` owner→consumer transfers.
// Prints one JSON line: {rows, accounts, transfers, buildMs, serializeMs, heapUsedMb, rssMb}.
//
// usage: node bench/data/assemble.mjs [accounts=10000] [transfers=50000]
import type { LedgerRow } from '../lambdas/core/ledger.js';
import { buildReport } from '../lambdas/core/report.js';

const accounts = Number(process.argv[2] ?? 10_000);
const transfers = Number(process.argv[3] ?? 50_000);
const OWNERS = 250;
const KINDS = ['ri', 'sp', 'cr'] as const;

const id = (k: number): string => String(3786579754 + k * 104729).padStart(12, '0');
const amount = (k: number, salt: number): string =>
  `${(k * 7919 + salt * 104729) % 100000}.${String((k * 31 + salt) % 10 ** 10).padStart(10, '0')}`;

const row = (
  usage: number,
  owner: number,
  commitment: LedgerRow['commitment'],
  lineItemType: string,
  cost: string,
): LedgerRow => ({
  billing_period: '2025-11',
  currency_code: 'USD',
  payer_account_id: '052601815908',
  usage_account_id: id(usage),
  owner_account_id: id(owner),
  invoice_account_id: id(usage),
  commitment,
  line_item_type: lineItemType,
  note: null,
  usage_cost: cost,
  invoice_cost: commitment ? '0' : cost,
  line_count: 1000,
  final_line_count: 0,
});

const rows: LedgerRow[] = [];
for (let a = 0; a < accounts; a++) rows.push(row(a, a, null, 'Usage', amount(a, 1)));
// Transfer t: owner t % OWNERS, a distinct consumer per (owner, t / OWNERS); unique triples.
for (let t = 0; t < transfers; t++) {
  const owner = t % OWNERS;
  const consumer = OWNERS + ((Math.floor(t / OWNERS) * 47 + owner) % (accounts - OWNERS));
  const kind = KINDS[owner % KINDS.length]!;
  rows.push(
    row(consumer, owner, kind, kind === 'sp' ? 'SavingsPlanCoveredUsage' : 'Usage', amount(t, 2)),
  );
}

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const report = buildReport({ sources: [{ path: 'synthetic', format: 'cur2', rows }] });
const built = performance.now();
const json = JSON.stringify(report);
const serialized = performance.now();
const memory = process.memoryUsage();
const period = report.periods[0]!;
process.stdout.write(
  `${JSON.stringify({
    rows: rows.length,
    accounts: period.accounts.length,
    transfers: period.transfers.length,
    buildMs: Math.round(built - started),
    serializeMs: Math.round(serialized - built),
    jsonMb: Math.round(json.length / 2 ** 20),
    heapUsedMb: Math.round((memory.heapUsed - heapBefore) / 2 ** 20),
    rssMb: Math.round(memory.rss / 2 ** 20),
  })}\n`,
);
