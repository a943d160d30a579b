import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import {
  parseRatesFile,
  type ReportWithConverted,
  withConvertedView,
} from '../../lambdas/core/currency-rates.js';
import { renderReportHtml } from '../../lambdas/core/report-html.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve(__dirname, '../../test-output');

// A two-payer report in the REPORT.md shape, with Chinese text where real China data has it.
const report: ReportWithConverted = {
  schemaVersion: 1,
  generatedAt: '2025-11-03T08:00:00Z',
  sources: [
    {
      path: 'examples/中国/052601815908-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv.zip',
      format: 'dbr',
      payerAccountIds: ['052601815908'],
      billingPeriods: ['2025-10'],
      rows: 120,
    },
  ],
  periods: [
    {
      billingPeriod: '2025-10',
      currency: 'CNY',
      payerAccountIds: ['052601815908'],
      final: false,
      accounts: [
        {
          accountId: '003786579754',
          payerAccountId: '052601815908',
          usageCost: '1183.1696462216',
          ownerCost: '1114.4605450187',
          invoiceCost: '1114.4605450187',
        },
        {
          accountId: '006671276842',
          payerAccountId: '052601815908',
          usageCost: '-12.5000000000',
          ownerCost: '56.2091012029',
          invoiceCost: '56.2091012029',
        },
        {
          accountId: '052601815908',
          payerAccountId: '052601815908',
          usageCost: '100.0000000000',
          ownerCost: '100.0000000000',
          invoiceCost: '100.0000000000',
        },
      ],
      transfers: [
        {
          ownerAccountId: '006671276842',
          consumerAccountId: '003786579754',
          commitment: 'ri',
          cost: '68.7091012029',
        },
      ],
      groups: [
        {
          name: 'platform.core',
          primaryAccountId: '003786579754',
          accountIds: ['003786579754', '006671276842'],
          usageCost: '1170.6696462216',
          ownerCost: '1170.6696462216',
          invoiceCost: '1170.6696462216',
        },
        {
          name: '(ungrouped)',
          accountIds: ['052601815908'],
          usageCost: '100.0000000000',
          ownerCost: '100.0000000000',
          invoiceCost: '100.0000000000',
        },
      ],
      totals: {
        usageCost: '1270.6696462216',
        ownerCost: '1270.6696462216',
        invoiceCost: '1270.6696462216',
        rounding: '-0.0200000000',
      },
      warnings: ['订阅 123456 被两个账户认购 (ambiguous subscription 123456)'],
      commitments: [
        {
          commitmentId: '123456',
          commitment: 'ri',
          ownerAccountId: '006671276842',
          usedCost: '68.7091012029',
          unusedCost: '10.0000000000',
          utilization: '0.8730',
          onDemandCost: '100.0000000000',
          savings: '31.2908987971',
          consumers: [
            {
              accountId: '003786579754',
              cost: '68.7091012029',
              onDemandCost: '100.0000000000',
              savings: '31.2908987971',
            },
          ],
        },
        {
          commitmentId: 'savingsplan/sp-9',
          commitment: 'sp',
          ownerAccountId: '003786579754',
          usedCost: '5.0000000000',
          unusedCost: '20.0000000000',
          utilization: '0.2000',
          onDemandCost: '6.0000000000',
          savings: '1.0000000000',
          consumers: [
            {
              accountId: '003786579754',
              cost: '5.0000000000',
              onDemandCost: '6.0000000000',
              savings: '1.0000000000',
            },
          ],
        },
      ],
    },
    {
      billingPeriod: '2025-10',
      currency: 'USD',
      payerAccountIds: ['111122223333'],
      final: true,
      accounts: [
        {
          accountId: '111122223333',
          payerAccountId: '111122223333',
          usageCost: '10.0000000000',
          ownerCost: '30.0000000000',
          invoiceCost: '30.0000000000',
        },
        {
          accountId: '444455556666',
          payerAccountId: '111122223333',
          usageCost: '40.0000000000',
          ownerCost: '20.0000000000',
          invoiceCost: '20.0000000000',
        },
      ],
      transfers: [
        {
          ownerAccountId: '111122223333',
          consumerAccountId: '444455556666',
          commitment: 'sp',
          cost: '15.0000000000',
        },
        {
          ownerAccountId: '111122223333',
          consumerAccountId: '444455556666',
          commitment: 'cr',
          cost: '5.0000000000',
        },
      ],
      groups: [
        {
          name: 'us.a',
          accountIds: ['111122223333'],
          usageCost: '10.0000000000',
          ownerCost: '30.0000000000',
          invoiceCost: '30.0000000000',
        },
        {
          name: '(ungrouped)',
          accountIds: ['444455556666'],
          usageCost: '40.0000000000',
          ownerCost: '20.0000000000',
          invoiceCost: '20.0000000000',
        },
      ],
      groupTransfers: [
        {
          ownerGroup: 'us.a',
          consumerGroup: '(ungrouped)',
          commitment: 'sp',
          cost: '15.0000000000',
        },
        {
          ownerGroup: 'us.a',
          consumerGroup: '(ungrouped)',
          commitment: 'cr',
          cost: '5.0000000000',
        },
      ],
      totals: {
        usageCost: '50.0000000000',
        ownerCost: '50.0000000000',
        invoiceCost: '50.0000000000',
        rounding: '0',
      },
      warnings: [],
    },
  ],
};

describe('renderReportHtml', () => {
  it('is self-contained: no external reference and no script', () => {
    const html = renderReportHtml(report);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/<script|@import|url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes text from the input', () => {
    const evil: ReportWithConverted = {
      ...report,
      periods: [{ ...report.periods[1]!, warnings: ['<img src=x onerror=alert(1)>'] }],
    };
    const html = renderReportHtml(evil);
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });

  it('lists the commitments once per order, the unused-cost order shown first', () => {
    const html = renderReportHtml(report);
    const table = html.slice(html.indexOf('<table class="commitments">'));
    const bodies = table.match(/<tbody class="by-[a-z]+">/g);
    expect(bodies).toEqual([
      '<tbody class="by-unused">',
      '<tbody class="by-savings">',
      '<tbody class="by-use">',
      '<tbody class="by-id">',
    ]);
    // Unused: sp 20 before ri 10; savings: ri 31.29 before sp 1.
    const rows = (body: string) =>
      [
        ...(table.split(`<tbody class="by-${body}">`)[1] ?? '')
          .split('</tbody>')[0]!
          .matchAll(/data-commitment="([^"]+)"/g),
      ].map((m) => m[1]);
    expect(rows('unused')).toEqual(['savingsplan/sp-9', '123456']);
    expect(rows('savings')).toEqual(['123456', 'savingsplan/sp-9']);
    expect(rows('use')).toEqual(['savingsplan/sp-9', '123456']);
    expect(html).toMatch(/class="commitment-sort by-unused"[^>]* checked>/);
    // 20% used: a short, red bar; 87.3%: a long one.
    expect(table).toContain('<div class="use low" title="0.2000">');
    expect(table).toContain('style="width:87.3px"');
  });

  it('sums several commitment kinds of one owner/consumer pair exactly in the matrix', () => {
    // sp 15 + cr 5 = 20 for 111122223333 -> 444455556666
    const html = renderReportHtml(report);
    expect(html).toMatch(/data-owner="111122223333" data-consumer="444455556666"[^>]*>20\.00/);
  });
});

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI !== 'true') {
  console.warn(`SKIPPED: report.html browser test needs ${CHROMIUM} (apt-get install -y chromium)`);
}
// In CI the browser test must run: a missing chromium fails it instead of skipping.
const browserDescribe = haveChromium || process.env.CI === 'true' ? describe : describe.skip;

browserDescribe('report.html in headless Chromium', () => {
  it('renders accounts, transfer cells, groups and Chinese text, with no console error and no request', async () => {
    // Prepare
    mkdirSync(OUT, { recursive: true });
    const htmlPath = join(OUT, 'report.html');
    const rates = parseRatesFile(
      '{"base":"USD","rates":{"CNY":"0.1385"},"asOf":"2025-10-31"}',
      'r',
    );
    writeFileSync(htmlPath, renderReportHtml(withConvertedView(report, rates)));
    const profile = mkdtempSync(join(tmpdir(), 'whopays-chromium-'));
    // A fresh profile per run: no cached state, no first-run network traffic.
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const pageUrl = pathToFileURL(htmlPath).href;
    try {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      page.on('request', (r) => {
        if (r.url() !== pageUrl) requests.push(r.url());
      });

      // Act
      await page.goto(pageUrl, { waitUntil: 'load' });
      await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });

      // Assess
      const cny = page.locator('section.period[data-currency="CNY"]');
      const usd = page.locator('section.period[data-currency="USD"]');
      expect(await cny.locator('tr.account').count()).toBe(3);
      expect(await usd.locator('tr.account').count()).toBe(2);
      expect(
        await cny.locator('tr.account[data-account="003786579754"] td.num').first().textContent(),
      ).toBe('1,183.17');
      const cell = cny.locator(
        'td.transfer[data-owner="006671276842"][data-consumer="003786579754"]',
      );
      expect(await cell.textContent()).toContain('68.71');
      expect(await cny.locator('td.cell.empty').count()).toBe(0);
      expect(await cny.locator('tr.group').count()).toBe(2);
      expect(await cny.locator('.badge.provisional').count()).toBe(1);
      expect(await usd.locator('.badge.final').count()).toBe(1);
      expect(await cny.locator('ul.warnings li').textContent()).toContain(
        '订阅 123456 被两个账户认购',
      );
      expect(await page.locator('section.sources td').first().textContent()).toContain(
        'examples/中国/',
      );
      // A bar is drawn for every basis of every account and group (3 + 2 accounts, 2 + 2 groups).
      expect(await page.locator('.bar .fill').count()).toBe((3 + 2 + 2 + 2) * 3);
      // sp 15 + cr 5 between the groups
      const groupCell = usd.locator(
        'td.group-transfer[data-owner="us.a"][data-consumer="(ungrouped)"]',
      );
      expect(await groupCell.textContent()).toBe('20.00sp+cr');
      const converted = page.locator('section.converted-view');
      expect(await converted.locator('.badge.converted').textContent()).toBe(
        'converted, not billed',
      );
      expect(await converted.locator('table.rates').textContent()).toContain('1 CNY0.1385 USD');
      // 1183.1696462216 × 0.1385 = 163.8689960017 → 163.87
      expect(
        await converted
          .locator('tr.converted-account[data-account="003786579754"] td.num')
          .first()
          .textContent(),
      ).toBe('163.87');
      // Commitments: one order shown at a time; the labels re-sort without a script.
      const commitmentRows = cny.locator('table.commitments tr.commitment:visible');
      expect(await commitmentRows.count()).toBe(2);
      expect(await commitmentRows.first().getAttribute('data-commitment')).toBe('savingsplan/sp-9');
      await cny.locator('p.sorts label', { hasText: 'savings' }).click();
      expect(await commitmentRows.count()).toBe(2);
      expect(await commitmentRows.first().getAttribute('data-commitment')).toBe('123456');
      expect(await commitmentRows.first().locator('td.savings').textContent()).toBe('31.29');
      expect(await commitmentRows.first().locator('.use').textContent()).toBe('87.3%');
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([]);
      expect(statSync(join(OUT, 'report.png')).size).toBeGreaterThan(10_000);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
