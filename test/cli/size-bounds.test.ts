import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readerSql } from '../../lambdas/adapters/duckdb-relation.js';
import { parseMoney, sumMoney } from '../../lambdas/core/money.js';
import { MATRIX_SIDE, renderReportHtml } from '../../lambdas/core/report-html.js';
import type { Report, Transfer } from '../../lambdas/core/report-model.js';
import { CUR1_HEADERS, cur1Csv, tempFolder } from '../adapters/billing-files.js';
import { onePeriodReport } from '../helpers/one-period-report.js';

// Issue 15 item 14: the work and the output stay in proportion to the data.
const ROOT = resolve(__dirname, '../..');

const id = (n: number) => String(n).padStart(12, '0');

/** A report whose one period moves cost between `pairs` distinct owner/consumer pairs. */
function tradingReport(pairs: number): Report {
  const transfers: Transfer[] = Array.from({ length: pairs }, (_, i) => ({
    ownerAccountId: id(100_000 + i),
    consumerAccountId: id(200_000 + i),
    commitment: i % 3 === 0 ? 'sp' : 'ri',
    // Distinct costs, so the largest owners and consumers are known: pair i moves i + 0.01.
    cost: `${i}.01`,
  }));
  return onePeriodReport({ payerAccountIds: [id(1)], transfers });
}

describe('report.html size (issue 15 item 14)', () => {
  it(`draws 6,000 transfer pairs as at most ${MATRIX_SIDE + 1} × ${MATRIX_SIDE + 1} cells that add up to them all`, () => {
    const report = tradingReport(6000);
    // Act
    const html = renderReportHtml(report);
    // Assess: small, the named rows are the largest owners, and no cost is lost in "others".
    expect(html.length).toBeLessThan(200_000);
    const cells = [...html.matchAll(/<td class="cell transfer"[^>]*data-cost="([^"]+)"/g)];
    expect(cells.length).toBeLessThanOrEqual((MATRIX_SIDE + 1) ** 2);
    expect(sumMoney(cells.map((c) => c[1]!))).toBe(
      sumMoney(report.periods[0]!.transfers.map((t) => t.cost)),
    );
    expect(html).toContain(
      `data-owner="${id(100_000 + 5999)}" data-consumer="${id(200_000 + 5999)}"`,
    );
    expect(html).toContain('5975 other owners');
    expect(html).toContain('5975 other consumers');
  });
});

describe('reading many files and wide files (issue 15 item 14)', () => {
  let folder: ReturnType<typeof tempFolder>;
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT });
    folder = tempFolder();
  }, 60_000);
  afterAll(() => folder.cleanup());
  const whopays = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'bin/whopays.mjs'), ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('reads files that share a header with one read_csv, not one per file', () => {
    const columns = [
      { name: 'a', type: 'VARCHAR' },
      { name: 'b', type: 'VARCHAR' },
    ];
    const files = Array.from({ length: 8000 }, (_, i) => ({ path: `f${i}.csv`, columns }));
    const other = { path: 'g.csv', columns: [...columns].reverse() };
    const sql = readerSql('csv', [...files, other]);
    expect(sql.match(/read_csv\(/g)).toHaveLength(2);
    expect(sql).toContain("'f7999.csv'");
    expect(sql).toContain('union all by name');
  });

  it('adds up 300 files of two headers (columns in another order) exactly', () => {
    const dir = join(folder.path, 'many');
    mkdirSync(dir);
    const columns = Object.keys(CUR1_HEADERS);
    for (let i = 0; i < 300; i++) {
      const line = {
        bill_payer_account_id: '000000000100',
        bill_billing_period_start_date: '2025-10-01T00:00:00Z',
        line_item_usage_account_id: id(101 + (i % 3)),
        line_item_line_item_type: 'Usage',
        line_item_currency_code: 'USD',
        line_item_unblended_cost: '1.25',
      };
      writeFileSync(
        join(dir, `f${String(i).padStart(3, '0')}.csv`),
        cur1Csv([line], i % 2 ? columns : [...columns].reverse()),
      );
    }
    const run = whopays('report', dir, '--json');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    // 100 files per account, 1.25 each.
    expect(report.periods[0]!.accounts.map((a) => [a.accountId, parseMoney(a.usageCost)])).toEqual([
      [id(101), parseMoney('125')],
      [id(102), parseMoney('125')],
      [id(103), parseMoney('125')],
    ]);
  });

  it('refuses a CSV of 160,000 columns from its header, with one line', () => {
    const path = join(folder.path, 'wide.csv');
    const base = Object.keys(CUR1_HEADERS);
    const names = [...base, ...Array.from({ length: 160_000 }, (_, i) => `c${i}`)];
    writeFileSync(path, `${names.join(',')}\n${names.map(() => '').join(',')}\n`);
    const run = whopays('report', path);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `whopays: ${path}: ${names.length} columns, more than the 10000 whopays reads from one file\n`,
    );
  });
});
