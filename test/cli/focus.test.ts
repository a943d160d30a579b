import { execFile, execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { focusCsv, tempFolder } from '../adapters/billing-files.js';

// `whopays report` on FOCUS files, as a user runs it: the report, and bad input as one line, exit 2.
const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);
let folder: ReturnType<typeof tempFolder>;

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT });
  folder = tempFolder();
});

afterAll(() => folder.cleanup());

const row = (fields: Record<string, string>) => ({
  ProviderName: 'AWS',
  BillingAccountId: '111111111111',
  BillingPeriodStart: '2025-11-01T00:00:00Z',
  BillingCurrency: 'USD',
  ChargeCategory: 'Usage',
  SubAccountId: '333333333333',
  BilledCost: '1',
  EffectiveCost: '1',
  ...fields,
});

async function whopays(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [
      join(ROOT, 'bin/whopays.mjs'),
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('whopays report on FOCUS', () => {
  it('attributes a FOCUS file told from its columns', async () => {
    const path = join(folder.path, 'focus.csv');
    writeFileSync(
      path,
      focusCsv([
        row({
          CommitmentDiscountStatus: 'Used',
          CommitmentDiscountType: 'Reserved Instance',
          CommitmentDiscountId: 'arn:aws:ec2:us-east-1:222222222222:reserved-instances/r-1',
          BilledCost: '0',
          EffectiveCost: '6',
        }),
      ]),
    );

    const result = await whopays('report', path, '--json');

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.sources[0].format).toBe('focus');
    expect(report.periods[0].transfers).toEqual([
      {
        ownerAccountId: '222222222222',
        consumerAccountId: '333333333333',
        commitment: 'ri',
        cost: '6.0000000000',
      },
    ]);
  });

  it('refuses FOCUS of another cloud with one line on stderr, exit 2, nothing written', async () => {
    const path = join(folder.path, 'azure.csv');
    writeFileSync(path, focusCsv([row({ ProviderName: 'Microsoft' })]));
    const out = join(folder.path, 'azure-out');

    const result = await whopays('report', path, '--out', out);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `whopays: ${path}: FOCUS from Microsoft, not AWS: whopays attributes AWS commitments only\n`,
    );
    expect(existsSync(out)).toBe(false);
  });
});
