import { topCommitments } from './commitments.js';
import { displayMoney, parseMoney } from './money.js';
import type { CommitmentDetail, PeriodReport, Report } from './report-model.js';
import { terminalText } from './untrusted-text.js';

/** Transfers shown per period; the CSV and JSON hold them all. */
export const TOP_TRANSFERS = 10;

/** Commitments shown per list (top unused, top savings); commitments.csv and the JSON hold them all. */
export const TOP_COMMITMENTS = 5;

const WIDTH = 100;
const ID = 12;
const NAME = 30;
const ACCOUNT_NAME = 16;
const MIN_AMOUNT = 16;

const truncate = (text: string, width: number): string =>
  text.length <= width ? text : `${text.slice(0, width - 1)}…`;

/** Left-aligned text columns, then right-aligned amounts, two spaces apart. */
const line = (texts: readonly [string, number][], amounts: readonly string[], width: number) =>
  [...texts.map(([t, w]) => truncate(t, w).padEnd(w)), ...amounts.map((a) => a.padStart(width))]
    .join('  ')
    .trimEnd();

/** Word-wraps a sentence after `prefix`, continuation lines indented under its first word. */
function wrap(prefix: string, text: string): string[] {
  const out: string[] = [];
  let current = prefix;
  for (const word of text.split(' ')) {
    if (current.length > prefix.length && current.length + 1 + word.length > WIDTH) {
      out.push(current);
      current = ' '.repeat(prefix.length) + word;
    } else {
      current += current.length > prefix.length ? ` ${word}` : word;
    }
  }
  out.push(current);
  return out;
}

/** "Commitments": counts, then the top unused and the top savings, each with owner and use. */
function commitmentsSection(p: PeriodReport, w: number): string[] {
  const all = p.commitments ?? [];
  if (all.length === 0) return [];
  const shown = (v: string | null) => (v === null ? '–' : displayMoney(v));
  const kinds = (['ri', 'sp', 'cr'] as const)
    .map((k) => [k, all.filter((c) => c.commitment === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const out = ['', `Commitments: ${all.length} (${kinds})`];
  const list = (title: string, top: readonly CommitmentDetail[]) => {
    if (top.length === 0) return;
    out.push(
      `  ${title}`,
      line(
        [
          ['  kind', 6],
          ['owner', ID],
          ['use', 6],
          ['commitment', 38],
        ],
        ['unused cost', 'savings'],
        w,
      ),
    );
    for (const c of top) {
      const use = c.utilization === null ? '–' : `${(Number(c.utilization) * 100).toFixed(1)}%`;
      out.push(
        line(
          [
            [`  ${c.commitment}`, 6],
            [c.ownerAccountId, ID],
            [use, 6],
            // The ARN's end names the commitment; its start is the partition and service.
            [c.commitmentId.length > 38 ? `…${c.commitmentId.slice(-37)}` : c.commitmentId, 38],
          ],
          [shown(c.unusedCost), shown(c.savings)],
          w,
        ),
      );
    }
  };
  list(
    'Top unused',
    topCommitments(all, (c) => c.unusedCost, TOP_COMMITMENTS),
  );
  list(
    'Top savings',
    topCommitments(all, (c) => c.savings, TOP_COMMITMENTS),
  );
  return out;
}

function formatPeriod(p: PeriodReport): string[] {
  const shown = (v: string) => displayMoney(v);
  const amounts = [
    ...p.accounts.flatMap((a) => [a.usageCost, a.ownerCost, a.invoiceCost]),
    ...Object.values(p.totals),
  ].map(shown);
  const w = Math.max(MIN_AMOUNT, ...amounts.map((a) => a.length));
  const status = p.final ? 'final' : 'provisional (the bill is not closed yet)';
  // Names (--accounts) get a column of their own, only when the period has any.
  const named = p.accounts.some((a) => a.accountName !== undefined);
  const nameColumn = (text: string): [string, number][] => (named ? [[text, ACCOUNT_NAME]] : []);
  const payers = p.payerAccountIds.length === 1 ? 'payer' : 'payers';
  const out = [
    `${p.billingPeriod} ${p.currency} · ${payers} ${p.payerAccountIds.join(', ')} · ${status}`,
    '',
    line(
      [['account', ID], ...nameColumn('name'), ['payer', ID]],
      ['usage cost', 'owner cost', 'invoice cost'],
      w,
    ),
  ];
  for (const a of p.accounts) {
    out.push(
      line(
        [[a.accountId, ID], ...nameColumn(a.accountName ?? ''), [a.payerAccountId, ID]],
        [a.usageCost, a.ownerCost, a.invoiceCost].map(shown),
        w,
      ),
    );
  }
  out.push(
    line(
      [
        ['total', ID],
        ['', ID],
      ],
      [p.totals.usageCost, p.totals.ownerCost, p.totals.invoiceCost].map(shown),
      w,
    ),
  );
  if (parseMoney(p.totals.rounding) !== 0n) {
    out.push(
      line(
        [
          ['rounding', ID],
          ['', ID],
        ],
        ['', '', shown(p.totals.rounding)],
        w,
      ),
    );
  }
  if (p.transfers.length > 0) {
    const top = p.transfers.slice(0, TOP_TRANSFERS);
    out.push(
      '',
      `Top transfers (owner pays for what the consumer used), ${p.transfers.length} in all`,
    );
    out.push(
      line(
        [
          ['owner', ID],
          ['consumer', ID],
          ['kind', 4],
        ],
        ['cost'],
        w,
      ),
    );
    for (const t of top) {
      out.push(
        line(
          [
            [t.ownerAccountId, ID],
            [t.consumerAccountId, ID],
            [t.commitment, 4],
          ],
          [shown(t.cost)],
          w,
        ),
      );
    }
  }
  out.push(...commitmentsSection(p, w));
  if (p.groups !== undefined) {
    out.push('', 'Groups');
    out.push(line([['group', NAME]], ['usage cost', 'owner cost', 'invoice cost'], w));
    for (const g of p.groups) {
      out.push(line([[g.name, NAME]], [g.usageCost, g.ownerCost, g.invoiceCost].map(shown), w));
    }
    const between = (p.groupTransfers ?? []).slice(0, TOP_TRANSFERS);
    if (between.length > 0) out.push('', 'Top transfers between groups');
    for (const t of between) {
      const route = `${truncate(t.ownerGroup, NAME)} → ${truncate(t.consumerGroup, NAME)}`;
      out.push(line([[`${route} ${t.commitment}`, 2 * NAME + 7]], [shown(t.cost)], w));
    }
  }
  if (p.warnings.length > 0) {
    out.push('', 'Warnings');
    for (const warning of p.warnings) out.push(...wrap('  - ', warning));
  }
  return out;
}

/**
 * Renders a report as a plain-text table for the terminal, at most 100 columns wide for amounts below
 * a trillion: per period a heading (payers, final or provisional), the accounts with their payer and
 * usage, owner and invoice cost, a totals line (and the invoice rounding when there is one), the top
 * {@link TOP_TRANSFERS} transfers, the commitments with the most unused cost and the most savings,
 * the groups when configured and the warnings.
 * Amounts are rounded to 2 decimals for display only; the JSON and CSV stay exact.
 */
export function formatReportTable(report: Report): string {
  if (report.periods.length === 0) return 'No billing lines found.\n';
  // Ids, group names and warnings come from files: their control characters are written out.
  return terminalText(`${report.periods.map((p) => formatPeriod(p).join('\n')).join('\n\n')}\n`);
}
