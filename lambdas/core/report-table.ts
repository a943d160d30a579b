import { displayMoney, parseMoney } from './money.js';
import type { PeriodReport, Report } from './report-model.js';
import { terminalText } from './untrusted-text.js';

/** Transfers shown per period; the CSV and JSON hold them all. */
export const TOP_TRANSFERS = 10;

const WIDTH = 100;
const ID = 12;
const NAME = 30;
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

function formatPeriod(p: PeriodReport): string[] {
  const shown = (v: string) => displayMoney(v);
  const amounts = [
    ...p.accounts.flatMap((a) => [a.usageCost, a.ownerCost, a.invoiceCost]),
    ...Object.values(p.totals),
  ].map(shown);
  const w = Math.max(MIN_AMOUNT, ...amounts.map((a) => a.length));
  const status = p.final ? 'final' : 'provisional (the bill is not closed yet)';
  const payers = p.payerAccountIds.length === 1 ? 'payer' : 'payers';
  const out = [
    `${p.billingPeriod} ${p.currency} · ${payers} ${p.payerAccountIds.join(', ')} · ${status}`,
    '',
    line(
      [
        ['account', ID],
        ['payer', ID],
      ],
      ['usage cost', 'owner cost', 'invoice cost'],
      w,
    ),
  ];
  for (const a of p.accounts) {
    out.push(
      line(
        [
          [a.accountId, ID],
          [a.payerAccountId, ID],
        ],
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
 * {@link TOP_TRANSFERS} transfers, the groups when configured and the warnings.
 * Amounts are rounded to 2 decimals for display only; the JSON and CSV stay exact.
 */
export function formatReportTable(report: Report): string {
  if (report.periods.length === 0) return 'No billing lines found.\n';
  // Ids, group names and warnings come from files: their control characters are written out.
  return terminalText(`${report.periods.map((p) => formatPeriod(p).join('\n')).join('\n\n')}\n`);
}
