import { classifyKey, matchSource, type SourceRef } from './delivery.js';

/** A configured source as the payer rule needs it. */
export interface PayerSource extends SourceRef {
  readonly id?: string;
  /** Marks the one source of its payer whose deliveries count (deploy config `sources[].preferred`). */
  readonly preferred?: boolean;
}

/** How a source is named in logs and reports: its id, else format, prefix and report name. */
export const sourceName = (source: PayerSource): string =>
  source.id ??
  `${source.format} ${[source.prefix, source.reportName].filter((part) => part).join('/')}`;

/**
 * Whether a source's deliveries count. One payer's month is one bill: when a payer has several
 * configured sources (CUR 1 and CUR 2.0 during AWS's migration, a DBR and a CUR), only the one the
 * config marks `preferred` counts, so the consolidated report never holds the bill twice. The
 * deploy config refuses a payer with several sources and no (or several) preferred one; a config
 * that skipped that check (tests) keeps the older rule: the latest delivery of the payer wins.
 */
export function countsForPayer(source: PayerSource, sources: readonly PayerSource[]): boolean {
  const preferred = sources.filter(
    (s) => s.payerAccountId === source.payerAccountId && s.preferred,
  );
  return preferred.length !== 1 || preferred[0] === source;
}

/**
 * Whether a delivery counts for its payer (see {@link countsForPayer}): its source is found from
 * the delivered key, else as the payer's only source of that format; an unknown source counts.
 */
export function countsDelivery(
  delivery: { readonly key: string; readonly format: string; readonly payerAccountId: string },
  sources: readonly PayerSource[],
): boolean {
  const classified = classifyKey(delivery.key);
  const byKey = classified && matchSource(classified, sources);
  const byFormat = sources.filter(
    (s) => s.payerAccountId === delivery.payerAccountId && s.format === delivery.format,
  );
  const source = byKey ?? (byFormat.length === 1 ? byFormat[0] : undefined);
  return source === undefined || countsForPayer(source, sources);
}

/**
 * The report warning that says which source of a payer counts, when the payer has several and
 * one is preferred; undefined otherwise.
 */
export function payerSourcesNote(
  payerAccountId: string,
  sources: readonly PayerSource[],
): string | undefined {
  const own = sources.filter((s) => s.payerAccountId === payerAccountId);
  const preferred = own.filter((s) => s.preferred);
  if (own.length < 2 || preferred.length !== 1) return undefined;
  const others = own.filter((s) => !s.preferred).map(sourceName);
  return `Payer ${payerAccountId} has ${own.length} configured sources: only ${sourceName(preferred[0]!)} counts (preferred in the config); deliveries of ${others.join(', ')} are not read.`;
}
