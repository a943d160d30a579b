import { createHash } from 'node:crypto';
import { InputError } from './errors.js';
import type { SourceFormat } from './source-columns.js';

/**
 * What an S3 key tells about a billing delivery. Only the trigger objects are recognized: the CUR 1
 * date-folder manifest, the CUR 2.0 metadata manifest and a DBR detail file; any other key is not a
 * delivery (`classifyKey` returns undefined), so staging and report objects can never start a run.
 */
export type DeliveryKey =
  | {
      readonly format: 'cur';
      /** The report's S3 prefix ('' when the report has none). */
      readonly prefix: string;
      readonly reportName: string;
      readonly billingPeriod: string;
    }
  | {
      readonly format: 'cur2';
      readonly prefix: string;
      readonly reportName: string;
      readonly billingPeriod: string;
    }
  | {
      readonly format: 'dbr';
      readonly prefix: string;
      readonly payerAccountId: string;
      readonly billingPeriod: string;
      readonly compression: 'zip' | 'none';
    };

// `<prefix>/<report>/<yyyymmdd-yyyymmdd>/<report>-Manifest.json`; the copies inside assembly folders
// are deliberately not matched, so one delivery fires once.
const CUR1_MANIFEST = /^(?:(.+)\/)?([^/]+)\/(\d{4})(\d{2})\d{2}-\d{8}\/\2-Manifest\.json$/;
const CUR2_MANIFEST =
  /^(?:(.+)\/)?([^/]+)\/metadata\/BILLING_PERIOD=(\d{4}-\d{2})\/\2-Manifest\.json$/;
const DBR_FILE =
  /^(?:(.+)\/)?(\d{12})-aws-billing-detailed-line-items-with-resources-and-tags(?:-ACTS(?:-Ningxia)?)?-(\d{4}-\d{2})\.csv(\.zip)?$/;

const validPeriod = (period: string): boolean => /^\d{4}-(0[1-9]|1[0-2])$/.test(period);

/**
 * Decodes an S3 event notification key: S3 form-encodes it (`+` for a space, `%XX` for the rest).
 *
 * @example decodeS3Key('cur/my+report/20251001-20251101/my+report-Manifest.json')
 */
export const decodeS3Key = (raw: string): string => {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new InputError(raw, 'S3 key is not valid URL encoding');
  }
};

/** The delivery an S3 key stands for, or undefined when the key is not a trigger object. */
export const classifyKey = (key: string): DeliveryKey | undefined => {
  const cur1 = CUR1_MANIFEST.exec(key);
  if (cur1) {
    const billingPeriod = `${cur1[3]}-${cur1[4]}`;
    if (!validPeriod(billingPeriod)) return undefined;
    return { format: 'cur', prefix: cur1[1] ?? '', reportName: cur1[2]!, billingPeriod };
  }
  const cur2 = CUR2_MANIFEST.exec(key);
  if (cur2) {
    const billingPeriod = cur2[3]!;
    if (!validPeriod(billingPeriod)) return undefined;
    return { format: 'cur2', prefix: cur2[1] ?? '', reportName: cur2[2]!, billingPeriod };
  }
  const dbr = DBR_FILE.exec(key);
  if (dbr) {
    const billingPeriod = dbr[3]!;
    if (!validPeriod(billingPeriod)) return undefined;
    return {
      format: 'dbr',
      prefix: dbr[1] ?? '',
      payerAccountId: dbr[2]!,
      billingPeriod,
      compression: dbr[4] ? 'zip' : 'none',
    };
  }
  return undefined;
};

/** A configured source, as far as matching a delivery needs it. */
export interface SourceRef {
  readonly format: SourceFormat;
  readonly prefix: string;
  readonly reportName?: string;
  readonly payerAccountId: string;
}

const trimSlashes = (prefix: string): string => prefix.replace(/^\/+|\/+$/g, '');

/**
 * Whether a source of `format` is delivered as `delivery` says: a Data Exports manifest looks the
 * same for a CUR 2.0 and a FOCUS export, so it belongs to either (told apart by the export name).
 */
const deliveredAs = (format: SourceFormat, delivery: DeliveryKey): boolean =>
  format === delivery.format || (format === 'focus' && delivery.format === 'cur2');

/**
 * The configured source a delivery belongs to: same format and prefix, then the same payer (DBR) or
 * the same report/export name (CUR 1/2.0, FOCUS).
 */
export const matchSource = <S extends SourceRef>(
  delivery: DeliveryKey,
  sources: readonly S[],
): S | undefined =>
  sources.find((source) => {
    if (!deliveredAs(source.format, delivery)) return false;
    if (trimSlashes(source.prefix) !== trimSlashes(delivery.prefix)) return false;
    return delivery.format === 'dbr'
      ? source.payerAccountId === delivery.payerAccountId
      : source.reportName === delivery.reportName;
  });

/**
 * Stable id of one delivery: the same S3 object version (and the same manifest assembly) always
 * gives the same id, so a re-sent event maps to the same Step Functions execution name.
 */
export const deliveryId = (parts: {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
  readonly assemblyId?: string;
}): string =>
  createHash('sha256')
    .update(
      [
        parts.bucket,
        parts.key,
        parts.versionId ?? '',
        parts.etag ?? '',
        parts.assemblyId ?? '',
      ].join('\n'),
    )
    .digest('hex')
    .slice(0, 32);
