import type { ConvertedView, ReportWithConverted } from './currency-rates.js';
import { compareMoney, displayMoney, sumMoney } from './money.js';
import type {
  AccountTotals,
  CommitmentDetail,
  GroupTotals,
  GroupTransfer,
  Money,
  PeriodReport,
  SourceSummary,
  Transfer,
} from './report-model.js';

/**
 * Renders a report as one self-contained HTML page for `report.html` (`whopays report --out DIR`).
 *
 * Nothing is fetched: CSS is inline, charts are plain HTML/CSS, there is no script at all, and a
 * Content-Security-Policy of `default-src 'none'` makes any accidental reference fail closed.
 * Amounts are shown rounded to cents; the exact decimal string is in each cell's `title`.
 *
 * @example writeFileSync(join(out, 'report.html'), renderReportHtml(report))
 */
export function renderReportHtml(report: ReportWithConverted): string {
  const body = [
    `<header><h1>whopays: who pays for the commitments</h1>`,
    `<p class="meta">Generated ${esc(report.generatedAt)} · ${report.periods.length} period(s)</p>`,
    `</header>`,
    renderSources(report.sources),
    ...report.periods.map(renderPeriod),
    report.converted ? renderConverted(report.converted) : '',
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>whopays report</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

// CJK families come first among the fallbacks so Chinese descriptions and warnings never render as
// boxes; all are local fonts (no web fonts are loaded).
const CSS = `
:root{--usage:#4e79a7;--owner:#f28e2b;--invoice:#59a14f;--neg:#e15759;--line:#d8dde3;--muted:#5f6b7a}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:16px 24px;color:#1d2733;background:#fff;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Hiragino Sans GB",
"Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid var(--line)}
h3{font-size:15px;margin:18px 0 6px}
.meta{color:var(--muted);margin:0 0 8px}
table{border-collapse:collapse;margin:4px 0 12px}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:middle}
th{background:#f3f5f8;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
vertical-align:middle;margin-left:8px}
.final{background:#e3f4e1;color:#1f6b1a}.provisional{background:#fff1d6;color:#8a5a00}
.converted{background:#e8e6fb;color:#3b2f99}
.bars{min-width:260px}
.bar{display:flex;align-items:center;gap:6px;height:14px;margin:2px 0}
.bar span.fill{display:inline-block;height:10px;border-radius:2px}
.bar span.v{font-size:11px;color:var(--muted);font-variant-numeric:tabular-nums}
.usage .fill{background:var(--usage)}.owner .fill{background:var(--owner)}
.invoice .fill{background:var(--invoice)}.bar.negative .fill{background:var(--neg)}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
td.cell{text-align:right;font-variant-numeric:tabular-nums;min-width:90px}
td.cell.empty{color:#b8c0ca}
th.others{font-style:italic;font-weight:400}
.warnings li{color:#8a3b00}
.use{display:flex;align-items:center;gap:6px;min-width:150px}
.use .track{display:inline-block;width:100px;height:10px;background:#eef1f4;border-radius:2px}
.use .fill{display:block;height:10px;border-radius:2px;background:var(--invoice)}
.use.low .fill{background:var(--neg)}
.sorts{margin:4px 0}.sorts label{margin-right:12px;cursor:pointer}
.commitment-sort{position:absolute;opacity:0}
table.commitments tbody{display:none}
.by-unused:checked~table tbody.by-unused,.by-savings:checked~table tbody.by-savings,
.by-use:checked~table tbody.by-use,.by-id:checked~table tbody.by-id{display:table-row-group}
.note{color:var(--muted);font-size:13px}
`;

function renderSources(sources: readonly SourceSummary[]): string {
  if (sources.length === 0) return '';
  const rows = sources
    .map(
      (s) =>
        `<tr><td>${esc(s.path)}</td><td>${esc(s.format)}</td>` +
        `<td class="id">${s.payerAccountIds.map(esc).join(', ')}</td>` +
        `<td>${s.billingPeriods.map(esc).join(', ')}</td><td class="num">${s.rows}</td></tr>`,
    )
    .join('');
  return (
    `<section class="sources"><h2>Sources</h2><table><thead><tr><th>file</th><th>format</th>` +
    `<th>payer</th><th>periods</th><th>rows</th></tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function renderPeriod(period: PeriodReport): string {
  const badge = period.final
    ? '<span class="badge final">final</span>'
    : '<span class="badge provisional">provisional</span>';
  const id = `period-${period.billingPeriod}-${period.currency}`;
  return [
    `<section class="period" id="${esc(id)}" data-period="${esc(period.billingPeriod)}" data-currency="${esc(period.currency)}">`,
    `<h2>${esc(period.billingPeriod)} · ${esc(period.currency)}${badge}</h2>`,
    `<p class="meta">Payer(s): <span class="id">${period.payerAccountIds.map(esc).join(', ')}</span></p>`,
    renderTotals(period),
    renderAccounts(period.accounts, period.currency),
    renderTransfers(period.transfers, period.currency),
    renderCommitments(period, id),
    period.groups ? renderGroups(period.groups, period.currency) : '',
    renderGroupTransfers(period.groupTransfers ?? [], period.currency),
    renderWarnings(period.warnings),
    `</section>`,
  ].join('\n');
}

function renderTotals(period: PeriodReport): string {
  const t = period.totals;
  return (
    `<table class="totals"><thead><tr><th></th><th>usageCost</th><th>ownerCost</th>` +
    `<th>invoiceCost</th><th>rounding</th></tr></thead><tbody><tr><th>total (${esc(period.currency)})</th>` +
    `${moneyCell(t.usageCost)}${moneyCell(t.ownerCost)}${moneyCell(t.invoiceCost)}${moneyCell(t.rounding)}` +
    `</tr></tbody></table>`
  );
}

const LEGEND =
  '<p class="legend"><span><i style="background:var(--usage)"></i>usageCost: who used it</span>' +
  '<span><i style="background:var(--owner)"></i>ownerCost: who owns it</span>' +
  '<span><i style="background:var(--invoice)"></i>invoiceCost: what the bill says</span>' +
  '<span><i style="background:var(--neg)"></i>negative</span></p>';

type ThreeBases = Pick<AccountTotals, 'usageCost' | 'ownerCost' | 'invoiceCost'>;

function renderAccounts(accounts: readonly AccountTotals[], currency: string): string {
  const scale = maxAbs(accounts.flatMap((a) => [a.usageCost, a.ownerCost, a.invoiceCost]));
  const rows = accounts
    .map(
      (a) =>
        `<tr class="account" data-account="${esc(a.accountId)}"><td class="id">${esc(a.accountId)}` +
        `${a.accountName === undefined ? '' : `<br><span class="name">${esc(a.accountName)}</span>`}</td>` +
        `<td class="id">${esc(a.payerAccountId)}</td>${moneyCell(a.usageCost)}${moneyCell(a.ownerCost)}` +
        `${moneyCell(a.invoiceCost)}<td class="bars">${bars(a, scale)}</td></tr>`,
    )
    .join('');
  return (
    `<h3>Accounts (${esc(currency)})</h3>${LEGEND}<table class="accounts"><thead><tr><th>account</th>` +
    `<th>payer</th><th>usageCost</th><th>ownerCost</th><th>invoiceCost</th><th>three bases</th></tr>` +
    `</thead><tbody>${rows}</tbody></table>`
  );
}

function bars(values: ThreeBases, scale: number): string {
  return (['usageCost', 'ownerCost', 'invoiceCost'] as const)
    .map((basis) => {
      const value = values[basis];
      // A float is fine here: it only sets a bar's pixel width, never an amount anyone reads.
      const ratio = scale === 0 ? 0 : Math.abs(Number(value)) / scale;
      const width = Math.max(ratio * 200, ratio > 0 ? 1 : 0).toFixed(1);
      const negative = compareMoney(value, '0') < 0 ? ' negative' : '';
      const cls = basis.replace('Cost', '');
      return (
        `<div class="bar ${cls}${negative}" title="${basis} ${esc(value)}">` +
        `<span class="fill" style="width:${width}px"></span><span class="v">${esc(displayMoney(value))}</span></div>`
      );
    })
    .join('');
}

/** A transfer between two parties (accounts or groups), as the matrices draw it. */
interface Flow {
  readonly owner: string;
  readonly consumer: string;
  readonly commitment: string;
  readonly cost: Money;
}

/** The owner→consumer matrix: one row per owner, one column per consumer, all kinds summed. */
function renderTransfers(transfers: readonly Transfer[], currency: string): string {
  const flows = transfers.map((t) => ({
    owner: t.ownerAccountId,
    consumer: t.consumerAccountId,
    commitment: t.commitment,
    cost: t.cost,
  }));
  if (flows.length === 0) {
    return `<h3>Transfers (${esc(currency)})</h3><p class="note">No commitment cost moves between accounts in this period.</p>`;
  }
  return (
    `<h3>Transfers (${esc(currency)}): owner → consumer</h3>` +
    `<p class="note">Cost that sits with the consumer in usageCost and with the owner in ownerCost. ` +
    `Rows: owner (pays in ownerCost); columns: consumer (used it).</p>` +
    matrix(flows, 'transfers', 'transfer', 'id')
  );
}

/** Commitments listed per order in report.html; commitments.csv holds them all. */
export const HTML_COMMITMENTS = 200;

const COMMITMENT_ORDERS = [
  ['unused', 'unused cost'],
  ['savings', 'savings'],
  ['use', 'utilization (lowest first)'],
  ['id', 'commitment'],
] as const;

/** Largest first; null (unknown) last. */
const byMoneyDesc =
  (figure: (c: CommitmentDetail) => string | null) =>
  (a: CommitmentDetail, b: CommitmentDetail): number => {
    const x = figure(a);
    const y = figure(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return compareMoney(y, x);
  };

/**
 * The commitments table: one row per commitment with its utilization as a bar and its savings.
 * The page has no script (its CSP forbids one), so it is sorted with CSS: one tbody per order,
 * shown by the radio button checked above the table.
 */
function renderCommitments(period: PeriodReport, periodId: string): string {
  const all = period.commitments ?? [];
  if (all.length === 0) return '';
  const orders: Record<(typeof COMMITMENT_ORDERS)[number][0], CommitmentDetail[]> = {
    unused: [...all].sort(byMoneyDesc((c) => c.unusedCost)),
    savings: [...all].sort(byMoneyDesc((c) => c.savings)),
    use: [...all].sort((a, b) =>
      a.utilization === null || b.utilization === null
        ? a.utilization === b.utilization
          ? 0
          : a.utilization === null
            ? 1
            : -1
        : compareMoney(a.utilization, b.utilization),
    ),
    id: [...all],
  };
  const row = (c: CommitmentDetail): string => {
    const use = c.utilization;
    // A float only sets the bar's width.
    const width = use === null ? 0 : Math.min(100, Math.max(0, Number(use) * 100));
    const useCell =
      use === null
        ? '<td class="num empty">–</td>'
        : `<td><div class="use${width < 50 ? ' low' : ''}" title="${esc(use)}">` +
          `<span class="track"><span class="fill" style="width:${width.toFixed(1)}px"></span></span>` +
          `<span>${esc((Number(use) * 100).toFixed(1))}%</span></div></td>`;
    const short = c.commitmentId.split(/[:/]/).pop() ?? c.commitmentId;
    return (
      `<tr class="commitment" data-commitment="${esc(c.commitmentId)}" data-kind="${esc(c.commitment)}">` +
      `<td>${esc(c.commitment)}</td><td class="id" title="${esc(c.commitmentId)}">${esc(short)}</td>` +
      `<td class="id">${esc(c.ownerAccountId)}</td><td class="num">${c.consumers.length}</td>` +
      `${moneyCell(c.usedCost)}${optionalMoneyCell(c.unusedCost)}${useCell}` +
      `${optionalMoneyCell(c.onDemandCost)}${optionalMoneyCell(c.savings, 'savings')}</tr>`
    );
  };
  const name = `sort-${periodId}`;
  const radios = COMMITMENT_ORDERS.map(
    ([key], i) =>
      `<input type="radio" class="commitment-sort by-${key}" name="${esc(name)}" id="${esc(`${name}-${key}`)}"${i === 0 ? ' checked' : ''}>`,
  ).join('');
  const labels = COMMITMENT_ORDERS.map(
    ([key, label]) => `<label for="${esc(`${name}-${key}`)}">${esc(label)}</label>`,
  ).join('');
  const bodies = COMMITMENT_ORDERS.map(
    ([key]) =>
      `<tbody class="by-${key}">${orders[key].slice(0, HTML_COMMITMENTS).map(row).join('')}</tbody>`,
  ).join('');
  const shown =
    all.length > HTML_COMMITMENTS
      ? ` The first ${HTML_COMMITMENTS} of ${all.length} in each order; commitments.csv lists them all.`
      : '';
  return (
    `<h3>Commitments (${esc(period.currency)})</h3>` +
    `<p class="note">Each RI, Savings Plan and Capacity Reservation: what its consumers used, what went ` +
    `unused, and what it saved against on-demand prices.${shown}</p>` +
    `<div class="commitments-view">${radios}<p class="sorts">Sort by: ${labels}</p>` +
    `<table class="commitments"><thead><tr><th>kind</th><th>commitment</th><th>owner</th>` +
    `<th>consumers</th><th>usedCost</th><th>unusedCost</th><th>utilization</th><th>onDemandCost</th>` +
    `<th>savings</th></tr></thead>${bodies}</table></div>`
  );
}

function renderGroupTransfers(transfers: readonly GroupTransfer[], currency: string): string {
  if (transfers.length === 0) return '';
  const flows = transfers.map((t) => ({
    owner: t.ownerGroup,
    consumer: t.consumerGroup,
    commitment: t.commitment,
    cost: t.cost,
  }));
  return (
    `<h3>Transfers between groups (${esc(currency)}): owner group → consumer group</h3>` +
    matrix(flows, 'group-transfers', 'group-transfer', '')
  );
}

/**
 * Owners (rows) and consumers (columns) a matrix names, the largest by the cost they move; the
 * others share one row and one column, so the page stays bounded (at most 26 × 26 cells) however
 * many accounts trade. transfers.csv and report.json hold every pair.
 */
export const MATRIX_SIDE = 25;

/** The row or column key of the parties past {@link MATRIX_SIDE}: no account id or group name. */
const OTHERS = '\u0000others';

/** The parties named in a matrix side: the MATRIX_SIDE largest by Σ|cost|, sorted by name. */
function namedParties(flows: readonly Flow[], party: (flow: Flow) => string): string[] {
  const moved = new Map<string, Money[]>();
  for (const f of flows) {
    const list = moved.get(party(f));
    if (list) list.push(f.cost.replace(/^-/, ''));
    else moved.set(party(f), [f.cost.replace(/^-/, '')]);
  }
  const ranked = [...moved].map(([name, costs]) => [name, sumMoney(costs)] as const);
  ranked.sort(([a, x], [b, y]) => compareMoney(y, x) || (a < b ? -1 : a > b ? 1 : 0));
  return ranked
    .slice(0, MATRIX_SIDE)
    .map(([name]) => name)
    .sort();
}

function matrix(
  flows: readonly Flow[],
  tableClass: string,
  cellClass: string,
  labelClass: string,
): string {
  const owners = namedParties(flows, (f) => f.owner);
  const consumers = namedParties(flows, (f) => f.consumer);
  const namedOwner = new Set(owners);
  const namedConsumer = new Set(consumers);
  const otherOwners = new Set(flows.map((f) => f.owner).filter((o) => !namedOwner.has(o))).size;
  const otherConsumers = new Set(flows.map((f) => f.consumer).filter((c) => !namedConsumer.has(c)))
    .size;
  if (otherOwners > 0) owners.push(OTHERS);
  if (otherConsumers > 0) consumers.push(OTHERS);
  const cells = new Map<string, Flow[]>();
  for (const f of flows) {
    const row = namedOwner.has(f.owner) ? f.owner : OTHERS;
    const column = namedConsumer.has(f.consumer) ? f.consumer : OTHERS;
    const key = `${row}\u0000${column}`;
    const list = cells.get(key);
    if (list) list.push(f);
    else cells.set(key, [f]);
  }
  const cellTotal = (list: readonly Flow[]): Money => sumMoney(list.map((f) => f.cost));
  const scale = maxAbs([...cells.values()].map(cellTotal));
  const label = labelClass === '' ? '' : ` class="${labelClass}"`;
  const others = (count: number, what: string) =>
    `<th class="others">${count} other ${what}${count === 1 ? '' : 's'}</th>`;
  const head = consumers
    .map((c) => (c === OTHERS ? others(otherConsumers, 'consumer') : `<th${label}>${esc(c)}</th>`))
    .join('');
  const rows = owners
    .map((o) => {
      const tds = consumers
        .map((c) => {
          const list = cells.get(`${o}\u0000${c}`);
          if (!list) return `<td class="cell empty">·</td>`;
          const total = cellTotal(list);
          const alpha = scale === 0 ? 0 : 0.12 + 0.78 * (Math.abs(Number(total)) / scale);
          const kinds = [...new Set(list.map((f) => f.commitment))];
          // Exact per kind: an "others" cell may hold thousands of transfers.
          const detail = kinds
            .map(
              (k) => `${k} ${sumMoney(list.filter((f) => f.commitment === k).map((f) => f.cost))}`,
            )
            .join('; ');
          const where =
            (o === OTHERS ? '' : ` data-owner="${esc(o)}"`) +
            (c === OTHERS ? '' : ` data-consumer="${esc(c)}"`);
          return (
            `<td class="cell ${cellClass}"${where} data-cost="${esc(total)}" ` +
            `title="${esc(detail)}" style="background:rgba(242,142,43,${alpha.toFixed(3)})">` +
            `${esc(displayMoney(total))}<br><span class="note">${esc(kinds.join('+'))}</span></td>`
          );
        })
        .join('');
      const th = o === OTHERS ? others(otherOwners, 'owner') : `<th${label}>${esc(o)}</th>`;
      return `<tr>${th}${tds}</tr>`;
    })
    .join('');
  const summed =
    otherOwners + otherConsumers === 0
      ? ''
      : `<p class="note">The ${MATRIX_SIDE} owners and consumers that move the most are named; the ` +
        `others are summed in one row and one column (transfers.csv has every pair).</p>`;
  return (
    `${summed}<table class="${tableClass}"><thead><tr><th>owner \\ consumer</th>${head}</tr></thead>` +
    `<tbody>${rows}</tbody></table>`
  );
}

function renderGroups(groups: readonly GroupTotals[], currency: string): string {
  const scale = maxAbs(groups.flatMap((g) => [g.usageCost, g.ownerCost, g.invoiceCost]));
  const rows = groups
    .map(
      (g) =>
        `<tr class="group" data-group="${esc(g.name)}"><td>${esc(g.name)}</td>` +
        `<td class="id">${esc(g.primaryAccountId ?? '')}</td><td class="id">${g.accountIds.map(esc).join(', ')}</td>` +
        `${moneyCell(g.usageCost)}${moneyCell(g.ownerCost)}${moneyCell(g.invoiceCost)}` +
        `<td class="bars">${bars(g, scale)}</td></tr>`,
    )
    .join('');
  return (
    `<h3>Billing groups (${esc(currency)})</h3><table class="groups"><thead><tr><th>group</th>` +
    `<th>primary</th><th>accounts</th><th>usageCost</th><th>ownerCost</th><th>invoiceCost</th>` +
    `<th>three bases</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function renderWarnings(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  return `<h3>Warnings</h3><ul class="warnings">${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`;
}

function renderConverted(view: ConvertedView): string {
  const rates = Object.entries(view.rates)
    .map(
      ([cur, rate]) =>
        `<tr><td>1 ${esc(cur)}</td><td class="num">${esc(rate)} ${esc(view.base)}</td></tr>`,
    )
    .join('');
  const periods = view.periods
    .map((p) => {
      const rows = p.accounts
        .map(
          (a) =>
            `<tr class="converted-account" data-account="${esc(a.accountId)}"><td class="id">${esc(a.accountId)}</td>` +
            `<td class="id">${esc(a.payerAccountId)}</td><td>${esc(a.currency)}</td>${moneyCell(a.usageCost)}` +
            `${moneyCell(a.ownerCost)}${moneyCell(a.invoiceCost)}</tr>`,
        )
        .join('');
      const t = p.totals;
      return (
        `<h3>${esc(p.billingPeriod)} in ${esc(view.base)} (converted from ${p.sourceCurrencies.map(esc).join(', ')})</h3>` +
        `<table class="converted-accounts"><thead><tr><th>account</th><th>payer</th><th>billed in</th>` +
        `<th>usageCost</th><th>ownerCost</th><th>invoiceCost</th></tr></thead><tbody>${rows}` +
        `<tr><th colspan="3">total (converted)</th>${moneyCell(t.usageCost)}${moneyCell(t.ownerCost)}` +
        `${moneyCell(t.invoiceCost)}</tr></tbody></table>`
      );
    })
    .join('');
  return (
    `<section class="converted-view"><h2>Converted view<span class="badge converted">converted, not billed</span></h2>` +
    `<p class="note">${esc(view.label)}</p>` +
    `<table class="rates"><thead><tr><th>rate</th><th>as of ${esc(view.asOf ?? 'unspecified')}</th></tr></thead>` +
    `<tbody>${rates}</tbody></table>${periods}</section>`
  );
}

function moneyCell(value: Money): string {
  return `<td class="num" title="${esc(value)}">${esc(displayMoney(value))}</td>`;
}

/** A money cell, or a dash where the figure is unknown (null). */
function optionalMoneyCell(value: Money | null, extraClass = ''): string {
  const cls = extraClass === '' ? 'num' : `num ${extraClass}`;
  if (value === null) return `<td class="${cls} empty">–</td>`;
  return `<td class="${cls}" title="${esc(value)}">${esc(displayMoney(value))}</td>`;
}

function maxAbs(values: readonly Money[]): number {
  return values.reduce((max, v) => Math.max(max, Math.abs(Number(v))), 0);
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
