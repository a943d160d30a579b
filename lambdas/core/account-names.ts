import { InputError } from './errors.js';
import type { Report } from './report-model.js';

/** What people call an account: its name and, optionally, where it sits in the company. */
export interface AccountLabel {
  readonly name: string;
  readonly businessUnit?: string;
  readonly costCenter?: string;
}

const ACCOUNT_ID = /^\d{12}$/;

/** The 1-based line of `text` at character `index`. */
const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** Splits one CSV record (RFC 4180 quoting) into fields. */
function csvFields(record: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i]!;
    if (quoted) {
      if (ch === '"' && record[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields.map((f) => f.trim());
}

const HEADER_NAMES: Readonly<Record<string, keyof AccountEntry>> = {
  account_id: 'accountId',
  accountid: 'accountId',
  id: 'accountId',
  name: 'name',
  account_name: 'name',
  accountname: 'name',
  business_unit: 'businessUnit',
  businessunit: 'businessUnit',
  cost_center: 'costCenter',
  costcenter: 'costCenter',
};

interface AccountEntry {
  accountId: string;
  name: string;
  businessUnit?: string;
  costCenter?: string;
}

/** Entries of a JSON file: `[{ "accountId", "name", "businessUnit"?, "costCenter"? }, …]`. */
function jsonEntries(text: string, path: string): { entry: AccountEntry; line: number }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) {
    throw new InputError(path, 'expected a JSON array of { "accountId", "name" } objects');
  }
  // Where each entry starts, to name its line: the n-th "accountId" key of the text.
  const starts = [...text.matchAll(/"accountId"\s*:/g)].map((m) => m.index ?? 0);
  return parsed.map((value, i) => {
    const line = lineAt(text, starts[i] ?? 0);
    const v = value as Record<string, unknown>;
    const text_ = (key: string) => (typeof v?.[key] === 'string' ? (v[key] as string) : undefined);
    const entry: AccountEntry = { accountId: text_('accountId') ?? '', name: text_('name') ?? '' };
    const businessUnit = text_('businessUnit');
    const costCenter = text_('costCenter');
    if (businessUnit) entry.businessUnit = businessUnit;
    if (costCenter) entry.costCenter = costCenter;
    return { entry, line };
  });
}

/** Entries of a CSV file with a header: account_id, name[, business_unit][, cost_center]. */
function csvEntries(text: string, path: string): { entry: AccountEntry; line: number }[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = csvFields(lines[0] ?? '').map((h) => HEADER_NAMES[h.toLowerCase()]);
  if (!header.includes('accountId') || !header.includes('name')) {
    throw new InputError(path, 'line 1: the header needs account_id and name columns');
  }
  const out: { entry: AccountEntry; line: number }[] = [];
  lines.slice(1).forEach((record, i) => {
    if (record.trim() === '') return;
    const entry: AccountEntry = { accountId: '', name: '' };
    csvFields(record).forEach((value, c) => {
      const key = header[c];
      if (key !== undefined && value !== '') entry[key] = value;
    });
    out.push({ entry, line: i + 2 });
  });
  return out;
}

/**
 * Reads an accounts file (`--accounts FILE`): account id → name, with an optional business unit
 * and cost center. JSON (an array of `{ accountId, name, businessUnit?, costCenter? }`) or CSV
 * (header `account_id,name[,business_unit][,cost_center]`).
 *
 * @throws InputError naming the file and the line of a malformed or duplicate account id, or an
 *   entry without a name.
 */
export function parseAccountsFile(text: string, path: string): Map<string, AccountLabel> {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  const entries = trimmed.startsWith('[') ? jsonEntries(trimmed, path) : csvEntries(text, path);
  const names = new Map<string, AccountLabel>();
  for (const { entry, line } of entries) {
    if (!ACCOUNT_ID.test(entry.accountId)) {
      throw new InputError(
        path,
        `line ${line}: account id ${JSON.stringify(entry.accountId)} is not 12 digits`,
      );
    }
    if (names.has(entry.accountId)) {
      throw new InputError(path, `line ${line}: duplicate account id ${entry.accountId}`);
    }
    if (entry.name.trim() === '') {
      throw new InputError(path, `line ${line}: account ${entry.accountId} has no name`);
    }
    const { accountId, ...label } = entry;
    names.set(accountId, label);
  }
  return names;
}

/** The report with each named account's name (and business unit, cost center) next to its id. */
export function withAccountNames(report: Report, names: ReadonlyMap<string, AccountLabel>): Report {
  if (names.size === 0) return report;
  return {
    ...report,
    periods: report.periods.map((p) => ({
      ...p,
      accounts: p.accounts.map((a) => {
        const label = names.get(a.accountId);
        if (label === undefined) return a;
        return {
          ...a,
          accountName: label.name,
          ...(label.businessUnit !== undefined && { businessUnit: label.businessUnit }),
          ...(label.costCenter !== undefined && { costCenter: label.costCenter }),
        };
      }),
    })),
  };
}
