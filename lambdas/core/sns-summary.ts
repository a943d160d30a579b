import { topCommitments } from './commitments.js';
import { compareMoney, displayMoney } from './money.js';
import type { PeriodReport } from './report-model.js';

/** SNS rejects a message (body plus attributes) above 256 KB; stay clear of it. */
export const SNS_MAX_BYTES = 256 * 1024;
const BUDGET_BYTES = SNS_MAX_BYTES - 4 * 1024;

export interface SummaryInput {
  readonly period: PeriodReport;
  /** The payer the report is for, or 'consolidated'. */
  readonly payer: string;
  /** Where the full report is, e.g. `s3://bucket/reports/2025-10/123456789012/report.json`. */
  readonly location: string;
  readonly reportVersion: string;
  /** @default 10 */
  readonly top?: number;
  /** What publishing did to Budgets; absent when no budgets policy is configured. */
  readonly budgets?: BudgetsOutcome;
}

/** Budgets planned for this report, and the accounts given none with the reason. */
export interface BudgetsOutcome {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly skippedAccounts: readonly { readonly accountId: string; readonly reason: string }[];
}

/** The budgets lines: counts, then each skip reason once with its accounts (cut to `top`). */
const budgetLines = (outcome: BudgetsOutcome, top: number): string[] => {
  const byReason = new Map<string, string[]>();
  for (const s of outcome.skippedAccounts) {
    byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.accountId]);
  }
  const lines = [
    '',
    `Budgets: ${outcome.created} created, ${outcome.updated} updated, ${outcome.unchanged} unchanged, ${outcome.skippedAccounts.length} accounts skipped`,
  ];
  for (const [reason, accounts] of byReason) {
    const shown = accounts.slice(0, top).join(', ');
    const more = accounts.length > top ? ` and ${accounts.length - top} more` : '';
    lines.push(`  skipped ${accounts.length} (${reason}): ${shown}${more}`);
  }
  return lines;
};

export interface SnsSummary {
  /** ASCII, one line, under SNS's 100-character subject limit. */
  readonly subject: string;
  readonly message: string;
  /** String attributes for subscription filter policies. */
  readonly attributes: Readonly<Record<'payer' | 'period' | 'final', string>>;
}

const byDesc =
  <T>(value: (item: T) => string) =>
  (a: T, b: T) =>
    compareMoney(value(b), value(a));

const render = (input: SummaryInput, top: number): string => {
  const { period } = input;
  const status = period.final ? 'FINAL (bill closed)' : 'PROVISIONAL (bill still open)';
  const accounts = [...period.accounts].sort(byDesc((a) => a.ownerCost)).slice(0, top);
  const transfers = [...period.transfers].sort(byDesc((t) => t.cost)).slice(0, top);
  const money = (value: string) => `${displayMoney(value)} ${period.currency}`;
  const lines = [
    `whopays report ${period.billingPeriod}, payer ${input.payer}: ${status}`,
    `Full report: ${input.location}`,
    `Version: ${input.reportVersion}`,
    '',
    `Totals: usage ${money(period.totals.usageCost)}, owner ${money(period.totals.ownerCost)}, invoice ${money(period.totals.invoiceCost)}`,
    '',
    `Top ${accounts.length} of ${period.accounts.length} accounts by ownerCost (usage / owner / invoice):`,
    ...accounts.map(
      (a) =>
        `  ${a.accountId}${a.accountName === undefined ? '' : ` (${a.accountName})`}: ${money(a.usageCost)} / ${money(a.ownerCost)} / ${money(a.invoiceCost)}`,
    ),
    '',
    `Top ${transfers.length} of ${period.transfers.length} transfers (owner <- consumer, commitment):`,
    ...transfers.map(
      (t) => `  ${t.ownerAccountId} <- ${t.consumerAccountId} (${t.commitment}): ${money(t.cost)}`,
    ),
  ];
  const commitments = period.commitments ?? [];
  const unused = topCommitments(commitments, (c) => c.unusedCost, top);
  if (unused.length > 0) {
    lines.push(
      '',
      `Top ${unused.length} of ${commitments.length} commitments by unused cost (owner, utilization):`,
      ...unused.map(
        (c) =>
          `  ${c.commitment} ${c.commitmentId} (owner ${c.ownerAccountId}, ${c.utilization ?? 'n/a'}): ${money(c.unusedCost!)} unused`,
      ),
    );
  }
  if (input.budgets !== undefined) lines.push(...budgetLines(input.budgets, top));
  if (period.warnings.length > 0) {
    lines.push(
      '',
      `Warnings (${period.warnings.length}):`,
      ...period.warnings.slice(0, top).map((w) => `  ${w}`),
    );
  }
  return `${lines.join('\n')}\n`;
};

/**
 * The SNS summary of one period report. Lists are cut to the `top` entries, and further while the
 * message would exceed SNS's size limit, so publishing never fails on a large organization.
 */
export const buildSnsSummary = (input: SummaryInput): SnsSummary => {
  let top = input.top ?? 10;
  let message = render(input, top);
  while (Buffer.byteLength(message, 'utf8') > BUDGET_BYTES && top > 0) {
    top = Math.floor(top / 2);
    message = render(input, top);
  }
  if (Buffer.byteLength(message, 'utf8') > BUDGET_BYTES) {
    message = `${Buffer.from(message, 'utf8').subarray(0, BUDGET_BYTES).toString('utf8')}\n…`;
  }
  const state = input.period.final ? 'final' : 'provisional';
  const subject = `whopays ${input.period.billingPeriod} ${input.payer} ${state}`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 99);
  return {
    subject,
    message,
    attributes: {
      payer: input.payer,
      period: input.period.billingPeriod,
      final: String(input.period.final),
    },
  };
};
