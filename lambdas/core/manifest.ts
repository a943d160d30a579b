import { z } from 'zod';
import { InputError } from './errors.js';

/** An object a manifest says belongs to the delivery. */
export interface ManifestObject {
  readonly bucket: string;
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
}

// Loose: AWS adds fields over time, and only these are needed.
const Cur1ManifestSchema = z.looseObject({
  assemblyId: z.string().min(1),
  account: z.string().regex(/^\d+$/, 'expected a payer account id (digits)').optional(),
  // Empty in manifests written by other tools (koku's local buckets): the delivery's bucket applies.
  bucket: z.string().optional(),
  reportKeys: z.array(z.string().min(1)),
});

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;

const Cur2ManifestSchema = z.looseObject({
  executionId: z.string().min(1),
  dataFiles: z.array(z.string().regex(S3_URI, 'expected an s3:// URI')),
});

const describeIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return 'does not match the manifest schema';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `field ${path}: ${issue.message}`;
};

/**
 * Parses a CUR manifest. `file` names it in errors (`s3://bucket/key`); `deliveryBucket` is where
 * CUR 1 report keys live when the manifest has no `bucket`.
 *
 * @throws InputError when the text is not JSON or lacks what the pipeline needs.
 */
export const parseManifest = (
  format: 'cur' | 'cur2',
  text: string,
  file: string,
  deliveryBucket: string,
): Manifest => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(file, 'manifest is not valid JSON');
  }
  if (format === 'cur') {
    const parsed = Cur1ManifestSchema.safeParse(json);
    if (!parsed.success)
      throw new InputError(file, `malformed CUR manifest, ${describeIssue(parsed.error)}`);
    const bucket = parsed.data.bucket || deliveryBucket;
    return {
      assemblyId: parsed.data.assemblyId,
      ...(parsed.data.account ? { payerAccountId: parsed.data.account } : {}),
      objects: parsed.data.reportKeys.map((key) => ({ bucket, key })),
    };
  }
  const parsed = Cur2ManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(file, `malformed Data Exports manifest, ${describeIssue(parsed.error)}`);
  }
  return {
    assemblyId: parsed.data.executionId,
    objects: parsed.data.dataFiles.map((uri) => {
      const [, bucket, key] = S3_URI.exec(uri)!;
      return { bucket: bucket!, key: key! };
    }),
  };
};
