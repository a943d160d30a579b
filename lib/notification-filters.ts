import type { NotificationKeyFilter } from 'aws-cdk-lib/aws-s3';
import type { CurSourceConfig } from './config.js';

// Free of CDK code (the import above is a type), so `whopays doctor` compares a bucket's
// notifications with the same filters the stack deploys.

/**
 * The key prefix below which a source's deliveries arrive: `<prefix>/`, or for DBR files at the
 * bucket root (no prefix) the start of that payer's DBR file names, so neither the notification
 * nor a grant covers the whole bucket.
 */
export function sourceKeyPrefix(source: CurSourceConfig): string {
  if (source.prefix !== '') return `${source.prefix}/`;
  if (source.format !== 'dbr') throw new Error(`source ${source.id} has no prefix`);
  return `${source.payerAccountId}-aws-billing-detailed-line-items-with-resources-and-tags`;
}

/**
 * The S3 notification filters of one source: CUR 1 `<prefix>/<report>/…/<report>-Manifest.json`,
 * CUR 2.0 and FOCUS `<prefix>/<export>/metadata/…/<export>-Manifest.json`, DBR `<prefix>/….csv.zip` / `.csv`
 * (at the bucket root: `<payer>-aws-billing-detailed-line-items-with-resources-and-tags….csv.zip`,
 * the `-ACTS-` China names included).
 */
export function notificationFilters(source: CurSourceConfig): NotificationKeyFilter[] {
  const name = source.reportName ?? '';
  switch (source.format) {
    case 'cur':
      return [{ prefix: `${source.prefix}/${name}/`, suffix: `${name}-Manifest.json` }];
    // Data Exports (CUR 2.0 and FOCUS) write the same manifest layout.
    case 'cur2':
    case 'focus':
      return [{ prefix: `${source.prefix}/${name}/metadata/`, suffix: `${name}-Manifest.json` }];
    case 'dbr':
      return [
        { prefix: sourceKeyPrefix(source), suffix: '.csv.zip' },
        { prefix: sourceKeyPrefix(source), suffix: '.csv' },
      ];
  }
}
