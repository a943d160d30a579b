import { classifyKey, matchSource } from '../../lambdas/core/delivery.js';
import { parseDeployConfig } from '../../lib/config.js';
import { notificationFilters } from '../../lib/ingest-trigger.js';
import { dbrRootKey } from '../fixtures/aws/deliveries.js';
import { exampleJson, iamStatements, synthesize } from './synth-helpers.js';

/**
 * DBR delivered where AWS writes it, at the bucket root (defect 4 of issue 10): the config takes a
 * DBR source without a prefix, the bucket notifies on that payer's DBR file names only, and
 * start-run's key rules recognize the file as that source's delivery.
 */

const PAYER = '052601815908';
const rootDbr = {
  id: 'dbr',
  format: 'dbr',
  prefix: '',
  payerAccountId: PAYER,
  currency: 'CNY',
  preferred: true,
};
const json = exampleJson('aws-cn');
const sources = (json.sources as Record<string, unknown>[]).map((s) =>
  s.format === 'dbr' ? rootDbr : s,
);
const config = parseDeployConfig({ ...json, sources }, 'root-dbr.json');

/** S3's filter rule: the key starts with the prefix and ends with the suffix. */
const notified = (key: string, filters: { prefix?: string; suffix?: string }[]): boolean =>
  filters.some((f) => key.startsWith(f.prefix ?? '') && key.endsWith(f.suffix ?? ''));

describe('DBR at the bucket root', () => {
  it('the config accepts an empty prefix for DBR only', () => {
    expect(config.sources.find((s) => s.format === 'dbr')?.prefix).toBe('');
    const cur2AtRoot = sources.map((s) => (s.format === 'cur2' ? { ...s, prefix: '' } : s));
    expect(() => parseDeployConfig({ ...json, sources: cur2AtRoot }, 'bad.json')).toThrow(
      /config field sources\.1\.prefix: may be empty only for format dbr/,
    );
  });

  it("notifies on the payer's DBR files at the root, in every seller variant, and on nothing else there", () => {
    const filters = notificationFilters(config.sources.find((s) => s.format === 'dbr')!);
    for (const seller of ['', 'ACTS', 'ACTS-Ningxia'] as const) {
      const key = dbrRootKey(PAYER, '2025-10', seller);
      expect(notified(key, filters)).toBe(true);
      expect(notified(key.replace(/\.zip$/, ''), filters)).toBe(true);
      // start-run takes the same key as this source's delivery.
      const delivery = classifyKey(key);
      expect(delivery).toMatchObject({
        format: 'dbr',
        payerAccountId: PAYER,
        billingPeriod: '2025-10',
      });
      expect(matchSource(delivery!, config.sources)).toMatchObject({ id: 'dbr' });
    }
    expect(notified(dbrRootKey('111122223333', '2025-10', 'ACTS'), filters)).toBe(false);
    expect(notified('billing/whopays-cur2/data/BILLING_PERIOD=2025-10/x.csv', filters)).toBe(false);
    expect(notified('aws-programmatic-access-test-object', filters)).toBe(false);
  });

  it('synthesizes: the bucket notification and start-run read the root DBR files by name, not the whole bucket', () => {
    const { template } = synthesize(config);
    const [notifications] = Object.values(template.findResources('Custom::S3BucketNotifications'));
    const rules = (
      notifications!.Properties.NotificationConfiguration.QueueConfigurations as Array<{
        Filter: { Key: { FilterRules: Array<{ Name: string; Value: string }> } };
      }>
    ).map((c) => Object.fromEntries(c.Filter.Key.FilterRules.map((r) => [r.Name, r.Value])));
    const stem = `${PAYER}-aws-billing-detailed-line-items-with-resources-and-tags`;
    expect(rules).toEqual(
      expect.arrayContaining([
        { prefix: stem, suffix: '.csv.zip' },
        { prefix: stem, suffix: '.csv' },
      ]),
    );
    expect(rules.every((r) => r.prefix !== '' && r.prefix !== undefined)).toBe(true);
    const objectResources = JSON.stringify(
      iamStatements(template).flatMap((s) =>
        JSON.stringify(s.Action).includes('s3:GetObject') ? [s.Resource] : [],
      ),
    );
    expect(objectResources).toContain(`/${stem}*`);
    expect(objectResources).not.toMatch(/"\/\*"/);
  });
});
