import { z } from 'zod';
import { InputError } from './errors.js';

/** An object a manifest says belongs to the delivery, as the manifest names it. */
export interface ManifestObject {
  /** The bucket the manifest names (CUR 1 `bucket`, the host of a CUR 2.0 URI), if any. */
  readonly bucket?: string;
  readonly key: string;
}

/** The parts of a CUR manifest the pipeline relies on. */
export interface Manifest {
  /** CUR 1 `assemblyId` or CUR 2.0 `executionId`: identifies this refresh of the month. */
  readonly assemblyId: string;
  /** CUR 1 `account` (the payer); CUR 2.0 manifests do not carry it. */
  readonly payerAccountId?: string;
  /** Every data object of the delivery; each must exist before the month is queried. */
  readonly objects: readonly ManifestObject[];
  /**
   * The column names the delivery's data files carry (CUR 1 `category/name` lower-cased and
   * joined with `_` like the Athena integration, CUR 2.0 `name`); undefined when the manifest
   * does not list them.
   */
  readonly columns?: readonly string[];
}

/** Manifest kinds: CUR 1 (legacy CUR) and Data Exports (CUR 2.0, and any other export table). */
export type ManifestFormat = 'cur' | 'cur2';

// Loose: AWS adds fields over time, and only these are needed.
const Cur1ManifestSchema = z.looseObject({
  assemblyId: z.string().min(1),
  account: z
    .string()
    .regex(/^\d{12}$/, 'expected a 12-digit payer account id')
    .optional(),
  bucket: z.string().min(1).optional(),
  reportKeys: z.array(z.string().min(1)),
  columns: z.array(z.looseObject({ category: z.string(), name: z.string() })).optional(),
});

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;

const DataExportsManifestSchema = z.looseObject({
  executionId: z.string().min(1),
  dataFiles: z.array(z.string().regex(S3_URI, 'expected an s3:// URI')),
  columns: z.array(z.looseObject({ name: z.string() })).optional(),
});

const describeIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return 'does not match the manifest schema';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `field ${path}: ${issue.message}`;
};

/** CUR 1 writes `lineItem/ResourceId`; the Athena integration's column is `line_item_resource_id`. */
const snakeCase = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();

/**
 * One reader per manifest kind: a new Data Exports table (FOCUS …) reuses `cur2`'s reader; a new
 * kind of manifest adds an entry here and a report-root marker in {@link REPORT_ROOT_MARKERS}.
 */
const READERS: Record<ManifestFormat, (json: unknown, file: string) => Manifest> = {
  cur: (json, file) => {
    const parsed = Cur1ManifestSchema.safeParse(json);
    if (!parsed.success)
      throw new InputError(file, `malformed CUR manifest, ${describeIssue(parsed.error)}`);
    const { bucket } = parsed.data;
    return {
      assemblyId: parsed.data.assemblyId,
      ...(parsed.data.account ? { payerAccountId: parsed.data.account } : {}),
      objects: parsed.data.reportKeys.map((key) => (bucket ? { bucket, key } : { key })),
      ...(parsed.data.columns
        ? { columns: parsed.data.columns.map((c) => snakeCase(`${c.category}_${c.name}`)) }
        : {}),
    };
  },
  cur2: (json, file) => {
    const parsed = DataExportsManifestSchema.safeParse(json);
    if (!parsed.success) {
      throw new InputError(file, `malformed Data Exports manifest, ${describeIssue(parsed.error)}`);
    }
    return {
      assemblyId: parsed.data.executionId,
      objects: parsed.data.dataFiles.map((uri) => {
        const [, bucket, key] = S3_URI.exec(uri)!;
        return { bucket: bucket!, key: key! };
      }),
      ...(parsed.data.columns ? { columns: parsed.data.columns.map((c) => c.name) } : {}),
    };
  },
};

/**
 * Parses a CUR manifest. `file` names it in errors (`s3://bucket/key`).
 *
 * @throws InputError when the text is not JSON or lacks what the pipeline needs.
 */
export const parseManifest = (format: ManifestFormat, text: string, file: string): Manifest => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(file, 'manifest is not valid JSON');
  }
  return READERS[format](json, file);
};

/**
 * What follows the report (export) folder in a data key, per manifest kind: CUR 2.0 `data/`;
 * CUR 1 a date folder `yyyymmdd-yyyymmdd/` or, in the Athena integration layout, the report name
 * again. So the report folder is found even when the prefix itself holds the report's name.
 */
const REPORT_ROOT_MARKERS: Record<ManifestFormat, (next: string, reportName: string) => boolean> = {
  cur: (next, reportName) => next === reportName || /^\d{8}-\d{8}$/.test(next),
  cur2: (next) => next === 'data',
};

/**
 * The part of a data key from the report (export) folder on: `r/data/BILLING_PERIOD=…/f` of
 * `any/prefix/r/data/BILLING_PERIOD=…/f`. It is what stays the same wherever the delivery was
 * written or replicated to, since only the bucket and the prefix differ.
 *
 * @throws InputError when the key is not below a `<reportName>/` folder of that layout.
 */
export const keyFromReportFolder = (
  format: ManifestFormat,
  reportName: string,
  key: string,
  manifestFile: string,
): string => {
  const parts = key.split('/');
  const isMarker = REPORT_ROOT_MARKERS[format];
  for (let i = 0; i < parts.length - 2; i++) {
    if (parts[i] === reportName && isMarker(parts[i + 1]!, reportName)) {
      return parts.slice(i).join('/');
    }
  }
  throw new InputError(manifestFile, `lists ${key}, which is not below a ${reportName}/ folder`);
};

/** Where a manifest was received: the bucket and prefix the S3 event came from. */
export interface ReceivedDelivery {
  readonly format: ManifestFormat;
  readonly bucket: string;
  /** The prefix before the report folder ('' at the bucket root). */
  readonly prefix: string;
  readonly reportName: string;
}

/**
 * The delivery's data objects in the bucket and prefix the manifest was received in. A manifest
 * names the bucket and prefix AWS wrote to; a replicated delivery (another organization's CUR
 * copied into this bucket) keeps those names, so each key is rebased from its report folder onto
 * the received prefix, whatever bucket the manifest names.
 */
export const receivedObjects = (
  manifest: Manifest,
  received: ReceivedDelivery,
  manifestFile: string,
): { bucket: string; key: string }[] => {
  const root = received.prefix === '' ? '' : `${received.prefix.replace(/\/+$/, '')}/`;
  return manifest.objects.map((object) => ({
    bucket: received.bucket,
    key: `${root}${keyFromReportFolder(received.format, received.reportName, object.key, manifestFile)}`,
  }));
};
