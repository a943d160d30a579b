import type { NotificationKeyFilter } from 'aws-cdk-lib/aws-s3';
import type { CurSourceConfig } from './config.js';

/**
 * The S3 notification filters of one source: CUR 1 `<prefix>/<report>/…/<report>-Manifest.json`,
 * CUR 2.0 `<prefix>/<export>/metadata/…/<export>-Manifest.json`, DBR `<prefix>/….csv.zip` / `.csv`.
 * Free of CDK code, so `whopays doctor` compares a bucket's notifications with the same filters
 * the stack deploys.
 */
export function notificationFilters(source: CurSourceConfig): NotificationKeyFilter[] {
  const name = source.reportName ?? '';
  switch (source.format) {
    case 'cur':
      return [{ prefix: `${source.prefix}/${name}/`, suffix: `${name}-Manifest.json` }];
    case 'cur2':
      return [{ prefix: `${source.prefix}/${name}/metadata/`, suffix: `${name}-Manifest.json` }];
    case 'dbr':
      return [
        { prefix: `${source.prefix}/`, suffix: '.csv.zip' },
        { prefix: `${source.prefix}/`, suffix: '.csv' },
      ];
  }
}
