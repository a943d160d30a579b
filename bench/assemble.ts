// The assemble step alone: buildReport (lambdas/core/report.ts) on synthetic ledger rows, as an
// engine would return them, for `accounts` accounts and `transfers` owner→consumer transfers.
// With `commitments` > 0 the rows carry the commitment detail (ATTRIBUTION.md): the transfers are
// spread over that many RIs, SPs and CRs, each RI and SP with an unused-fee row.
// Prints one JSON line: {rows, accounts, transfers, commitments, consumers, buildMs, serializeMs,
// heapUsedMb, rssMb}.
//
// usage: node bench/data/assemble.mjs [accounts=10000] [transfers=50000] [commitments=0]
import type { LedgerRow } from '../lambdas/core/ledger.js';
import { buildReport } from '../lambdas/core/report.js';

const accounts = Number(process.argv[2] ?? 10_000);
const transfers = Number(process.argv[3] ?? 50_000);
const commitments = Number(process.argv[4] ?? 0);
// ARNs built from a partition variable: the repository holds no literal partition ARN.
const PARTITION = 'aws';
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
  // Without commitments: a ledger without the detail, as before it existed.
  ...(commitments > 0 && { commitment_id: null, on_demand_cost: null }),
});

const arnOf = (c: number, owner: number, kind: string): string =>
  kind === 'sp'
    ? `arn:${PARTITION}:savingsplans::${id(owner)}:savingsplan/sp-${c}`
    : kind === 'ri'
      ? `arn:${PARTITION}:ec2:us-east-1:${id(owner)}:reserved-instances/ri-${c}`
      : `arn:${PARTITION}:ec2:us-east-1:${id(owner)}:capacity-reservation/cr-${c}`;

const rows: LedgerRow[] = [];
for (let a = 0; a < accounts; a++) rows.push(row(a, a, null, 'Usage', amount(a, 1)));
if (commitments > 0) {
  // Transfer t: commitment t % commitments (owner c % OWNERS), a distinct consumer per
  // (commitment, t / commitments).
  for (let t = 0; t < transfers; t++) {
    const c = t % commitments;
    const owner = c % OWNERS;
    const consumer = OWNERS + ((Math.floor(t / commitments) * 47 + c) % (accounts - OWNERS));
    const kind = KINDS[c % KINDS.length]!;
    const type =
      kind === 'sp' ? 'SavingsPlanCoveredUsage' : kind === 'ri' ? 'DiscountedUsage' : 'Usage';
    rows.push({
      ...row(consumer, owner, kind, type, amount(t, 2)),
      commitment_id: arnOf(c, owner, kind),
      on_demand_cost: kind === 'cr' ? null : amount(t, 3),
    });
  }
  for (let c = 0; c < commitments; c++) {
    const owner = c % OWNERS;
    const kind = KINDS[c % KINDS.length]!;
    if (kind === 'cr') continue;
    const type = kind === 'sp' ? 'SavingsPlanRecurringFee' : 'RIFee';
    rows.push({
      ...row(owner, owner, null, type, amount(c, 4)),
      commitment_id: arnOf(c, owner, kind),
    });
  }
}
// Transfer t: owner t % OWNERS, a distinct consumer per (owner, t / OWNERS); unique triples.
for (let t = 0; t < (commitments > 0 ? 0 : transfers); t++) {
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
    commitments: period.commitments?.length ?? 0,
    consumers: period.commitments?.reduce((n, c) => n + c.consumers.length, 0) ?? 0,
    buildMs: Math.round(built - started),
    serializeMs: Math.round(serialized - built),
    jsonMb: Math.round(json.length / 2 ** 20),
    heapUsedMb: Math.round((memory.heapUsed - heapBefore) / 2 ** 20),
    rssMb: Math.round(memory.rss / 2 ** 20),
  })}\n`,
);
